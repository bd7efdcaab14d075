"""Writing the privacy rule's table: forget rules hide records (``hidden_records``) and may delete them.

The profile decides *which* records a rule covers (``profile.corrections``); the store alone writes
and reads the table, so the rule's SQL lives next to :func:`.visible.visible_clause`, which reads it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

from .db import Store

__all__ = ["delete_records", "hidden_digest", "hide", "unhide"]


def hide(conn: sqlite3.Connection, reasons: Iterable[tuple[str, str]]) -> None:
    """Hide each ``(record_id, reason)``; a record already hidden for that reason stays as it is."""
    conn.executemany("INSERT OR IGNORE INTO hidden_records (record_id, reason) VALUES (?, ?)", reasons)


def unhide(conn: sqlite3.Connection, reason: str, *, prefix: bool = False) -> None:
    """Un-hide the records hidden for ``reason`` (every reason starting with it when ``prefix``)."""
    if prefix:
        escaped = reason.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conn.execute("DELETE FROM hidden_records WHERE reason LIKE ? ESCAPE '\\'", (escaped + "%",))
    else:
        conn.execute("DELETE FROM hidden_records WHERE reason = ?", (reason,))


def delete_records(conn: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Delete records for good (a forget rule with ``--delete``); returns how many were deleted."""
    return sum(conn.execute("DELETE FROM records WHERE id = ?", (rid,)).rowcount for rid in ids)


def hidden_digest(store: Store) -> str:
    """A digest of the hidden ids: a cache of anything derived from the visible records keys on it."""
    digest = hashlib.sha256()
    for (rid,) in store.conn.execute("SELECT record_id FROM hidden_records ORDER BY record_id"):
        digest.update(rid.encode() + b"\0")
    return digest.hexdigest()
