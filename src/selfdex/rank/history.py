"""The person's records as ranking history: what ``selfdex recommend``, a grant's re-rank and the
web page all rank against (a grant reads it from its view, the owner from the whole store). Read from the
maintained ``record_titles`` (one row per title and kind, kept at import, read by ``store.titles``), so a
request costs O(titles), not O(records)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..store import Store
from ..store.queries import norm_title
from ..store.titles import TitleRow, title_rows
from ..store.titles import title_rows_by_scan as titles_by_scan
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


def _title_rows(store: Store) -> list[TitleRow]:
    """The history's titles in (platform, lower(title)) order (O(titles), see ``store.titles``)."""
    return title_rows(store, _SKIP_KINDS, _SKIP_ACTIONS)


def title_rows_by_scan(store: Store) -> list[TitleRow]:
    """What :func:`_title_rows` reads, by a GROUP BY over every record (O(records)): the reference."""
    return titles_by_scan(store, _SKIP_KINDS, _SKIP_ACTIONS)


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
