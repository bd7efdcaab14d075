"""What the profile is made of: facts, the records they read (weighted) and the entity graph.

Shared by :mod:`.facts` (tastes and the cached whole), :mod:`.themes` and :mod:`.habits`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from ..store import Store

DOMAINS = ("film_tv", "books", "music", "video", "shopping", "places", "activity")
KINDS = ("pinned", "note", "theme", "taste", "routine", "dislike")


@dataclass(slots=True)
class Fact:
    """One thing the profile says about the person, with the records that support it.

    ``key`` is stable across recomputation and re-import (it is built from names, never from row ids), so
    corrections can refer to it: ``theme:dune``, ``creator:frank herbert``, ``dislike:film:love actually|2003``.
    """

    key: str
    domain: str  # one of DOMAINS, or "general" for themes and the person's own statements
    kind: str  # one of KINDS
    label: str
    score: float  # comparable within a kind; higher is stronger
    platforms: list[str]
    citations: list[str]  # record ids, strongest evidence first
    detail: dict[str, Any] = field(default_factory=dict)

    def citation_total(self) -> int:
        """How many records support the fact (a :class:`CitedFact` holds only the first few)."""
        return len(self.citations)

    def to_dict(self, max_citations: int | None = 20) -> dict[str, Any]:
        cited = self.citations if max_citations is None else self.citations[:max_citations]
        return {
            "key": self.key,
            "domain": self.domain,
            "kind": self.kind,
            "label": self.label,
            "score": round(self.score, 4),
            "platforms": self.platforms,
            "citations": cited,
            "citation_count": self.citation_total(),
            "detail": self.detail,
        }


# Citations kept per fact in the compact cache that `profile show` reads: what to_dict() prints.
SHOWN_CITATIONS = 20


@dataclass(slots=True)
class CitedFact(Fact):
    """A fact from the compact cache: its first :data:`SHOWN_CITATIONS` citations and their total."""

    citation_count: int = 0

    def citation_total(self) -> int:
        return self.citation_count


@dataclass(slots=True)
class Profile:
    facts: list[Fact]
    records: int  # records considered (hidden ones excluded)

    def get(self, key: str) -> Fact | None:
        return next((f for f in self.facts if f.key == key), None)

    def select(self, *, domain: str | None = None, kind: str | None = None) -> list[Fact]:
        return [
            f
            for f in self.facts
            if (
                domain is None
                or f.domain == domain
                or (f.domain == "general" and f.kind in ("pinned", "note"))
            )
            and (kind is None or f.kind == kind)
        ]

    def to_dict(self, max_citations: int | None = 20) -> dict[str, Any]:
        return {"records": self.records, "facts": [f.to_dict(max_citations) for f in self.facts]}


# -- record features ------------------------------------------------------------------------------

_ACTION_WEIGHT = {
    "rated": 3.0,
    "reviewed": 3.0,
    "liked": 2.5,
    "read": 3.0,
    "highlighted": 2.0,
    "noted": 2.0,
    "saved": 2.0,
    "followed": 2.5,
    "subscribed": 2.5,
    "purchased": 2.0,
    "posted": 2.0,
    "attended": 2.0,
    "started": 1.5,
    "watched": 1.5,
    "listened": 1.0,
    "exercised": 1.0,
    "visited": 0.5,
    "travelled": 0.5,
    "wishlisted": 1.0,
    "interested": 1.0,
    "searched": 0.7,
    "viewed": 0.5,
}
_NEGATIVE_ACTIONS = {"abandoned", "disliked", "returned"}
_HALF_LIFE_DAYS = 365.0
_LOW_RATING = 0.4  # rating_norm at or below: 2/5 stars, thumbs down, 4/10


def _domain(platform: str, kind: str) -> str | None:
    if kind in ("movie", "episode", "series") or (platform in ("netflix", "letterboxd") and kind == "video"):
        return "film_tv"
    if kind in ("book", "audiobook"):
        return "books"
    if kind in ("track", "album", "artist", "podcast"):
        return "music"
    if kind in ("video", "channel"):
        return "video"
    if kind in ("product",) or kind == "transaction":
        return "shopping"
    if kind in ("place", "trip"):
        return "places"
    if kind in ("workout", "health_metric"):
        return "activity"
    return None


@dataclass(slots=True)
class _Row:
    """One record as the facts read it (:mod:`.features` parses it once, when it arrives)."""

    id: str
    platform: str
    action: str
    kind: str
    title: str | None
    categories: tuple[str, ...]
    ts: int | None  # when it happened, microseconds since the epoch
    month: int | None  # its month, in its own offset
    tz: str | None
    precision: str | None
    rating: float | None
    skipped: bool
    place: str | None
    profile: str | None  # which member of a shared streaming account
    reason: str | None  # why it was returned
    terms: tuple[tuple[tuple[str, ...], str], ...]  # topic phrases it names: (stems, the phrase)
    said: tuple[str, ...]  # stems of its descriptive text
    weight: float = 0.0  # recency × action × rating; 0 for skips and negative actions
    domain: str | None = None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _weigh(rows: list[_Row]) -> None:
    newest = max((r.ts for r in rows if r.ts is not None), default=None)
    for r in rows:
        r.domain = _domain(r.platform, r.kind)
        if r.skipped or r.action in _NEGATIVE_ACTIONS or (r.rating is not None and r.rating <= _LOW_RATING):
            continue
        recency = 0.5
        if r.ts is not None and newest is not None:
            recency = 0.5 ** (max(0.0, (newest - r.ts) / 1_000_000 / 86400) / _HALF_LIFE_DAYS)
        rating = 1.0 if r.rating is None else 0.5 + r.rating
        r.weight = _ACTION_WEIGHT.get(r.action, 1.0) * recency * rating


# -- entities from the store ----------------------------------------------------------------------


@dataclass(slots=True)
class _Ent:
    id: int
    key: str
    type: str
    name: str
    year: int | None


@dataclass(slots=True)
class _Graph:
    ents: dict[int, _Ent]
    roles: dict[str, tuple[tuple[int, str], ...]]  # record id → (entity id, role)
    links: list[tuple[int, int, str]]
    returns: dict[str, list[str]]  # returned record → purchase records


def _load_graph(store: Store, rows: dict[str, _Row]) -> _Graph:
    """The entity graph; the roles only of ``rows`` (the visible records the facts read), keyed by
    their own id strings, each distinct tuple of roles kept once (the plays of a track share theirs)."""
    ents = {
        r[0]: _Ent(r[0], r[1], r[2], r[3], r[4])
        for r in store.conn.execute("SELECT id, key, type, name, year FROM profile_entities")
    }
    pairs: dict[tuple[int, str], tuple[int, str]] = {}
    same: dict[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]] = {}
    roles: dict[str, tuple[tuple[int, str], ...]] = {}
    cur = store.conn.execute(  # the primary key's order: one record's roles come together
        "SELECT record_id, entity_id, role FROM profile_entity_records ORDER BY record_id, entity_id"
    )
    for rid, group in groupby(cur, key=itemgetter(0)):
        if (row := rows.get(rid)) is not None:
            t = tuple(pairs.setdefault((ent, role), (ent, role)) for _, ent, role in group)
            roles[row.id] = same.setdefault(t, t)
    links = [(a, b, rel) for a, b, rel in store.conn.execute("SELECT src, dst, relation FROM profile_links")]
    returns: dict[str, list[str]] = defaultdict(list)
    for a, b in store.conn.execute("SELECT a, b FROM profile_record_links WHERE relation = 'return_of'"):
        returns[a].append(b)
    return _Graph(ents, roles, links, returns)


# -- building -------------------------------------------------------------------------------------


class _Evidence:
    """Records supporting one candidate fact, with their weights."""

    __slots__ = ("platforms", "records", "weight")

    def __init__(self) -> None:
        self.records: dict[str, float] = {}
        self.weight = 0.0
        self.platforms: frozenset[str] | None = None  # set once the evidence is final

    def add(self, row: _Row, weight: float | None = None) -> None:
        w = row.weight if weight is None else weight
        if row.id not in self.records:
            self.records[row.id] = w
            self.weight += w

    def citations(self) -> list[str]:
        return sorted(self.records, key=lambda rid: (-self.records[rid], rid))


def _ent_name(e: _Ent) -> str:
    kind = {"film": "film", "series": "series", "book": "book", "track": "track", "album": "album"}.get(
        e.type
    )
    year = f" ({e.year})" if e.year and e.type == "film" else ""
    return f"{e.name}{year}" + (f" [{kind}]" if kind else "")


def _type_domain(type_: str, seen: dict[str, float] | None = None) -> str:
    """A work's own domain (a book is 'books' even when bought on Amazon); else where it was seen most."""
    return {
        "book": "books",
        "film": "film_tv",
        "series": "film_tv",
        "track": "music",
        "album": "music",
        "podcast": "music",
        "video": "video",
        "product": "shopping",
    }.get(type_) or (max(sorted(seen), key=lambda d: seen[d]) if seen else "general")
