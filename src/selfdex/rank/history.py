"""The person's records as ranking history: what ``selfdex recommend``, a grant's re-rank and the
web page all rank against (a grant reads it from its view, the owner from the whole store). Read from
the maintained ``history_entities`` (store/titles.py), so a request reads back at most ``limit`` rows
and normalises no title."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..store import Store
from ..store.titles import entity, history_rows, norm_title, title_rows_by_scan
from .base import HistoryItem

__all__ = ["MAX_HISTORY", "history_by_scan", "history_from_store"]

MAX_HISTORY = 5_000  # (platform, title or series) items; past it the most-logged are kept


def _order(when: str) -> float:
    return datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() if when else 0.0


def _item(r: tuple[Any, ...], title: str, when: str, n: int) -> HistoryItem:
    """``r`` starts (id, platform, kind, title, series, creators, categories)."""
    return HistoryItem(
        id=r[0],
        title=title,
        platform=r[1],
        creators=tuple(json.loads(r[5]) if r[5] else ()),
        categories=tuple(json.loads(r[6]) if r[6] else ()),
        order=_order(when),
        count=n,
    )


def history_from_store(store: Store, *, limit: int = MAX_HISTORY) -> list[HistoryItem]:
    """The person's records as ranking history: one item per (platform, entity) — a title, or a
    series for its episodes — most recent first, each with how many records it stands for.

    Past ``limit`` items, the ones with the most records are kept (then the most recent): 60 episodes
    of one series outweigh a track played once last week, so more history never drops the person's
    strongest evidence. Ties keep the order of (platform, title)."""
    rows = history_rows(store, limit)
    if len(rows) > limit:
        del rows[limit:]
    else:  # all kept: ties on time in (platform, title) order
        rows.sort(key=lambda r: (r[1], r[9]))
    rows.sort(key=lambda r: r[7], reverse=True)  # stable: ties keep the order above
    return [_item(r, entity(r[2], r[3], r[4]), r[7], int(r[8])) for r in rows]


def history_by_scan(store: Store, *, limit: int = MAX_HISTORY) -> list[HistoryItem]:
    """:func:`history_from_store` by the full GROUP BY over every record and a merge in Python
    (O(records)): what the maintained table replaced, the reference it is tested and benchmarked
    against."""
    # (platform, entity key) -> [newest time, records, entity title (from the first row), newest row]
    merged: dict[tuple[str, str], list[Any]] = {}
    for r in title_rows_by_scan(store):
        title = entity(r[2], str(r[3]), r[4])
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
    return [_item(r, title, when, n) for when, n, title, r in picked]
