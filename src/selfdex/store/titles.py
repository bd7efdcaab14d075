"""The ranking history's SQL: what a titled record is about (its entity: a title, or an episode's
series) and the views that read the person's records as one row per (platform, entity).

``record_titles`` (one row per title, kind and action, kept at import) gains ``entity_key``, the
normalised :func:`entity_key` of its representative record, computed in Python by the store's own
connections. Above it, ``history_titles`` (one row per title, hidden records left out) and
``history_entities`` (one per entity, indexed by rank) are brought up to date for just the titles a
write touched, which pure-SQL triggers mark in ``history_dirty`` (so a plain sqlite3 shell can still
edit records: the next store write or history read catches up). A request then reads at most
``limit`` rows and normalises nothing."""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Store

__all__ = [
    "ENTITY_KEY_SQL",
    "SKIP_ACTIONS",
    "SKIP_KINDS",
    "entity",
    "entity_key",
    "history_rows",
    "norm_title",
    "refresh",
    "register",
    "title_rows_by_scan",
]

_SERIES = re.compile(r"^(.+?):\s*(?:Season|Series|Staffel|Saison|Temporada|Book|Volume)\b.*$", re.I)
# The SQL function the store registers on each of its connections (never used in a trigger or view,
# so a plain sqlite3 shell can still edit the records).
ENTITY_KEY_SQL = "selfdex_entity_key"


@lru_cache(maxsize=65_536)
def norm_title(title: str | None) -> str:
    """Casefolded title without a leading article and punctuation: 'The Dune' ~ 'dune'."""
    t = re.sub(r"[^\w\s]", " ", (title or "").casefold())
    t = re.sub(r"^(the|a|an)\s+", "", " ".join(t.split()))
    return t


def entity(kind: str | None, title: str, series: str | None) -> str:
    """What a record is about for ranking: an episode is its series ("The Crown: Season 1: …" → "The
    Crown"), anything else its title."""
    if kind == "episode":
        if series:
            return series
        if m := _SERIES.match(title):
            return m.group(1).strip()
    return title


def entity_key(kind: str | None, title: str | None, series: str | None) -> str:
    return norm_title(entity(kind, title or "", series))


def register(conn: sqlite3.Connection) -> None:
    try:
        conn.create_function(ENTITY_KEY_SQL, 3, entity_key, deterministic=True)
    except (TypeError, sqlite3.NotSupportedError):  # a driver or SQLite without the flag
        conn.create_function(ENTITY_KEY_SQL, 3, entity_key)


# Which titled records are taste history: not these kinds (their titles say nothing about taste, or
# are untrusted mail subjects), nor negative actions. Baked into history_titles: a change needs a
# migration that marks every title dirty.
SKIP_KINDS = ("transaction", "workout", "health_metric", "trip", "message")
SKIP_ACTIONS = ("disliked", "abandoned", "returned", "paid", "received")
_NOT_SKIPPED = (
    f"kind NOT IN ({','.join(repr(k) for k in SKIP_KINDS)}) "
    f"AND action NOT IN ({','.join(repr(a) for a in SKIP_ACTIONS)})"
)

# One row per (platform, lower(title)) of the records matching {where}: the count and newest time of
# its taste records, and the other columns from the first-stored record with that time (SQLite's bare
# columns beside max()).
_GROUP_SQL = f"""
    SELECT id, platform, kind, title, json_extract(extra, '$.series') AS series, creators, categories,
           max(coalesce(occurred_at, '')) AS last_at, count(*) AS records
    FROM {{source}}
    WHERE {{where}} AND {_NOT_SKIPPED} AND id NOT IN (SELECT record_id FROM hidden_records)
    GROUP BY platform, lower(title)"""

# The records of the dirty titles that have hidden records, found through records_title_key (+x.k:
# without its TEXT affinity, the comparison can search that index's lower(title)).
_DIRTY_HIDDEN = (
    "(SELECT platform AS p, title_key AS k FROM history_dirty "
    "INTERSECT SELECT platform, title_key FROM temp.history_hidden) x "
    "CROSS JOIN records ON records.platform = x.p AND lower(records.title) = +x.k"
)

_COLUMNS = "platform, title_key, records, last_at, entity_key, id, kind, title, series, creators, categories"

# The history's maintained views, brought up to date for the titles in history_dirty (marked by
# triggers on record_titles and hidden_records): history_titles holds one row per title over its
# kinds and actions (the newest row's columns, ties the first stored; a title with hidden records
# recounted from its remaining records), history_entities one row per (platform, entity_key) of those.
_REFRESH = [
    f"UPDATE record_titles SET entity_key = {ENTITY_KEY_SQL}(kind, title, series) WHERE entity_key IS NULL",
    "CREATE TEMP TABLE IF NOT EXISTS history_hidden (platform TEXT, title_key TEXT, "
    "PRIMARY KEY (platform, title_key)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS history_entities_dirty (platform TEXT, entity_key TEXT, "
    "PRIMARY KEY (platform, entity_key)) WITHOUT ROWID",
    # CROSS JOIN: from the (few) hidden records to theirs, never a scan of every record
    "INSERT OR IGNORE INTO temp.history_hidden SELECT r.platform, lower(r.title) FROM hidden_records h "
    "CROSS JOIN records r ON r.id = h.record_id WHERE r.title IS NOT NULL AND r.title != ''",
    # the entities the dirty titles belonged to, and will belong to
    "INSERT OR IGNORE INTO temp.history_entities_dirty SELECT t.platform, t.entity_key FROM history_dirty d "
    "JOIN history_titles t ON t.platform = d.platform AND t.title_key = d.title_key",
    "DELETE FROM history_titles WHERE (platform, title_key) IN (SELECT platform, title_key FROM history_dirty)",
    f"""INSERT INTO history_titles ({_COLUMNS})
    SELECT {_COLUMNS.replace("records", "n")} FROM (
        SELECT t.*, sum(t.records) OVER w AS n, row_number() OVER (w ORDER BY t.last_at DESC, t.last_rowid) AS pick
        FROM history_dirty d CROSS JOIN record_titles t ON t.platform = d.platform AND t.title_key = d.title_key
        WHERE {_NOT_SKIPPED.replace("kind", "t.kind").replace("action", "t.action")}
          AND (d.platform, d.title_key) NOT IN (SELECT platform, title_key FROM temp.history_hidden)
        WINDOW w AS (PARTITION BY t.platform, t.title_key)
    ) WHERE pick = 1""",
    f"""INSERT INTO history_titles ({_COLUMNS})
    SELECT platform, lower(title), records, last_at, {
        ENTITY_KEY_SQL
    }(kind, title, series), id, kind, title, series,
           creators, categories
    FROM ({_GROUP_SQL.format(source=_DIRTY_HIDDEN, where="1")})""",
    "INSERT OR IGNORE INTO temp.history_entities_dirty SELECT t.platform, t.entity_key FROM history_dirty d "
    "JOIN history_titles t ON t.platform = d.platform AND t.title_key = d.title_key",
    "DELETE FROM history_entities WHERE (platform, entity_key) IN "
    "(SELECT platform, entity_key FROM temp.history_entities_dirty)",
    """INSERT INTO history_entities (platform, entity_key, records, last_at, first_key, newest_key)
    SELECT e.platform, e.entity_key, sum(t.records), max(t.last_at), min(t.title_key),
           (SELECT n.title_key FROM history_titles n WHERE n.platform = e.platform AND n.entity_key = e.entity_key
            ORDER BY n.last_at DESC, n.title_key LIMIT 1)
    FROM temp.history_entities_dirty e
    CROSS JOIN history_titles t INDEXED BY history_titles_entity ON t.platform = e.platform AND t.entity_key = e.entity_key
    GROUP BY e.platform, e.entity_key""",
    "DELETE FROM history_dirty",
    "DELETE FROM temp.history_entities_dirty",
    "DELETE FROM temp.history_hidden",
]


def is_dirty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM history_dirty LIMIT 1").fetchone() is not None


def refresh(conn: sqlite3.Connection) -> None:
    """Bring the history views up to date (inside the caller's transaction); O(dirty titles)."""
    if is_dirty(conn):
        for sql in _REFRESH:
            conn.execute(sql)


# The `limit` items with the most records (then the newest, then in (platform, title) order): the
# entity's newest title's record, with its first title's kind, title and series for the display title.
_HISTORY_SQL = """
    SELECT n.id, e.platform, f.kind, f.title, f.series, n.creators, n.categories, e.last_at, e.records,
           e.first_key
    FROM (SELECT * FROM history_entities ORDER BY records DESC, last_at DESC, platform, first_key LIMIT ?) e
    JOIN history_titles n ON n.platform = e.platform AND n.title_key = e.newest_key
    JOIN history_titles f ON f.platform = e.platform AND f.title_key = e.first_key
    ORDER BY e.records DESC, e.last_at DESC, e.platform, e.first_key"""

# A history row: (id, platform, kind, title, series, creators, categories, newest time or '', records,
# first title_key), kind/title/series those of the entity's first title.
HistoryRow = tuple[Any, ...]


def history_rows(store: Store, limit: int) -> list[HistoryRow]:
    """The ``limit`` + 1 (platform, entity) items with the most records (then the newest), in that
    order; one more than asked, so the caller knows whether some were left out. Brings the views up to
    date first when a write left titles dirty (another tool's edit, a hidden record, a new view)."""
    conn = store.conn
    if is_dirty(conn):
        began = not conn.in_transaction
        if began:
            conn.execute("BEGIN IMMEDIATE")
        try:
            refresh(conn)
            if began:
                conn.execute("COMMIT")
        except BaseException:
            if began and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples
    return cur.execute(_HISTORY_SQL, (limit + 1,)).fetchall()


def title_rows_by_scan(store: Store) -> list[tuple[Any, ...]]:
    """One row per (platform, lower(title)) by the full GROUP BY over every record (O(records)),
    ``(id, platform, kind, title, series, creators, categories, newest time, records)``: what the
    maintained views replaced, kept as the reference they are tested and benchmarked against."""
    cur = store.conn.cursor()
    cur.row_factory = None
    sql = (
        _GROUP_SQL.format(source="records", where="title IS NOT NULL AND title != ''")
        + " ORDER BY platform, lower(title)"
    )
    return cur.execute(sql).fetchall()
