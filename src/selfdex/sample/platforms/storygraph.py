"""The StoryGraph export: a folder with ``storygraph_export.csv`` (CRLF, ``YYYY/MM/DD``, ``start-end`` spans).

Mara moved from Goodreads to The StoryGraph at the start of 2025: the books she started from
:data:`MOVED` on are logged here (with moods and pace, which Goodreads has no place for) and not on
Goodreads, so each reading is on exactly one platform."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..person import BOOKS, Book, Person
from ._csv import write_csv

BUNDLE = "storygraph"
MOVED = date(2025, 1, 1)

HEADER = (
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
)
_MOODS = {
    "science fiction": ("reflective", "mysterious", "emotional"),
    "literary fiction": ("reflective", "sad", "emotional"),
    "cooking": ("informative", "relaxing", "inspiring"),
    "running": ("inspiring", "adventurous"),
    "thriller": ("tense", "mysterious"),
}
_STATUS = {"abandoned": "did-not-finish"}


def _day(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else ""


def _row(book: Book, started: date, finished: date | None, fiction: bool) -> tuple[object, ...]:
    moods = dict.fromkeys(m for g in book.genres for m in _MOODS.get(g, ()))
    return (
        book.title,
        book.author,
        "",
        book.isbn13,
        "paperback" if fiction else "hardcover",
        _STATUS.get(book.status, book.status),
        _day(started),
        _day(finished),
        f"{_day(started)}-{_day(finished)}" if finished else "",
        1 if finished else 0,
        ", ".join(moods),
        "medium" if fiction else "slow",
        "Character" if fiction else "N/A",
        "Yes" if fiction else "N/A",
        "It's complicated" if fiction else "N/A",
        "N/A",
        "Yes" if fiction else "N/A",
        f"{book.rating:.1f}" if book.rating else "",
        book.review or "",
        "Moderate: Grief; Minor: Death;" if fiction else "",
        "",
        ", ".join(g.replace(" ", "-") for g in book.genres),
        "Yes",
    )


def write(person: Person, root: Path) -> None:
    rows = []
    for book in BOOKS:
        started, finished = person.book_dates(book)
        if started is None or started < MOVED:
            continue
        fiction = "nonfiction" not in book.genres and "cooking" not in book.genres
        rows.append((started, _row(book, started, finished, fiction)))
    rows.sort(key=lambda r: r[0], reverse=True)
    write_csv(root / "storygraph_export.csv", HEADER, [r for _, r in rows], lineterminator="\r\n")
