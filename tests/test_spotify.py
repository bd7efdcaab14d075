from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers import spotify as spotify_module
from selfdex.importers.spotify import SpotifyImporter
from selfdex.model import Record
from selfdex.sample.platforms.spotify import write_extended_history
from selfdex.testing import entries, parse_path, recognitions


@pytest.fixture(scope="module")
def real(formats_dir: Path) -> list[Record]:
    records, problems = parse_path(SpotifyImporter(), formats_dir / "spotify")
    assert [p for p in problems if p.severity != "skipped"] == []
    return records


def _one(records: list[Record], member: str, title: str) -> Record:
    return next(
        r for r in records if r.item.title == title and r.provenance and member in r.provenance.member
    )


def test_every_real_sample_is_recognised(formats_dir: Path) -> None:
    found = recognitions(formats_dir / "spotify")
    assert len(found) == 10
    assert set(found.values()) == {"spotify"}


def test_account_streaming_history(real: list[Record]) -> None:
    # endTime is minute-precision UTC, the end of playback
    go = _one(real, "StreamingHistory_music_0", "Go Outside")
    assert go.when == datetime(2023, 10, 2, 23, 43, tzinfo=UTC)
    assert (go.precision, go.original_tz, go.action, go.item.kind) == ("minute", "UTC", "listened", "track")
    assert go.item.creators == ("Cults",) and go.duration_s == 51.223
    assert "skipped" not in go.extra
    # a 1.6 s play is a skip
    assert _one(real, "StreamingHistory0", "Busy Earnin'").extra["skipped"] is True
    # before 2023 podcasts were mixed into StreamingHistoryN.json with the show as the artist
    mixed = _one(real, "StreamingHistory0", "The Chicks vs. The Iraq War")
    assert mixed.item.kind == "track" and mixed.item.creators == ("You're Wrong About",)


def test_account_podcasts_and_audiobooks(real: list[Record]) -> None:
    pod = _one(real, "StreamingHistory_podcast_0", "you are the blueprint.")
    assert pod.item.kind == "podcast" and pod.item.creators == ("for the healthy hoes.",)
    assert pod.extra["show"] == "for the healthy hoes."
    # trailing blanks in episode names are trimmed
    assert any(r.item.title == "don't take it personal." for r in real)
    books = [r for r in real if r.item.kind == "audiobook"]
    assert len(books) == 11
    chapter = next(r for r in books if r.extra.get("chapter") == "Track 4")
    assert chapter.item.title == "The Age of Magical Overthinking" and chapter.duration_s == 445.712
    two_authors = next(r for r in books if r.item.title == "The Courage to Be Disliked")
    assert two_authors.item.creators == ("Ichiro Kishimi", "Fumitake Koga")
    # a 0 ms play is still a record (a skip), not dropped
    zero = next(r for r in books if r.item.title == "Everything I Know About Love" and r.duration_s == 0)
    assert zero.extra["skipped"] is True


def test_search_queries(real: list[Record]) -> None:
    searches = [r for r in real if r.action == "searched"]
    assert len(searches) == 8 and {r.item.kind for r in searches} == {"query"}
    soldier = next(r for r in searches if r.item.title == "soldier")
    # "2024-07-10T03:44:01.960Z[UTC]": Java ZonedDateTime suffix
    assert soldier.when == datetime(2024, 7, 10, 3, 44, 1, 960000, tzinfo=UTC)
    assert soldier.precision == "ms" and soldier.original_tz == "UTC"
    assert soldier.extra == {
        "device": "IPHONE",
        "clicked": ["spotify:track:3xtiXNDbSKxy20I7D6vFUg", "spotify:playlist:3zzalOKus1sKRfx9XbLSm6"],
    }
    # the keystroke log: "5" twice at different milliseconds are two searches, not a duplicate
    assert len({r.id for r in searches if r.item.title == "5"}) == 2


def test_library_and_inferences(real: list[Record]) -> None:
    lib = [r for r in real if r.provenance and r.provenance.member.endswith("YourLibrary.json")]
    assert len(lib) == 20 and all(r.when is None for r in lib)
    riot = next(r for r in lib if r.item.title == "RIOT!")
    assert (riot.action, riot.item.kind, riot.item.creators) == ("saved", "album", ("Paramore",))
    assert riot.item.ids == {"spotify": "spotify:album:1PBdA9OY4DwquzRgEmsgkO"}
    beyonce = next(r for r in lib if r.item.title == "Beyoncé")
    assert (beyonce.action, beyonce.item.kind) == ("followed", "artist")
    show = next(r for r in lib if r.item.title == "Archewell Audio")
    assert (show.action, show.item.kind, show.item.creators) == ("followed", "podcast", ("Spotify Studios",))
    episode = next(r for r in lib if r.extra["section"] == "episodes")
    assert episode.item.kind == "podcast" and episode.item.creators == ("The Dr. Luke Hobson Podcast",)
    track = next(r for r in lib if r.item.title == "Be Careful")
    assert track.item.creators == ("Cardi B",) and track.extra["album"] == "Invasion of Privacy"

    topics = [r for r in real if r.action == "interested"]
    assert len(topics) == 25 and {r.item.kind for r in topics} == {"topic"}
    toyota = next(r for r in topics if r.item.title == "Auto Toyota")
    assert toyota.extra == {"scope": "Advertiser-Specific"}
    assert toyota.item.ids == {"spotify_inference": "1P_Custom_Auto_Toyota [Advertiser-Specific]"}


def test_extended_history(real: list[Record]) -> None:
    first = _one(real, "Streaming_History_Audio_2023", "Ye Pyar Nahi To Kya Hai")
    assert first.when == datetime(2023, 9, 25, 12, 26, 38, tzinfo=UTC)
    assert (first.precision, first.item.kind, first.duration_s) == ("second", "track", 228.0)
    assert first.item.ids == {"spotify": "spotify:track:0MNgTp3FLtbPiCvrG8lsru"}
    assert first.extra["album"] == "Ye Pyar Nahi To Kya Hai" and first.extra["country"] == "IN"
    assert "ip_addr" not in first.raw and first.raw["reason_start"] == "playbtn"
    back = _one(real, "Streaming_History_Audio_2023", "Maan Meri Jaan")
    assert back.extra["skipped"] is True and back.extra["reason_end"] == "backbtn"
    # 2021 endsong files: compact single-line JSON, IPs, user agent and username in every entry
    old = [r for r in real if r.provenance and "endsong" in r.provenance.member]
    assert len(old) == 12
    for r in old:
        assert not {"ip_addr_decrypted", "user_agent_decrypted", "username"} & set(r.raw)
    # skipped is null in old files: only a short play counts as a skip
    alma = next(r for r in old if r.item.title == "Alma-Ville")
    assert "skipped" not in alma.extra and alma.extra["shuffle"] is True
    assert alma.extra["device"] == "iOS 11.2.6 (iPhone10,3)"
    assert next(r for r in old if r.item.title == "Christmas Is Coming").extra["skipped"] is True
    # video podcasts: no track fields, the show is the creator
    videos = [r for r in real if r.item.kind == "video"]
    assert len(videos) == 4 and all(r.item.creators for r in videos)
    assert all(r.item.ids["spotify"].startswith("spotify:episode:") for r in videos)


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "my_spotify_data.zip"
    assert set(recognitions(bundle).values()) == {"spotify"}
    records, problems = parse_path(SpotifyImporter(), bundle)
    assert problems == []
    listened = [r for r in records if r.action == "listened"]
    dune = [r for r in listened if r.item.title == "Paul's Dream"]
    assert dune and all(r.item.creators == ("Hans Zimmer",) for r in dune)
    assert any(r.item.ids.get("spotify") == "spotify:track:3zVNcG2nUdJvWw5Mr3MUeJ" for r in dune)
    # she switched from Apple Music in September 2023
    assert min(r.when for r in listened if r.when) >= datetime(2023, 9, 1, tzinfo=UTC)
    # Ed Sheeran and Dua Lipa get skipped within seconds
    disliked = [r for r in listened if r.item.creators in (("Ed Sheeran",), ("Dua Lipa",))]
    assert disliked and all(r.extra.get("skipped") for r in disliked)
    assert {"Trail Runner Nation", "Home Cooking", "The Dune Pod"} <= {
        r.item.creators[0] for r in listened if r.item.kind == "podcast"
    }
    assert "hans zimmer dune" in {r.item.title for r in records if r.action == "searched"}
    assert [r.item.title for r in records if r.action == "disliked"] == ["Shape of You"]
    assert "Radiohead" in {r.item.title for r in records if r.action == "followed"}
    assert any(r.action == "interested" and r.item.title == "Soundtrack Streamers" for r in records)


def test_write_extended_history_streams_a_realistic_file(tmp_path: Path) -> None:
    path = write_extended_history(tmp_path / "Streaming_History_Audio_2016-2025_0.json", 3000, seed=1)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data) == 3000
    # the 2023+ field set, in Spotify's order
    assert list(data[0]) == [
        "ts", "platform", "ms_played", "conn_country", "ip_addr", "master_metadata_track_name",
        "master_metadata_album_artist_name", "master_metadata_album_album_name", "spotify_track_uri",
        "episode_name", "episode_show_name", "spotify_episode_uri", "audiobook_title", "audiobook_uri",
        "audiobook_chapter_uri", "audiobook_chapter_title", "reason_start", "reason_end", "shuffle",
        "skipped", "offline", "offline_timestamp", "incognito_mode",
    ]  # fmt: skip
    assert datetime.fromisoformat(data[0]["ts"]).tzinfo is not None
    again = write_extended_history(tmp_path / "again.json", 3000, seed=1)
    assert again.read_bytes() == path.read_bytes()
    assert recognitions(path) == {path.name: "spotify"}
    records, problems = parse_path(SpotifyImporter(), path)
    assert len(records) + len(problems) == 3000
    assert {p.severity for p in problems} <= {"skipped"}
    kinds = {r.item.kind for r in records}
    assert {"track", "podcast"} <= kinds


def test_streamed_and_whole_parsing_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_extended_history(tmp_path / "Streaming_History_Audio_2020_0.json", 300, seed=2)
    whole, _ = parse_path(SpotifyImporter(), path)
    monkeypatch.setattr(spotify_module, "SMALL_JSON_BYTES", 0)  # force the streaming path
    streamed, _ = parse_path(SpotifyImporter(), path)
    assert [r.id for r in whole] == [r.id for r in streamed] and len(whole) > 250


def _stream(ts: str, title: str | None = "Song", **kw: object) -> dict[str, object]:
    return {
        "ts": ts,
        "platform": "ios",
        "ms_played": 200000,
        "ip_addr": "192.0.2.1",
        "master_metadata_track_name": title,
        "master_metadata_album_artist_name": "Artist",
        "master_metadata_album_album_name": "Album",
        "spotify_track_uri": "spotify:track:abc" if title else None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "skipped": None,
        **kw,
    }


def test_malformed_extended_history(tmp_path: Path) -> None:
    items = [
        _stream("2024-01-01T10:00:00Z", "Good one"),
        _stream("yesterday at noon", "Bad date"),
        ["not", "an", "object"],
        _stream("2024-01-01T10:05:00Z", None),  # nothing named: deliberately skipped
        _stream("2024-01-01T10:10:00Z", "Good two", ms_played="lots"),
        _stream("2024-01-01T10:15:00Z", "Good three"),
    ]
    text = json.dumps(items, indent=2)
    path = tmp_path / "Streaming_History_Audio_2024_0.json"
    path.write_text(text)
    records, problems = parse_path(SpotifyImporter(), path)
    assert [r.item.title for r in records] == ["Good one", "Good three"]
    assert [(p.index, p.severity) for p in problems] == [
        (1, "error"),
        (2, "error"),
        (3, "skipped"),
        (4, "error"),
    ]
    assert all(p.member == path.name and p.excerpt for p in problems)
    # a truncated download keeps every record before the break and says where it broke
    cut = tmp_path / "endsong_0.json"
    cut.write_text(text[: text.index('"Good three"')])
    records, problems = parse_path(SpotifyImporter(), cut)
    assert [r.item.title for r in records] == ["Good one"]
    assert problems[-1].reason.startswith("invalid JSON after 5 records") and problems[-1].index == 5


def test_malformed_account_data(tmp_path: Path) -> None:
    rows = [
        {"endTime": "2024-02-30 10:00", "artistName": "A", "trackName": "Bad day", "msPlayed": 1},
        {"endTime": "2024-02-01 10:00", "artistName": "A", "msPlayed": 1},
        {"endTime": "2024-02-01 10:01", "artistName": "A", "trackName": "Fine", "msPlayed": 100000},
    ]
    (tmp_path / "StreamingHistory_music_0.json").write_text(json.dumps(rows))
    searches = [
        {"platform": "", "searchTime": "not a time", "searchQuery": "x", "searchInteractionURIs": []},
        {
            "platform": "",
            "searchTime": "2024-07-09T00:58:09.683Z[UTC]",
            "searchQuery": " ",
            "searchInteractionURIs": [],
        },
        {"platform": "", "searchTime": "2024-07-09T02:58:09.683+02:00[Europe/Berlin]", "searchQuery": "ok"},
    ]
    (tmp_path / "SearchQueries.json").write_text(json.dumps(searches))
    (tmp_path / "YourLibrary.json").write_text(
        '{"tracks": [{"artist": "A", "track": "T", "uri": "spotify:track:x"},'
    )
    (tmp_path / "StreamingHistory_music_1.json").write_bytes(b"\x00\xff\xfe garbage \x89PNG")
    records, problems = parse_path(SpotifyImporter(), tmp_path)
    assert [r.item.title for r in records] == ["ok", "Fine"]
    ok = records[0]
    assert ok.when == datetime(2024, 7, 9, 0, 58, 9, 683000, tzinfo=UTC) and ok.original_tz == "Europe/Berlin"
    by_member = {(p.member, p.index, p.severity) for p in problems}
    assert ("SearchQueries.json", 0, "error") in by_member and (
        "SearchQueries.json",
        1,
        "skipped",
    ) in by_member
    assert ("StreamingHistory_music_0.json", 0, "error") in by_member
    assert ("StreamingHistory_music_0.json", 1, "error") in by_member
    lib = next(p for p in problems if p.member == "YourLibrary.json")
    assert lib.reason.startswith("invalid JSON") and lib.line == 1
    # binary garbage is not claimed at all
    garbage = next(e for e in entries(tmp_path) if e.name == "StreamingHistory_music_1.json")
    assert SpotifyImporter().recognize(garbage) == 0
