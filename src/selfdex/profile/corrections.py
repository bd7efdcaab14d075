"""The person corrects the profile: forget, pin, note.

Corrections are *rules* kept in ``profile_corrections`` and keyed by fact or entity key (never by row
id), so they survive re-imports and recomputation: :func:`apply_corrections` re-resolves every forget rule
against the current store after each import and writes the affected record ids into the core
``hidden_records`` table (reason ``forget:KEY``), which every reader above the store leaves out. With
``delete_records`` the records are deleted instead, and deleted again if a later import brings them back.

Pins and notes are the person's own statements ("I no longer eat meat"); the profile lists them before
anything inferred. Pinning the key of an inferred fact lifts that fact to the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..store import Store, StoreError
from ..store.db import now_iso
from ..store.hiding import delete_records, unhide
from ..store.hiding import hide as hide_records
from ..store.visible import hidden_ids, select_records
from .entities import MIGRATIONS
from .facts import build_profile
from .features import update_rows
from .linking import fingerprint, update_entities

__all__ = [
    "AppliedCorrections",
    "Correction",
    "ForgetPreview",
    "apply_corrections",
    "forget",
    "group_preview",
    "list_corrections",
    "note",
    "pin",
    "preview_forget",
    "refresh",
    "remove_statement",
    "unforget",
]

_REASON = "forget:"


@dataclass(slots=True)
class Correction:
    action: str  # forget | pin | note
    key: str
    text: str | None
    domain: str | None
    delete_records: bool
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "key": self.key,
            "text": self.text,
            "domain": self.domain,
            "delete_records": self.delete_records,
            "created_at": self.created_at,
        }


@dataclass(slots=True)
class AppliedCorrections:
    hidden: int  # records hidden by forget rules after this pass
    deleted: int  # records deleted by this pass
    unresolved: list[str]  # forget keys that match nothing (yet)


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")[:60] or "statement"


def _add(store: Store, action: str, target: str, text: str | None, domain: str | None, delete: bool) -> None:
    store.ensure_schema("profile", MIGRATIONS)
    store.conn.execute(
        "INSERT INTO profile_corrections (action, target, text, domain, delete_records, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(action, target) DO UPDATE SET text = excluded.text, "
        "domain = excluded.domain, delete_records = excluded.delete_records",
        (action, target, text, domain, int(delete), now_iso()),
    )


def forget(store: Store, key: str, *, delete_records: bool = False) -> AppliedCorrections:
    """Forget a fact or an entity (by key) everywhere, now and after every later import."""
    _add(store, "forget", key.strip(), None, None, delete_records)
    return apply_corrections(store)


@dataclass(slots=True)
class ForgetPreview:
    key: str
    found: bool  # whether the key names a fact or an entity now
    label: str | None  # the fact's label, when it is a fact
    records: list[dict[str, Any]]  # what forgetting would newly hide: id, platform, kind, title, occurred_at
    already_hidden: int  # records of the key another rule already hides


def preview_forget(store: Store, key: str) -> ForgetPreview:
    """What ``forget(key)`` would hide, computed without writing anything (``--dry-run``, the web's confirm).

    A theme hides the records it cites, which are only the records it is about (see :mod:`.themes`); an
    entity hides every record attached to it."""
    store.ensure_schema("profile", MIGRATIONS)
    key = key.strip()
    fact = build_profile(store, forgotten=()).get(key)
    ids = set(fact.citations) if fact else set()
    ids |= _entity_records(store, key)
    hidden = hidden_ids(store)
    new = sorted(ids - hidden)
    rows: list[dict[str, Any]] = []
    for i in range(0, len(new), 500):
        chunk = new[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        rows += [
            dict(r)
            for r in select_records(
                store,
                "r.id, r.platform, r.kind, r.action, r.title, r.occurred_at",
                f"r.id IN ({marks})",
                chunk,
            )
        ]
    rows.sort(key=lambda r: (r["platform"], r["occurred_at"] or "", r["id"]))
    return ForgetPreview(
        key=key,
        found=bool(ids),
        label=fact.label if fact else None,
        records=rows,
        already_hidden=len(ids & hidden),
    )


def group_preview(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The preview's records grouped by platform, kind and title (185 plays of one track are one row)."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in records:
        day = (r["occurred_at"] or "")[:10]
        g = groups.setdefault(
            (r["platform"], r["kind"], r["title"] or ""),
            {
                "platform": r["platform"],
                "kind": r["kind"],
                "title": r["title"] or "",
                "records": 0,
                "first": day,
                "last": day,
                "ids": [],
            },
        )
        g["records"] += 1
        g["ids"].append(r["id"])
        if day:
            g["first"] = min(g["first"] or day, day)
            g["last"] = max(g["last"], day)
    return sorted(groups.values(), key=lambda g: (-g["records"], g["platform"], g["title"]))


def unforget(store: Store, key: str) -> bool:
    """Drop a forget rule and un-hide its records (deleted records come back only by re-importing)."""
    store.ensure_schema("profile", MIGRATIONS)
    with store.transaction() as conn:
        cur = conn.execute("DELETE FROM profile_corrections WHERE action = 'forget' AND target = ?", (key,))
        unhide(conn, _REASON + key)
    apply_corrections(store)  # records another rule still covers stay hidden
    return cur.rowcount > 0


def pin(store: Store, text: str, *, domain: str | None = None) -> str:
    """Pin a statement (or an inferred fact, by its key) to the top of the profile; returns its key."""
    key = f"pin:{_slug(text)}"
    _add(store, "pin", key, text.strip(), domain, False)
    return key


def note(store: Store, text: str, *, domain: str | None = None) -> str:
    """Record something the person says about themselves; returns its key."""
    key = f"note:{_slug(text)}"
    _add(store, "note", key, text.strip(), domain, False)
    return key


def remove_statement(store: Store, key: str) -> bool:
    store.ensure_schema("profile", MIGRATIONS)
    cur = store.conn.execute(
        "DELETE FROM profile_corrections WHERE action IN ('pin', 'note') AND target = ?", (key,)
    )
    return cur.rowcount > 0


def list_corrections(store: Store) -> list[Correction]:
    store.ensure_schema("profile", MIGRATIONS)
    cur = store.conn.execute(
        "SELECT action, target, text, domain, delete_records, created_at FROM profile_corrections ORDER BY id"
    )
    return [Correction(a, t, x, d, bool(dr), c) for a, t, x, d, dr, c in cur]


def _entity_records(store: Store, key: str) -> set[str]:
    entity = key.removeprefix("entity:")
    cur = store.conn.execute(
        "SELECT er.record_id FROM profile_entity_records er JOIN profile_entities e ON e.id = er.entity_id "
        "WHERE e.key = ?",
        (entity,),
    )
    return {r[0] for r in cur}


def apply_corrections(store: Store) -> AppliedCorrections:
    """Re-resolve every forget rule against the current store (call after each import)."""
    store.ensure_schema("profile", MIGRATIONS)
    rules = [c for c in list_corrections(store) if c.action == "forget"]
    if not rules:
        unhide(store.conn, _REASON, prefix=True)
        return AppliedCorrections(0, 0, [])
    # One transaction from un-hiding to re-hiding: other readers never see the forgotten records, and
    # an error or Ctrl-C while the profile is recomputed leaves them hidden as before. Entities are
    # brought up to date first (update_entities commits its own transaction); should an import commit
    # in between, they are stale inside ours and we go round again.
    for _attempt in range(5):
        update_entities(store)
        # Outside our transaction: creating the facts' tables (a script) would commit it early.
        update_rows(store)
        hide: dict[str, str] = {}
        delete: set[str] = set()
        unresolved: list[str] = []
        try:
            with store.transaction() as conn:
                if _entities_stale(store):
                    raise _Stale
                # Start from the records no rule of ours hides, so a rule resolves to the same set each time.
                unhide(conn, _REASON, prefix=True)
                facts = {f.key: f for f in build_profile(store, forgotten=()).facts}
                for rule in rules:
                    fact = facts.get(rule.key)
                    records = set(fact.citations) if fact else set()
                    records |= _entity_records(store, rule.key)
                    if not records:
                        unresolved.append(rule.key)
                    for rid in sorted(records):
                        hide.setdefault(rid, _REASON + rule.key)
                    if rule.delete_records:
                        delete |= records
                hide_records(conn, sorted(hide.items()))
                deleted = delete_records(conn, sorted(delete))
        except _Stale:
            continue
        return AppliedCorrections(hidden=len(hide), deleted=deleted, unresolved=unresolved)
    raise StoreError("the store kept changing while the forget rules were applied; run it again")


class _Stale(Exception):
    """Records changed between updating the entities and applying the rules."""


def _entities_stale(store: Store) -> bool:
    row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'records'").fetchone()
    return row is None or row[0] != fingerprint(store)


def refresh(store: Store) -> AppliedCorrections:
    """The post-import hook: bring entities up to date and re-apply the person's corrections."""
    update_entities(store)
    return apply_corrections(store)
