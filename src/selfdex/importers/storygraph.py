"""The StoryGraph library export (``storygraph_export.csv``, Manage Account › Export StoryGraph Library).

Unlike Goodreads, StoryGraph keeps every read: ``Dates Read`` holds one ``start-end`` span per read
(``2025/01/05-2025/01/20, 2025/03/01-2025/03/09``; a lone date is a finish, ``start-`` a read still going).
A row becomes:

* ``read`` (Read Status ``read``): one ``read`` record per finished span, ``when`` = its end, the start in
  ``extra["started"]``; the book's single rating and review go on the latest read; a reread still going
  adds a ``started``. Without spans: ``Last Date Read``, else ``Date Added``.
* ``currently-reading`` / ``paused``: ``started``, ``when`` = start of the open span, else ``Date Added``.
* ``did-not-finish``: ``abandoned``, ``when`` = the span's end (or start), else ``Date Added``.
* ``to-read``: ``wishlisted`` at ``Date Added``.

``extra["date_basis"]`` says which column gave ``when``: dates_read, last_date_read or date_added.

``Star Rating`` is in quarter stars out of 5 (``4.25``). ``ISBN/UID`` is an ISBN-13/10, an ASIN or
StoryGraph's own id. Moods, pace, the character questions and content warnings
(``Graphic: Death, Violence; Moderate: Grief;``) are kept in ``extra``; ``Tags`` become categories.
Lines end in CRLF; dates are ``YYYY/MM/DD`` with no zone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, parse_date
from ._util import clean, html_to_text, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv
from .csv_map import ColumnTable, comma_list, counted, read_columns, text, word_flag
from .goodreads import isbn_ids, split_names

_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d")
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_QUESTIONS = {
    "Character- or Plot-Driven?": "driven_by",
    "Strong Character Development?": "strong_character_development",
    "Loveable Characters?": "loveable_characters",
    "Diverse Characters?": "diverse_characters",
    "Flawed Characters?": "flawed_characters",
}


def _answer(cell: str | None) -> str | None:
    answer = clean(cell)
    return answer if answer and answer.upper() != "N/A" else None


def _names(cell: str | None) -> list[str] | None:
    return split_names(cell) or None


def _warning_levels(cell: str | None) -> dict[str, list[str]] | None:
    return _warnings(cell) or None


class _BadDate(ValueError):
    pass


def _date(text: str) -> Stamp | None:
    text = text.strip()
    if not text:
        return None
    stamp = parse_date(text, _DATE_FORMATS)
    if stamp is None:
        raise _BadDate(text)
    return stamp


def _spans(text: str) -> list[tuple[Stamp | None, Stamp | None]]:
    """``Dates Read`` as (start, end) pairs; a lone date is an end, ``start-`` has no end yet."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        # dates are YYYY/MM/DD, so the only hyphen is the one between the two ends
        if "/" in part and "-" in part:
            start, _, end = part.partition("-")
            out.append((_date(start), _date(end)))
        else:
            out.append((None, _date(part)))
    return out


def _instant(stamp: Stamp | None) -> datetime:
    return stamp.when if stamp is not None else _EARLIEST


def _uid_ids(uid: str | None) -> dict[str, str]:
    uid = clean(uid)
    if uid is None:
        return {}
    if ids := isbn_ids(uid):
        return ids
    if len(uid) == 10 and uid.startswith("B0") and uid.isalnum():
        return {"asin": uid.upper()}
    return {"storygraph": uid}


def _warnings(text: str | None) -> dict[str, list[str]]:
    """``Graphic: Death, Violence; Moderate: Grief;`` → {"Graphic": ["Death", "Violence"], …}."""
    out: dict[str, list[str]] = {}
    for part in (text or "").split(";"):
        level, sep, names = part.partition(":")
        if sep and level.strip():
            out[level.strip()] = [n.strip() for n in names.split(",") if n.strip()]
    return out


# Optional columns kept in `extra`, in this order (after the status and format).
_EXTRA: ColumnTable = (
    ("Contributors", "contributors", _names),
    ("Moods", "moods", comma_list),
    ("Pace", "pace", text),
    *((column, key, _answer) for column, key in _QUESTIONS.items()),
    ("Content Warnings", "content_warnings", _warning_levels),
    ("Content Warning Description", "content_warning_description", text),
    ("Owned?", "owned", word_flag("yes")),
    ("Read Count", "read_count", counted),
)


class StoryGraphImporter(Importer):
    name = "storygraph"
    platform = "storygraph"
    version = "1"
    description = "The StoryGraph library export (reads with dates, ratings, reviews, moods, DNFs)"
    handles = ("storygraph_export.csv",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = set(csv_header(entry))
        if {"ISBN/UID", "Read Status"} <= header:
            return 1.0
        if {"Title", "Authors", "Read Status", "Star Rating"} <= header:
            return 0.9
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            try:
                yield from self._records(entry, index, line, r)
            except _BadDate as exc:
                yield ImportProblem(
                    f"unreadable date {exc.args[0]!r} (expected YYYY/MM/DD)",
                    entry.path,
                    index=index,
                    line=line,
                    excerpt=str(r)[:200],
                )

    def _records(
        self, entry: Entry, index: int, line: int, r: dict[str, str]
    ) -> list[Record | ImportProblem]:
        title = clean(r.get("Title"))
        if title is None:
            return [ImportProblem("row has no book title", entry.path, index=index, line=line)]
        status = (r.get("Read Status") or "").strip().lower() or "read"
        added = _date(r.get("Date Added") or "")
        last_read = _date(r.get("Last Date Read") or "")
        spans = _spans(r.get("Dates Read") or "")
        fmt = (r.get("Format") or "").strip().lower()
        item = _item(r, title, fmt)
        extra = _extra(r, status, fmt, added)
        events = _events(status, spans)
        fallback, fallback_basis = (
            (last_read, "last_date_read") if status == "read" and last_read else (added, "date_added")
        )
        rating = to_float(r.get("Star Rating")) or None  # empty or 0 = not rated
        review = html_to_text(r.get("Review"))
        # the one rating and review belong to the latest read (or the row's only event)
        finished = [i for i, ev in enumerate(events) if ev[0] != "started"] or [0]
        latest = max(finished, key=lambda i: _instant(events[i][1]))
        out: list[Record | ImportProblem] = []
        for i, (action, when, start) in enumerate(events):
            ev_extra = dict(extra)
            stamp = when or fallback
            if stamp is not None:
                ev_extra["date_basis"] = "dates_read" if when else fallback_basis
            if start is not None:
                ev_extra["started"] = start.when.date().isoformat()
            mine = i == latest
            out.append(
                Record(
                    platform=self.platform,
                    action=action,
                    item=replace(item, ids=dict(item.ids)),
                    when=stamp.when if stamp else None,
                    original_tz=stamp.tz if stamp else None,
                    precision=stamp.precision if stamp else None,
                    rating=rating if mine else None,
                    rating_scale=5.0 if mine and rating else None,
                    text=review if mine else None,
                    extra=ev_extra,
                    raw=r,
                    provenance=prov(entry, index, line),
                )
            )
        return out


def _item(r: dict[str, str], title: str, fmt: str) -> Item:
    return Item(
        kind="audiobook" if fmt.startswith("audio") else "book",
        title=title,
        creators=tuple(dict.fromkeys(split_names(r.get("Authors")))),
        ids=_uid_ids(r.get("ISBN/UID")),
        categories=tuple(t.strip() for t in (r.get("Tags") or "").split(",") if t.strip()),
    )


def _extra(r: dict[str, str], status: str, fmt: str, added: Stamp | None) -> dict[str, Any]:
    extra: dict[str, Any] = {"status": status}
    if fmt:
        extra["format"] = fmt
    read_columns(r, _EXTRA, extra)
    if added is not None:
        extra["date_added"] = added.when.date().isoformat()
    return extra


_Event = tuple[str, Stamp | None, Stamp | None]


def _events(status: str, spans: list[tuple[Stamp | None, Stamp | None]]) -> list[_Event]:
    """(action, when, span start) for each event a row stands for; `when` None → dated by a fallback."""
    if status == "read":
        events: list[_Event] = [("read", end, start) for start, end in spans if end is not None]
        events += [("started", start, None) for start, end in spans if end is None]
        if not any(action == "read" for action, *_ in events):
            events.insert(0, ("read", None, None))
        return events
    if status in ("currently-reading", "paused"):
        open_starts = [s for s, e in spans if s is not None and e is None]
        return [("started", open_starts[-1] if open_starts else None, None)]
    if status == "did-not-finish":
        stops = [e or s for s, e in spans if (e or s) is not None]
        return [("abandoned", stops[-1] if stops else None, None)]
    return [("wishlisted" if status == "to-read" else "saved", None, None)]
