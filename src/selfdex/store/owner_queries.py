"""The queries of the owner's own surfaces (``selfdex`` commands and the web console), kept here so
that ``cli/`` and ``web/`` hold no SQL: a record's hidden reasons, an id-prefix lookup, monthly
counts, import-job state and the store's health checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import crypto
from .db import Store
from .health import backup
from .queries import Filters

__all__ = [
    "backup_to",
    "health",
    "hidden_reasons",
    "imported_before",
    "monthly_platform_counts",
    "record_by_prefix",
    "record_titles",
    "unfinished_jobs",
]


def hidden_reasons(store: Store, record_id: str) -> list[str]:
    """Why the record is hidden from recipients (a forget rule's key), or [] when it is not."""
    rows = store.conn.execute("SELECT reason FROM hidden_records WHERE record_id = ?", (record_id,))
    return [r[0] for r in rows.fetchall()]


def record_titles(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """id -> title, platform and date of the records named, for a page that cites them."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = store.conn.execute(
        f"SELECT id, title, platform, occurred_at FROM records WHERE id IN ({marks})", ids
    ).fetchall()
    return {r["id"]: dict(r) for r in rows}


def record_by_prefix(store: Store, prefix: str) -> str | None:
    """The one record id starting with ``prefix`` (as tables show ids cut short), or None when no
    record or more than one does."""
    hit = store.conn.execute("SELECT id FROM records WHERE id LIKE ? LIMIT 2", (prefix + "%",)).fetchall()
    return str(hit[0][0]) if len(hit) == 1 else None


def monthly_platform_counts(store: Store, filters: Filters) -> list[tuple[str, str, int]]:
    """(YYYY-MM, platform, records) for the dated records that ``filters`` select."""
    where, params = filters.sql()
    rows = store.conn.execute(
        f"SELECT substr(r.occurred_at, 1, 7) AS month, r.platform, count(*) FROM records r "
        f"WHERE {where} AND r.occurred_at IS NOT NULL GROUP BY month, r.platform",
        params,
    ).fetchall()
    return [(m, p, int(n)) for m, p, n in rows]


def imported_before(store: Store, sha256: str) -> bool:
    """Whether a complete import job already read a file with this content."""
    row = store.conn.execute(
        "SELECT 1 FROM import_jobs WHERE source_sha256 = ? AND status = 'complete'", (sha256,)
    ).fetchone()
    return row is not None


def unfinished_jobs(store: Store, *, include_running: bool) -> int:
    """Import jobs left interrupted or failed (and running ones, when no import holds the store)."""
    row = store.conn.execute(
        "SELECT count(*) FROM import_jobs WHERE status IN ('interrupted', 'failed')"
        + (" OR status = 'running'" if include_running else "")
    ).fetchone()
    return int(row[0])


def backup_to(store: Store, dest: Path) -> tuple[int, int]:
    """A consistent copy of the store at ``dest`` (encrypted as the store is): its bytes and records."""
    return backup(store.conn, dest, encrypted=crypto.is_encrypted(store.path))


def health(store: Store) -> tuple[str, str]:
    """SQLite's quick integrity check ('ok' or what is wrong) and the journal mode."""
    integrity = store.conn.execute("PRAGMA quick_check").fetchone()[0]
    mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
    return str(integrity), str(mode)
