"""Read-side queries over the store: sources, timeline, full-text search, import history.

``sources``, ``timeline`` and ``search_fts`` are the owner's listings of every record (a grant's view
holds no forgotten ones; the owner's console marks them); the aggregate reads below leave forgotten
records out, through :func:`selfdex.store.visible.select_records`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .columns import LIGHT_COLUMNS
from .db import Store, row_dict
from .titles import norm_title
from .visible import select_records

__all__ = ["Filters", "import_errors", "jobs", "norm_title", "search_fts", "sources", "timeline"]


@dataclass(slots=True)
class Filters:
    platforms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    since: str | None = None  # ISO date or instant, inclusive
    until: str | None = None  # exclusive

    def sql(self, alias: str = "r") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (("platform", self.platforms), ("kind", self.kinds), ("action", self.actions)):
            if values:
                clauses.append(f"{alias}.{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.since:
            clauses.append(f"{alias}.occurred_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{alias}.occurred_at < ?")
            params.append(self.until)
        return (" AND ".join(clauses) or "1"), params


def sources(store: Store) -> list[dict[str, Any]]:
    """Per platform: record count, date range, kinds and actions, and the importers involved."""
    rows = store.conn.execute(
        """
        SELECT platform, count(*) AS records, min(occurred_at) AS first, max(occurred_at) AS last,
               group_concat(DISTINCT kind) AS kinds, group_concat(DISTINCT action) AS actions,
               group_concat(DISTINCT importer) AS importers
        FROM records GROUP BY platform ORDER BY records DESC
        """
    ).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        for key in ("kinds", "actions", "importers"):
            d[key] = sorted((d[key] or "").split(","))
        out.append(d)
    return out


def timeline(
    store: Store, filters: Filters | None = None, *, limit: int = 50, newest_first: bool = True
) -> list[dict[str, Any]]:
    where, params = (filters or Filters()).sql()
    order = "DESC" if newest_first else "ASC"
    rows = store.conn.execute(
        f"SELECT {LIGHT_COLUMNS} FROM records r WHERE {where} AND r.occurred_at IS NOT NULL "
        f"ORDER BY r.occurred_at {order} LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [row_dict(r) for r in rows]


_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User words → a safe FTS5 query: every word must match (prefix match on the last one)."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def search_fts(
    store: Store, text: str, filters: Filters | None = None, *, limit: int = 20
) -> list[dict[str, Any]]:
    query = fts_query(text)
    if query is None:
        return []
    where, params = (filters or Filters()).sql()
    cols = ", ".join(f"r.{c.strip()}" for c in LIGHT_COLUMNS.split(","))
    rows = store.conn.execute(
        f"""
        SELECT {cols}, bm25(records_fts, 4.0, 2.0, 1.0) AS score
        FROM records_fts JOIN records r ON r.rowid = records_fts.rowid
        WHERE records_fts MATCH ? AND {where}
        ORDER BY score LIMIT ?
        """,
        (query, *params, limit),
    ).fetchall()
    return [row_dict(r) for r in rows]


# Problems and deliberate skips, recounted from import_errors: stores written before the two were told
# apart keep both in one "problems" column.
_SPLIT = "coalesce(sum(e.severity != 'skipped'), 0) AS problems, coalesce(sum(e.severity = 'skipped'), 0) AS skipped"


def jobs(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM import_jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    out = [dict(r) for r in rows]
    if not out:
        return out
    split = {
        r["job_id"]: (int(r["problems"]), int(r["skipped"]))
        for r in store.conn.execute(
            f"SELECT e.job_id, {_SPLIT} FROM import_errors e WHERE e.job_id BETWEEN ? AND ? GROUP BY e.job_id",
            (out[-1]["id"], out[0]["id"]),
        )
    }
    for job in out:
        job["problems"], job["skipped"] = split.get(job["id"], (0, 0))
    return out


def import_errors(store: Store, job_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    if job_id is None:
        rows = store.conn.execute("SELECT * FROM import_errors ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = store.conn.execute(
            "SELECT * FROM import_errors WHERE job_id = ? ORDER BY id LIMIT ?", (job_id, limit)
        )
    return [dict(r) for r in rows.fetchall()]


def job_files(store: Store, job_id: int) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM import_files WHERE job_id = ? ORDER BY id", (job_id,))
    files = [dict(r) for r in rows.fetchall()]
    split = {
        r["member"]: (int(r["problems"]), int(r["skipped"]))
        for r in store.conn.execute(
            f"SELECT e.member, {_SPLIT} FROM import_errors e WHERE e.job_id = ? GROUP BY e.member", (job_id,)
        )
    }
    for f in files:
        f["problems"], f["skipped"] = split.get(f["member"], (0, 0))
    return files


# Columns an aggregate needs: enough to group, count, date and cite a record, nothing heavy.
AGGREGATE_COLUMNS = (
    "r.id, r.platform, r.action, r.kind, r.title, r.creators, r.occurred_at, r.time_precision, r.duration_s, "
    "json_extract(r.extra, '$.series') AS series, json_extract(r.extra, '$.profile') AS profile, "
    "CAST(strftime('%s', r.occurred_at) AS INTEGER) AS ts"
)


def title_match(words: tuple[str, ...], *, prefix: bool = False) -> str | None:
    """An FTS5 query matching every word in a record's title or creators (never its free text: a word
    in a review or a mail is not what the record is about)."""
    tokens = [t for w in words for t in _TOKEN.findall(w)]
    if not tokens:
        return None
    return "{title creators} : (" + " ".join(f'"{t}"' + ("*" if prefix else "") for t in tokens) + ")"


def matching_rows(store: Store, filters: Filters | None = None, *, words: tuple[str, ...] = ()) -> list[Any]:
    """Every dated record that matches ``filters`` (and all ``words`` in its title or creators), hidden
    records excluded, oldest first: the whole store, no limit — what counting and ranking questions
    are answered from. Falls back to prefix matching when the exact words match nothing."""
    where, params = (filters or Filters()).sql()
    where += " AND r.occurred_at IS NOT NULL"
    order = "r.occurred_at, r.id"
    if not words:
        return select_records(store, AGGREGATE_COLUMNS, where, params, order=order).fetchall()
    for prefix in (False, True):
        query = title_match(words, prefix=prefix)
        if query is None:
            return []
        rows = select_records(
            store,
            AGGREGATE_COLUMNS,
            where + " AND r.rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)",
            (*params, query),
            order=order,
        ).fetchall()
        if rows:
            return rows
    return []


def platforms_present(store: Store) -> list[str]:
    """The platforms the store holds visible records of."""
    return [r[0] for r in select_records(store, "DISTINCT r.platform", order="r.platform")]


def count_matching(store: Store, filters: Filters | None = None) -> int:
    """How many visible dated records match ``filters``: the size of what a sample was drawn from."""
    where, params = (filters or Filters()).sql()
    row = select_records(store, "count(*)", where + " AND r.occurred_at IS NOT NULL", params).fetchone()
    return int(row[0])


def uncredited_rows(store: Store, filters: Filters, titles: tuple[str, ...]) -> list[Any]:
    """Dated records with one of ``titles`` (case-insensitive) and no creators, hidden ones excluded:
    the plays an export logged without their artist (Apple Music names no track artist)."""
    if not titles:
        return []
    where, params = filters.sql()
    marks = ", ".join("?" for _ in titles)
    return select_records(
        store,
        AGGREGATE_COLUMNS,
        f"{where} AND r.occurred_at IS NOT NULL AND (r.creators IS NULL OR r.creators IN ('', '[]')) "
        f"AND lower(r.title) IN ({marks})",
        (*params, *(t.lower() for t in titles)),
        order="r.occurred_at, r.id",
    ).fetchall()


def track_artists(store: Store) -> dict[str, set[str]]:
    """Lower-cased track title → the creator lists the visible tracks give it (JSON text)."""
    out: dict[str, set[str]] = {}
    for title, creators in select_records(
        store,
        "lower(r.title), r.creators",
        "r.kind = 'track' AND r.title IS NOT NULL AND r.creators IS NOT NULL AND r.creators NOT IN ('', '[]')",
        group="lower(r.title), r.creators",
    ):
        out.setdefault(str(title), set()).add(str(creators))
    return out
