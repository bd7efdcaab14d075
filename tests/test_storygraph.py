from __future__ import annotations

import csv
from pathlib import Path

from selfdex.importers.storygraph import StoryGraphImporter
from selfdex.testing import parse_path, recognitions

HEADER = [
    "Title",
    "Authors",
    "Contributors",
    "ISBN/UID",
    "Format",
    "Read Status",
    "Date Added",
    "Last Date Read",
    "Dates Read",
    "Read Count",
    "Moods",
    "Pace",
    "Character- or Plot-Driven?",
    "Strong Character Development?",
    "Loveable Characters?",
    "Diverse Characters?",
    "Flawed Characters?",
    "Star Rating",
    "Review",
    "Content Warnings",
    "Content Warning Description",
    "Tags",
    "Owned?",
]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\r\n", restval="")
        writer.writeheader()
        writer.writerows(rows)


def test_real_sample(formats_dir: Path) -> None:
    assert recognitions(formats_dir / "storygraph") == {"storygraph_export.csv": "storygraph"}
    records, problems = parse_path(StoryGraphImporter(), formats_dir / "storygraph")
    assert problems == []
    assert len(records) == 8 and {r.action for r in records} == {"wishlisted"}
    by_title = {r.item.title: r for r in records}
    shuggie = by_title["Shuggie Bain"]
    assert shuggie.item.ids == {"isbn13": "9780802148049"} and shuggie.item.creators == ("Douglas Stuart",)
    assert shuggie.when is not None and shuggie.when.date().isoformat() == "2021-07-17"
    assert shuggie.extra["format"] == "hardcover" and "owned" not in shuggie.extra
    # CRLF line endings do not leak into the last column
    assert shuggie.raw["Owned?"] == "No"
    # format "audio" → an audiobook; the narrator is a contributor, not an author
    queenie = by_title["Queenie"]
    assert queenie.item.kind == "audiobook" and queenie.extra["contributors"] == ["Shvorne Marks (Narrator)"]
    assert queenie.item.creators == ("Candice Carty-Williams",)


def test_reads_ratings_and_statuses(tmp_path: Path) -> None:
    _write(
        tmp_path / "storygraph_export.csv",
        [
            {
                "Title": "Twice Read",
                "Authors": "Ann Author, Bo Second",
                "ISBN/UID": "9780000000002",
                "Format": "digital",
                "Read Status": "read",
                "Date Added": "2024/12/30",
                "Last Date Read": "2025/03/09",
                "Dates Read": "2025/01/05-2025/01/20, 2025/03/01-2025/03/09",
                "Read Count": "2",
                "Moods": "dark, mysterious",
                "Pace": "fast",
                "Character- or Plot-Driven?": "A mix",
                "Diverse Characters?": "N/A",
                "Star Rating": "4.25",
                "Review": "Better the<br>second time.",
                "Content Warnings": "Graphic: Death, Violence; Moderate: Grief;",
                "Tags": "book-club, favourites",
                "Owned?": "Yes",
            },
            {
                "Title": "Reading Now",
                "Authors": "C",
                "ISBN/UID": "B0ABCDEFGH",
                "Read Status": "currently-reading",
                "Date Added": "2025/02/01",
                "Dates Read": "2025/02/03-",
            },
            {
                "Title": "Gave Up",
                "Authors": "D",
                "ISBN/UID": "sg-1234",
                "Read Status": "did-not-finish",
                "Date Added": "2025/01/01",
                "Dates Read": "2025/01/02-2025/01/10",
                "Star Rating": "1.5",
            },
            {
                "Title": "Read Long Ago",
                "Authors": "E",
                "Read Status": "read",
                "Date Added": "2020/05/05",
                "Read Count": "1",
            },
        ],
    )
    records, problems = parse_path(StoryGraphImporter(), tmp_path)
    assert problems == []
    twice = [r for r in records if r.item.title == "Twice Read"]
    # one record per read; the one rating and review go on the latest read only
    assert [(r.action, r.when.date().isoformat() if r.when else None) for r in twice] == [
        ("read", "2025-01-20"),
        ("read", "2025-03-09"),
    ]
    first, latest = twice
    assert first.rating is None and first.text is None and first.extra["started"] == "2025-01-05"
    assert latest.rating == 4.25 and latest.rating_scale == 5 and latest.rating_norm == 0.85
    assert latest.text == "Better the\nsecond time."
    assert first.id != latest.id
    assert latest.item.creators == ("Ann Author", "Bo Second")
    assert latest.item.categories == ("book-club", "favourites")
    assert latest.extra["moods"] == ["dark", "mysterious"] and latest.extra["pace"] == "fast"
    assert latest.extra["driven_by"] == "A mix" and "diverse_characters" not in latest.extra
    assert latest.extra["content_warnings"] == {"Graphic": ["Death", "Violence"], "Moderate": ["Grief"]}
    assert latest.extra["owned"] is True and latest.extra["read_count"] == 2

    by_title = {r.item.title: r for r in records}
    now = by_title["Reading Now"]
    assert now.action == "started" and now.item.ids == {"asin": "B0ABCDEFGH"}
    assert now.when is not None and now.when.date().isoformat() == "2025-02-03"
    dnf = by_title["Gave Up"]
    assert dnf.action == "abandoned" and dnf.rating == 1.5 and dnf.item.ids == {"storygraph": "sg-1234"}
    assert dnf.when is not None and dnf.when.date().isoformat() == "2025-01-10"
    old = by_title["Read Long Ago"]
    assert old.action == "read" and old.extra["date_basis"] == "date_added"


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "storygraph"
    assert set(recognitions(bundle).values()) == {"storygraph"}
    records, problems = parse_path(StoryGraphImporter(), bundle)
    assert problems == []
    by_title = {r.item.title: r for r in records}
    stories = by_title["Stories of Your Life and Others"]
    assert stories.action == "read" and stories.rating == 5 and stories.item.creators == ("Ted Chiang",)
    assert stories.when is not None and stories.when.year == 2025
    assert stories.text and "wrecked me" in stories.text and "reflective" in stories.extra["moods"]
    assert by_title["Japanese Farm Food"].item.ids == {"isbn13": "9781449418298"}


def test_malformed_rows(tmp_path: Path) -> None:
    path = tmp_path / "storygraph_export.csv"
    _write(
        path,
        [
            {"Title": "Fine", "Authors": "A", "Read Status": "to-read", "Date Added": "2024/01/01"},
            {
                "Title": "Bad Span",
                "Authors": "A",
                "Read Status": "read",
                "Dates Read": "2024/13/01-2024/13/05",
            },
            {"Title": "", "Authors": "A", "Read Status": "read"},
        ],
    )
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write("Too,Short\r\n")
        fh.write("After,B,,,,to-read,2024/02/02" + "," * 16 + "\r\n")
    records, problems = parse_path(StoryGraphImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Fine", "After"]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (3, 5)]
    assert "unreadable date '2024/13/01'" in problems[0].reason
    assert "no book title" in problems[1].reason and "fields" in problems[2].reason
