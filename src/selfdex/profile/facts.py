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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, replace
from typing import Any

import orjson

from ..store import Store
from ..store.crypto import operational_errors
from .entities import MIGRATIONS
from .evidence import (
    DOMAINS,
    KINDS,
    SHOWN_CITATIONS,
    CitedFact,
    Fact,
    Profile,
    _ent_name,
    _Evidence,
    _Graph,
    _load_graph,
    _load_rows,
    _Row,
    _type_domain,
    _weigh,
)
from .habits import _disliked_entities, _dislikes, _routines
from .linking import update_entities
from .names import fold
from .themes import _themes

__all__ = ["DOMAINS", "KINDS", "Fact", "Profile", "build_profile"]


def build_profile(store: Store, *, forgotten: Iterable[str] | None = None, compact: bool = False) -> Profile:
    """Compute the profile. ``forgotten`` overrides the stored forget rules (used to resolve them).

    ``compact``: facts may be :class:`CitedFact` with only their first citations (what ``to_dict()``
    prints), read from a small cache beside the full one, so showing the profile does not parse every
    citation of every fact."""
    store.ensure_schema("profile", MIGRATIONS)
    update_entities(store)
    facts, n_records = _inferred_facts(store, compact=compact)
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
_FACTS_VERSION = 3
# Facts are cached for the last two states of the store: applying forget rules computes them once with
# nothing of the rules' hidden and once with it hidden, after every import.
_FACTS_SLOTS = 2


def _facts_fingerprint(store: Store) -> str:
    records = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM records").fetchone()
    hidden = hashlib.sha256()
    for (rid,) in store.conn.execute("SELECT record_id FROM hidden_records ORDER BY record_id"):
        hidden.update(rid.encode() + b"\0")
    return f"{_FACTS_VERSION}|{records[0]}:{records[1]}|{hidden.hexdigest()[:32]}"


def _compact(fact: Fact) -> dict[str, Any]:
    out = asdict(fact)
    out["citations"] = fact.citations[:SHOWN_CITATIONS]
    out["citation_count"] = len(fact.citations)
    return out


def _inferred_facts(store: Store, *, compact: bool = False) -> tuple[list[Fact], int]:
    """The facts inferred from the records, before the person's corrections.

    Computing them reads every record (minutes at 10⁶ records), so they are cached in the store
    and recomputed only when the records or the hidden records changed. ``compact`` reads the
    cache's small twin ('facts_compact': the first citations of each fact) when it is current."""
    fingerprint = _facts_fingerprint(store)
    if compact:
        row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'facts_compact'").fetchone()
        for cached in orjson.loads(row[0]) if row else []:
            if cached["fingerprint"] == fingerprint:
                return [CitedFact(**f) for f in cached["facts"]], cached["records"]
    row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'facts'").fetchone()
    slots: list[dict[str, Any]] = orjson.loads(row[0]) if row else []
    for cached in slots:
        if cached["fingerprint"] == fingerprint:
            if compact:  # a cache written before the compact twin existed: write it once
                _save(store, [("facts_compact", _compacted(slots))])
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
    older = slots[: _FACTS_SLOTS - 1]
    slots = [entry, *older]
    _save(store, [("facts", orjson.dumps(slots).decode()), ("facts_compact", _compacted(slots, facts))])
    return facts, len(rows)


def _compacted(slots: list[dict[str, Any]], newest: list[Fact] | None = None) -> str:
    """The compact twin of the cache: the same slots, each fact with its first citations and their
    count (``newest``: the first slot's facts as just computed, not re-read from their dicts)."""
    small = []
    for i, slot in enumerate(slots):
        facts = newest if i == 0 and newest is not None else [Fact(**f) for f in slot["facts"]]
        small.append({**slot, "facts": [_compact(f) for f in facts]})
    return orjson.dumps(small).decode()


def _save(store: Store, values: list[tuple[str, str]]) -> None:
    upsert = (
        "INSERT INTO profile_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    )
    try:
        if store.conn.in_transaction:  # the caller's transaction (applying forget rules) commits it
            store.conn.executemany(upsert, values)
        else:
            with store.transaction() as conn:
                conn.executemany(upsert, values)
    except (
        operational_errors()
    ):  # read-only or busy store (plain or encrypted): the cache is only an optimisation
        pass


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
        if fact is not None:  # replace() keeps a CitedFact's citation count
            detail = {"pins": fact.key, "stated_at": created}
            out.append(
                replace(fact, key=target, domain=domain or fact.domain, kind=kind, score=1.0, detail=detail)
            )
            continue
        out.append(
            Fact(
                key=target,
                domain=domain or "general",
                kind=kind,
                label=text or "",
                score=1.0,
                platforms=[],
                citations=[],
                detail={"stated_at": created},
            )
        )
    return out


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
        ranked.sort(key=lambda x: (-x[0], graph.ents[x[1]].key))  # ties by key: ids are not stable
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
        ranked.sort(key=lambda x: (-x[0], graph.ents[x[1]].key))  # ties by key: ids are not stable
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
