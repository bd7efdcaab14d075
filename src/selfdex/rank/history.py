"""The person's records as ranking history: what ``selfdex recommend``, a grant's re-rank and the
web page all rank against (a grant reads it from its view, the owner from the whole store)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..store import Store
from ..store.queries import norm_title
from .base import HistoryItem

__all__ = ["MAX_HISTORY", "history_from_store"]

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


def history_from_store(store: Store, *, limit: int = MAX_HISTORY) -> list[HistoryItem]:
    """The person's records as ranking history: one item per (platform, entity) — a title, or a
    series for its episodes — most recent first, each with how many records it stands for.

    Past ``limit`` items, the ones with the most records are kept (then the most recent): 60 episodes
    of one series outweigh a track played once last week, so more history never drops the person's
    strongest evidence."""
    # One row per (platform, title) in SQL: with max(), SQLite returns the other columns from the most
    # recent row, so a song played 2,000 times costs one row here, not 2,000.
    rows = store.conn.execute(
        f"""
        SELECT id, platform, kind, title, json_extract(extra, '$.series') AS series, creators, categories,
               max(coalesce(occurred_at, '')) AS occurred_at, count(*) AS n
        FROM records
        WHERE title IS NOT NULL AND title != ''
          AND kind NOT IN ({",".join("?" * len(_SKIP_KINDS))})
          AND action NOT IN ({",".join("?" * len(_SKIP_ACTIONS))})
          AND id NOT IN (SELECT record_id FROM hidden_records)
        GROUP BY platform, lower(title)
        """,
        (*_SKIP_KINDS, *_SKIP_ACTIONS),
    )
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        title = _entity(r["kind"], str(r["title"]), r["series"])
        key = (str(r["platform"]), norm_title(title))
        when = str(r["occurred_at"] or "")
        cur = merged.get(key)
        if cur is None:
            merged[key] = {"row": r, "title": title, "when": when, "n": int(r["n"])}
            continue
        cur["n"] += int(r["n"])
        if when > cur["when"]:
            cur.update(row=r, when=when)
    picked = list(merged.values())
    if len(picked) > limit:
        picked = sorted(picked, key=lambda m: (m["n"], m["when"]), reverse=True)[:limit]
    picked.sort(key=lambda m: m["when"], reverse=True)
    out: list[HistoryItem] = []
    for m in picked:
        r, when = m["row"], m["when"]
        order = datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() if when else 0.0
        out.append(
            HistoryItem(
                id=r["id"],
                title=m["title"],
                platform=r["platform"],
                creators=tuple(json.loads(r["creators"]) if r["creators"] else ()),
                categories=tuple(json.loads(r["categories"]) if r["categories"] else ()),
                order=order,
                count=m["n"],
            )
        )
    return out
