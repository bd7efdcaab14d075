from __future__ import annotations

from pathlib import Path

from selfdex.importers.goodreads import GoodreadsImporter, isbn_ids, split_series
from selfdex.testing import parse_path, recognitions

HEADER_24 = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,"
    "Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,"
    "Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n"
)


def test_real_samples_are_recognised(formats_dir: Path) -> None:
    found = recognitions(formats_dir / "goodreads")
    assert found == {
        "goodreads_library_export.csv": "goodreads",
        "goodreads_library_export.2020-31col.csv": "goodreads",
    }


def test_current_24_column_layout(formats_dir: Path) -> None:
    records, problems = parse_path(
        GoodreadsImporter(), formats_dir / "goodreads/goodreads_library_export.csv"
    )
    assert problems == []
    assert len(records) == 7  # one record per row
    by_title = {r.item.title: r for r in records}
    # Excel-formula ISBNs: "=""1408839970""" → plain ISBNs; Book Id → ids["goodreads"]
    silk = by_title["The Silk Roads: A New History of the World"]
    assert silk.item.ids == {"isbn10": "1408839970", "isbn13": "9781408839973", "goodreads": "25812847"}
    assert silk.action == "wishlisted" and silk.rating is None  # My Rating 0 = unrated
    assert silk.when is not None and silk.when.date().isoformat() == "2025-06-29"
    assert silk.precision == "day" and silk.extra["date_basis"] == "added"
    assert silk.extra["pages"] == 636 and silk.extra["year"] == 2015
    # series split off the title
    ninth = by_title["Ninth House"]
    assert ninth.extra["series"] == "Alex Stern #1"
    # Additional Authors, with the stray run of spaces collapsed
    assert by_title[
        "Creativity, Inc.: Overcoming the Unseen Forces That Stand in the Way of True Inspiration"
    ].item.creators == ("Ed Catmull", "Amy Wallace")
    assert by_title["Gone Girl"].action == "started"
    # read, but Date Read empty: dated by Date Added, and says so
    argonauts = by_title["The Argonauts"]
    assert argonauts.action == "read" and argonauts.extra["date_basis"] == "added"
    assert argonauts.when is not None and argonauts.when.date().isoformat() == "2023-03-20"


def test_legacy_31_column_layout(formats_dir: Path) -> None:
    records, problems = parse_path(
        GoodreadsImporter(), formats_dir / "goodreads/goodreads_library_export.2020-31col.csv"
    )
    assert problems == []
    assert len(records) == 7
    by_title = {r.item.title: r for r in records}
    # empty Excel formula ISBN (="") → no ISBN, still the Goodreads id
    walks = by_title["It Walks by Night: A Paris Mystery (British Library Crime Classics Book 1)"]
    assert walks.item.ids == {"goodreads": "50661499"}
    assert walks.item.creators == ("John Dickson Carr", "Martin Edwards")
    # a read book: when = Date Read, rating on the same record, custom shelves as categories
    wolf = by_title["How to Cook a Wolf"]
    assert wolf.action == "read" and wolf.rating == 4 and wolf.rating_scale == 5
    assert wolf.when is not None and wolf.when.date().isoformat() == "2020-05-16"
    assert wolf.extra["date_basis"] == "read" and wolf.extra["date_added"] == "2020-05-02"
    assert "covid-reading" in wolf.item.categories and "read" not in wolf.item.categories
    assert wolf.extra["year"] == 1942  # Original Publication Year, not the edition's
    # HTML review: <br/> become line breaks, the text is kept
    review = by_title["Up from Freedom"].text
    assert review is not None and "<br/>" not in review
    assert "Just a few samples of the amazing prose:\n\n" in review and review.endswith("Read it now.")
    assert by_title["The Chronicles of Chrestomanci, Vol. 2"].extra["series"] == "Chrestomanci #3-4"
    # currently-reading: its exclusive shelf is not repeated as a category
    antiracist = by_title["How to Be an Antiracist"]
    assert antiracist.action == "started" and "currently-reading" not in antiracist.item.categories


def test_helpers() -> None:
    assert isbn_ids('="0441172717"') == {"isbn10": "0441172717"}
    assert isbn_ids('=""') == {} and isbn_ids("") == {}
    assert isbn_ids("978-0-441-17271-9") == {"isbn13": "9780441172719"}
    assert isbn_ids('="006105366x"') == {"isbn10": "006105366X"}
    assert split_series("Dune (Dune, #1)") == ("Dune", "Dune #1")
    assert split_series("Stories of Your Life and Others") == ("Stories of Your Life and Others", None)


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "goodreads"
    assert set(recognitions(bundle).values()) == {"goodreads"}
    records, problems = parse_path(GoodreadsImporter(), bundle)
    assert problems == []
    by_title = {r.item.title: r for r in records}
    dune = by_title["Dune"]
    assert dune.action == "read" and dune.rating == 5 and dune.item.creators == ("Frank Herbert",)
    assert dune.item.ids["isbn13"] == "9780441172719" and dune.item.ids["isbn10"] == "0441172717"
    assert dune.text and "spice" in dune.text
    assert by_title["Children of Dune"].action == "started"
    assert by_title["Infinite Jest"].action == "abandoned"  # custom exclusive shelf did-not-finish
    assert by_title["Project Hail Mary"].action == "wishlisted"
    assert by_title["The Da Vinci Code"].rating == 2
    # she moved to StoryGraph for the books she started in 2025
    assert "Japanese Farm Food" not in by_title


def test_malformed_rows(tmp_path: Path) -> None:
    path = tmp_path / "goodreads_library_export.csv"
    path.write_text(
        HEADER_24
        + '1,Good Book,Ann Author,"Author, Ann",,"=""""","=""""",3,4.0,P,Paperback,100,2020,2020,'
        + "2021/02/03,2021/01/01,,,read,,,,1,0\n"
        + "2,Bad Date,Ann Author,x,,,,0,4.0,P,Paperback,100,2020,2020,03.02.2021,2021/01/01,,,read,,,,1,0\n"
        + "3,Short Row,Ann Author\n"
        + ",,Nobody,x,,,,0,4.0,P,Paperback,100,2020,2020,,2021/01/01,,,to-read,,,,0,0\n"
        + '4,Paused Book,Ann Author,x,,,,0,4.0,P,Audible Audio,100,2020,2020,,2021/01/01,on-hold,"on-hold (#1)",'
        + "on-hold,,,,0,0\n",
        encoding="utf-8",
    )
    records, problems = parse_path(GoodreadsImporter(), tmp_path)
    assert [(r.item.title, r.action, r.item.kind) for r in records] == [
        ("Good Book", "read", "book"),
        ("Paused Book", "saved", "audiobook"),
    ]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (3, 5)]
    assert "unreadable Date Read '03.02.2021'" in problems[0].reason
    assert "fields" in problems[1].reason and "no book title" in problems[2].reason
    assert all(p.severity == "error" and p.member == "goodreads_library_export.csv" for p in problems)


def test_binary_garbage_is_not_goodreads(tmp_path: Path) -> None:
    (tmp_path / "goodreads_library_export.csv").write_bytes(b"\x00\xff\xfe garbage \x89PNG")
    assert recognitions(tmp_path) == {"goodreads_library_export.csv": None}
