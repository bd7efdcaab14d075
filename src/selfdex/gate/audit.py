"""The audit log: every read through any channel, hash-chained and append-only.

Each entry stores the hash of the one before it and its own hash over (seq, fields, prev_hash), so
editing, deleting or reordering any entry breaks the chain. Triggers refuse UPDATE and DELETE; the
chain catches whoever drops them. Cutting entries off the *end* leaves a valid shorter chain, so the
head (last seq and hash) is also written to a file next to the store and ``verify`` compares it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..store import Store
from .grants import ensure_schema

__all__ = ["GENESIS", "AuditEntry", "AuditLog", "Verification"]

GENESIS = "0" * 64
_HASHED = (
    "seq",
    "at",
    "recipient",
    "grant_id",
    "channel",
    "operation",
    "request",
    "outcome",
    "status",
    "detail",
    "record_ids",
    "fields",
    "bytes",
    "response_sha256",
    "prev_hash",
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    recipient: str
    grant_id: int | None
    channel: str
    operation: str
    request: str
    outcome: str
    status: int
    detail: str | None
    record_ids: str
    fields: str
    bytes: int
    response_sha256: str | None
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in (*_HASHED, "hash")}
        d["request"] = json.loads(self.request)
        d["record_ids"] = json.loads(self.record_ids)
        d["fields"] = json.loads(self.fields)
        return d


def entry_hash(values: dict[str, Any]) -> str:
    body = orjson.dumps({k: values[k] for k in _HASHED}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


@dataclass
class Verification:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)
    head: str = GENESIS


class AuditLog:
    """Appends are serialised by a lock and one IMMEDIATE transaction, so the chain never forks."""

    def __init__(self, store: Store, head_path: Path | None = None) -> None:
        ensure_schema(store)
        self.store = store
        self.head_path = head_path if head_path is not None else Path(f"{store.path}.audit-head")
        self._lock = threading.Lock()
        self._head_fd: int | None = None

    def append(
        self,
        *,
        at: datetime,
        recipient: str,
        grant_id: int | None,
        channel: str,
        operation: str,
        request: dict[str, Any],
        outcome: str,
        status: int,
        detail: str | None = None,
        record_ids: list[str] | None = None,
        fields: list[str] | None = None,
        body: bytes = b"",
        day_cap: tuple[str, int] | None = None,
    ) -> int | None:
        """Write one entry and return its seq. With ``day_cap=(day_start_iso, cap)`` the entry is
        written only if the grant has fewer than ``cap`` disclosures since then (checked inside the
        same transaction, so concurrent requests cannot overshoot); otherwise returns None."""
        with self._lock, self.store.transaction() as conn:
            if day_cap is not None:
                used = conn.execute(
                    "SELECT count(*) FROM gate_audit WHERE grant_id = ? AND outcome = 'disclosed' AND at >= ?",
                    (grant_id, day_cap[0]),
                ).fetchone()[0]
                if used >= day_cap[1]:
                    return None
            last = conn.execute("SELECT seq, hash FROM gate_audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
            values: dict[str, Any] = {
                "seq": seq,
                "at": at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "recipient": recipient,
                "grant_id": grant_id,
                "channel": channel,
                "operation": operation,
                "request": orjson.dumps(request, option=orjson.OPT_SORT_KEYS).decode(),
                "outcome": outcome,
                "status": status,
                "detail": detail,
                "record_ids": orjson.dumps(sorted(set(record_ids or []))).decode(),
                "fields": orjson.dumps(sorted(set(fields or []))).decode(),
                "bytes": len(body),
                "response_sha256": hashlib.sha256(body).hexdigest() if body else None,
                "prev_hash": prev,
            }
            values["hash"] = entry_hash(values)
            cols = ", ".join(values)
            conn.execute(
                f"INSERT INTO gate_audit ({cols}) VALUES ({', '.join('?' for _ in values)})",
                tuple(values.values()),
            )
            # Inside the transaction: SQLite's write lock orders the anchor writes of every
            # process (serve, and a desktop client's serve --mcp-stdio) as it orders the entries.
            # A crash before the commit leaves the anchor one entry ahead, which verify reports;
            # it never makes a truncated log look whole.
            self._write_head(json.dumps({"seq": seq, "hash": values["hash"]}).encode())
        return seq

    def close(self) -> None:
        if self._head_fd is not None:
            os.close(self._head_fd)
            self._head_fd = None

    def _write_head(self, data: bytes) -> None:
        # One descriptor kept open: reopening the file per request costs more than the SQLite write.
        if self._head_fd is None:
            self._head_fd = os.open(self.head_path, os.O_RDWR | os.O_CREAT, 0o600)
        os.pwrite(self._head_fd, data, 0)
        os.ftruncate(self._head_fd, len(data))

    def entries(self, *, recipient: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        where = "WHERE recipient = ?" if recipient else ""
        params: list[Any] = [recipient] if recipient else []
        sql = f"SELECT * FROM gate_audit {where} ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.store.conn.execute(sql, params).fetchall()
        return [AuditEntry(**dict(r)) for r in reversed(rows)]

    def verify(self) -> Verification:
        problems: list[str] = []
        prev, expected_seq, n = GENESIS, 1, 0
        for r in self.store.conn.execute("SELECT * FROM gate_audit ORDER BY rowid"):
            n += 1
            values = dict(r)
            seq = values["seq"]
            if seq != expected_seq:
                problems.append(f"entry {seq}: expected seq {expected_seq} (an entry was deleted or moved)")
            if values["prev_hash"] != prev:
                problems.append(f"entry {seq}: does not follow the entry before it (deleted or reordered)")
            if entry_hash(values) != values["hash"]:
                problems.append(f"entry {seq}: contents do not match its hash (edited)")
            prev, expected_seq = values["hash"], seq + 1
        if self.head_path.exists():
            head = json.loads(self.head_path.read_text())
            if head["hash"] != prev or head["seq"] != expected_seq - 1:
                problems.append(
                    f"the log ends at entry {expected_seq - 1}, but entry {head['seq']} was written "
                    f"(entries cut off the end, or the log replaced)"
                )
        elif n:
            problems.append(f"head anchor {self.head_path} is missing")
        return Verification(ok=not problems, entries=n, problems=problems, head=prev)
