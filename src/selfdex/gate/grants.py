"""Grants: what one recipient may see, and the bearer token that proves who is asking.

A grant names a recipient and a scope (platforms, kinds, fields, time window, level of detail,
caps, which identifiers it may keep). Tokens are random, shown once and stored only as SHA-256, so
a copy of the store does not hand out working tokens. No grant means nothing is visible.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ..store import Store, StoreError
from ..store import grants as tables
from ..store.columns import IDENTITY_COLUMNS, PROVENANCE_COLUMNS, RECORD_COLUMNS
from ..store.grants import COMPONENT

__all__ = [
    "COMPONENT",
    "CONTENT_FIELDS",
    "DEFAULT_FIELDS",
    "LEVELS",
    "REDACTION_CATEGORIES",
    "Grant",
    "GrantError",
    "Scope",
    "add_grant",
    "ensure_schema",
    "grant_by_name",
    "grant_for_token",
    "hash_token",
    "list_grants",
    "parse_expiry",
    "revoke_grant",
    "utc_now",
]

Level = Literal["raw", "aggregates", "facts", "answers"]
# Most detailed first: a grant at one level also allows every level after it.
LEVELS: tuple[Level, ...] = ("raw", "aggregates", "facts", "answers")

# Record fields a grant may name: every record column but what says what the record is (always
# sent), provenance, `raw` and `extra` — they can hold anything (file paths with the person's user name,
# whole original records).
CONTENT_FIELDS: tuple[str, ...] = tuple(
    c for c in RECORD_COLUMNS if c not in (*IDENTITY_COLUMNS, *PROVENANCE_COLUMNS, "extra", "raw")
)
# Taste, not identity: what a platform needs to personalize, without money, places or free text.
DEFAULT_FIELDS: tuple[str, ...] = ("title", "creators", "categories", "occurred_at", "rating_norm")
REDACTION_CATEGORIES: tuple[str, ...] = (
    "email",
    "phone",
    "card",
    "iban",
    "address",
    "coords",
    "person",
    "link",
)
TOKEN_PREFIX = "sdx_"
MAX_EXPIRY = timedelta(days=366)


class GrantError(Exception):
    """A grant request the person can fix (unknown name, bad scope, name already in use)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_expiry(text: str) -> datetime:
    """'30d', '12h' or an ISO date/instant (``selfdex grant add --expires`` and the web form)."""
    m = re.fullmatch(r"(\d+)([dh])", text.strip())
    try:
        if m:
            n = int(m.group(1))
            return utc_now() + (timedelta(days=n) if m.group(2) == "d" else timedelta(hours=n))
        when = datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError) as exc:
        raise GrantError("expiry: use 30d, 12h or an ISO date such as 2026-01-31") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Scope:
    """What a grant lets through. ``"*"`` in platforms/kinds means every one."""

    level: Level = "answers"
    platforms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ("*",)
    fields: tuple[str, ...] = DEFAULT_FIELDS
    since: str | None = None  # ISO date or instant, inclusive
    until: str | None = None  # exclusive
    per_request: int = 20  # most items (records, facts, ranked candidates) in one response
    per_day: int = 200  # most disclosures per UTC day, counted from the audit log
    keep: tuple[str, ...] = ()  # redaction categories this recipient may receive unredacted
    geo_decimals: int = 2  # coordinates are rounded to this many decimals (2 ≈ 1 km)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise GrantError(f"level must be one of {', '.join(LEVELS)}")
        if not self.platforms:
            raise GrantError("a grant must name its platforms (or '*' for all)")
        if not self.kinds:
            raise GrantError("a grant must name its kinds (or '*' for all)")
        bad = sorted(set(self.fields) - set(CONTENT_FIELDS))
        if bad:
            raise GrantError(
                f"fields not grantable: {', '.join(bad)} (choose from {', '.join(CONTENT_FIELDS)})"
            )
        bad = sorted(set(self.keep) - set(REDACTION_CATEGORIES))
        if bad:
            raise GrantError(f"unknown redaction categories: {', '.join(bad)}")
        if self.per_request < 1 or self.per_day < 1:
            raise GrantError("caps must be at least 1")
        if not 0 <= self.geo_decimals <= 6:
            raise GrantError("geo_decimals must be between 0 and 6")
        for ts in (self.since, self.until):
            if ts is not None:
                try:
                    _parse(ts)
                except ValueError as exc:
                    raise GrantError(f"not an ISO date: {ts}") from exc

    def allows_level(self, needed: Level) -> bool:
        return LEVELS.index(self.level) <= LEVELS.index(needed)

    def allows_platform(self, platform: str) -> bool:
        return "*" in self.platforms or platform in self.platforms

    def allows_kind(self, kind: str) -> bool:
        return "*" in self.kinds or kind in self.kinds

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Scope:
        data: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(text).items()
        }
        return cls(**data)


@dataclass(frozen=True)
class Grant:
    id: int
    name: str
    scope: Scope
    purpose: str
    created_at: str
    expires_at: str
    revoked_at: str | None = None
    token_sha256: str = field(default="", repr=False)

    def state(self, now: datetime | None = None) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at:
            return "revoked"
        if _parse(self.expires_at) <= (now or utc_now()):
            return "expired"
        return "active"

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """What the person (and the recipient, about its own grant) may see: never the token hash."""
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state(now),
            "purpose": self.purpose,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            **asdict(self.scope),
        }


def ensure_schema(store: Store) -> None:
    tables.ensure_schema(store)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _grant(row: Any) -> Grant:
    return Grant(
        id=row["id"],
        name=row["name"],
        scope=Scope.from_json(row["scope"]),
        purpose=row["purpose"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        token_sha256=row["token_sha256"],
    )


_GRANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def add_grant(
    store: Store, name: str, scope: Scope, *, purpose: str, expires_at: datetime, allow_long: bool = False
) -> tuple[Grant, str]:
    """Create a grant; returns it with its token, which is not stored and cannot be shown again.
    An expiry more than a year away needs ``allow_long``: a forgotten grant should lapse."""
    ensure_schema(store)
    name = name.strip()
    if not name:
        raise GrantError("a grant needs a recipient name")
    if not _GRANT_NAME.fullmatch(name):
        # Names appear in URLs (web app), shell commands and audit lines: keep them plain.
        raise GrantError(
            f"{name!r}: a recipient name is 1-64 letters, digits, '.', '_' or '-' (e.g. netflix, my-travel-agent)"
        )
    now = utc_now()
    if expires_at <= now:
        raise GrantError("the expiry must be in the future")
    if expires_at > now + MAX_EXPIRY and not allow_long:
        raise GrantError(
            f"the expiry {_iso(expires_at)[:10]} is more than a year away; choose a nearer one "
            "(or force it: selfdex grant add --allow-long-expiry)"
        )
    from .audit import AuditLog  # here: audit imports this module

    # Anchor the log before the first grant exists: from then on a missing head means tampering.
    AuditLog(store).close()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        grant_id = tables.insert_grant(
            store,
            name=name,
            token_sha256=hash_token(token),
            scope=scope.to_json(),
            purpose=purpose,
            created_at=_iso(now),
            expires_at=_iso(expires_at),
        )
    except Exception as exc:
        if "UNIQUE" in str(exc):
            raise GrantError(
                f"{name!r} already has a grant; revoke it first (selfdex grant revoke {name})"
            ) from exc
        raise
    grant = grant_by_name(store, name)
    assert grant is not None and grant.id == grant_id
    return grant, token


def list_grants(store: Store, *, include_revoked: bool = False) -> list[Grant]:
    ensure_schema(store)
    return [_grant(r) for r in tables.grants(store, include_revoked=include_revoked)]


def grant_by_name(store: Store, name: str) -> Grant | None:
    """The live grant for ``name``, else its most recent revoked one."""
    ensure_schema(store)
    row = tables.grant_by_name(store, name)
    return _grant(row) if row else None


def grant_for_token(store: Store, token: str) -> Grant | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = tables.grant_by_token(store, hash_token(token))
    return _grant(row) if row else None


def revoke_grant(store: Store, name: str) -> Grant:
    ensure_schema(store)
    if not tables.revoke(store, name, _iso(utc_now())):
        raise GrantError(f"no live grant named {name!r}")
    grant = grant_by_name(store, name)
    if grant is None:  # pragma: no cover - the row was just updated
        raise StoreError("grant vanished while revoking")
    return grant
