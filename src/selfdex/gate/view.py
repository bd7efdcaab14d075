"""A grant's view: an in-memory store holding only what the grant lets through.

Every answer to a recipient — raw records, aggregates, profile facts, the ranker's or the agent's
output — is computed over this view and never over the person's store. The view holds the granted
platforms, kinds and time window; the granted fields (the others are NULL); no hidden records; and
text already redacted. So a fooled or hostile ranker, profile builder or model cannot put anything
into a response that the grant does not cover: it was never in its reach.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from ..store import Store
from ..store.columns import IDENTITY_COLUMNS
from ..store.visible import select_records
from .grants import CONTENT_FIELDS, Grant
from .redact import Redactor

__all__ = ["COMMUNICATION_KINDS", "FREE_TEXT_KINDS", "View", "build_view", "link_redactor", "scope_sql"]

# Kinds whose titles, creators and places are written by or about other people.
COMMUNICATION_KINDS = frozenset({"message", "post", "note", "event", "comment", "chat"})
# Kinds whose titles are free text, where a name is an identifier: the above, plus what the
# person typed into a search box ("anna schmidt new address").
FREE_TEXT_KINDS = COMMUNICATION_KINDS | {"query"}
_JSON_LIST = ("creators", "categories")


@dataclass
class View:
    store: Store
    grant: Grant
    ids: frozenset[str]
    redactor: Redactor
    # Providers keep per-view work here (history items, vectors): it dies with the view.
    memo: dict[str, Any] = field(default_factory=dict)
    # One connection serves many request threads; SQLite calls on it are serialised here.
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.grant.scope.fields

    def close(self) -> None:
        self.store.close()

    def named_in(self, text: str) -> set[str]:
        """The view's titles that ``text`` names (whole words, the longest match where titles nest:
        "Dune: Part Two" is one work, not also "Dune"). Not counted: titles under 4 characters ("Up"
        or "Her" would be found in any sentence) and titles that are also a creator (a channel or an
        artist named as the author of a work is its attribution, not one more work)."""
        titles = self.memo.get("titles")
        if titles is None:
            with self.lock:
                rows = select_records(self.store, "DISTINCT r.title", "r.title IS NOT NULL").fetchall()
                creators = select_records(
                    self.store, "DISTINCT j.value", "r.creators IS NOT NULL", join=", json_each(r.creators) j"
                ).fetchall()
            who = {str(c[0]) for c in creators}
            titles = self.memo["titles"] = sorted(
                {str(r[0]) for r in rows if len(str(r[0]).strip()) >= 4} - who, key=len, reverse=True
            )
        taken: list[tuple[int, int]] = []
        named: set[str] = set()
        for title in titles:
            if title not in text:
                continue
            for m in re.finditer(r"(?<!\w)" + re.escape(title) + r"(?!\w)", text):
                if not any(a <= m.start() and m.end() <= b for a, b in taken):
                    taken.append(m.span())
                    named.add(title)
        return named


def scope_sql(grant: Grant) -> tuple[str, list[Any]]:
    """The grant's platforms, kinds and window as a condition on ``records r`` (forgotten records are
    left out by ``select_records`` itself)."""
    s = grant.scope
    clauses = ["1"]
    params: list[Any] = []
    for column, values in (("platform", s.platforms), ("kind", s.kinds)):
        if "*" not in values:
            clauses.append(f"r.{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if s.since:
        clauses.append("r.occurred_at >= ?")
        params.append(_bound(s.since))
    if s.until:
        clauses.append("r.occurred_at < ?")
        params.append(_bound(s.until))
    return " AND ".join(clauses), params


def _bound(ts: str) -> str:
    """A window bound in the store's own form, so text order is time order: records hold UTC instants
    ('2024-05-31T23:00:00Z'), a bound may be written '2024-06-01T00:00+02:00' or '2024-06-01 00:00'."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ts):
        return ts  # a date: midnight UTC, and already ordered right against '2024-06-01T…Z'
    when = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _strip_url(url: str) -> str:
    # Query strings and fragments carry session tokens, e-mail addresses and tracking ids.
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def link_redactor(redactor: Redactor) -> Redactor:
    """For a granted ``url``: the link stays, identifiers inside it go (an e-mail address in a web
    mail path or a ``mailto:``, a phone number in ``tel:``, precise coordinates in a map link, the
    name of someone the person corresponds with in a profile link)."""
    return Redactor(keep=redactor.keep | {"link"}, people=redactor.people, geo_decimals=redactor.geo_decimals)


def _project(
    row: dict[str, Any], grant: Grant, redactor: Redactor, links: Redactor | None = None
) -> dict[str, Any]:
    scope = grant.scope
    talk = row["kind"] in FREE_TEXT_KINDS
    out: dict[str, Any] = {k: row[k] for k in IDENTITY_COLUMNS}
    # A name found in one field of a record goes from all its free-text fields ("Met Anna Schmidt" in
    # the text, "Anna" in the title of the same note).
    free = [row[f] for f in ("text", *(("title", "place") if talk else ())) if f in scope.fields and row[f]]
    also = redactor.names_in("\n".join(free)) if free else set()
    for name in CONTENT_FIELDS:
        value = row[name] if name in scope.fields else None
        if value is None:
            out[name] = None
            continue
        if name == "text":
            value = redactor.redact(value, also=also)
        elif name in ("title", "place"):
            value = redactor.redact(value, free_text=talk, also=also)
        elif name == "address":
            value = value if "address" in scope.keep else "[address]"
        elif name in _JSON_LIST:
            items = orjson.loads(value)
            value = orjson.dumps([redactor.redact(str(v), free_text=talk, also=also) for v in items]).decode()
        elif name == "external_ids":
            ids = orjson.loads(value)
            value = orjson.dumps({k: redactor.redact_identifier(str(v)) for k, v in ids.items()}).decode()
        elif name == "url":
            value = (links or link_redactor(redactor)).redact_link(_strip_url(value))
        elif name in ("lat", "lon") and "coords" not in scope.keep:
            value = round(float(value), scope.geo_decimals)
        out[name] = value
    return out


_SAY_EVERY = 2_000  # records between two progress reports while a view is built


def catalogue(rows: Iterable[Any]) -> frozenset[str]:
    """Titles and creators of works (films, books, tracks, products…): quoted in free text or in an
    answer ("Fire with Fire"), they are a work and its author, never a person to redact."""
    out: set[str] = set()
    for r in rows:
        if r["kind"] in FREE_TEXT_KINDS:
            continue
        if r["title"]:
            out.add(str(r["title"]))
        if r["creators"]:
            out.update(str(c) for c in orjson.loads(r["creators"]))
    return frozenset(out)


def build_view(
    source: Store,
    grant: Grant,
    people: frozenset[str],
    progress: Callable[[str, int, int | None], None] | None = None,
) -> View:
    """Copy the grant's slice of ``source`` into a fresh in-memory store; ``progress(step, done,
    total)`` hears how many of its records are redacted so far."""
    where, params = scope_sql(grant)
    names = (*IDENTITY_COLUMNS, *CONTENT_FIELDS)
    rows = select_records(
        source, ", ".join(f"r.{c}" for c in names), where, params, order="r.rowid"
    ).fetchall()
    redactor = Redactor(
        keep=frozenset(grant.scope.keep),
        people=people,
        geo_decimals=grant.scope.geo_decimals,
        titles=catalogue(rows),
    )
    view = Store(":memory:")
    links = link_redactor(redactor)
    say = progress or (lambda _step, _done, _total: None)
    step = f"grant {grant.name}: redacting its records"
    projected = []
    for i, r in enumerate(rows):
        if i % _SAY_EVERY == 0:
            say(step, i, len(rows))
        projected.append(_project(dict(r), grant, redactor, links))
    say(step, len(rows), len(rows))
    view.load_copy(
        f"grant {grant.name}", names, [tuple(p[k] for k in names) for p in projected], importer="gate"
    )
    return View(store=view, grant=grant, ids=frozenset(p["id"] for p in projected), redactor=redactor)
