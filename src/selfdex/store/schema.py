"""Core schema migrations. Each entry moves the store from version i to i+1 (``PRAGMA user_version``).

Higher layers (index, profile, gate…) own their tables and migrate them through
:meth:`selfdex.store.Store.ensure_schema`, versioned per component in ``schema_components``, so the
core never needs to know about them.

Table and column names are meant to read well in Datasette / sqlite-utils: ``records``,
``import_jobs``, ``import_files``, ``import_errors``.
"""

from __future__ import annotations

from .titles import ENTITY_KEY_SQL

# One row per (platform, lower(title), kind, action) of the titled records matching {where}. With
# max(), SQLite takes the bare columns from the first row (in rowid order) holding the newest time.
TITLES_SELECT = """
    INSERT INTO record_titles (platform, title_key, kind, action, records, last_at, last_rowid, id, title,
                               series, creators, categories)
    SELECT platform, lower(title), kind, action, count(*), max(coalesce(occurred_at, '')), rowid, id, title,
           json_extract(extra, '$.series'), creators, categories
    FROM records WHERE {where}
    GROUP BY platform, lower(title), kind, action{tail}"""
_GROUP = "platform = {row}.platform AND lower(title) = lower({row}.title) AND title != ''"

MIGRATIONS: list[str] = [
    # 1: records, provenance, import bookkeeping, full-text index
    """
    CREATE TABLE import_jobs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,              -- the path the user imported
        source_sha256 TEXT,                -- of the file, when the source is one file
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,              -- complete | failed
        selfdex_version TEXT NOT NULL,
        records_read INTEGER NOT NULL DEFAULT 0,
        records_new INTEGER NOT NULL DEFAULT 0,
        records_duplicate INTEGER NOT NULL DEFAULT 0,
        problems INTEGER NOT NULL DEFAULT 0,
        files_imported INTEGER NOT NULL DEFAULT 0,
        files_skipped INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE import_files (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        member TEXT NOT NULL,              -- path inside the source; nested archives joined by "!/"
        size_bytes INTEGER,
        importer TEXT,                     -- NULL when no importer recognised the file
        importer_version TEXT,
        status TEXT NOT NULL,              -- imported | skipped | refused | unsupported | failed
        reason TEXT,
        records_read INTEGER NOT NULL DEFAULT 0,
        records_new INTEGER NOT NULL DEFAULT 0,
        problems INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX import_files_job ON import_files(job_id);

    CREATE TABLE import_errors (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        member TEXT,
        importer TEXT,
        severity TEXT NOT NULL,            -- error | refused | unsupported
        record_index INTEGER,
        line INTEGER,
        byte_offset INTEGER,
        reason TEXT NOT NULL,
        excerpt TEXT
    );
    CREATE INDEX import_errors_job ON import_errors(job_id);

    CREATE TABLE records (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,           -- content hash: the same event from two exports is one record
        platform TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT,
        creators TEXT,                     -- JSON array
        external_ids TEXT,                 -- JSON object, e.g. {"asin": "...", "isbn13": "..."}
        categories TEXT,                   -- JSON array
        url TEXT,
        occurred_at TEXT,                  -- ISO 8601, UTC
        occurred_tz TEXT,                  -- the zone the platform wrote ("+02:00", "Europe/Berlin", "local")
        time_precision TEXT,               -- day | minute | second | ms | ...
        rating REAL,
        rating_scale REAL,
        rating_norm REAL,                  -- rating / rating_scale, 0..1
        duration_s REAL,
        amount REAL,                       -- negative when money left the person
        currency TEXT,
        quantity REAL,
        distance_m REAL,
        text TEXT,                         -- untrusted free text (reviews, notes, messages)
        lat REAL,
        lon REAL,
        place TEXT,
        address TEXT,
        extra TEXT,                        -- JSON object of platform-specific fields
        raw TEXT,                          -- the original record, for audit
        importer TEXT NOT NULL,
        importer_version TEXT NOT NULL,
        job_id INTEGER NOT NULL REFERENCES import_jobs(id),
        source_archive TEXT,
        source_member TEXT,
        source_index INTEGER,
        source_line INTEGER,
        source_offset INTEGER
    );
    CREATE INDEX records_time ON records(occurred_at);
    CREATE INDEX records_platform_time ON records(platform, occurred_at);
    CREATE INDEX records_kind_time ON records(kind, occurred_at);

    CREATE VIRTUAL TABLE records_fts USING fts5(
        title, creators, text,
        content='records', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    -- New rows are indexed in bulk by Store.insert_records (3x faster than a per-row insert trigger);
    -- deletes and updates keep the index in step through triggers.
    CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
        INSERT INTO records_fts(records_fts, rowid, title, creators, text)
        VALUES ('delete', old.rowid, old.title, old.creators, old.text);
    END;
    CREATE TRIGGER records_fts_update AFTER UPDATE ON records BEGIN
        INSERT INTO records_fts(records_fts, rowid, title, creators, text)
        VALUES ('delete', old.rowid, old.title, old.creators, old.text);
        INSERT INTO records_fts(rowid, title, creators, text)
        VALUES (new.rowid, new.title, new.creators, new.text);
    END;
    """,
    # 2: per-component schema versions for the layers above the store
    """
    CREATE TABLE schema_components (
        component TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    -- Records the person told selfdex to forget (profile corrections). Every reader above the store
    -- (search, profile, agent, disclosure) leaves these out; the corrections that produce them are
    -- rules kept by the profile layer and re-applied after each import, so forgetting survives re-import.
    CREATE TABLE hidden_records (
        record_id TEXT PRIMARY KEY,
        reason TEXT NOT NULL
    );
    """,
    # 3: per-title aggregates, so reading the history (recommend) costs O(titles), not O(records)
    """
    CREATE INDEX records_title_key ON records(platform, lower(title));
    CREATE TABLE record_titles (
        platform TEXT NOT NULL,
        title_key TEXT NOT NULL,           -- lower(title)
        kind TEXT NOT NULL,
        action TEXT NOT NULL,
        records INTEGER NOT NULL,
        last_at TEXT NOT NULL,             -- max(coalesce(occurred_at, ''))
        last_rowid INTEGER NOT NULL,       -- the first-stored record with that time, and its columns:
        id TEXT NOT NULL,                  -- (copied, so the history read touches no record)
        title TEXT NOT NULL,
        series TEXT,                       -- extra.series
        creators TEXT,
        categories TEXT,
        PRIMARY KEY (platform, title_key, kind, action)
    ) WITHOUT ROWID;
    """
    + TITLES_SELECT.format(where="title IS NOT NULL AND title != ''", tail="")
    + """;
    -- New rows are added in bulk by Store.insert_records; a delete or an update recomputes the titles
    -- it touches (through records_title_key).
    CREATE TRIGGER records_titles_delete AFTER DELETE ON records
    WHEN old.title IS NOT NULL AND old.title != '' BEGIN
        DELETE FROM record_titles WHERE platform = old.platform AND title_key = lower(old.title);
    """
    + TITLES_SELECT.format(where=_GROUP.format(row="old"), tail="")
    + """;
    END;
    CREATE TRIGGER records_titles_update AFTER UPDATE OF id, platform, title, kind, action, occurred_at, creators, categories, extra ON records
    BEGIN
        DELETE FROM record_titles WHERE platform = old.platform AND title_key = lower(old.title);
        DELETE FROM record_titles WHERE platform = new.platform AND title_key = lower(new.title);
    """
    + TITLES_SELECT.format(where=_GROUP.format(row="old"), tail="")
    + ";"
    + TITLES_SELECT.format(
        where=_GROUP.format(row="new")
        + " AND NOT (new.platform IS old.platform AND lower(new.title) IS lower(old.title))",
        tail="",
    )
    + """;
    END;
    """,
    # 4: the history's maintained views (store/titles.py), so a request reads O(items it returns)
    f"""
    ALTER TABLE record_titles ADD COLUMN entity_key TEXT;  -- NULL: written by a trigger, not yet keyed
    UPDATE record_titles SET entity_key = {ENTITY_KEY_SQL}(kind, title, series);
    CREATE TABLE history_titles (          -- one row per title of taste records, hidden ones left out
        platform TEXT NOT NULL,
        title_key TEXT NOT NULL,
        records INTEGER NOT NULL,
        last_at TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        id TEXT NOT NULL,                  -- the newest record's columns (ties: the first stored)
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        series TEXT,
        creators TEXT,
        categories TEXT,
        PRIMARY KEY (platform, title_key)
    ) WITHOUT ROWID;
    CREATE INDEX history_titles_entity ON history_titles(platform, entity_key, last_at);
    CREATE TABLE history_entities (        -- one row per (platform, entity) of history_titles
        platform TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        records INTEGER NOT NULL,
        last_at TEXT NOT NULL,
        first_key TEXT NOT NULL,           -- its first title (the display title)
        newest_key TEXT NOT NULL,          -- its newest title (ties: the first)
        PRIMARY KEY (platform, entity_key)
    ) WITHOUT ROWID;
    CREATE INDEX history_entities_rank ON history_entities(records DESC, last_at DESC, platform, first_key);
    -- (OR IGNORE would not hold inside a trigger fired by an upsert, hence NOT EXISTS.)
    -- Titles whose history rows are stale; emptied by the refresh (store/titles.py) at each store write
    -- or, after another tool's edit, at the next history read.
    CREATE TABLE history_dirty (
        platform TEXT NOT NULL,
        title_key TEXT NOT NULL,
        PRIMARY KEY (platform, title_key)
    ) WITHOUT ROWID;
    CREATE TRIGGER record_titles_dirty_insert AFTER INSERT ON record_titles BEGIN
        INSERT INTO history_dirty SELECT new.platform, new.title_key WHERE NOT EXISTS
            (SELECT 1 FROM history_dirty WHERE platform = new.platform AND title_key = new.title_key);
    END;
    CREATE TRIGGER record_titles_dirty_update AFTER UPDATE ON record_titles BEGIN
        INSERT INTO history_dirty SELECT old.platform, old.title_key WHERE NOT EXISTS
            (SELECT 1 FROM history_dirty WHERE platform = old.platform AND title_key = old.title_key);
        INSERT INTO history_dirty SELECT new.platform, new.title_key WHERE NOT EXISTS
            (SELECT 1 FROM history_dirty WHERE platform = new.platform AND title_key = new.title_key);
    END;
    CREATE TRIGGER record_titles_dirty_delete AFTER DELETE ON record_titles BEGIN
        INSERT INTO history_dirty SELECT old.platform, old.title_key WHERE NOT EXISTS
            (SELECT 1 FROM history_dirty WHERE platform = old.platform AND title_key = old.title_key);
    END;
    CREATE TRIGGER hidden_records_dirty_insert AFTER INSERT ON hidden_records BEGIN
        INSERT INTO history_dirty SELECT r.platform, lower(r.title) FROM records r
        WHERE r.id = new.record_id AND r.title IS NOT NULL AND r.title != '' AND NOT EXISTS
            (SELECT 1 FROM history_dirty d WHERE d.platform = r.platform AND d.title_key = lower(r.title));
    END;
    CREATE TRIGGER hidden_records_dirty_delete AFTER DELETE ON hidden_records BEGIN
        INSERT INTO history_dirty SELECT r.platform, lower(r.title) FROM records r
        WHERE r.id = old.record_id AND r.title IS NOT NULL AND r.title != '' AND NOT EXISTS
            (SELECT 1 FROM history_dirty d WHERE d.platform = r.platform AND d.title_key = lower(r.title));
    END;
    INSERT INTO history_dirty SELECT DISTINCT platform, title_key FROM record_titles;
    """,
    # 5: the rows still to be keyed (written by a trigger or re-represented by an import), so the
    # refresh after each write finds them in O(unkeyed), not by a scan of every title
    "CREATE INDEX record_titles_unkeyed ON record_titles(platform, title_key) WHERE entity_key IS NULL",
]

SCHEMA_VERSION = len(MIGRATIONS)
