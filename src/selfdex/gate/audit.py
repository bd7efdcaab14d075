"""The audit log: every read through any channel, chained with a key and append-only.

Each entry stores the hash of the one before it and its own HMAC (keyed with the store's owner
secret, which lives outside the store) over (seq, fields, prev_hash): editing, deleting or
reordering any entry breaks the chain, and whoever can rewrite the store file but cannot read the
owner secret cannot build a new consistent chain either. Triggers refuse UPDATE and DELETE; the
chain catches whoever drops them.

The *head* (last seq and hash, and each grant's disclosures today) is kept in a signed file next
to the store, written inside the same transaction as the entry. It catches entries cut off the
end, a log emptied on a store that has grants, and it is what the per-day caps count from
besides the rows, so deleting rows does not reset a cap. What this proves, against whom: see the
README's security section (a process running as the person, who can read the secret, is not
stopped by any of it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..store import Store
from ..store import grants as tables
from ..store.private import OwnerSecret, owner_secret
from .grants import ensure_schema

__all__ = ["GENESIS", "AuditEntry", "AuditLog", "AuditTampered", "Verification"]

GENESIS = "0" * 64
REFUSAL_WINDOW = 60.0  # seconds
REFUSALS_PER_WINDOW = 20  # refusal entries one grant may add per window before they are tallied
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


def entry_hash(values: dict[str, Any], key: bytes) -> str:
    body = orjson.dumps({k: values[k] for k in _HASHED}, option=orjson.OPT_SORT_KEYS)
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class AuditTampered(Exception):
    """The head anchor does not match (missing, unsigned or rewritten): nothing is disclosed."""


@dataclass
class Verification:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)
    head: str = GENESIS


@dataclass
class _Head:
    seq: int
    hash: str
    days: dict[str, list[Any]]  # grant id -> [UTC day, disclosures that day]


class AuditLog:
    """Appends are serialised by a lock and one IMMEDIATE transaction, so the chain never forks."""

    def __init__(
        self, store: Store, head_path: Path | None = None, secret: OwnerSecret | None = None
    ) -> None:
        ensure_schema(store)
        self.store = store
        self.head_path = head_path if head_path is not None else Path(f"{store.path}.audit-head")
        self.secret = secret if secret is not None else owner_secret(store.path)
        self._key = self.secret.key("audit")
        # A key made just now for a store that already has history: the old key is gone.
        self._lost_key = self.secret.created and self._has_history()
        self._lock = threading.Lock()
        self._head_fd: int | None = None
        # (grant, channel, operation, status, request) -> [first at, last at, not yet written, recipient]
        self._burst: dict[tuple[Any, ...], list[Any]] = {}
        self._rows: dict[int | None, list[Any]] = {}  # grant -> [window start, refusals written]
        self.ensure_head()

    # -- the signed head ------------------------------------------------------------------------
    def _mac(self, head: dict[str, Any]) -> str:
        body = orjson.dumps({k: head[k] for k in ("seq", "hash", "days")}, option=orjson.OPT_SORT_KEYS)
        return hmac.new(self._key, b"head:" + body, hashlib.sha256).hexdigest()

    def _encode(self, head: _Head) -> bytes:
        data: dict[str, Any] = {"seq": head.seq, "hash": head.hash, "days": head.days}
        data["mac"] = self._mac(data)
        return json.dumps(data, sort_keys=True).encode()

    def _read_head(self) -> _Head | None:
        """The head, or None when there is no file; raises AuditTampered when it is not ours."""
        try:
            if self._head_fd is not None:
                raw = os.pread(self._head_fd, 1 << 20, 0)
            else:
                raw = self.head_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            ok = hmac.compare_digest(str(data.get("mac", "")), self._mac(data))
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            raise AuditTampered(
                f"the audit head {self.head_path} is not signed with this store's owner key "
                "(rewritten, or the owner secret was replaced)"
            )
        return _Head(int(data["seq"]), str(data["hash"]), dict(data["days"]))

    def _has_history(self) -> bool:
        return tables.audit_has_history(self.store)

    def ensure_head(self) -> None:
        """Anchor an empty log (seq 0), so that emptying a log later is seen: from the first grant
        on, a store without its head has been tampered with."""
        if self.head_path.exists() or self._has_history():
            return
        self._write_head(self._encode(_Head(0, GENESIS, {})))

    def _current_head(self) -> tuple[_Head, int, str]:
        """The signed head, and the seq and prev hash the next entry takes. Entries missing at the
        end (a crash between the head write and the commit, or deletion) leave a gap in seq that
        ``verify`` keeps reporting; a missing or unsigned head refuses everything, since the caps
        can no longer be counted."""
        head = self._read_head()
        if head is None:
            if self._has_history():
                raise AuditTampered(
                    f"the audit head {self.head_path} is missing (the log was emptied or replaced)"
                )
            head = _Head(0, GENESIS, {})
        seq, prev = tables.last_entry(self.store) or (0, GENESIS)
        return head, max(seq, head.seq) + 1, prev

    # -- writing --------------------------------------------------------------------------------
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
        same transaction, so concurrent requests cannot overshoot); otherwise returns None. The
        count is the larger of the rows' and the signed head's: deleting rows does not reset it.
        Raises AuditTampered (nothing written) when the head does not match the log."""
        with self._lock, self.store.transaction():
            head, seq, prev = self._current_head()
            day = day_cap[0][:10] if day_cap is not None else at.strftime("%Y-%m-%d")
            key = str(grant_id)
            today = head.days.get(key, [day, 0])
            counted = int(today[1]) if today[0] == day else 0
            if day_cap is not None:
                used = tables.disclosed_since(self.store, grant_id, day_cap[0])
                if max(used, counted) >= day_cap[1]:
                    return None
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
            values["hash"] = entry_hash(values, self._key)
            tables.insert_entry(self.store, values)
            days = {k: v for k, v in head.days.items() if v[0] == day}  # only today's counts are kept
            if outcome == "disclosed" and grant_id is not None:
                days[key] = [day, counted + 1]
            # Inside the transaction: SQLite's write lock orders the anchor writes of every
            # process (serve, and a desktop client's serve --mcp-stdio) as it orders the entries.
            # A crash before the commit leaves the anchor one entry ahead, which verify reports;
            # it never makes a truncated log look whole.
            self._write_head(self._encode(_Head(seq, values["hash"], days)))
        return seq

    def append_refusal(
        self,
        *,
        at: datetime,
        recipient: str,
        grant_id: int | None,
        channel: str,
        operation: str,
        request: dict[str, Any],
        status: int,
        detail: str,
    ) -> None:
        """Log a refusal of a valid token's request. The same request refused again within
        ``REFUSAL_WINDOW`` of the first is counted instead of written, and so is any refusal past
        ``REFUSALS_PER_WINDOW`` entries of one grant in a window; the counts go into one summary
        entry when the window closes (or the log is closed), so a recipient hammering a cap, or
        varying its requests, cannot grow the log without bound."""
        exact = orjson.dumps(request, option=orjson.OPT_SORT_KEYS).decode()
        key = (grant_id, channel, operation, status, exact)
        with self._lock:
            closed = self._closed_bursts(at)
            burst = self._burst.get(key)
            rows = self._rows.setdefault(grant_id, [at, 0])
            if burst is None and rows[1] >= REFUSALS_PER_WINDOW:
                key = (grant_id, channel, operation, status, "*")  # distinct requests, one tally
                burst = self._burst.setdefault(key, [at, at, 0, recipient])
            if burst is not None:
                burst[1] = at
                burst[2] += 1
            else:
                rows[1] += 1
                self._burst[key] = [at, at, 0, recipient]
        for k, b in closed:
            self._write_burst(k, b)
        if burst is None:
            self.append(
                at=at, recipient=recipient, grant_id=grant_id, channel=channel, operation=operation,
                request=request, outcome="refused", status=status, detail=detail,
            )  # fmt: skip

    def _closed_bursts(self, now: datetime) -> list[tuple[tuple[Any, ...], list[Any]]]:
        """Take out the windows that have closed by ``now`` (the caller holds the lock)."""
        done = [k for k, b in self._burst.items() if (now - b[0]).total_seconds() >= REFUSAL_WINDOW]
        for gid in [g for g, r in self._rows.items() if (now - r[0]).total_seconds() >= REFUSAL_WINDOW]:
            del self._rows[gid]
        return [(k, self._burst.pop(k)) for k in done]

    def _write_burst(self, key: tuple[Any, ...], burst: list[Any]) -> None:
        if not burst[2]:
            return
        grant_id, channel, operation, status, _ = key
        first, last, n, recipient = burst
        self.append(
            at=last, recipient=recipient, grant_id=grant_id, channel=channel, operation=operation,
            request={"similar_refusals": n, "since": first.isoformat(), "until": last.isoformat()},
            outcome="refused", status=status,
            detail=f"{n} more refusal(s) of this operation, not logged one by one",
        )  # fmt: skip

    def flush_refusals(self) -> None:
        with self._lock:
            bursts, self._burst, self._rows = self._burst, {}, {}
        for key, burst in bursts.items():
            self._write_burst(key, burst)

    def reanchor(self, at: datetime, reason: str) -> int:
        """The owner accepts the log as it is now: a new signed head over its last entry (today's
        counts taken from the rows), and an entry saying so. Nothing old is re-signed, so ``verify``
        keeps reporting what was wrong before; disclosures can go on. Returns the new entry's seq."""
        day = at.strftime("%Y-%m-%d")
        with self._lock, self.store.transaction():
            last = tables.last_entry(self.store)
            counts = tables.disclosed_today_by_grant(self.store, f"{day}T00:00:00")
            head = _Head(last[0], last[1], {str(g): [day, n] for g, n in counts}) if last else None
            self._write_head(self._encode(head or _Head(0, GENESIS, {})))
        seq = self.append(
            at=at, recipient="owner", grant_id=None, channel="cli", operation="reanchor",
            request={}, outcome="reanchored", status=200, detail=reason[:2000],
        )  # fmt: skip
        return seq or 0

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing must not fail because the store went first
            self.flush_refusals()
        if self._head_fd is not None:
            os.close(self._head_fd)
            self._head_fd = None

    def _write_head(self, data: bytes) -> None:
        # One descriptor kept open: reopening the file per request costs more than the SQLite write.
        if self._head_fd is None:
            self._head_fd = os.open(self.head_path, os.O_RDWR | os.O_CREAT, 0o600)
            os.fchmod(self._head_fd, 0o600)
        os.pwrite(self._head_fd, data, 0)
        os.ftruncate(self._head_fd, len(data))

    # -- reading --------------------------------------------------------------------------------
    def entries(self, *, recipient: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        return [AuditEntry(**r) for r in tables.entries(self.store, recipient=recipient, limit=limit)]

    def count_for(self, grant_id: int, up_to_seq: int) -> int:
        """How many entries one grant has, up to ``up_to_seq``: its own counter, which says nothing
        about other recipients' activity."""
        return tables.count_entries(self.store, grant_id, up_to_seq)

    def verify(self) -> Verification:
        problems: list[str] = []
        prev, expected_seq, n = GENESIS, 1, 0
        if self._lost_key:
            problems.append(
                f"the owner secret {self.secret.path} was missing (a new one was made): the log "
                "cannot be checked against the key it was written with"
            )
        for values in tables.audit_rows(self.store):
            n += 1
            seq = values["seq"]
            if seq != expected_seq:
                problems.append(f"entry {seq}: expected seq {expected_seq} (an entry was deleted or moved)")
            if values["prev_hash"] != prev:
                problems.append(f"entry {seq}: does not follow the entry before it (deleted or reordered)")
            if not hmac.compare_digest(entry_hash(values, self._key), str(values["hash"])):
                problems.append(
                    f"entry {seq}: contents do not match its keyed hash (edited, or written without the owner key)"
                )
            prev, expected_seq = values["hash"], seq + 1
        try:
            head = self._read_head()
        except AuditTampered as exc:
            problems.append(str(exc))
        else:
            if head is None:
                if n or self._has_history():
                    problems.append(
                        f"head anchor {self.head_path} is missing (the log was emptied or replaced)"
                    )
            elif head.hash != prev or head.seq != expected_seq - 1:
                problems.append(
                    f"the log ends at entry {expected_seq - 1}, but entry {head.seq} was written "
                    f"(entries cut off the end, or the log replaced)"
                )
        return Verification(ok=not problems, entries=n, problems=problems, head=prev)
