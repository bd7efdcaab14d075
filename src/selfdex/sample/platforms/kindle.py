"""Kindle device folder: ``Kindle/documents/My Clippings.txt`` (English UI, CRLF, a BOM before every
title, US-style ``Added on`` dates in her Berlin wall-clock time, no zone).

Highlights, a note and a bookmark from three books she read on the Kindle, made while she was reading
them (``person.book_dates``); one highlight is edited, so the device kept both the short and the
extended version. The quoted lines are invented, not taken from the books."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ..person import BOOKS, Person

BUNDLE = "Kindle"

# title → [(kind, page or None, location range, text, made minutes after the previous clipping)]
CLIPPINGS: dict[str, list[tuple[str, int | None, str, str, bool]]] = {
    "Dune": [
        ("Highlight", 14, "212-213", "He learned the desert by its silences before he learned its names.", False),
        ("Highlight", 97, "1204-1205", "Water was counted the way other worlds count gold.", False),
        (
            "Highlight",
            97,
            "1204-1206",
            "Water was counted the way other worlds count gold. A spilled tear was a debt.",
            True,
        ),
        ("Note", 97, "1206", "The whole economy of the book in one line.", True),
        ("Highlight", 301, "4410-4411", "A planet teaches patience to anyone who listens to its sand.", False),
    ],
    "Never Let Me Go": [
        ("Highlight", 23, "301-302", "We kept our memories the way other children keep pebbles in a pocket.", False),
        ("Note", 88, "1187", "Ruth again. Why does she always do this?", False),
        ("Highlight", 251, "3620-3622", "Nobody told us the ending; we put it together from what they left out.", False),
    ],
    "Stories of Your Life and Others": [
        ("Highlight", None, "1530-1531", "The symbols did not march left to right; they arrived all at once.", False),
        ("Bookmark", None, "1612", "", False),
        (
            "Highlight",
            None,
            "1744-1745",
            "Knowing the shape of a sentence before it is spoken changed nothing, and everything.",
            False,
        ),
    ],
}  # fmt: skip


def _added(when: datetime) -> str:
    """``Sunday, June 4, 2023 9:41:10 PM`` (US English UI)."""
    hour = when.hour % 12 or 12
    return f"{when:%A}, {when:%B} {when.day}, {when.year} {hour}:{when:%M:%S} {'PM' if when.hour >= 12 else 'AM'}"


def clippings(person: Person) -> list[tuple[datetime, str, str, str]]:
    """(local wall-clock time, title line, meta line, text) in the order the device appended them."""
    rng = person.rand("kindle")
    out = []
    for title, clips in CLIPPINGS.items():
        book = next(b for b in BOOKS if b.title == title)
        started, finished = person.book_dates(book)
        if started is None or finished is None:
            continue
        span = max(1, (finished - started).days)
        days = iter(sorted(rng.sample(range(span), sum(not c[4] for c in clips))))
        when = datetime.min
        for kind, page, location, text, follows in clips:
            if follows:
                when += timedelta(minutes=rng.randrange(1, 6), seconds=rng.randrange(60))
            else:
                evening = person.evening(rng, started + timedelta(days=next(days)))
                when = max(evening.astimezone(person.tz).replace(tzinfo=None), when + timedelta(hours=1))
            where = f"on page {page} | Location {location}" if page else f"on Location {location}"
            meta = f"- Your {kind} {where} | Added on {_added(when)}"
            out.append((when, f"{title} ({book.author})", meta, text))
    out.sort(key=lambda c: c[0])
    return out


def write(person: Person, root: Path) -> None:
    blocks = [
        f"\ufeff{title}\r\n{meta}\r\n\r\n{text}\r\n==========\r\n"
        for _, title, meta, text in clippings(person)
    ]
    path = root / "documents" / "My Clippings.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(blocks).encode("utf-8"))
