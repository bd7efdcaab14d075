"""The person's records as ranking history: what ``selfdex recommend``, a grant's re-rank and the
web page all rank against (a grant reads it from its view, the owner from the whole store). Read from the
maintained ``record_titles`` (one row per title and kind, kept at import), so a request costs O(titles),
not O(records)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..store import Store
from ..store.queries import norm_title
from .base import HistoryItem

__all__ = ["MAX_HISTORY", "history_from_store", "title_rows_by_scan"]

MAX_HISTORY = 5_000  # (platform, title or series) items; past it the most-logged are kept
# Kinds whose titles say nothing about taste (or are untrusted mail subjects), and negative actions.
_SKIP_KINDS = ("transaction", "workout", "health_metric", "trip", "message")
_SKIP_ACTIONS = ("disliked", "abandoned", "returned", "paid", "received")

_SERIES = re.compile(r"^(.+?):\s*(?:Season|Series|Staffel|Saison|Temporada|Book|Volume)\b.*$", re.I)


def _entity(kind: str | None, title: str, series: str | None) -> str:
    """What a record is about for ranking: an episode is its series ("The Crown: Season 1: …" → "The
    Crown"), anything else its title."""
    if kind == "episode":
        if series:
            return series
        if m := _SERIES.match(title):
            return m.group(1).strip()
    return title


# One row per (platform, lower(title)): the count and newest time of its records, and the other
# columns from the first-stored record with that time. Only for titles with hidden records: the others
# come from the maintained ``record_titles``.
_GROUP_SQL = f"""
    SELECT id, platform, kind, title, json_extract(extra, '$.series') AS series, creators, categories,
           max(coalesce(occurred_at, '')) AS occurred_at, count(*) AS n
    FROM records
    WHERE platform = ? AND lower(title) = ? AND title != ''
      AND kind NOT IN ({",".join("?" * len(_SKIP_KINDS))})
      AND action NOT IN ({",".join("?" * len(_SKIP_ACTIONS))})
      AND id NOT IN (SELECT record_id FROM hidden_records)
    GROUP BY platform, lower(title)
"""


# A title row starts (id, platform, kind, title, series, creators, categories, newest time or '', records).
_TitleRow = tuple[Any, ...]


def _title_rows(store: Store) -> list[_TitleRow]:
    """The history's titles in (platform, lower(title)) order, read from ``record_titles`` (O(titles),
    not O(records)); a title with hidden records is recounted from its own records."""
    marks = ",".join("?" * len(_SKIP_KINDS)), ",".join("?" * len(_SKIP_ACTIONS))
    cur = store.conn.cursor()
    cur.row_factory = None  # plain tuples: tens of thousands of rows per request
    rows = cur.execute(
        f"""
        SELECT id, platform, kind, title, series, creators, categories, last_at, records, title_key, last_rowid
        FROM record_titles
        WHERE kind NOT IN ({marks[0]}) AND action NOT IN ({marks[1]})
        ORDER BY platform, title_key
        """,
        (*_SKIP_KINDS, *_SKIP_ACTIONS),
    ).fetchall()
    hidden = {
        (str(r[0]), str(r[1]))
        for r in cur.execute(
            # CROSS JOIN: from the (few) hidden records to theirs, never a scan of every record
            "SELECT DISTINCT r.platform, lower(r.title) FROM hidden_records h CROSS JOIN records r "
            "ON r.id = h.record_id WHERE r.title IS NOT NULL AND r.title != ''"
        )
    }
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
        out.append((key, row, row[10]))  # columns past the ninth are ignored by the reader
    if hidden:
        for platform, title_key in hidden:
            group = cur.execute(_GROUP_SQL, (platform, title_key, *_SKIP_KINDS, *_SKIP_ACTIONS)).fetchone()
            if group is not None:
                out.append(((platform, title_key), group, 0))
        out.sort(key=lambda t: t[0])
    return [row for _, row, _ in out]


def title_rows_by_scan(store: Store) -> list[_TitleRow]:
    """What :func:`_title_rows` reads, by the full GROUP BY over every record that ``record_titles``
    replaced (O(records)): the reference it is tested and benchmarked against."""
    sql = _GROUP_SQL.replace(
        "platform = ? AND lower(title) = ? AND title != ''", "title IS NOT NULL AND title != ''"
    )
    cur = store.conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, (*_SKIP_KINDS, *_SKIP_ACTIONS)).fetchall()


def history_from_store(store: Store, *, limit: int = MAX_HISTORY) -> list[HistoryItem]:
    """The person's records as ranking history: one item per (platform, entity) — a title, or a
    series for its episodes — most recent first, each with how many records it stands for.

    Past ``limit`` items, the ones with the most records are kept (then the most recent): 60 episodes
    of one series outweigh a track played once last week, so more history never drops the person's
    strongest evidence."""

    # (platform, entity) -> [newest time, records, entity title (from the first row), newest row]
    merged: dict[tuple[str, str], list[Any]] = {}
    for r in _title_rows(store):
        title = _entity(r[2], str(r[3]), r[4])
        key = (str(r[1]), norm_title(title))
        when = str(r[7] or "")
        cur = merged.get(key)
        if cur is None:
            merged[key] = [when, int(r[8]), title, r]
            continue
        cur[1] += int(r[8])
        if when > cur[0]:
            cur[0], cur[3] = when, r
    picked = list(merged.values())
    if len(picked) > limit:
        picked = sorted(picked, key=lambda m: (m[1], m[0]), reverse=True)[:limit]
    picked.sort(key=lambda m: m[0], reverse=True)
    out: list[HistoryItem] = []
    for when, n, title, r in picked:
        order = datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() if when else 0.0
        out.append(
            HistoryItem(
                id=r[0],
                title=title,
                platform=r[1],
                creators=tuple(json.loads(r[5]) if r[5] else ()),
                categories=tuple(json.loads(r[6]) if r[6] else ()),
                order=order,
                count=n,
            )
        )
    return out
