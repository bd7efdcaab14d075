"""The person's profile: facts computed from the store, each citing the records it rests on.

Deterministic and fast (no model, no network): the same store always gives the same facts, and
recency is measured from the newest record, not from today. Kinds of :class:`Fact`:

* ``pinned`` / ``note`` — the person's own statements (see :mod:`.corrections`); they come first and
  outrank anything inferred.
* ``theme`` — one interest seen on several platforms (a franchise and its adaptations, a creator, a
  topic the platforms and the person's own tags agree on). The strongest personalization signal; each
  lists the platforms that support it.
* ``taste`` — per domain: top creators, genres/categories and linked entities, by recency-weighted affinity.
* ``routine`` — hour of day, weekday, season and places.
* ``dislike`` — low ratings, skipped artists, abandoned books, returns.

Records in ``hidden_records`` (forgotten by the person) are never read, and facts the person forgot are
left out by key.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from ..store import Store
from .entities import MIGRATIONS, update_entities
from .names import FUNCTION_WORDS, fold, stem

__all__ = ["DOMAINS", "KINDS", "Fact", "Profile", "build_profile"]

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
            "citation_count": len(self.citations),
            "detail": self.detail,
        }


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
_SKIP_SECONDS = 30.0


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
    id: str
    platform: str
    action: str
    kind: str
    title: str | None
    categories: list[str]
    when: datetime | None
    tz: str | None
    precision: str | None
    rating: float | None
    skipped: bool
    place: str | None
    text: str | None
    extra: dict[str, Any]
    weight: float = 0.0  # recency × action × rating; 0 for skips and negative actions
    domain: str | None = None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _load_rows(store: Store) -> list[_Row]:
    cur = store.conn.execute(
        "SELECT id, platform, action, kind, title, categories, occurred_at, occurred_tz, time_precision, "
        "rating_norm, duration_s, place, text, extra FROM records "
        "WHERE id NOT IN (SELECT record_id FROM hidden_records)"
    )
    rows: list[_Row] = []
    for r in cur:
        extra = orjson.loads(r["extra"]) if r["extra"] else {}
        skipped = r["kind"] in ("track", "podcast") and (
            bool(extra.get("skipped"))
            or (r["duration_s"] is not None and r["duration_s"] < _SKIP_SECONDS)
            or extra.get("reason_end") == "fwdbtn"
        )
        rows.append(
            _Row(
                id=r["id"],
                platform=r["platform"],
                action=r["action"],
                kind=r["kind"],
                title=r["title"],
                categories=orjson.loads(r["categories"]) if r["categories"] else [],
                when=_parse_time(r["occurred_at"]),
                tz=r["occurred_tz"],
                precision=r["time_precision"],
                rating=r["rating_norm"],
                skipped=skipped,
                place=r["place"],
                text=r["text"],
                extra=extra,
            )
        )
    return _main_profile_only(rows)


def _main_profile_only(rows: list[_Row]) -> list[_Row]:
    """Shared streaming accounts: a Netflix export holds every profile; the person is the busiest one."""
    profiles: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if "profile" in r.extra:
            profiles[r.platform][str(r.extra["profile"])] += 1
    main = {platform: c.most_common(1)[0][0] for platform, c in profiles.items()}
    return [r for r in rows if "profile" not in r.extra or str(r.extra["profile"]) == main[r.platform]]


def _weigh(rows: list[_Row]) -> None:
    newest = max((r.when for r in rows if r.when), default=None)
    for r in rows:
        r.domain = _domain(r.platform, r.kind)
        if r.skipped or r.action in _NEGATIVE_ACTIONS or (r.rating is not None and r.rating <= _LOW_RATING):
            continue
        recency = 0.5
        if r.when and newest:
            recency = 0.5 ** (max(0.0, (newest - r.when).total_seconds() / 86400) / _HALF_LIFE_DAYS)
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
    roles: dict[str, list[tuple[int, str]]]  # record id → (entity id, role)
    links: list[tuple[int, int, str]]
    returns: dict[str, list[str]]  # returned record → purchase records


def _load_graph(store: Store) -> _Graph:
    ents = {
        r[0]: _Ent(r[0], r[1], r[2], r[3], r[4])
        for r in store.conn.execute("SELECT id, key, type, name, year FROM profile_entities")
    }
    roles: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for rid, ent, role in store.conn.execute("SELECT record_id, entity_id, role FROM profile_entity_records"):
        roles[rid].append((ent, role))
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


def build_profile(store: Store, *, forgotten: Iterable[str] | None = None) -> Profile:
    """Compute the profile. ``forgotten`` overrides the stored forget rules (used to resolve them)."""
    store.ensure_schema("profile", MIGRATIONS)
    update_entities(store)
    facts, n_records = _inferred_facts(store)
    if forgotten is None:
        forgotten = {
            r[0] for r in store.conn.execute("SELECT target FROM profile_corrections WHERE action = 'forget'")
        }
    forgotten = set(forgotten)
    facts = [
        f for f in facts if f.key not in forgotten and not any(f.key == f"entity:{k}" for k in forgotten)
    ]
    order = {k: i for i, k in enumerate(KINDS)}
    facts.sort(key=lambda f: (order[f.kind], -f.score, f.key))
    own = _statements(store, {f.key: f for f in facts})
    pinned = {f.detail.get("pins") for f in own}
    return Profile(facts=own + [f for f in facts if f.key not in pinned], records=n_records)


# Bump when the inference below changes, so cached facts from an older version are recomputed.
_FACTS_VERSION = 2
# Facts are cached for the last two states of the store: applying forget rules computes them once with
# nothing of the rules' hidden and once with it hidden, after every import.
_FACTS_SLOTS = 2


def _facts_fingerprint(store: Store) -> str:
    records = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM records").fetchone()
    hidden = hashlib.sha256()
    for (rid,) in store.conn.execute("SELECT record_id FROM hidden_records ORDER BY record_id"):
        hidden.update(rid.encode() + b"\0")
    return f"{_FACTS_VERSION}|{records[0]}:{records[1]}|{hidden.hexdigest()[:32]}"


def _inferred_facts(store: Store) -> tuple[list[Fact], int]:
    """The facts inferred from the records, before the person's corrections.

    Computing them reads every record (minutes at 10⁶ records), so they are cached in the store
    and recomputed only when the records or the hidden records changed."""
    fingerprint = _facts_fingerprint(store)
    row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'facts'").fetchone()
    slots: list[dict[str, Any]] = orjson.loads(row[0]) if row else []
    for cached in slots:
        if cached["fingerprint"] == fingerprint:
            return [Fact(**f) for f in cached["facts"]], cached["records"]
    rows = _load_rows(store)
    _weigh(rows)
    by_id = {r.id: r for r in rows}
    graph = _load_graph(store)
    platform_of = {r.id: r.platform for r in rows}

    facts: list[Fact] = []
    facts += _themes(rows, graph)
    facts += _tastes(rows, graph)
    facts += _routines(rows)
    facts += _dislikes(rows, graph, by_id)
    for f in facts:
        f.platforms = sorted({platform_of[c] for c in f.citations if c in platform_of})
    entry = {"fingerprint": fingerprint, "records": len(rows), "facts": [asdict(f) for f in facts]}
    payload = orjson.dumps([entry, *slots][:_FACTS_SLOTS]).decode()
    upsert = (
        "INSERT INTO profile_state (key, value) VALUES ('facts', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    )
    try:
        if store.conn.in_transaction:  # the caller's transaction (applying forget rules) commits it
            store.conn.execute(upsert, (payload,))
        else:
            with store.transaction() as conn:
                conn.execute(upsert, (payload,))
    except sqlite3.OperationalError:  # read-only or busy store: the cache is only an optimisation
        pass
    return facts, len(rows)


def _statements(store: Store, inferred: dict[str, Fact]) -> list[Fact]:
    """The person's pins and notes, newest first. Pinning an inferred fact's key lifts that fact to the top."""
    out: list[Fact] = []
    cur = store.conn.execute(
        "SELECT action, target, text, domain, created_at FROM profile_corrections "
        "WHERE action IN ('pin', 'note') ORDER BY action = 'note', created_at DESC, id DESC"
    )
    for action, target, text, domain, created in cur:
        kind = "pinned" if action == "pin" else "note"
        fact = inferred.get(text or "") if action == "pin" else None
        out.append(
            Fact(
                key=target,
                domain=domain or (fact.domain if fact else "general"),
                kind=kind,
                label=fact.label if fact else text or "",
                score=1.0,
                platforms=fact.platforms if fact else [],
                citations=fact.citations if fact else [],
                detail={"pins": fact.key, "stated_at": created} if fact else {"stated_at": created},
            )
        )
    return out


def _ent_name(e: _Ent) -> str:
    kind = {"film": "film", "series": "series", "book": "book", "track": "track", "album": "album"}.get(
        e.type
    )
    year = f" ({e.year})" if e.year and e.type == "film" else ""
    return f"{e.name}{year}" + (f" [{kind}]" if kind else "")


def _tastes(rows: list[_Row], graph: _Graph) -> list[Fact]:
    creators: dict[int, _Evidence] = defaultdict(_Evidence)
    creator_domains: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    items: dict[int, _Evidence] = defaultdict(_Evidence)
    item_domains: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    genres: dict[tuple[str, str], _Evidence] = defaultdict(_Evidence)
    genre_names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    disliked = _disliked_entities(rows, graph)
    for r in rows:
        if not r.domain or r.weight <= 0:
            continue
        for ent, role in graph.roles.get(r.id, ()):
            if ent in disliked:
                continue
            e = graph.ents[ent]
            if e.type == "creator" and role in ("creator", "item"):
                creators[ent].add(r)
                creator_domains[ent][r.domain] += r.weight
            elif role == "item":
                items[ent].add(r)
                item_domains[ent][r.domain] += r.weight
        if r.kind in (
            "movie",
            "episode",
            "book",
            "audiobook",
            "track",
            "album",
            "video",
            "product",
            "workout",
        ):
            for c in r.categories:
                key = fold(c)
                if key and not key.isdigit() and len(key) > 2:
                    genres[(r.domain, key)].add(r)
                    genre_names[(r.domain, key)][c] += 1

    facts: list[Fact] = []
    per_domain: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for ent, ev in creators.items():
        seen = creator_domains[ent]
        per_domain[max(sorted(seen), key=lambda d: seen[d])].append((ev.weight, ent))
    for domain, ranked in per_domain.items():
        ranked.sort(key=lambda x: (-x[0], x[1]))
        top = ranked[0][0] or 1.0
        for weight, ent in [x for x in ranked if x[0] > 0][:10]:
            e = graph.ents[ent]
            facts.append(
                Fact(
                    key=e.key,
                    domain=domain,
                    kind="taste",
                    label=f"{e.name} (creator)",
                    score=weight / top,
                    platforms=[],
                    citations=creators[ent].citations(),
                    detail={"entity": e.key, "affinity": round(weight, 3)},
                )
            )
    grouped: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for ent, ev in items.items():
        # one fact per entity, in the domain where it weighs most (a book bought and read: books)
        grouped[_type_domain(graph.ents[ent].type, item_domains[ent])].append((ev.weight, ent))
    for domain, ranked in grouped.items():
        ranked.sort(key=lambda x: (-x[0], x[1]))
        top = ranked[0][0] or 1.0
        for weight, ent in ranked[:10]:
            e = graph.ents[ent]
            facts.append(
                Fact(
                    key=f"entity:{e.key}",
                    domain=domain,
                    kind="taste",
                    label=_ent_name(e),
                    score=weight / top,
                    platforms=[],
                    citations=items[ent].citations(),
                    detail={"entity": e.key, "affinity": round(weight, 3)},
                )
            )
    by_domain: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (domain, key), ev in genres.items():
        by_domain[domain].append((ev.weight, key))
    for domain, genre_ranked in by_domain.items():
        genre_ranked.sort(key=lambda x: (-x[0], x[1]))
        top = genre_ranked[0][0] or 1.0
        for weight, key in genre_ranked[:6]:
            facts.append(
                Fact(
                    key=f"genre:{domain}:{key}",
                    domain=domain,
                    kind="taste",
                    label=f"{genre_names[(domain, key)].most_common(1)[0][0]} (genre)",
                    score=weight / top,
                    platforms=[],
                    citations=genres[(domain, key)].citations(),
                    detail={"affinity": round(weight, 3)},
                )
            )
    return facts


# -- themes ---------------------------------------------------------------------------------------

_THEME_RELATIONS = {"adaptation_of", "soundtrack_of", "part_of", "franchise", "co_mentioned"}
_GENERIC = frozenset(
    [
        "interest",
        "interests",
        "custom",
        "streamers",
        "streamer",
        "listeners",
        "listener",
        "users",
        "user",
        "intenders",
        "device",
        "devices",
        "podcast",
        "podcasts",
        "playlist",
        "playlists",
        "music",
        "film",
        "films",
        "movie",
        "movies",
        "book",
        "books",
        "video",
        "videos",
        "culture",
        "show",
        "shows",
        "topic",
        "topics",
        "general",
        "reading",
        "read",
        "saved",
        "favorites",
        "favourite",
        "favorite",
        "list",
        "lists",
        "watch",
        "later",
        "liked",
        "like",
        "search",
        "sent",
        "inbox",
        "opened",
        "important",
        "unread",
        "category",
        "updates",
        "purchases",
        "personal",
        "references",
        "notes",
        "clippings",
        "posts",
        "post",
        "daily",
        "other",
        "nonfiction",
        "non",
        "new",
        "classics",
        "classic",
        "owned",
        "tags",
        "categories",
        "places",
        "place",
        "home",
        "advertiser",
        "restricted",
        "specific",
        "page",
        "facebook",
        "twitter",
        "instagram",
        "spotify",
        "youtube",
        "netflix",
        "amazon",
        "google",
        "apple",
        "recipes",
        "meetings",
        "saw",
        "story",
        "stories",
        "walking",
        "flying",
        "driving",
        "train",
        "bus",
        "vehicle",
        "passenger",
        "subway",
        "tram",
        "ferry",
        "cycling",
        "in_vehicle",
        "score",
        "listener",
    ]
)
_STOP = FUNCTION_WORDS
_TOPIC_KINDS = {"topic", "list"}
_WORK_KINDS = {"movie", "episode", "series", "book", "audiobook", "track", "album"}


def _components(graph: _Graph) -> dict[int, int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, rel in graph.links:
        if rel in _THEME_RELATIONS and "creator" not in (graph.ents[a].type, graph.ents[b].type):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {e: find(e) for e in graph.ents if graph.ents[e].type != "creator"}


def _themes(rows: list[_Row], graph: _Graph) -> list[Fact]:
    by_entity: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        for ent, _role in graph.roles.get(r.id, ()):
            by_entity[ent].append(r)
    comp = _components(graph)
    members: dict[int, list[int]] = defaultdict(list)
    for ent, root in comp.items():
        members[root].append(ent)
    indegree: Counter[int] = Counter(b for _, b, rel in graph.links if rel in _THEME_RELATIONS)

    # (label, key, evidence, priority, platforms of its own records). A group of overlapping candidates
    # is named after its best candidate: a franchise (book, film, series) before a creator, a creator
    # before an album, a topic last; a merged candidate adds its name only if it stands on two platforms.
    candidates: list[tuple[str, str, _Evidence, int, int]] = []
    rows_by_id = {r.id: r for r in rows}

    # A record's evidence weight does not depend on the entity it is reached through, so each entity's
    # evidence is computed once and groups of entities merge those dicts (first-seen order kept).
    own_evidence: dict[int, dict[str, float]] = {}
    own_platforms: dict[int, frozenset[str]] = {}
    for ent, ent_rows in by_entity.items():
        weights: dict[str, float] = {}
        for r in ent_rows:
            if r.id not in weights and (r.weight > 0 or r.action in ("searched", "visited", "interested")):
                weights[r.id] = max(r.weight, 0.1)
        own_evidence[ent] = weights
        own_platforms[ent] = frozenset(rows_by_id[rid].platform for rid in weights)

    def evidence(ents: Iterable[int]) -> _Evidence:
        ev = _Evidence()
        platforms: set[str] = set()
        for ent in ents:
            if ent in own_evidence:
                ev.records.update((k, v) for k, v in own_evidence[ent].items() if k not in ev.records)
                platforms |= own_platforms[ent]
        ev.weight = sum(ev.records.values())
        ev.platforms = frozenset(platforms)
        return ev

    for ents in members.values():
        works = [
            e for e in ents if graph.ents[e].type in ("book", "film", "series", "podcast", "album", "track")
        ]
        if not works:
            continue
        root = max(works, key=lambda e: (indegree[e], graph.ents[e].type == "book", len(by_entity[e]), -e))
        e = graph.ents[root]
        ev = evidence(ents)
        priority = 0 if e.type in ("book", "film", "series", "podcast") else 2
        key = "theme:" + e.key.split(":", 1)[1].split("|")[0]
        candidates.append((e.name, key, ev, priority, len(_platforms(ev, rows_by_id))))
    works_by: dict[int, set[int]] = defaultdict(set)
    for a, b, rel in graph.links:
        if rel == "by" and graph.ents[b].type == "creator" and a in comp:
            works_by[b].add(comp[a])
        elif rel == "co_mentioned":
            for x, y in ((a, b), (b, a)):
                if graph.ents[x].type == "creator" and y in comp:
                    works_by[x].add(comp[y])
    for ent, e in graph.ents.items():
        if e.type != "creator":
            continue
        united = {ent} | {m for root in works_by[ent] for m in members[root]}
        own = len(_platforms(evidence([ent]), rows_by_id))
        candidates.append((e.name, "theme:" + e.key.split(":", 1)[1], evidence(united), 1, own))
    for label, key, ev in _topic_candidates(rows):
        candidates.append((label, key, ev, 3, len(_platforms(ev, rows_by_id))))

    candidates = [c for c in candidates if len(_platforms(c[2], rows_by_id)) >= 2 and c[2].weight > 0]
    candidates.sort(key=lambda c: (-len(c[2].records), c[3], c[1]))
    groups: list[tuple[list[tuple[str, str, _Evidence, int, int]], _Evidence]] = []
    for cand in candidates:
        ev = cand[2]
        for group, acc in groups:
            if len(ev.records.keys() & acc.records.keys()) >= 0.7 * min(len(ev.records), len(acc.records)):
                group.append(cand)
                for rid, w in ev.records.items():
                    if rid not in acc.records:
                        acc.records[rid] = w
                        acc.weight += w
                break
        else:
            acc = _Evidence()
            acc.records, acc.weight = dict(ev.records), ev.weight
            groups.append(([cand], acc))
    accepted: list[tuple[list[str], str, _Evidence]] = []
    for group, acc in groups:
        # A creator who unites several works (Ishiguro: three books and their films) names the group.
        franchises = sum(1 for c in group if c[3] == 0)
        group.sort(key=lambda c: (-1 if c[3] == 1 and franchises >= 2 else c[3], -c[2].weight, c[1]))
        labels: list[str] = []
        for label, _key, _ev, _priority, own in group:
            if (own >= 2 or not labels) and fold(label) not in {fold(x) for x in labels}:
                labels.append(label)
        accepted.append((labels, group[0][1], acc))
    facts = []
    for labels, key, ev in accepted:
        platforms = _platforms(ev, rows_by_id)
        if len(platforms) < 3:
            continue
        facts.append(
            Fact(
                key=key,
                domain="general",
                kind="theme",
                label=" / ".join(labels[:3]),
                score=len(platforms) + ev.weight / (ev.weight + 50.0),
                platforms=[],
                citations=ev.citations(),
                detail={"also": labels[3:], "affinity": round(ev.weight, 3)},
            )
        )
    return facts


def _platforms(ev: _Evidence, rows_by_id: dict[str, _Row]) -> frozenset[str]:
    if ev.platforms is None:
        ev.platforms = frozenset(rows_by_id[rid].platform for rid in ev.records)
    return ev.platforms


def _stems(text: str) -> list[str]:
    out = []
    for t in fold(text, camel=True).split():
        if t in _STOP or any(ch.isdigit() for ch in t):
            continue
        out.append(stem(t))
    return out


def _topic_candidates(rows: list[_Row]) -> list[tuple[str, str, _Evidence]]:
    """Interests the platforms inferred and tags the person chose, checked against everything else."""
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)  # term → platforms that name it
    names: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.kind == "health_metric":  # metric names ("StepCount"), not interests
            continue
        sources = list(r.categories)
        if r.kind in _TOPIC_KINDS and r.title:
            sources.append(r.title)
        for phrase in sources:
            terms = tuple(s for s in _stems(phrase) if s not in _GENERIC and len(s) >= 3)
            if not terms or len(terms) > 3:
                continue
            for term in {terms, *((t,) for t in terms if len(t) >= 4)}:
                phrases[term].add(r.platform)
                names[term][phrase] += 1
    postings: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        # A work's title is a name, not a description: "Blade Runner" says nothing about running.
        title = None if r.kind in _WORK_KINDS else r.title
        text = " ".join(x for x in (title, " ".join(r.categories), (r.text or "")[:300]) if x)
        for s in _stems(text):
            postings[s].add(i)
    vocab = sorted(postings)
    out = []
    for term in sorted(t for t, platforms in phrases.items() if len(platforms) >= 2):
        sets = []
        for part in term:
            hits = set(postings.get(part, ()))
            if len(part) >= 4:
                for s in vocab:  # prefixes: "japan" finds "japanese", "cook" finds "cookbook"
                    if s != part and s.startswith(part):
                        hits |= postings[s]
            sets.append(hits)
        matched = set.intersection(*sets) if sets else set()
        if len(term) > 1:
            matched |= postings.get("".join(term), set())  # "#trailrunning"
        ev = _Evidence()
        for i in sorted(matched):
            r = rows[i]
            if r.weight > 0 or r.action in ("interested", "searched", "visited"):
                ev.add(r, max(r.weight, 0.1))
        exact = [n for n in names[term] if len(_stems(n)) == len(term)] or list(names[term])
        label = max(exact, key=lambda n: (names[term][n], n))
        out.append((label, "theme:" + " ".join(term), ev))
    return out


# -- routines -------------------------------------------------------------------------------------


def _home_zone(rows: list[_Row]) -> ZoneInfo | timezone:
    zones = Counter(r.tz for r in rows if r.tz and "/" in r.tz)
    for name, _ in zones.most_common():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC


_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def _local(r: _Row, home: ZoneInfo | timezone) -> datetime | None:
    if r.when is None or r.precision in ("year", "month", "day"):
        return None
    tz: ZoneInfo | timezone = home
    if r.tz and "/" in r.tz:
        try:
            tz = ZoneInfo(r.tz)
        except (ZoneInfoNotFoundError, ValueError):
            tz = home
    elif r.tz and (m := _OFFSET.match(r.tz)):
        sign = 1 if m.group(1) == "+" else -1
        tz = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    return r.when.astimezone(tz)


_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DOMAIN_LABEL = {
    "film_tv": "Film & TV",
    "books": "Reading",
    "music": "Listening",
    "video": "Video",
    "shopping": "Shopping",
    "places": "Going places",
    "activity": "Exercise",
}


def _hour_ranges(hours: list[int]) -> str:
    spans: list[list[int]] = []
    for h in sorted(hours):
        if spans and h == spans[-1][1] + 1:
            spans[-1][1] = h
        else:
            spans.append([h, h])
    return ", ".join(f"{a:02d}:00–{b + 1:02d}:00" for a, b in spans)


def _routines(rows: list[_Row]) -> list[Fact]:
    home = _home_zone(rows)
    timed: dict[str, list[tuple[_Row, datetime]]] = defaultdict(list)
    dated: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if not r.domain or r.domain in ("places", "shopping") or r.skipped or r.kind == "health_metric":
            continue
        if r.when is not None:
            dated[r.domain].append(r)
        local = _local(r, home)
        if local is not None:
            timed[r.domain].append((r, local))
    facts: list[Fact] = []
    zone = getattr(home, "key", "UTC")
    for domain, items in sorted(timed.items()):
        if len(items) < 20:
            continue
        hours = Counter(t.hour for _, t in items)
        peak: list[int] = []
        covered = 0
        for h, n in sorted(hours.items(), key=lambda x: (-x[1], x[0])):
            if covered >= 0.6 * len(items):
                break
            peak.append(h)
            covered += n
        cited = [r.id for r, t in sorted(items, key=lambda x: x[1], reverse=True) if t.hour in peak]
        facts.append(
            Fact(
                key=f"routine:hours:{domain}",
                domain=domain,
                kind="routine",
                label=f"{_DOMAIN_LABEL[domain]} mostly {_hour_ranges(peak)} ({zone})",
                score=covered / len(items),
                platforms=[],
                citations=cited,
                detail={"hours": {f"{h:02d}": hours[h] for h in sorted(hours)}, "zone": zone},
            )
        )
        days = Counter(t.weekday() for _, t in items)
        day, n = max(days.items(), key=lambda x: (x[1], -x[0]))
        if n / len(items) >= 1.5 / 7:
            facts.append(
                Fact(
                    key=f"routine:weekday:{domain}",
                    domain=domain,
                    kind="routine",
                    label=f"{_DOMAIN_LABEL[domain]}: most often on {_WEEKDAYS[day]} ({n / len(items):.0%})",
                    score=n / len(items),
                    platforms=[],
                    citations=[r.id for r, t in items if t.weekday() == day],
                    detail={"weekdays": {_WEEKDAYS[d][:3]: days[d] for d in sorted(days)}},
                )
            )
    for domain, items2 in sorted(dated.items()):
        whens = [r.when for r in items2 if r.when]
        if len(items2) < 24 or (max(whens) - min(whens)).days < 365:
            continue
        months = Counter(r.when.month for r in items2 if r.when)
        month, n = max(months.items(), key=lambda x: (x[1], -x[0]))
        if n / len(items2) >= 2 / 12:
            facts.append(
                Fact(
                    key=f"routine:season:{domain}",
                    domain=domain,
                    kind="routine",
                    label=f"{_DOMAIN_LABEL[domain]} peaks in {_MONTHS[month - 1]} ({n / len(items2):.0%} of the year's activity)",
                    score=n / len(items2),
                    platforms=[],
                    citations=[r.id for r in items2 if r.when and r.when.month == month],
                    detail={"months": {_MONTHS[m - 1]: months[m] for m in sorted(months)}},
                )
            )
    places: dict[str, _Evidence] = defaultdict(_Evidence)
    names: dict[str, str] = {}
    for r in rows:
        if r.kind == "place" and r.action == "visited" and (r.title or r.place):
            name = r.title or r.place or ""
            places[fold(name)].add(r, 1.0)
            names[fold(name)] = name
    ranked = sorted(places.items(), key=lambda x: (-len(x[1].records), x[0]))
    for key, ev in ranked[:8]:
        if len(ev.records) < 3:
            break
        facts.append(
            Fact(
                key=f"routine:place:{key}",
                domain="places",
                kind="routine",
                label=f"Often at {names[key]} ({len(ev.records)} visits)",
                score=len(ev.records) / len(ranked[0][1].records),
                platforms=[],
                citations=ev.citations(),
            )
        )
    return facts


# -- dislikes -------------------------------------------------------------------------------------


def _disliked_entities(rows: list[_Row], graph: _Graph) -> set[int]:
    out = set()
    for r in rows:
        if r.action in ("abandoned", "disliked") or (r.rating is not None and r.rating <= _LOW_RATING):
            out |= {ent for ent, role in graph.roles.get(r.id, ()) if role == "item"}
    return out


def _dislikes(rows: list[_Row], graph: _Graph, by_id: dict[str, _Row]) -> list[Fact]:
    low: dict[int, _Evidence] = defaultdict(_Evidence)
    ratings: dict[int, list[float]] = defaultdict(list)
    dropped: dict[tuple[str, int], _Evidence] = defaultdict(_Evidence)
    plays: dict[int, list[_Row]] = defaultdict(list)
    facts: list[Fact] = []
    for r in rows:
        items = [ent for ent, role in graph.roles.get(r.id, ()) if role == "item"]
        if r.rating is not None and r.rating <= _LOW_RATING:
            for ent in items:
                low[ent].add(r, 1.0)
                ratings[ent].append(r.rating)
        if r.action in ("abandoned", "disliked"):
            for ent in items:
                dropped[(r.action, ent)].add(r, 1.0)
        if r.kind == "track" and r.action == "listened":
            for ent, role in graph.roles.get(r.id, ()):
                if role == "creator":
                    plays[ent].append(r)
        if r.action == "returned":
            bought = [by_id[p] for p in graph.returns.get(r.id, ()) if p in by_id]
            name = next((b.title for b in bought if b.title), r.title or "an order")
            reason = r.extra.get("reason")
            facts.append(
                Fact(
                    key=f"dislike:returned:{fold(name)}",
                    domain="shopping",
                    kind="dislike",
                    label=f"Returned {name}" + (f" (reason: {reason})" if reason else ""),
                    score=0.3,
                    platforms=[],
                    citations=[r.id, *(b.id for b in bought)],
                )
            )
    for ent, ev in low.items():
        e = graph.ents[ent]
        mean = sum(ratings[ent]) / len(ratings[ent])
        facts.append(
            Fact(
                key=f"dislike:{e.key}",
                domain=_type_domain(e.type),
                kind="dislike",
                label=f"Rated {_ent_name(e)} low ({mean:.0%} on average)",
                score=1.0 - mean,
                platforms=[],
                citations=ev.citations(),
            )
        )
    for (action, ent), ev in dropped.items():
        e = graph.ents[ent]
        verb = "Abandoned" if action == "abandoned" else "Marked as disliked:"
        facts.append(
            Fact(
                key=f"dislike:{action}:{e.key}",
                domain=_type_domain(e.type),
                kind="dislike",
                label=f"{verb} {_ent_name(e)}",
                score=0.8,
                platforms=[],
                citations=ev.citations(),
            )
        )
    for ent, listens in plays.items():
        skipped = [r for r in listens if r.skipped]
        if len(listens) >= 5 and len(skipped) / len(listens) >= 0.6:
            e = graph.ents[ent]
            facts.append(
                Fact(
                    key=f"dislike:skips:{e.key}",
                    domain="music",
                    kind="dislike",
                    label=f"Skips {e.name} ({len(skipped)} of {len(listens)} plays skipped)",
                    score=len(skipped) / len(listens),
                    platforms=[],
                    citations=[r.id for r in skipped],
                )
            )
    return facts


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
