"""The person's store: one SQLite file (WAL, foreign keys, migrations) that they own."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from platformdirs import user_data_dir

from .. import __version__
from ..model import ImportProblem, Record
from ..settings import ENV, settings
from . import crypto, titles
from .columns import JSON_COLUMNS, RECORD_COLUMNS
from .health import explain
from .private import private_file
from .schema import MIGRATIONS, SCHEMA_VERSION, TITLES_SELECT

__all__ = ["Store", "StoreError", "StoreWriteError", "default_store_path"]

ENV_VAR = ENV["store"]


class StoreError(Exception):
    """A problem with the store file the user can act on (wrong file, newer schema, locked)."""


def default_store_path() -> Path:
    configured = settings().store
    if configured is not None:
        return configured
    return Path(user_data_dir("selfdex", appauthor=False)) / "selfdex.sqlite"


_INSERT_RECORD = (
    f"INSERT OR IGNORE INTO records ({', '.join(RECORD_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)})"
)
# What a newer copy of a snapshot row replaces: everything but the id, and only when something differs
# (an unchanged re-import touches nothing and counts as a duplicate).
_CONTENT = [c for c in RECORD_COLUMNS if c not in ("id", "job_id") and not c.startswith("source_")]
_UPSERT_RECORD = (
    f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join('?' for _ in RECORD_COLUMNS)}) "
    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in RECORD_COLUMNS if c != 'id')} "
    f"WHERE ({', '.join(f'records.{c}' for c in _CONTENT if c != 'importer_version')}) IS NOT "
    f"({', '.join(f'excluded.{c}' for c in _CONTENT if c != 'importer_version')})"
)


def _json(value: Any) -> str | None:
    if not value and value != 0:  # None, {}, [], (), ""
        return None
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


# The new rows' titles folded into record_titles: an earlier row keeps a tie on the newest time, as
# the rowid-ordered max() of a full recompute would.
# NOT INDEXED: the rowid range drives it (else SQLite walks all of records_title_key to skip a sort).
_ADD_TITLES = TITLES_SELECT.replace("FROM records WHERE", "FROM records NOT INDEXED WHERE").format(
    where="rowid > ? AND title IS NOT NULL AND title != ''",
    tail="""
    ON CONFLICT (platform, title_key, kind, action) DO UPDATE SET
        records = records + excluded.records, """
    + ", ".join(
        f"{c} = CASE WHEN excluded.last_at > last_at THEN excluded.{c} ELSE {c} END"
        for c in ("last_rowid", "id", "title", "series", "creators", "categories")
    )
    + ", last_at = max(last_at, excluded.last_at)"
    # a newer representative may change the series, so the row is keyed again
    + ", entity_key = CASE WHEN excluded.last_at > last_at THEN NULL ELSE entity_key END",
)


def record_row(record: Record, job_id: int) -> tuple[Any, ...]:
    item, loc, prov = record.item, record.location, record.provenance
    return (
        record.id,
        record.platform,
        record.action,
        item.kind,
        item.title,
        _json(list(item.creators)),
        _json(item.ids),
        _json(list(item.categories)),
        item.url,
        record.when.isoformat().replace("+00:00", "Z") if record.when else None,
        record.original_tz,
        record.precision,
        record.rating,
        record.rating_scale,
        record.rating_norm,
        record.duration_s,
        record.amount,
        record.currency,
        record.quantity,
        record.distance_m,
        record.text,
        loc.lat if loc else None,
        loc.lon if loc else None,
        loc.name if loc else None,
        loc.address if loc else None,
        _json(record.extra),
        _json(record.raw) if not isinstance(record.raw, str) else record.raw,
        record.importer or "unknown",
        record.importer_version or "0",
        job_id,
        prov.archive if prov else None,
        prov.member if prov else None,
        prov.index if prov else None,
        prov.line if prov else None,
        prov.offset if prov else None,
    )


class StoreWriteError(StoreError, sqlite3.OperationalError):
    """The store could not be written (disk full, I/O error, read-only, damaged): one line says why.

    Also an ``OperationalError``, so callers that treat a failed optional write (a cache) as harmless
    keep doing so."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode with rows as ``Row``: plain SQLite, or SQLCipher for a store
    that is encrypted (see ``crypto``; the file says which)."""
    if crypto.is_encrypted(path):
        conn = crypto.connect(path, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        crypto.remember(path, encrypted=False)
    titles.register(conn)
    return conn


class Store:
    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if str(self.path) != ":memory:" and not self.path.exists():
            if not create:
                raise StoreError(f"no store at {self.path} (import something first: selfdex import PATH)")
            try:
                # 0600 before SQLite opens it: its -wal and -shm take the database file's mode.
                private_file(self.path)
            except OSError as exc:
                raise StoreError(f"cannot create the store at {self.path}: {exc.strerror}") from exc
        try:
            self.conn = connect(self.path)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: keeps index pages hot during big imports
            self.conn.execute("PRAGMA temp_store=MEMORY")
            self._migrate()
        except crypto.CryptoError as exc:
            raise StoreError(str(exc)) from exc
        except crypto.database_errors() as exc:
            # A damaged, read-only or unopenable file is named as such, not as "not a selfdex store".
            said = explain(exc, self.path)
            if said is None or "is busy" in said:
                said = (
                    f"{self.path} is not a selfdex store (SQLite said: {exc}); if it was one, its first "
                    "page is damaged: restore your latest backup (made with: selfdex backup PATH)"
                )
            raise StoreError(said) from exc

    def check(self, *, max_bytes: int = 1 << 30) -> None:
        """Detect a damaged store before writing to it: ``PRAGMA quick_check`` (O(file), about 1 s per
        GB) when the file is at most ``max_bytes``, else only the header and schema (already read)."""
        try:
            if self.path.stat().st_size > max_bytes:
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except crypto.database_errors() as exc:
            raise StoreError(explain(exc, self.path) or f"{self.path}: {exc}") from exc
        if rows != ["ok"]:
            raise StoreError(
                f"the store at {self.path} is damaged (integrity check: {'; '.join(rows)[:300]}); "
                "restore your latest backup (made with: selfdex backup PATH) or move the file aside and re-import"
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this selfdex understands "
                f"({SCHEMA_VERSION}); upgrade selfdex"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # One script = one transaction: a crash mid-migration leaves the previous version intact.
            self.conn.executescript(
                f"BEGIN IMMEDIATE;{MIGRATIONS[target - 1]};PRAGMA user_version = {target};COMMIT;"
            )
        if version < SCHEMA_VERSION and titles.is_dirty(self.conn):  # a migration rebuilt the history
            with self.transaction():
                titles.refresh(self.conn)

    def ensure_schema(self, component: str, migrations: Sequence[str]) -> None:
        """Bring one component's tables up to date (migration i moves it from version i to i+1)."""
        row = self.conn.execute(
            "SELECT version FROM schema_components WHERE component = ?", (component,)
        ).fetchone()
        version = int(row[0]) if row else 0
        if version > len(migrations):
            raise StoreError(
                f"{self.path}: the {component!r} tables have version {version}, newer than this selfdex "
                f"understands ({len(migrations)}); upgrade selfdex"
            )
        for target in range(version + 1, len(migrations) + 1):
            self.conn.executescript(
                f"BEGIN IMMEDIATE;{migrations[target - 1]};"
                f"INSERT INTO schema_components (component, version) VALUES ('{component}', {target}) "
                f"ON CONFLICT(component) DO UPDATE SET version = excluded.version;COMMIT;"
            )

    @contextmanager
    def transaction(self, *, wait_s: float = 600.0) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; anything raised (Ctrl-C included) rolls everything back.

        The write lock is waited for up to ``wait_s`` (another writer holds it for one batch at a time),
        and a failure of the store itself (disk full, I/O error, read-only, damage) is raised as one
        :class:`StoreWriteError` line instead of SQLite's follow-up errors."""
        self._begin(wait_s)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # After SQLITE_FULL or an I/O error SQLite may have rolled back already; a second ROLLBACK
            # would raise "no transaction is active" and hide the real cause.
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            said = explain(exc, self.path)
            if said is not None and not isinstance(exc, StoreError):
                raise StoreWriteError(said) from exc
            raise

    def _begin(self, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except crypto.operational_errors() as exc:
                busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
                if not busy or time.monotonic() >= deadline:
                    said = explain(exc, self.path)
                    raise (StoreWriteError(said) if said else exc) from exc
                # the busy timeout (10 s) already waited; keep waiting for the other writer's batch

    # -- writes (called inside one import transaction) -----------------------------------------
    def start_job(self, source: str, source_sha256: str | None, version: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO import_jobs (source, source_sha256, started_at, status, selfdex_version) "
            "VALUES (?, ?, ?, 'running', ?)",
            (source, source_sha256, now_iso(), version),
        )
        return int(cur.lastrowid or 0)

    def insert_records(self, records: Sequence[Record], job_id: int) -> int:
        """Insert, ignoring records already stored; returns how many were new."""
        return self.insert_rows([record_row(r, job_id) for r in records])[0]

    def insert_rows(self, rows: Sequence[tuple[Any, ...]], *, replace: bool = False) -> tuple[int, int]:
        """Insert :func:`record_row` tuples; returns (new, updated).

        ``replace=False``: a row whose id is stored is a duplicate and ignored. ``replace=True`` (snapshot
        exports such as a Goodreads library, where the id is the book's and the row its current state):
        a stored row whose content changed is updated in place (same rowid, so links to it hold)."""
        if not rows:
            return 0, 0
        before = self.max_rowid()
        cur = self.conn.executemany(_UPSERT_RECORD if replace else _INSERT_RECORD, rows)
        changed = max(int(cur.rowcount), 0)
        new = changed
        if changed:
            if replace:
                new = int(
                    self.conn.execute("SELECT count(*) FROM records WHERE rowid > ?", (before,)).fetchone()[0]
                )
            # rowids grow monotonically, so the rows past `before` are exactly the ones just inserted
            # (updated rows keep their rowid and are re-indexed by the update trigger)
            self.conn.execute(
                "INSERT INTO records_fts(rowid, title, creators, text) "
                "SELECT rowid, title, creators, text FROM records WHERE rowid > ?",
                (before,),
            )
            self.conn.execute(_ADD_TITLES, (before,))
            titles.refresh(self.conn)  # the history views, for the titles this write touched
        return new, changed - new

    def load_copy(
        self, source: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, importer: str
    ) -> None:
        """Fill an empty store with rows already read and projected elsewhere (a grant's view): one
        complete job, the rows under ``importer``, their full-text index and titles."""
        names = (*columns, "importer", "importer_version", "job_id")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO import_jobs (id, source, started_at, status, selfdex_version) "
                "VALUES (1, ?, ?, 'complete', ?)",
                (source, now_iso(), __version__),
            )
            conn.executemany(
                f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [(*row, importer, "1", 1) for row in rows],
            )
            conn.execute("INSERT INTO records_fts(records_fts) VALUES ('rebuild')")
            conn.execute(TITLES_SELECT.format(where="title IS NOT NULL AND title != ''", tail=""))

    def forget_member(self, job_id: int, member: str, *, after_rowid: int = 0) -> int:
        """Delete the records this job stored from one member (a member found damaged half-way), past
        ``after_rowid`` (the store's last record when the job began: an older copy stays)."""
        cur = self.conn.execute(
            "DELETE FROM records WHERE job_id = ? AND source_member = ? AND rowid > ?",
            (job_id, member, after_rowid),
        )
        titles.refresh(self.conn)
        return int(cur.rowcount)

    def insert_problems(self, problems: Sequence[ImportProblem], job_id: int, importer: str | None) -> None:
        self.conn.executemany(
            "INSERT INTO import_errors (job_id, member, importer, severity, record_index, line, byte_offset, "
            "reason, excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    job_id,
                    p.member,
                    importer,
                    p.severity,
                    p.index,
                    p.line,
                    p.offset,
                    p.reason,
                    (p.excerpt or None) and p.excerpt[:500],
                )
                for p in problems
            ],
        )

    def insert_file(self, job_id: int, **fields: Any) -> None:
        cols = ["job_id", *fields]
        self.conn.execute(
            f"INSERT INTO import_files ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            (job_id, *fields.values()),
        )

    def finish_job(self, job_id: int, status: str, **counts: int) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.conn.execute(
            f"UPDATE import_jobs SET status = ?, finished_at = ?{', ' + sets if sets else ''} WHERE id = ?",
            (status, now_iso(), *counts.values(), job_id),
        )

    def job_progress(self, job_id: int, **counts: int) -> None:
        """Keep a running job's counts current, so an interrupted job shows what it had stored."""
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.conn.execute(f"UPDATE import_jobs SET {sets} WHERE id = ?", (*counts.values(), job_id))

    def mark_resumed(self, source: str) -> None:
        """An earlier job of ``source`` that was cut short is completed by the one finishing now."""
        self.conn.execute(
            "UPDATE import_jobs SET status = 'resumed' WHERE source = ? AND status = 'interrupted'", (source,)
        )

    def running_job(self) -> tuple[int, str, int] | None:
        """(id, source, records read) of the newest job still running, if any."""
        row = self.conn.execute(
            "SELECT id, source, records_read FROM import_jobs WHERE status = 'running' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return (int(row[0]), str(row[1]), int(row[2])) if row else None

    def checkpoint_every(self, pages: int) -> None:
        """How many WAL pages between automatic checkpoints (a bulk import raises it)."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")

    def mark_interrupted(self) -> list[int]:
        """Jobs left 'running' by a process that died (call only while holding the import turn)."""
        ids = [int(r[0]) for r in self.conn.execute("SELECT id FROM import_jobs WHERE status = 'running'")]
        if ids:
            with self.transaction():
                self.conn.execute("UPDATE import_jobs SET status = 'interrupted' WHERE status = 'running'")
        return ids

    # -- reads ----------------------------------------------------------------------------------
    # The owner's own reads: every record, forgotten ones included (the console marks those). What
    # is derived from the records for anyone (agent, ranker, profile, gate) reads through ``visible``.
    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def max_rowid(self) -> int:
        """The newest record's rowid (0 when empty): rows past it are the ones added since."""
        return int(self.conn.execute("SELECT coalesce(max(rowid), 0) FROM records").fetchone()[0])

    def get(self, record_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        return row_dict(row) if row else None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def row_dict(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for col in JSON_COLUMNS:
        if col in out:
            out[col] = json.loads(out[col]) if out[col] else ([] if col in ("creators", "categories") else {})
    out.pop("rowid", None)
    return out
