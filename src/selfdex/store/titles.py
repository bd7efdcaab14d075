"""The visible records grouped per title: what the ranking history is read from.

Read from the maintained ``record_titles`` (one row per platform, title, kind and action, kept at
import), so a read costs O(titles), not O(records). A title with forgotten records is recounted from
its visible records alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .db import Store
from .visible import select_records

__all__ = ["TitleRow", "title_rows", "title_rows_by_scan"]

# (id, platform, kind, title, series, creators, categories, newest time or '', records, …)
TitleRow = tuple[Any, ...]

# One row per (platform, lower(title)): the count and newest time of its records, and the other
# columns from the first-stored record with that time.
_GROUP_COLUMNS = (
    "r.id, r.platform, r.kind, r.title, json_extract(r.extra, '$.series') AS series, r.creators, "
    "r.categories, max(coalesce(r.occurred_at, '')) AS occurred_at, count(*) AS n"
)


def _skip(kinds: Sequence[str], actions: Sequence[str]) -> str:
    return (
        f"r.kind NOT IN ({','.join('?' * len(kinds))}) AND r.action NOT IN ({','.join('?' * len(actions))})"
    )


def _group(
    store: Store, where: str, params: Sequence[Any], kinds: Sequence[str], actions: Sequence[str]
) -> list[TitleRow]:
    cur = select_records(
        store,
        _GROUP_COLUMNS,
        f"{where} AND {_skip(kinds, actions)}",
        (*params, *kinds, *actions),
        group="r.platform, lower(r.title)",
    )
    cur.row_factory = None  # plain tuples: tens of thousands of rows
    return cur.fetchall()


def _hidden_titles(store: Store) -> set[tuple[str, str]]:
    return {
        (str(r[0]), str(r[1]))
        for r in store.conn.execute(
            # CROSS JOIN: from the (few) hidden records to theirs, never a scan of every record
            "SELECT DISTINCT r.platform, lower(r.title) FROM hidden_records h CROSS JOIN records r "
            "ON r.id = h.record_id WHERE r.title IS NOT NULL AND r.title != ''"
        )
    }


def title_rows(store: Store, skip_kinds: Sequence[str], skip_actions: Sequence[str]) -> list[TitleRow]:
    """The titles of visible records not of ``skip_kinds`` nor ``skip_actions``, in (platform,
    lower(title)) order, one row per (platform, lower(title)); columns past the ninth are internal."""
    marks = ",".join("?" * len(skip_kinds)), ",".join("?" * len(skip_actions))
    cur = store.conn.cursor()
    cur.row_factory = None  # plain tuples: tens of thousands of rows per request
    rows = cur.execute(
        f"""
        SELECT id, platform, kind, title, series, creators, categories, last_at, records, title_key, last_rowid
        FROM record_titles
        WHERE kind NOT IN ({marks[0]}) AND action NOT IN ({marks[1]})
        ORDER BY platform, title_key
        """,
        (*skip_kinds, *skip_actions),
    ).fetchall()
    hidden = _hidden_titles(store)
    out: list[tuple[tuple[str, str], Any, int]] = []  # (group, row, its rowid)
    for row in rows:
        key = (row[1], row[9])
        if key in hidden:
            continue
        if out and out[-1][0] == key:  # another kind or action of the same title: merge the two
            _, prev, prev_rowid = out[-1]
            newer = (row[7], -row[10]) > (prev[7], -prev_rowid)
            best, rowid = (row, row[10]) if newer else (prev, prev_rowid)
            out[-1] = (key, (*best[:8], prev[8] + row[8]), rowid)
            continue
        out.append((key, row, row[10]))
    if hidden:
        for platform, title_key in hidden:
            group = _group(
                store,
                "r.platform = ? AND lower(r.title) = ? AND r.title != ''",
                (platform, title_key),
                skip_kinds,
                skip_actions,
            )
            if group:
                out.append(((platform, title_key), group[0], 0))
        out.sort(key=lambda t: t[0])
    return [row for _, row, _ in out]


def title_rows_by_scan(
    store: Store, skip_kinds: Sequence[str], skip_actions: Sequence[str]
) -> list[TitleRow]:
    """What :func:`title_rows` reads, by the full GROUP BY over every visible record that
    ``record_titles`` replaced (O(records)): the reference it is tested and benchmarked against."""
    return _group(store, "r.title IS NOT NULL AND r.title != ''", (), skip_kinds, skip_actions)
