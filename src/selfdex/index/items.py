"""Distinct item texts: what search ranks before it expands back to records (no numpy needed here).

Many records share an item (a million listens over tens of thousands of tracks). Each record maps to
one *item text* (kind, title, creators, categories and the person's own words), stored once and keyed
by a hash. Both retrievers rank item texts, not records: the vectors embed them, and
``index_texts_fts`` indexes each item's title, creators and text once. BM25 over a million
near-identical records costs a docsize lookup per match (half a second for a common word); over the
distinct items it costs milliseconds. Mapping runs in record rowid order and commits per batch, so the
records up to :func:`watermark` are exactly the mapped ones, and search reads ``records_fts`` only
past it (records imported since the last build).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson

from ..store import Filters, Store

# progress(step, done, total): each batch of a long step (the CLI shows it; this layer prints nothing)
Progress = Callable[[str, int, int | None], None]

__all__ = [
    "COMPONENT",
    "MIGRATIONS",
    "bump_generation",
    "eligible",
    "ensure_schema",
    "item_text",
    "map_records",
    "meta",
    "watermark",
]

COMPONENT = "index"
MIGRATIONS = [
    """
    CREATE TABLE index_texts (
        id INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,         -- blake2b-128 of the item's fields (its own text in full)
        text TEXT NOT NULL,                -- what is embedded: kind, title, creators, categories, own words
        model TEXT,                        -- the embedding model that produced `vector`; NULL until embedded
        vector BLOB                        -- float16, L2-normalised
    );
    CREATE INDEX index_texts_model ON index_texts(model);
    CREATE TABLE index_record_texts (
        record_rowid INTEGER PRIMARY KEY REFERENCES records(rowid) ON DELETE CASCADE,
        text_id INTEGER REFERENCES index_texts(id)  -- NULL: nothing to index (no title, creators or words)
    );
    CREATE INDEX index_record_texts_text ON index_record_texts(text_id, record_rowid);
    CREATE TABLE index_meta (
        key TEXT PRIMARY KEY,              -- generation (bumped on every write), item_text_version, built_at
        value TEXT NOT NULL
    );
    -- The words of each item once, as records_fts has them per record. External content (a view over
    -- one record per item) so long texts are not stored twice; rows are added as items appear and the
    -- whole table is rebuilt from the view when items go away.
    CREATE VIEW index_texts_fts_content AS
        SELECT m.text_id AS id, r.title, r.creators, r.text
        FROM index_record_texts m JOIN records r ON r.rowid = m.record_rowid
        WHERE m.text_id IS NOT NULL GROUP BY m.text_id;
    CREATE VIRTUAL TABLE index_texts_fts USING fts5(
        title, creators, text,
        content='index_texts_fts_content', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    """,
    # 2: what each item's records are (platform, action, kind, time span), so search applies its filters
    # to items before walking their records: a filter no record of a 50,000-play track matches must not
    # cost a scan of those 50,000 records.
    """
    CREATE TABLE index_text_facets (
        text_id INTEGER NOT NULL REFERENCES index_texts(id) ON DELETE CASCADE,
        platform TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        records INTEGER NOT NULL,
        first TEXT,                        -- min(occurred_at) of those records
        last TEXT,                         -- max(occurred_at)
        PRIMARY KEY (text_id, platform, action)
    ) WITHOUT ROWID;
    INSERT INTO index_text_facets
        SELECT m.text_id, r.platform, r.action, r.kind, count(*), min(r.occurred_at), max(r.occurred_at)
        FROM index_record_texts m JOIN records r ON r.rowid = m.record_rowid
        WHERE m.text_id IS NOT NULL GROUP BY m.text_id, r.platform, r.action;
    """,
]

# Bump when item_text() or the key change: every mapping is rebuilt, the old hashes describe other texts.
ITEM_TEXT_VERSION = 1
OWN_TEXT_CHARS = 300  # MiniLM reads 128 tokens; the start of a review or note carries the topic
MAP_BATCH = 50_000

_ITEM_COLUMNS = "r.rowid, r.kind, r.title, r.creators, r.categories, r.text, r.place, r.url, r.platform, r.action, r.occurred_at"
# Deleted records are not subtracted: facets may over-state an item, which costs search a little time,
# never a result.
_UPSERT_FACET = """
    INSERT INTO index_text_facets (text_id, platform, action, kind, records, first, last)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (text_id, platform, action) DO UPDATE SET
        records = records + excluded.records,
        first = coalesce(min(first, excluded.first), first, excluded.first),
        last = coalesce(max(last, excluded.last), last, excluded.last)
"""


def item_text(
    kind: str,
    title: str | None,
    creators: list[str],
    categories: list[str],
    text: str | None,
    place: str | None = None,
    url: str | None = None,
) -> str | None:
    """The text embedded for one record; None when the record says nothing worth indexing."""
    name = title or place or url
    own = " ".join(text.split())[:OWN_TEXT_CHARS] if text else ""
    if not name and not own and not creators:
        return None
    parts = [f"{kind.replace('_', ' ')}: {name or ''}".rstrip()]
    if creators:
        parts.append("by " + ", ".join(creators[:5]))
    if categories:
        parts.append(", ".join(categories[:8]))
    if own:
        parts.append(own)
    return " — ".join(parts)


def _key(embedded: str, text: str | None) -> bytes:
    # The full own text is part of the key: two long notes that start alike are two items for search.
    return hashlib.blake2b(f"{embedded}\0{text or ''}".encode(), digest_size=16).digest()


def _loads(value: str | None) -> list[str]:
    return orjson.loads(value) if value else []


def meta(store: Store, key: str) -> str | None:
    row = store.conn.execute("SELECT value FROM index_meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(store: Store, key: str, value: str) -> None:
    store.conn.execute(
        "INSERT INTO index_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def bump_generation(store: Store) -> None:
    """Tell processes holding a vector matrix that the index changed."""
    store.conn.execute(
        "INSERT INTO index_meta (key, value) VALUES ('generation', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def has_vectors(store: Store) -> bool:
    """Whether any item was ever embedded: without, hybrid search need not load numpy or a model."""
    return (
        store.conn.execute("SELECT 1 FROM index_texts WHERE model IS NOT NULL LIMIT 1").fetchone() is not None
    )


def ensure_schema(store: Store) -> None:
    store.ensure_schema(COMPONENT, MIGRATIONS)


def eligible(store: Store, filters: Filters) -> set[int] | None:
    """Item texts with records that may pass `filters`; None when there are no filters."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("platform", filters.platforms),
        ("kind", filters.kinds),
        ("action", filters.actions),
    ):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if filters.since:
        clauses.append("last >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("first < ?")
        params.append(filters.until)
    if not clauses:
        return None
    sql = f"SELECT DISTINCT text_id FROM index_text_facets WHERE {' AND '.join(clauses)}"
    return {row[0] for row in store.conn.execute(sql, params)}


def watermark(store: Store) -> int:
    """Every record with a rowid up to this one is mapped to its item (0: nothing is)."""
    return int(
        store.conn.execute("SELECT coalesce(max(record_rowid), 0) FROM index_record_texts").fetchone()[0]
    )


def map_records(store: Store, progress: Progress | None = None) -> tuple[int, int]:
    """Give every unmapped record its item text; returns (records mapped, new item texts)."""
    ensure_schema(store)
    if meta(store, "item_text_version") != str(ITEM_TEXT_VERSION):
        with store.transaction():
            store.conn.execute("DELETE FROM index_text_facets")
            store.conn.execute("DELETE FROM index_record_texts")
            store.conn.execute("DELETE FROM index_texts")
            store.conn.execute("INSERT INTO index_texts_fts(index_texts_fts) VALUES ('rebuild')")
            set_meta(store, "item_text_version", str(ITEM_TEXT_VERSION))
            bump_generation(store)
    ids = {bytes(h): i for h, i in store.conn.execute("SELECT hash, id FROM index_texts")}
    after = watermark(store)
    todo = store.conn.execute("SELECT count(*) FROM records WHERE rowid > ?", (after,)).fetchone()[0]
    say = progress if progress is not None and todo else None
    mapped = new_texts = 0
    while True:
        rows = store.conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM records r WHERE r.rowid > ? ORDER BY r.rowid LIMIT ?",
            (after, MAP_BATCH),
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        pairs: list[tuple[int, bytes | None]] = []
        fresh: dict[bytes, tuple[str, str | None, str | None, str | None]] = {}
        facets: dict[tuple[bytes, str, str], list[Any]] = {}  # → [kind, records, first, last]
        for rowid, kind, title, creators, categories, text, place, url, platform, action, when in rows:
            embedded = item_text(kind, title, _loads(creators), _loads(categories), text, place, url)
            if embedded is None:
                pairs.append((rowid, None))
                continue
            h = _key(embedded, text)
            if h not in ids and h not in fresh:
                fresh[h] = (embedded, title, creators, text)
            pairs.append((rowid, h))
            f = facets.setdefault((h, platform, action), [kind, 0, when, when])
            f[1] += 1
            if when is not None:
                f[2] = when if f[2] is None else min(f[2], when)
                f[3] = when if f[3] is None else max(f[3], when)
        with store.transaction():
            if fresh:
                before = store.conn.execute("SELECT coalesce(max(id), 0) FROM index_texts").fetchone()[0]
                store.conn.executemany(
                    "INSERT INTO index_texts (hash, text) VALUES (?, ?)",
                    [(h, v[0]) for h, v in fresh.items()],
                )
                # ids grow monotonically inside this transaction: the rows past `before` are the new ones
                for i, h in store.conn.execute("SELECT id, hash FROM index_texts WHERE id > ?", (before,)):
                    ids[bytes(h)] = i
                store.conn.executemany(
                    "INSERT INTO index_texts_fts (rowid, title, creators, text) VALUES (?, ?, ?, ?)",
                    [(ids[h], title, creators, text) for h, (_, title, creators, text) in fresh.items()],
                )
                bump_generation(store)
            store.conn.executemany(
                "INSERT INTO index_record_texts (record_rowid, text_id) VALUES (?, ?)",
                [(rowid, None if h is None else ids[h]) for rowid, h in pairs],
            )
            store.conn.executemany(
                _UPSERT_FACET, [(ids[h], platform, action, *f) for (h, platform, action), f in facets.items()]
            )
        mapped += len(pairs)
        new_texts += len(fresh)
        if say is not None:
            say("indexing records by item", mapped, todo)
    _prune(store)
    return mapped, new_texts


def _prune(store: Store) -> None:
    """Items whose records were all deleted (forgotten for good) leave the index."""
    with store.transaction():
        gone = store.conn.execute(
            "DELETE FROM index_texts WHERE NOT EXISTS (SELECT 1 FROM index_record_texts m WHERE m.text_id = index_texts.id)"
        ).rowcount
        if gone:
            store.conn.execute("INSERT INTO index_texts_fts(index_texts_fts) VALUES ('rebuild')")
            bump_generation(store)
