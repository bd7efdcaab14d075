"""Goodreads library export: a folder with ``goodreads_library_export.csv`` in the current 24-column layout
(Excel-formula ISBNs, ``YYYY/MM/DD`` dates, newest-added first, LF line endings).

Mara logged her books on Goodreads until she moved to The StoryGraph: books she *started* on or after
:data:`~selfdex.sample.platforms.storygraph.MOVED` are only in the StoryGraph export."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ..person import BOOKS, Book, Person
from ._csv import write_csv
from .kindle import CLIPPINGS
from .storygraph import MOVED

BUNDLE = "goodreads"

HEADER = (
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
)
# Goodreads titles carry the series; the importer splits it off again.
SERIES = {"Dune": "Dune #1", "Dune Messiah": "Dune #2", "Children of Dune": "Dune #3"}
_PUBLISHERS = ("Ace", "Vintage", "Knopf", "Simon & Schuster", "Penguin Books", "Tor Books")
_SHELF = {"abandoned": "did-not-finish"}
# custom (non-exclusive) shelves she files books under
_CUSTOM = {"science fiction": "sci-fi", "cooking": "cookbooks", "running": "running", "classics": "classics"}


def isbn10(isbn13: str) -> str:
    core = isbn13[3:12]
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(core)) % 11) % 11
    return core + ("X" if check == 10 else str(check))


def _formula(value: str) -> str:
    return f'="{value}"'  # how Goodreads writes ISBNs so Excel keeps the leading zeros


def _day(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else ""


def shelved(person: Person) -> list[tuple[Book, date, date | None, date | None]]:
    """(book, date added, started, finished) for the books she kept on Goodreads."""
    rng = person.rand("goodreads")
    out = []
    for book in BOOKS:
        started, finished = person.book_dates(book)
        if started is not None and started >= MOVED:
            continue
        if started is None:
            added = person.day(rng, person.start, MOVED - timedelta(days=1))
        else:
            added = started - timedelta(days=rng.choice((0, 0, 0, 3, 40, 200)))
        out.append((book, added, started, finished))
    out.sort(key=lambda x: x[1], reverse=True)
    return out


def write(person: Person, root: Path) -> None:
    rng = person.rand("goodreads:rows")
    rows = []
    positions: dict[str, int] = {}
    for book, added, _, finished in shelved(person):
        shelf = _SHELF.get(book.status, book.status)
        shelves = [shelf] if shelf != "read" else []
        shelves += sorted({_CUSTOM[g] for g in book.genres if g in _CUSTOM})
        for s in shelves:
            positions[s] = positions.get(s, 0) + 1
        first, _, last = book.author.rpartition(" ")
        title = book.title
        if series := SERIES.get(book.title):
            name, number = series.split(" #")
            title = f"{book.title} ({name}, #{number})"
        rows.append(
            (
                1000 + sum(map(ord, book.title)) * 37,
                title,
                book.author,
                f"{last}, {first}",
                "",
                _formula(isbn10(book.isbn13)),
                _formula(book.isbn13),
                book.rating,
                f"{rng.uniform(3.6, 4.5):.2f}",
                rng.choice(_PUBLISHERS),
                "Kindle Edition" if book.title in CLIPPINGS else rng.choice(("Paperback", "Hardcover")),
                book.pages,
                max(book.year, 2005 + rng.randrange(15)),
                book.year,
                _day(finished),
                _day(added),
                ", ".join(shelves),
                ", ".join(f"{s} (#{positions[s]})" for s in shelves),
                shelf,
                (book.review or "").replace("\n", "<br/>"),
                "",
                "",
                1 if book.status != "to-read" else 0,
                0,
            )
        )
    write_csv(root / "goodreads_library_export.csv", HEADER, rows)
