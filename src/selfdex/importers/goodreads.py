"""Goodreads library export (``goodreads_library_export.csv``, My Books › Import and export).

One row is one book on one exclusive shelf, and it becomes exactly **one** record, so a book is never
counted twice in a profile; its rating and review ride on that record rather than on separate
``rated``/``reviewed`` records (the export keeps one rating and one review per book anyway):

================================  ============  ===========================================
Exclusive Shelf                   action        when
================================  ============  ===========================================
``read``                          read          ``Date Read``, else ``Date Added``
``currently-reading``             started       ``Date Added`` (no start date is exported)
``to-read``                       wishlisted    ``Date Added``
custom: did-not-finish, dnf, …    abandoned     ``Date Added``
any other custom shelf            saved         ``Date Added``
================================  ============  ===========================================

``extra["date_basis"]`` says which column gave ``when`` ("read" or "added"): ``Date Read`` is often
empty even for read books, and only the *latest* read is kept. ``My Rating`` 0 means unrated.

Quirks: ISBNs are Excel formulas (``="0441172717"``, ``=""`` when missing); dates are ``YYYY/MM/DD`` with
no time or zone; ``My Review`` is HTML with ``<br/>`` (untrusted text); titles carry the series
(``Ninth House (Alex Stern, #1)``), split off into ``extra["series"]`` so titles match other platforms;
``Additional Authors`` is a comma list with stray runs of spaces. Pre-2021 exports have 31 columns
(``Recommended For``, ``Original Purchase Date``, ``BCID``…); columns are read by name, so both work.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, parse_date
from ._util import clean, html_to_text, prov
from .base import Importer, ParseResult, csv_header, iter_csv
from .csv_map import ColumnTable, read_columns, text, word_flag

_SERIES = re.compile(r"^(.*\S)\s+\(([^()]*?),?\s+#\s*([\d.]+(?:\s*[-–]\s*[\d.]+)?)\)$")
_DNF_SHELVES = frozenset(
    {"did-not-finish", "dnf", "abandoned", "gave-up", "given-up", "unfinished", "not-finished", "dropped"}
)
_STANDARD_SHELVES = frozenset({"read", "to-read", "currently-reading"})
_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d")
# Optional text columns kept in `extra` when filled.
_EXTRA_TEXT: ColumnTable = (
    ("Publisher", "publisher", text),
    ("Binding", "binding", text),
    ("Private Notes", "private_notes", text),
    ("Recommended For", "recommended_for", text),
    ("Recommended By", "recommended_by", text),
    ("Original Purchase Date", "purchase_date", text),
    ("Original Purchase Location", "purchase_location", text),
    ("Condition", "condition", text),
)


def isbn_ids(value: str | None) -> dict[str, str]:
    """``{"isbn13": …}`` or ``{"isbn10": …}`` from an ISBN cell, Excel formula or not; {} when empty."""
    if not value:
        return {}
    v = value.strip().removeprefix("=").strip().strip('"').replace("-", "").replace(" ", "").upper()
    if len(v) == 13 and v.isdigit():
        return {"isbn13": v}
    if len(v) == 10 and v[:9].isdigit() and (v[9].isdigit() or v[9] == "X"):
        return {"isbn10": v}
    return {}


def split_names(text: str | None) -> list[str]:
    """A comma-separated list of people, whitespace runs collapsed."""
    if not text:
        return []
    return [" ".join(n.split()) for n in text.split(",") if n.strip()]


def split_series(title: str) -> tuple[str, str | None]:
    """``"Dune (Dune, #1)"`` → ``("Dune", "Dune #1")``; titles without a series come back unchanged."""
    m = _SERIES.match(title)
    if not m:
        return title, None
    name, number = m.group(2).strip(), m.group(3).replace(" ", "")
    return m.group(1), f"{name} #{number}" if name else f"#{number}"


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _stamps(r: dict[str, str]) -> dict[str, Stamp | None] | str:
    """The row's two dates, or why one cannot be read."""
    stamps: dict[str, Stamp | None] = {}
    for col in ("Date Read", "Date Added"):
        text = (r.get(col) or "").strip()
        stamps[col] = parse_date(text, _DATE_FORMATS) if text else None
        if text and stamps[col] is None:
            return f"unreadable {col} {text!r} (expected YYYY/MM/DD)"
    return stamps


def _shelf_action(shelf: str) -> str:
    action = {"read": "read", "currently-reading": "started", "to-read": "wishlisted"}.get(shelf)
    if action is None:
        action = "abandoned" if shelf in _DNF_SHELVES else "saved"
    return action


def _positive(cell: str | None) -> int | None:
    count = _int(cell)
    return count if count is not None and count > 0 else None


# Numeric and flag columns kept in `extra` (after the shelf, date basis, series and year).
_EXTRA_COUNTS: ColumnTable = (
    ("Read Count", "read_count", _int),
    ("Owned Copies", "owned_copies", _positive),
    ("Spoiler", "spoiler", word_flag("true")),
)


def _extra(
    r: dict[str, str],
    shelf: str,
    series: str | None,
    stamps: dict[str, Stamp | None],
    basis: str | None,
    action: str,
) -> dict[str, Any]:
    extra: dict[str, Any] = {"shelf": shelf}
    if basis is not None:
        extra["date_basis"] = basis
    if series:
        extra["series"] = series
    if (pages := _int(r.get("Number of Pages"))) is not None:
        extra["pages"] = pages
    year = _int(r.get("Original Publication Year")) or _int(r.get("Year Published"))
    if year is not None:
        extra["year"] = year
    read_columns(r, _EXTRA_COUNTS, extra)
    added = stamps["Date Added"]
    if action == "read" and added is not None and basis == "read":
        extra["date_added"] = added.when.date().isoformat()
    return read_columns(r, _EXTRA_TEXT, extra)


class GoodreadsImporter(Importer):
    name = "goodreads"
    platform = "goodreads"
    version = "1"
    description = "Goodreads library export (books read, reading, wanted, abandoned; ratings and reviews)"
    handles = ("goodreads_library_export.csv (24- and legacy 31-column layouts)",)
    snapshot = True  # the library as it is now: a re-export with a new rating updates the book's record

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = set(csv_header(entry))
        if {"Book Id", "Exclusive Shelf"} <= header:
            return 1.0
        if {"Book Id", "Title", "Author", "My Rating"} <= header:
            return 0.9
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            yield self._record(entry, index, line, r)

    def _record(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record | ImportProblem:
        full_title = clean(r.get("Title"))
        if full_title is None:
            return ImportProblem(
                "row has no book title", entry.path, index=index, line=line, excerpt=str(r)[:200]
            )
        stamps = _stamps(r)
        if isinstance(stamps, str):
            return ImportProblem(stamps, entry.path, index=index, line=line)
        shelf = (r.get("Exclusive Shelf") or "").strip().lower() or "read"
        action = _shelf_action(shelf)
        stamp: Stamp | None
        if action == "read" and stamps["Date Read"] is not None:
            stamp, basis = stamps["Date Read"], "read"
        else:
            stamp, basis = stamps["Date Added"], "added"

        title, series = split_series(full_title)
        creators = split_names(r.get("Author")) + split_names(r.get("Additional Authors"))
        ids = isbn_ids(r.get("ISBN13")) | isbn_ids(r.get("ISBN"))
        book_id = clean(r.get("Book Id"))
        if book_id:
            ids["goodreads"] = book_id
        shelves = tuple(
            s
            for s in (x.strip() for x in (r.get("Bookshelves") or "").split(","))
            if s and s not in _STANDARD_SHELVES and s != shelf
        )
        binding = (r.get("Binding") or "").lower()
        extra = _extra(r, shelf, series, stamps, basis if stamp is not None else None, action)
        rating = _int(r.get("My Rating")) or None  # 0 = not rated
        return Record(
            platform=self.platform,
            action=action,
            item=Item(
                kind="audiobook" if "audio" in binding else "book",
                title=title,
                creators=tuple(dict.fromkeys(creators)),
                ids=ids,
                categories=shelves,
                url=f"https://www.goodreads.com/book/show/{book_id}" if book_id else None,
            ),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            rating=float(rating) if rating else None,
            rating_scale=5.0 if rating else None,
            text=html_to_text(r.get("My Review")),
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
            # Goodreads' own book id: the record is "this book in my library", whatever its shelf or rating
            dedup_key=f"book:{book_id}" if book_id else None,
        )
