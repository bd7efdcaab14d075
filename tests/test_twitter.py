from __future__ import annotations

from pathlib import Path

from selfdex.importers.twitter import TwitterImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "twitter"
    assert set(recognitions(folder).values()) == {"twitter"}
    records, problems = parse_path(TwitterImporter(), folder)
    assert {p.member for p in problems} == {"data/account-timezone.js", "data/manifest.js"}
    assert {p.severity for p in problems} == {"skipped"}
    posts = [r for r in records if r.action == "posted"]
    assert len(posts) == 3 and not any((r.text or "").startswith("RT @") for r in posts)
    first = posts[0]
    # Ruby-style "Tue Jan 21 00:21:51 +0000 2025"; numbers are strings in the file
    assert first.when is not None and first.when.isoformat() == "2025-01-21T00:21:51+00:00"
    assert first.item.ids == {"twitter": "1881497401032388897"} and first.extra["favorite_count"] == 1
    assert first.extra["source"] == "Twitter Web App" and first.text and first.text.startswith("Love to all")
    # "RT @someone: …" is someone else's post passed on, not the person's own words
    reposts = [r for r in records if r.action == "reposted"]
    assert len(reposts) == 3 and all(r.extra.get("retweet") for r in reposts)
    redream = next(r for r in reposts if r.item.creators == ("TeamReDream2023",))
    assert redream.item.title and redream.item.title.startswith("Soon, TeamReDream will be moving")
    assert redream.extra["retweet_of"] == "TeamReDream2023"
    # likes carry no timestamp
    likes = [r for r in records if r.action == "liked"]
    assert len(likes) == 8 and all(r.when is None for r in likes)
    assert likes[0].item.ids == {"twitter": "1881541127024914885"}
    # inferred interests
    topics = {r.item.title for r in records if r.action == "interested"}
    assert {"2D animation", "Ace Attorney", "Akira"} <= topics


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("twitter-*.zip"))
    assert set(recognitions(bundle).values()) == {"twitter"}
    records, problems = parse_path(TwitterImporter(), bundle)
    assert all(p.severity == "skipped" for p in problems) and len(problems) == 2
    tags = {t for r in records for t in r.item.categories}
    assert {"Dune", "Kyoto", "trailrunning"} <= tags
    kyoto = next(r for r in records if "Kamo river" in (r.text or ""))
    assert kyoto.when is not None and kyoto.when.strftime("%Y-%m") == "2024-04"
    assert {"Dune", "Trail running"} <= {r.item.title for r in records if r.action == "interested"}
    (rt,) = [r for r in records if r.action == "reposted"]
    assert (
        rt.item.creators == ("justonecookbook",) and rt.text and rt.text.startswith("RT @justonecookbook: ")
    )
    assert not any((r.text or "").startswith("RT @") for r in records if r.action == "posted")


def test_split_parts_and_malformed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    tweet = (
        '{"tweet": {"id_str": "%s", "created_at": "%s", "full_text": "hello %s", '
        '"entities": {"hashtags": [{"text": "x"}]}}}'
    )
    (data / "tweets-part1.js").write_text(
        "window.YTD.tweets.part1 = ["
        + ",".join(
            [
                tweet % ("1", "Mon Mar 04 10:00:00 +0000 2024", "a"),
                tweet % ("2", "yesterday", "b"),
                '{"tweet": {"full_text": "no id"}}',
                tweet % ("3", "Tue Mar 05 10:00:00 +0000 2024", "c"),
            ]
        )
        + ',{"tweet": {"id_str": "4", "created',  # truncated download
        encoding="utf-8",
    )
    (data / "tweet.js").write_text(
        "window.YTD.tweet.part0 = [" + tweet % ("9", "Sun Jan 05 10:00:00 +0000 2020", "old") + "]",
        encoding="utf-8",
    )
    (data / "garbage.js").write_bytes(b"\x00\x01function(){}")
    records, problems = parse_path(TwitterImporter(), tmp_path)
    assert sorted(r.item.ids["twitter"] for r in records) == ["1", "3", "9"]
    assert records[0].item.categories == ("x",)
    reasons = {(p.member, p.index): p.reason for p in problems}
    assert "yesterday" in reasons[("data/tweets-part1.js", 1)]
    assert "KeyError" in reasons[("data/tweets-part1.js", 2)]
    assert "invalid JSON after 4 records" in reasons[("data/tweets-part1.js", 4)]


def test_grailbird_is_unsupported(tmp_path: Path) -> None:
    (tmp_path / "2014_01.js").write_text("Grailbird.data.tweets_2014_01 = []", encoding="utf-8")
    _, problems = parse_path(TwitterImporter(), tmp_path)
    assert [p.severity for p in problems] == ["unsupported"]
