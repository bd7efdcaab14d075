"""Reddit GDPR CSVs, classified by header (YouTube's Takeout also has a comments.csv)."""

from __future__ import annotations

from pathlib import Path

from selfdex.importers.reddit import RedditImporter
from selfdex.testing import parse_path, recognitions


def test_classified_by_header_not_name(tmp_path: Path) -> None:
    yt = tmp_path / "Takeout" / "YouTube and YouTube Music" / "comments"
    yt.mkdir(parents=True)
    (yt / "comments.csv").write_text(
        "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,Video ID,Comment Text\n"
        'Ugx1,UC1,2024-03-03T10:15:00+00:00,,,,dQw4w9WgXcQ,"{""text"":""nice""}"\n',
        encoding="utf-8",
    )
    (tmp_path / "comments.csv").write_text(
        "id,permalink,date,ip,subreddit,gildings,link,parent,body,media\n"
        "kx1,https://www.reddit.com/r/dune/comments/1b2c3d4/dune_part_two_megathread/kx1/,2024-03-03 10:15:00 UTC,"
        "203.0.113.42,dune,0,https://www.reddit.com/r/dune/comments/1b2c3d4/dune_part_two_megathread/,,Chills.,\n",
        encoding="utf-8",
    )
    seen = recognitions(tmp_path)
    assert seen["comments.csv"] == "reddit"
    assert seen["Takeout/YouTube and YouTube Music/comments/comments.csv"] != "reddit"
    (record,) = parse_path(RedditImporter(), tmp_path)[0]
    assert record.action == "commented" and record.text == "Chills."
    assert record.item.title == "dune part two megathread" and record.item.categories == ("r/dune",)
    assert record.when is not None and record.when.isoformat() == "2024-03-03T10:15:00+00:00"
    assert "ip" not in record.raw  # the IP address is not kept


def test_votes_saved_and_a_bad_row(tmp_path: Path) -> None:
    (tmp_path / "post_votes.csv").write_text(
        "id,permalink,direction\n"
        "a,https://www.reddit.com/r/movies/comments/a/the_proposal_is_a_perfect_romcom/,down\n"
        "b,https://www.reddit.com/r/movies/comments/b/arrival_rewatch/,up\n"
        "c,https://www.reddit.com/r/berlin/comments/c/strike/,none\n",
        encoding="utf-8",
    )
    (tmp_path / "posts.csv").write_text(
        "id,permalink,date,ip,subreddit,gildings,title,url,body\n"
        "p1,/r/dune/comments/p1/x/,sometime,1.2.3.4,dune,0,Title,,body\n"
        "p2,/r/dune/comments/p2/y/,2024-03-04 21:12:09 UTC,1.2.3.4,dune,0,Finished Messiah,,[removed]\n",
        encoding="utf-8",
    )
    records, problems = parse_path(RedditImporter(), tmp_path)
    assert sorted((r.action, r.item.title) for r in records) == [
        ("disliked", "the proposal is a perfect romcom"),
        ("liked", "arrival rewatch"),
        ("posted", "Finished Messiah"),
    ]
    post = next(r for r in records if r.action == "posted")
    assert post.text is None and post.extra["removed"] == "[removed]"
    assert post.item.url == "https://www.reddit.com/r/dune/comments/p2/y/"
    assert len(problems) == 1 and problems[0].line == 2


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "export_maralind_20250701.zip"
    seen = recognitions(bundle)
    assert seen["statistics.csv"] is None and seen["account_gender.csv"] is None
    records, problems = parse_path(RedditImporter(), bundle)
    assert problems == []
    assert {r.item.title for r in records if r.action == "subscribed"} >= {"r/dune", "r/trailrunning"}
    assert any(r.action == "saved" and "salt fat acid heat" in (r.item.title or "") for r in records)
