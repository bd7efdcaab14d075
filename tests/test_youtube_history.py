from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers._takeout_records import video_id
from selfdex.importers.youtube_history import YouTubeHistoryImporter
from selfdex.model import Record
from selfdex.testing import parse_path, recognitions

IMP = YouTubeHistoryImporter()


def _from(records: list[Record], name: str) -> list[Record]:
    return [r for r in records if r.provenance and r.provenance.member.endswith(name)]


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "google_takeout" / "youtube"
    assert set(recognitions(folder).values()) == {"youtube_history"}
    records, problems = parse_path(IMP, folder)
    assert problems == []
    assert {r.platform for r in records} == {"youtube"}

    # 2019+ JSON (My Activity schema): Gson \u003d decoded, channel as creator, ms precision
    watch = _from(records, "watch-history.json")
    first = watch[0]
    assert (first.action, first.item.kind, first.item.title) == (
        "watched",
        "video",
        "アイヌ語の勉強法をご紹介します！",
    )
    assert first.item.url == "https://www.youtube.com/watch?v=Y6VSGTC1n1g"
    assert first.item.ids == {"youtube": "Y6VSGTC1n1g"} and first.item.creators == ("はちあ",)
    assert first.extra["channel_id"] == "UC6s4Xu10_laCZMuahny8kUA"
    assert first.when == datetime(2025, 1, 23, 15, 40, 16, 600000, tzinfo=UTC) and first.precision == "ms"
    # a community post ("Viewed …"): first line as title, the whole post as text
    post = next(r for r in watch if r.item.kind == "post")
    assert post.action == "viewed" and post.item.title == "👉https://youtu.be/sy1_WX-nvoM"
    assert post.text and "QRコード" in post.text
    # ads are kept and flagged; an ad click-through is a visit to the unwrapped target
    ads = [r for r in watch if r.extra.get("ad")]
    assert [(r.action, r.item.kind) for r in ads] == [("watched", "video"), ("visited", "web_page")]
    assert (
        ads[0].item.creators == ()
        and ads[1].item.url == "https://clickserve.dartsearch.net/link/click?redacted"
    )
    assert len(watch) == 6

    # ≤2018 playlistItem format: snippet.channelTitle is the account ("Jeff M"), never the creator
    legacy = _from(records, "watch-history.2016-playlistItem-format.json")
    assert len(legacy) == 3 and all(r.action == "watched" and r.item.creators == () for r in legacy)
    assert legacy[0].item.ids == {"youtube": "3mNYrxcZ0X8"}
    assert legacy[0].when == datetime(2016, 10, 6, 22, 3, 44, tzinfo=UTC)

    # HTML in the en-AU locale: "29 Nov 2021, 18:06:16 AEDT" read as +11:00; entities decoded
    html = _from(records, "watch-history.html")
    assert len(html) == 15
    assert html[0].item.title == "Yarn vs NPM - You won't believe how fast it is"
    assert html[0].item.creators == ("LearnCode.academy",) and html[0].item.ids == {"youtube": "OCW3Jz6F8Ek"}
    assert html[0].when == datetime(2021, 11, 29, 7, 6, 16, tzinfo=UTC) and html[0].original_tz == "+11:00"
    assert any(r.item.title == "Backup & Restore VS Code (aka Sync Settings)" for r in html)
    rewatched = [r for r in html if r.item.ids == {"youtube": "lHAeK8t94as"}]
    assert len(rewatched) == 2 and len({r.id for r in rewatched}) == 2  # two viewings, two records

    searches = _from(records, "search-history.json")
    assert len(searches) == 12 and {r.action for r in searches} == {"searched"}
    assert searches[0].item.title == "yoru deepwoken"
    assert len({r.id for r in searches if r.item.title == "itagaky"}) == 2  # same query, two times

    # subscriptions: 2021 "Channel ID,Channel URL,Channel title" and 2022 "Channel Id,Channel Url,Channel Title"
    subs = [r for r in records if r.action == "subscribed"]
    assert len(subs) == 10 and all(r.item.kind == "channel" and r.when is None for r in subs)
    assert {"EJ Media", "RDCworld1"} <= {r.item.title for r in subs}
    assert next(r for r in subs if r.item.title == "EJ Media").item.ids == {
        "youtube_channel": "UC-JQzTHQrVA8j-tamvy66fw"
    }

    # 2022 playlist CSV: metadata block, blank line, then "Video Id,Time Added"; LL… = Liked videos
    liked = _from(records, "Liked videos.2022-playlist.csv")
    assert len(liked) == 6 and {r.action for r in liked} == {"liked"}
    assert liked[0].item.ids == {"youtube": "Oak5ze_gIEA"}
    assert liked[0].when == datetime(2022, 1, 25, 19, 36, 9, tzinfo=UTC) and liked[0].original_tz == "UTC"
    assert liked[0].provenance is not None and liked[0].provenance.line == 5


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("takeout-*-001.zip"))
    mine = {m: i for m, i in recognitions(bundle).items() if "/YouTube and YouTube Music/" in m}
    assert len(mine) == 5 and set(mine.values()) == {"youtube_history"}
    records, problems = parse_path(IMP, bundle)
    records = [r for r in records if r.provenance and "/YouTube and YouTube Music/" in r.provenance.member]
    assert problems == []
    watched = [r for r in records if r.action == "watched"]
    trailer = next(r for r in watched if r.item.ids.get("youtube") == "U2Qp5pL3ovA")
    assert trailer.item.title == "Dune: Part Two – Official Trailer 3"
    assert trailer.item.creators == ("Warner Bros. Pictures",)
    arrival = next(r for r in watched if r.item.ids.get("youtube") == "Pm6Tn6SMsMA")
    assert arrival.item.title == "How Arrival's Language Was Created"  # Gson \u0027
    ad = next(r for r in watched if r.extra.get("ad"))
    assert ad.item.title == "Kitchen Knife Sale – 30% off"
    assert any(r.extra.get("removed") and r.item.title is None for r in watched)
    assert {"dashi stock recipe", "tonkotsu ramen at home"} & {
        r.item.title for r in records if r.action == "searched"
    }
    assert "Just One Cookbook" in {r.item.title for r in records if r.action == "subscribed"}
    saved = [r for r in records if r.action == "saved"]
    assert {r.item.kind for r in saved} == {"list", "video"}
    assert {r.extra.get("list") for r in saved if r.item.kind == "video"} == {"Japanese home cooking"}


def _watch(
    title: str, url: str | None, time: str = "2024-03-01T10:00:00.123Z", **extra: object
) -> dict[str, object]:
    entry: dict[str, object] = {"header": "YouTube", "title": title, "time": time, "products": ["YouTube"]}
    if url:
        entry["titleUrl"] = url
    entry.update(extra)
    return entry


def test_edge_entries(tmp_path: Path) -> None:
    history = tmp_path / "Takeout" / "YouTube and YouTube Music" / "history"
    history.mkdir(parents=True)
    entries = [
        _watch("Watched a video that has been removed", None),
        _watch(
            "Watched https://www.youtube.com/watch?v=abcdefghijk",
            "https://www.youtube.com/watch?v=abcdefghijk",
        ),
        _watch(
            "Watched Paul's Dream",
            "https://music.youtube.com/watch?v=AAAAAAAAAAA",
            header="YouTube Music",
            subtitles=[{"name": "Hans Zimmer - Topic", "url": "https://www.youtube.com/channel/UCx"}],
        ),
        _watch("Answered survey question", None),
        _watch("Angesehen: Dune", "https://www.youtube.com/watch?v=BBBBBBBBBBB"),  # a localized verb
    ]
    (history / "watch-history.json").write_text(json.dumps(entries))
    records, problems = parse_path(IMP, tmp_path)
    removed, private, song, german = records
    assert removed.extra == {"removed": True} and removed.item.title is None and removed.item.ids == {}
    assert private.extra == {"unavailable": True} and private.item.ids == {"youtube": "abcdefghijk"}
    assert (song.action, song.item.kind, song.item.creators) == ("listened", "track", ("Hans Zimmer",))
    assert german.action == "watched" and german.item.title == "Angesehen: Dune"
    (survey,) = problems
    assert survey.severity == "skipped" and survey.index == 3


def test_malformed_inputs(tmp_path: Path) -> None:
    history = tmp_path / "Takeout" / "YouTube und YouTube Music" / "Verlauf"  # localized folders
    history.mkdir(parents=True)
    text = json.dumps(
        [
            _watch("Watched A", "https://www.youtube.com/watch?v=AAAAAAAAAAA"),
            _watch("Watched B", "x", time=""),
        ]
        * 2
    )
    (history / "Wiedergabeverlauf.json").write_text(text[:-30])
    playlists = tmp_path / "Takeout" / "YouTube und YouTube Music" / "Playlists"
    playlists.mkdir()
    (playlists / "Watch later.csv").write_text(
        "Playlist Id,Channel Id,Time Created,Time Updated,Title,Description,Visibility\n"
        'WLabc,UCabc,2020-01-01 10:00:00 UTC,2022-01-01 10:00:00 UTC,Später ansehen,"two\nlines",Private\n'
        "\n"
        "Video Id,Time Added\n"
        "AAAAAAAAAAA,2021-05-01 10:00:00 UTC\n"
        "BBBBBBBBBBB,yesterday\n"
        "CCCCCCCCCCC,2021-05-02 10:00:00 UTC,extra\n"
        "DDDDDDDDDDD,2021-05-03 10:00:00 UTC\n"
    )
    (playlists / "garbage.csv").write_bytes(b"\x00\x01\x02")
    assert recognitions(tmp_path) == {
        "Takeout/YouTube und YouTube Music/Playlists/Watch later.csv": "youtube_history",
        "Takeout/YouTube und YouTube Music/Playlists/garbage.csv": None,
        "Takeout/YouTube und YouTube Music/Verlauf/Wiedergabeverlauf.json": "youtube_history",
    }
    records, problems = parse_path(IMP, tmp_path)
    assert [r.item.ids["youtube"] for r in records] == [
        "AAAAAAAAAAA",
        "DDDDDDDDDDD",
        "AAAAAAAAAAA",
        "AAAAAAAAAAA",
    ]
    # WL… is Watch later whatever the playlist's localized title; lines count the two-line description
    assert records[1].action == "wishlisted" and records[1].provenance and records[1].provenance.line == 9
    reasons = {(p.member.rsplit("/", 1)[-1], p.index, p.line): p.reason for p in problems}
    assert set(reasons) == {
        ("Watch later.csv", 1, 7),
        ("Watch later.csv", 2, 8),
        ("Wiedergabeverlauf.json", 1, None),
        ("Wiedergabeverlauf.json", 3, None),
    }
    assert "invalid JSON" in reasons[("Wiedergabeverlauf.json", 3, None)]


def test_html_streams_cells_across_reads(tmp_path: Path, formats_dir: Path) -> None:
    """Cells cut at every 64 KiB read boundary still come out whole, and the CSS head is skipped."""
    sample = (formats_dir / "google_takeout" / "youtube" / "watch-history.html").read_text()
    start, end = sample.index('<div class="outer-cell'), sample.rindex("</div></body>")
    big = sample[:start] + sample[start:end] * 40 + sample[end:]
    history = tmp_path / "Takeout" / "YouTube and YouTube Music" / "history"
    history.mkdir(parents=True)
    (history / "watch-history.html").write_text(big)
    records, problems = parse_path(IMP, tmp_path)
    assert problems == [] and len(records) == 600
    assert [r.provenance.index for r in records if r.provenance] == list(range(600))
    offsets = [r.provenance.offset for r in records if r.provenance]
    raw = big.encode()
    assert all(raw[o : o + 22] == b'<div class="outer-cell' for o in offsets if o is not None)


def test_video_id() -> None:
    assert video_id("https://www.youtube.com/watch?v=U2Qp5pL3ovA&t=10") == "U2Qp5pL3ovA"
    assert video_id("https://youtu.be/sy1_WX-nvoM") == "sy1_WX-nvoM"
    assert video_id("https://www.youtube.com/shorts/abc-DEF_123") == "abc-DEF_123"
    assert video_id("https://www.youtube.com/post/Ugkx") is None and video_id(None) is None
