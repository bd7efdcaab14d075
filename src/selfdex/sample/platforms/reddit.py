"""Reddit data request: ``export_maralind_20250701.zip`` with one CSV per activity — posts, comments (with
the ``ip`` column), saved posts and comments (permalink only), post and comment votes (up, down, none),
subscribed subreddits, messages, and account files that are not activity."""

from __future__ import annotations

from pathlib import Path

from ..person import Person
from ._csv import write_csv

BUNDLE = "export_maralind_20250701.zip"
_R = "https://www.reddit.com"


def write(person: Person, root: Path) -> None:
    ip = "203.0.113.42"
    write_csv(
        root / "posts.csv",
        ["id", "permalink", "date", "ip", "subreddit", "gildings", "title", "url", "body"],
        [
            (
                "1b4xq2z",
                f"{_R}/r/dune/comments/1b4xq2z/finished_dune_messiah_after_part_two/",
                "2024-03-04 21:12:09 UTC",
                ip,
                "dune",
                0,
                "Finished Dune Messiah after Part Two",
                "",
                "Paul is so much sadder than the film lets on. Anyone else?",
            ),
            (
                "1hzk0aa",
                f"{_R}/r/trailrunning/comments/1hzk0aa/first_30k_in_the_grunewald/",
                "2025-01-12 18:03:44 UTC",
                ip,
                "trailrunning",
                0,
                "First 30k in the Grunewald",
                "",
                "Slow, muddy, happy.",
            ),
        ],
    )
    write_csv(
        root / "comments.csv",
        ["id", "permalink", "date", "ip", "subreddit", "gildings", "link", "parent", "body", "media"],
        [
            (
                "kx1abcd",
                f"{_R}/r/dune/comments/1b2c3d4/dune_part_two_megathread/kx1abcd/",
                "2024-03-03 10:15:00 UTC",
                ip,
                "dune",
                0,
                f"{_R}/r/dune/comments/1b2c3d4/dune_part_two_megathread/",
                "",
                "The Harkonnen arena in black and white. Chills.",
                "",
            ),
            (
                "kz9wxyz",
                f"{_R}/r/JapaneseFood/comments/1c9d8e7/what_are_your_go_to_onigiri_fillings/kz9wxyz/",
                "2024-04-20 12:40:31 UTC",
                ip,
                "JapaneseFood",
                0,
                f"{_R}/r/JapaneseFood/comments/1c9d8e7/what_are_your_go_to_onigiri_fillings/",
                "t1_kz9aaaa",
                "Umeboshi, always.",
                "",
            ),
            (
                "l00dead",
                f"{_R}/r/movies/comments/1d0e0f0/love_actually_is_overrated/l00dead/",
                "2024-12-20 22:01:02 UTC",
                ip,
                "movies",
                0,
                f"{_R}/r/movies/comments/1d0e0f0/love_actually_is_overrated/",
                "",
                "[deleted]",
                "",
            ),
        ],
    )
    write_csv(
        root / "saved_posts.csv",
        ["id", "permalink"],
        [
            ("1a0b1c2", f"{_R}/r/Cooking/comments/1a0b1c2/salt_fat_acid_heat_changed_how_i_cook/"),
            ("1f2g3h4", f"{_R}/r/printSF/comments/1f2g3h4/books_like_stories_of_your_life_and_others/"),
        ],
    )
    write_csv(root / "saved_comments.csv", ["id", "permalink"], [])
    write_csv(
        root / "post_votes.csv",
        ["id", "permalink", "direction"],
        [
            ("1b2c3d4", f"{_R}/r/dune/comments/1b2c3d4/dune_part_two_megathread/", "up"),
            ("1d0e0f0", f"{_R}/r/movies/comments/1d0e0f0/love_actually_is_overrated/", "up"),
            ("1e1e1e1", f"{_R}/r/movies/comments/1e1e1e1/the_proposal_is_a_perfect_romcom/", "down"),
            ("1f1f1f1", f"{_R}/r/berlin/comments/1f1f1f1/sbahn_strike_again/", "none"),
        ],
    )
    write_csv(
        root / "comment_votes.csv",
        ["id", "permalink", "direction"],
        [("kx2", f"{_R}/r/dune/comments/1b2c3d4/dune_part_two_megathread/kx2/", "up")],
    )
    write_csv(
        root / "subscribed_subreddits.csv",
        ["subreddit"],
        [("dune",), ("trailrunning",), ("JapaneseFood",), ("printSF",), ("berlin",)],
    )
    write_csv(
        root / "messages.csv",
        ["id", "permalink", "thread_id", "date", "ip", "from", "to", "subject", "body"],
        [],
    )
    write_csv(root / "account_gender.csv", ["account_gender"], [("female",)])
    write_csv(root / "statistics.csv", ["statistic", "value"], [("account name", person.username)])
