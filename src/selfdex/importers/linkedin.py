"""LinkedIn data export (Settings → Data privacy → Get a copy of your data): ``Basic_LinkedInDataExport_*.zip``.

What we read: ``Connections.csv`` (which opens with a ``Notes:`` preamble about missing e-mail addresses
before its header ``First Name,Last Name,URL,Email Address,Company,Position,Connected On``), ``Positions.csv``
(``Started On``/``Finished On`` as ``Jan 2020``; blank end = current), ``Skills.csv``,
``Inferences_about_you.csv`` (what LinkedIn inferred, for ads), ``Shares.csv`` and ``messages.csv``.
Connections are people: each is a ``person`` record whose creator is the connection, so their names feed
the redaction gazetteer; their e-mail addresses are not kept. ``messages.csv`` does not say whose account it
is: the one name on every message (as sender or recipient) is the account holder, whose messages are
"messaged" and everyone else's "received".
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, day_stamp, parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, iter_csv

_HEADERS = {
    "connections": ("First Name", "Last Name", "URL"),
    "positions": ("Company Name", "Title", "Description", "Location", "Started On"),
    "skills": ("Name",),
    "inferences": ("Category", "Type of inference", "Description", "Inference"),
    "shares": ("Date", "ShareLink", "ShareCommentary"),
    "messages": ("CONVERSATION ID", "CONVERSATION TITLE", "FROM"),
}
_FILES = {
    "connections.csv": "connections",
    "positions.csv": "positions",
    "skills.csv": "skills",
    "inferences_about_you.csv": "inferences",
    "shares.csv": "shares",
    "messages.csv": "messages",
}


# (action, item, when, text, extra) for one row
_Row = tuple[str, Item, Stamp | None, str | None, dict[str, Any]]


def _header_line(entry: Entry, kind: str) -> int | None:
    """How many lines come before the header (Connections.csv's "Notes:" preamble), or None if absent."""
    want = ",".join(_HEADERS[kind])
    for number, line in enumerate(entry.text_head(4096).splitlines()[:12]):
        if line.lstrip("\ufeff").startswith(want):
            return number
    return None


def _date(text: str | None) -> Stamp | None:
    text = clean(text)
    if not text:
        return None
    for fmt in ("%d %b %Y", "%b %Y", "%Y", "%m/%d/%y", "%m/%d/%Y"):
        try:
            stamp = day_stamp(datetime.strptime(text, fmt).date())
        except ValueError:
            continue
        return Stamp(stamp.when, None, "year" if fmt == "%Y" else "month" if fmt == "%b %Y" else "day")
    return parse_iso(text.replace(" UTC", "Z"))


def _owner(entry: Entry, skip: int) -> str | None:
    """The account holder of messages.csv: the one name on every message, as sender or recipient (a
    first pass; None when no single name is, e.g. a file with one message)."""
    common: set[str] | None = None
    rows = 0
    for row in iter_csv(entry, skip_lines=skip):
        if isinstance(row, ImportProblem):
            continue
        r = row[2]
        names = {n for n in (clean(r.get("FROM")), *(clean(t) for t in (r.get("TO") or "").split(","))) if n}
        common = names if common is None else common & names
        rows += 1
        if not common:
            return None
    return next(iter(common)) if common and len(common) == 1 and rows > 1 else None


class LinkedInImporter(Importer):
    name = "linkedin"
    platform = "linkedin"
    version = "1"
    description = "LinkedIn export: connections, positions, skills, inferences about you, shares, messages"
    handles = (
        "Connections.csv",
        "Positions.csv",
        "Skills.csv",
        "Inferences_about_you.csv",
        "Shares.csv",
        "messages.csv",
    )

    def recognize(self, entry: Entry) -> float:
        kind = _FILES.get(entry.name.lower())
        if kind is None:
            return 0.0
        return 0.9 if _header_line(entry, kind) is not None else 0.0

    def parse(self, entry: Entry) -> ParseResult:
        kind = _FILES[entry.name.lower()]
        skip = _header_line(entry, kind) or 0
        handler = getattr(self, f"_{kind}")
        if kind == "messages":
            handler = partial(self._messages, owner=_owner(entry, skip))
        for row in iter_csv(entry, skip_lines=skip):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            out = handler(r)
            if out is None:
                continue
            if isinstance(out, str):
                yield ImportProblem(out, entry.path, index=index, line=line, excerpt=str(r)[:200])
                continue
            action, item, stamp, text, extra = out
            yield Record(
                platform=self.platform,
                action=action,
                item=item,
                **stamp_fields(stamp),
                text=text,
                extra=extra,
                raw={k: v for k, v in r.items() if k != "Email Address"},
                provenance=prov(entry, index, line),
            )

    # Each returns (action, item, stamp, text, extra), None to skip a row, or a problem's reason.
    def _connections(self, r: dict[str, str]) -> _Row | str | None:
        name = " ".join(p for p in (clean(r.get("First Name")), clean(r.get("Last Name"))) if p)
        if not name:
            return None  # LinkedIn leaves rows blank for members who hid their name
        stamp = _date(r.get("Connected On"))
        if r.get("Connected On") and stamp is None:
            return f"unreadable Connected On {r.get('Connected On')!r}"
        extra = {
            k: v
            for k, v in (("company", clean(r.get("Company"))), ("position", clean(r.get("Position"))))
            if v
        }
        item = Item(kind="person", title=name, creators=(name,), url=clean(r.get("URL")))
        return "followed", item, stamp, None, extra

    def _positions(self, r: dict[str, str]) -> _Row | str | None:
        title, company = clean(r.get("Title")), clean(r.get("Company Name"))
        if not title and not company:
            return None
        stamp = _date(r.get("Started On"))
        ended = _date(r.get("Finished On"))
        extra: dict[str, object] = {"company": company, "role": title, "current": ended is None}
        if ended:
            extra["finished"] = ended.when.date().isoformat()[:7]
        if loc := clean(r.get("Location")):
            extra["location"] = loc
        label = f"{title} at {company}" if title and company else title or company
        return (
            "started",
            Item(kind="event", title=label, categories=("job",)),
            stamp,
            clean(r.get("Description")),
            extra,
        )

    def _skills(self, r: dict[str, str]) -> _Row | str | None:
        name = clean(r.get("Name"))
        return (
            ("noted", Item(kind="topic", title=name, categories=("skill",)), None, None, {}) if name else None
        )

    def _inferences(self, r: dict[str, str]) -> _Row | str | None:
        value = clean(r.get("Inference"))
        if not value:
            return None
        extra = {
            "category": clean(r.get("Category")),
            "type": clean(r.get("Type of inference")),
            "inferred": True,
        }
        title = f"{clean(r.get('Description')) or clean(r.get('Type of inference'))}: {value}"
        return "interested", Item(kind="topic", title=title, categories=("inference",)), None, None, extra

    def _shares(self, r: dict[str, str]) -> _Row | str | None:
        stamp = _date(r.get("Date"))
        text = clean(r.get("ShareCommentary"))
        item = Item(
            kind="post", title=(text or "").split("\n", 1)[0][:120] or None, url=clean(r.get("ShareLink"))
        )
        extra = {"shared_url": v} if (v := clean(r.get("SharedUrl"))) else {}
        return "posted", item, stamp, text, extra

    def _messages(self, r: dict[str, str], owner: str | None = None) -> _Row | str | None:
        sender = clean(r.get("FROM"))
        stamp = _date(r.get("DATE"))
        if r.get("DATE") and stamp is None:
            return f"unreadable DATE {r.get('DATE')!r}"
        title = clean(r.get("SUBJECT")) or clean(r.get("CONVERSATION TITLE"))
        item = Item(kind="message", title=title, creators=(sender,) if sender else ())
        extra = {
            "conversation_id": r.get("CONVERSATION ID"),
            "to": clean(r.get("TO")),
            "folder": r.get("FOLDER"),
        }
        action = "received" if owner and sender != owner else "messaged"
        return action, item, stamp, clean(r.get("CONTENT")), extra
