"""The disclosure tables: grants and the audit log, as rows. What they mean (scopes, tokens, the keyed
chain, caps) is the gate's (``selfdex.gate``); the SQL that keeps them is here.

They are migrated as the ``gate`` component (``schema_components``), as they were when the gate kept them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from .db import Store

__all__ = [
    "COMPONENT",
    "MIGRATIONS",
    "audit_has_history",
    "audit_rows",
    "count_entries",
    "disclosed_since",
    "disclosed_today_by_grant",
    "ensure_schema",
    "entries",
    "grant_by_name",
    "grant_by_token",
    "grants",
    "insert_entry",
    "insert_grant",
    "last_entry",
    "live_grant_ids",
    "revoke",
]

COMPONENT = "gate"
MIGRATIONS = [
    """
    CREATE TABLE gate_grants (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,                -- the recipient: "netflix", "my-travel-agent"
        token_sha256 TEXT NOT NULL UNIQUE, -- the token itself is shown once and never stored
        scope TEXT NOT NULL,               -- JSON of gate.grants.Scope
        purpose TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    );
    -- One live grant per recipient name; revoked grants stay for the audit trail.
    CREATE UNIQUE INDEX gate_grants_live_name ON gate_grants(name) WHERE revoked_at IS NULL;

    CREATE TABLE gate_audit (
        seq INTEGER PRIMARY KEY,           -- 1, 2, 3… with no gaps: a gap is a deleted entry
        at TEXT NOT NULL,
        recipient TEXT NOT NULL,
        grant_id INTEGER,
        channel TEXT NOT NULL,             -- http | mcp-stdio | mcp-http
        operation TEXT NOT NULL,
        request TEXT NOT NULL,             -- canonical JSON of what was asked
        outcome TEXT NOT NULL,             -- disclosed | refused
        status INTEGER NOT NULL,           -- the HTTP-style status the recipient got
        detail TEXT,
        record_ids TEXT NOT NULL,          -- JSON list: the person's records the response drew on
        fields TEXT NOT NULL,              -- JSON list: the record fields it could contain
        bytes INTEGER NOT NULL,            -- size of the body sent
        response_sha256 TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL                 -- sha256(prev_hash + canonical JSON of this entry)
    );
    CREATE INDEX gate_audit_grant_time ON gate_audit(grant_id, at);
    CREATE INDEX gate_audit_recipient ON gate_audit(recipient);
    CREATE TRIGGER gate_audit_no_update BEFORE UPDATE ON gate_audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER gate_audit_no_delete BEFORE DELETE ON gate_audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
]


def ensure_schema(store: Store) -> None:
    store.ensure_schema(COMPONENT, MIGRATIONS)


# -- grants ---------------------------------------------------------------------------------------
def insert_grant(
    store: Store, *, name: str, token_sha256: str, scope: str, purpose: str, created_at: str, expires_at: str
) -> int:
    """The new grant's id; raises ``sqlite3.IntegrityError`` when ``name`` already has a live grant."""
    cur = store.conn.execute(
        "INSERT INTO gate_grants (name, token_sha256, scope, purpose, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (name, token_sha256, scope, purpose, created_at, expires_at),
    )
    return int(cur.lastrowid or 0)


def grants(store: Store, *, include_revoked: bool = False) -> list[sqlite3.Row]:
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return store.conn.execute(f"SELECT * FROM gate_grants {where} ORDER BY id").fetchall()


def grant_by_name(store: Store, name: str) -> sqlite3.Row | None:
    """The live grant for ``name``, else its most recent revoked one."""
    row: sqlite3.Row | None = store.conn.execute(
        "SELECT * FROM gate_grants WHERE name = ? ORDER BY revoked_at IS NOT NULL, id DESC LIMIT 1", (name,)
    ).fetchone()
    return row


def grant_by_token(store: Store, token_sha256: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = store.conn.execute(
        "SELECT * FROM gate_grants WHERE token_sha256 = ?", (token_sha256,)
    ).fetchone()
    return row


def revoke(store: Store, name: str, at: str) -> bool:
    """Revoke ``name``'s live grant; False when it has none."""
    cur = store.conn.execute(
        "UPDATE gate_grants SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (at, name)
    )
    return bool(cur.rowcount)


def live_grant_ids(store: Store, now: str) -> set[int]:
    """Ids of the grants neither revoked nor expired at ``now`` (ISO, UTC)."""
    rows = store.conn.execute(
        "SELECT id FROM gate_grants WHERE revoked_at IS NULL AND expires_at > ?", (now,)
    )
    return {int(r[0]) for r in rows}


# -- the audit log --------------------------------------------------------------------------------
def audit_has_history(store: Store) -> bool:
    """Whether the log or the grants hold anything (from then on the log must have its head)."""
    conn = store.conn
    return bool(
        conn.execute("SELECT 1 FROM gate_audit LIMIT 1").fetchone()
        or conn.execute("SELECT 1 FROM gate_grants LIMIT 1").fetchone()
    )


def last_entry(store: Store) -> tuple[int, str] | None:
    """(seq, hash) of the newest entry."""
    row = store.conn.execute("SELECT seq, hash FROM gate_audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None


def disclosed_since(store: Store, grant_id: int | None, since: str) -> int:
    row = store.conn.execute(
        "SELECT count(*) FROM gate_audit WHERE grant_id = ? AND outcome = 'disclosed' AND at >= ?",
        (grant_id, since),
    ).fetchone()
    return int(row[0])


def disclosed_today_by_grant(store: Store, since: str) -> list[tuple[int, int]]:
    """(grant id, disclosures since ``since``) per grant that has any."""
    rows = store.conn.execute(
        "SELECT grant_id, count(*) FROM gate_audit WHERE outcome = 'disclosed' AND at >= ? "
        "AND grant_id IS NOT NULL GROUP BY grant_id",
        (since,),
    )
    return [(int(g), int(n)) for g, n in rows]


def insert_entry(store: Store, values: Mapping[str, Any]) -> None:
    cols = ", ".join(values)
    store.conn.execute(
        f"INSERT INTO gate_audit ({cols}) VALUES ({', '.join('?' for _ in values)})", tuple(values.values())
    )


def entries(store: Store, *, recipient: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` entries (of one recipient), oldest first."""
    where = "WHERE recipient = ?" if recipient else ""
    params: list[Any] = [recipient] if recipient else []
    sql = f"SELECT * FROM gate_audit {where} ORDER BY seq DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [dict(r) for r in reversed(store.conn.execute(sql, params).fetchall())]


def count_entries(store: Store, grant_id: int, up_to_seq: int) -> int:
    row = store.conn.execute(
        "SELECT count(*) FROM gate_audit WHERE grant_id = ? AND seq <= ?", (grant_id, up_to_seq)
    ).fetchone()
    return int(row[0])


def audit_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Every entry as stored, in insertion order (what verification walks)."""
    for r in store.conn.execute("SELECT * FROM gate_audit ORDER BY rowid"):
        yield dict(r)
