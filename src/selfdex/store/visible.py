"""The privacy rule, written once: records the person told selfdex to forget are never read.

Forgetting (``profile.corrections``) writes record ids into ``hidden_records``; every read of
``records`` that derives something from them — the agent's context, the ranker's history, the
profile, a grant's view, search — goes through :func:`select_records`, which leaves those out
unless a caller says ``include_hidden=True`` (the redaction gazetteer must still know a forgotten
correspondent's name, so it can take it out of the records that remain). ``tests/test_store_boundary.py``
fails on any other query of ``records`` above the store, outside the profile and the index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .db import Store

__all__ = [
    "Fingerprint",
    "change_fingerprint",
    "count_records",
    "counts_by",
    "counts_by_month",
    "counts_of_values",
    "hidden_ids",
    "ids_with_prefix",
    "latest_time",
    "select_records",
    "visible_clause",
]

_COUNTABLE = frozenset({"platform", "kind", "action"})
_LISTS = frozenset({"creators", "categories"})


def visible_clause(alias: str = "r") -> str:
    """The rule as SQL, for a query that reaches ``records`` through an index of its own (search)."""
    return f"{alias}.id NOT IN (SELECT record_id FROM hidden_records)"


def select_records(
    store: Store,
    columns: str = "*",
    where: str = "1",
    params: Sequence[Any] = (),
    *,
    join: str = "",
    group: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    include_hidden: bool = False,
) -> sqlite3.Cursor:
    """``SELECT columns FROM records r [join] WHERE <not hidden> AND (where) …``: the one way to
    read records for anything but the owner's own listing. ``where``, ``order`` and ``group`` name the
    table ``r``; ``join`` follows it (``", json_each(r.creators) j"``)."""
    clauses = [f"({where})"] if include_hidden else [visible_clause("r"), f"({where})"]
    sql = f"SELECT {columns} FROM records r{join} WHERE {' AND '.join(clauses)}"
    if group:
        sql += f" GROUP BY {group}"
    if order:
        sql += f" ORDER BY {order}"
    args = list(params)
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return store.conn.execute(sql, args)


def hidden_ids(store: Store) -> frozenset[str]:
    """The ids of every forgotten record."""
    return frozenset(str(r[0]) for r in store.conn.execute("SELECT record_id FROM hidden_records"))


def latest_time(store: Store) -> str | None:
    """When the newest visible dated record happened (ISO, UTC), or None."""
    row = select_records(store, "max(r.occurred_at)", "r.occurred_at IS NOT NULL").fetchone()
    return str(row[0]) if row and row[0] else None


def count_records(store: Store) -> int:
    """How many visible records there are."""
    return int(select_records(store, "count(*)").fetchone()[0])


def counts_by(store: Store, column: str, *, limit: int) -> list[tuple[str, int]]:
    """Visible records per platform, kind or action, most first (then by name)."""
    if column not in _COUNTABLE:
        raise ValueError(f"not a countable column: {column!r}")
    rows = select_records(
        store, f"r.{column} AS name, count(*) AS n", group=f"r.{column}", order="n DESC, name", limit=limit
    )
    return [(str(r[0]), int(r[1])) for r in rows]


def counts_by_month(store: Store, *, limit: int) -> list[tuple[str, int]]:
    """Visible dated records per month ('2024-05'), most first (then by month)."""
    rows = select_records(
        store,
        "substr(r.occurred_at, 1, 7) AS name, count(*) AS n",
        "r.occurred_at IS NOT NULL",
        group="name",
        order="n DESC, name",
        limit=limit,
    )
    return [(str(r[0]), int(r[1])) for r in rows]


def counts_of_values(store: Store, column: str, *, limit: int) -> list[tuple[str, int]]:
    """Visible records per value of a list column (creators, categories), most first."""
    if column not in _LISTS:
        raise ValueError(f"not a list column: {column!r}")
    rows = select_records(
        store,
        "j.value AS name, count(*) AS n",
        join=f", json_each(r.{column}) j",
        group="j.value",
        order="n DESC, name",
        limit=limit,
    )
    return [(str(r[0]), int(r[1])) for r in rows]


def ids_with_prefix(store: Store, prefix: str, *, limit: int = 2, include_hidden: bool = False) -> list[str]:
    """Record ids starting with ``prefix`` (a shortened id typed by the person), at most ``limit``."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = select_records(
        store, "r.id", "r.id LIKE ? ESCAPE '\\'", (escaped + "%",), limit=limit, include_hidden=include_hidden
    )
    return [str(r[0]) for r in rows]


# (records (max rowid, count), hidden records (count, max rowid, rowid sum), any other commit)
Fingerprint = tuple[tuple[int, int], tuple[int, int, int], int]


def change_fingerprint(store: Store) -> Fingerprint:
    """What changed since last asked: records added or removed, records forgotten or remembered, or
    any other commit (SQLite's ``data_version``)."""
    c = store.conn
    records = c.execute("SELECT coalesce(max(rowid), 0), count(*) FROM records").fetchone()
    hidden = c.execute(
        "SELECT count(*), coalesce(max(rowid), 0), coalesce(sum(rowid), 0) FROM hidden_records"
    ).fetchone()
    version = c.execute("PRAGMA data_version").fetchone()[0]
    return (int(records[0]), int(records[1])), (int(hidden[0]), int(hidden[1]), int(hidden[2])), int(version)
