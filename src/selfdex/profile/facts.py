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

from collections.abc import Iterable
from dataclasses import replace

from ..store import Store
from ..store.crypto import operational_errors
from ..store.hiding import hidden_digest
from .entities import MIGRATIONS
from .evidence import (
    DOMAINS,
    KINDS,
    Fact,
    Profile,
    _load_graph,
    _weigh,
)
from .factstore import MIGRATIONS as MIGRATIONS_FACTS
from .factstore import load_set, save_set
from .families import FAMILIES, FactInputs
from .features import FEATURES_VERSION, Progress, load_rows, update_rows
from .linking import update_entities

__all__ = ["DOMAINS", "KINDS", "Fact", "Profile", "build_profile", "rebuild_facts"]


def build_profile(
    store: Store,
    *,
    forgotten: Iterable[str] | None = None,
    compact: bool = False,
    progress: Progress | None = None,
) -> Profile:
    """Compute the profile. ``forgotten`` overrides the stored forget rules (used to resolve them).

    ``compact``: facts may be :class:`CitedFact` with only their first citations (what ``to_dict()``
    prints), read from the facts' own tables, so showing the profile does not read every citation of
    every fact. ``progress(step, done, total)`` hears each step of bringing it up to date."""
    store.ensure_schema("profile", MIGRATIONS)
    say = progress or _quiet
    update_entities(store, on_phase=lambda text: say(f"profile: {text}", 0, None))
    facts, n_records = _inferred_facts(store, compact=compact, progress=say)
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


def rebuild_facts(store: Store, *, progress: Progress | None = None) -> None:
    """Parse every record again and drop the kept facts (``selfdex profile rebuild``)."""
    store.ensure_schema("profile_facts", MIGRATIONS_FACTS)
    update_rows(store, force=True, progress=progress)
    with store.transaction() as conn:
        conn.execute("DELETE FROM profile_fact_members")
        conn.execute("DELETE FROM profile_fact_sets")


def _quiet(_step: str, _done: int, _total: int | None) -> None:
    pass


# Bump when the inference below changes, so cached facts from an older version are recomputed.
_FACTS_VERSION = 4


def _facts_fingerprint(store: Store) -> str:
    records = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM records").fetchone()
    version = f"{_FACTS_VERSION}.{FEATURES_VERSION}"
    return f"{version}|{records[0]}:{records[1]}|{hidden_digest(store)[:32]}"


def _inferred_facts(store: Store, *, compact: bool, progress: Progress) -> tuple[list[Fact], int]:
    """The facts inferred from the records, before the person's corrections.

    They are kept in the store (:mod:`.factstore`) and inferred again only when the records or the
    hidden records changed, from the records' parsed rows (:mod:`.features`: an import parses only its
    new records)."""
    store.ensure_schema("profile_facts", MIGRATIONS_FACTS)
    fingerprint = _facts_fingerprint(store)
    cached = load_set(store, fingerprint, compact=compact)
    if cached is not None:
        return cached
    try:
        update_rows(store, progress=progress)
        stored = True
    except operational_errors():  # a read-only or busy store: parse its records here, keep nothing
        stored = False
    progress("profile: inferring the facts", 0, None)
    rows = load_rows(store, stored=stored)
    _weigh(rows)
    by_id = {r.id: r for r in rows}
    graph = _load_graph(store, by_id)

    inputs = FactInputs(rows, graph, by_id)
    facts = [fact for family in FAMILIES.values() for fact in family(inputs)]
    for f in facts:
        f.platforms = sorted({by_id[c].platform for c in f.citations if c in by_id})
    progress("profile: keeping the facts", 0, None)
    _save(store, fingerprint, len(rows), facts)
    return facts, len(rows)


def _save(store: Store, fingerprint: str, records: int, facts: list[Fact]) -> None:
    try:
        if store.conn.in_transaction:  # the caller's transaction (applying forget rules) commits it
            save_set(store.conn, fingerprint, records, facts)
        else:
            with store.transaction() as conn:
                save_set(conn, fingerprint, records, facts)
                # the single-blob cache of older versions (106 MB at 10⁶ records)
                conn.execute("DELETE FROM profile_state WHERE key IN ('facts', 'facts_compact')")
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
