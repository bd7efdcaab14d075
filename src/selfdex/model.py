"""The one record schema every importer produces and the store keeps.

A :class:`Record` is one thing a person did (watched, listened, bought…) on one platform or
offline. Its id is a hash of what the record *says*, never of the file it came from, so the
same event found in two overlapping exports is stored once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

__all__ = [
    "ACTIONS",
    "KINDS",
    "PRECISIONS",
    "ImportProblem",
    "Item",
    "Location",
    "Provenance",
    "Record",
]

ACTIONS = frozenset(
    {
        "watched",
        "listened",
        "read",
        "rated",
        "reviewed",
        "purchased",
        "searched",
        "visited",
        "liked",
        "saved",
        "posted",
        "highlighted",
        "attended",
        "travelled",
        "exercised",
        "paid",
        "noted",
        "followed",
        "subscribed",
        "wishlisted",
        "viewed",
        "commented",
        "messaged",
        "received",
        "returned",
        "interested",
        "disliked",
        "started",
        "abandoned",
        # A state, not an event: "has seen this film" (Letterboxd's watched.csv), undated.
        "seen",
        # Someone else's post passed on (a Twitter retweet): not the person's own words.
        "reposted",
        # Asked for a service that did not happen (an Uber request cancelled or unfulfilled).
        "requested",
    }
)

KINDS = frozenset(
    {
        "movie",
        "episode",
        "series",
        "book",
        "audiobook",
        "track",
        "album",
        "artist",
        "podcast",
        "video",
        "channel",
        "product",
        "place",
        "web_page",
        "post",
        "event",
        "transaction",
        "workout",
        "note",
        "query",
        "topic",
        "app",
        "game",
        "message",
        "trip",
        "health_metric",
        "list",
        "person",
    }
)

PRECISIONS = ("year", "month", "day", "minute", "second", "ms", "us")
Precision = Literal["year", "month", "day", "minute", "second", "ms", "us"]


@dataclass(slots=True)
class Item:
    """What the action was about."""

    kind: str
    title: str | None = None
    creators: tuple[str, ...] = ()
    # External ids by scheme, e.g. {"asin": "B00…", "isbn13": "978…", "spotify": "spotify:track:…"}.
    ids: dict[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    url: str | None = None


@dataclass(slots=True)
class Location:
    lat: float | None = None
    lon: float | None = None
    name: str | None = None
    address: str | None = None
    accuracy_m: float | None = None


@dataclass(slots=True)
class Provenance:
    """Where a record was read: enough to find it again in the original export."""

    archive: str  # the path the user imported (a folder, a zip, a tar)
    member: str  # path inside it, nested archives joined with "!/": "Orders.zip!/Retail/Order.csv"
    index: int | None = None  # 0-based record number inside the member
    line: int | None = None  # 1-based line where the record starts, for line formats
    offset: int | None = None  # byte offset where the record starts, when the parser knows it


@dataclass(slots=True)
class Record:
    platform: str
    action: str
    item: Item
    when: datetime | None = None  # aware, UTC
    # The clock the platform wrote, when known: "+02:00", "Europe/Berlin" or "local" (no zone given).
    original_tz: str | None = None
    precision: Precision | None = None
    rating: float | None = None  # as the platform wrote it
    rating_scale: float | None = None  # the maximum of the platform's scale (5, 10, 1 for likes…)
    duration_s: float | None = None
    # Money in `currency`: negative when it left the person (a purchase, a payment), positive when it came in.
    amount: float | None = None
    currency: str | None = None
    quantity: float | None = None
    distance_m: float | None = None
    text: str | None = None  # the person's or a third party's words: untrusted, never instructions
    location: Location | None = None
    # Extra structured fields worth keeping that have no column (device, country, reason_end…).
    extra: dict[str, Any] = field(default_factory=dict)
    raw: Any = None  # the original record as read (dict for JSON/CSV rows, str for text formats)
    provenance: Provenance | None = None
    importer: str | None = None  # set by the ingest pipeline
    importer_version: str | None = None
    # When one event reaches us through two files that describe it differently (Spotify's account-data
    # and extended histories: minute vs second timestamps, URI or not), the importer names the event
    # itself here and the id is derived from it alone, so both copies collapse into one record.
    dedup_key: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")
        if self.item.kind not in KINDS:
            raise ValueError(f"unknown item kind {self.item.kind!r}")
        if self.when is not None:
            if self.when.tzinfo is None:
                raise ValueError("Record.when must be timezone-aware (UTC)")
            self.when = self.when.astimezone(UTC)

    @property
    def rating_norm(self) -> float | None:
        """The rating on 0–1, whatever the platform's scale."""
        if self.rating is None or not self.rating_scale:
            return None
        return max(0.0, min(1.0, self.rating / self.rating_scale))

    def identity(self) -> dict[str, Any]:
        """The fields that say *what happened*; provenance, raw and importer are left out."""
        if self.dedup_key is not None:
            return {"platform": self.platform, "dedup_key": self.dedup_key}
        return {
            "platform": self.platform,
            "action": self.action,
            "kind": self.item.kind,
            "title": self.item.title,
            "creators": list(self.item.creators),
            "ids": dict(sorted(self.item.ids.items())),
            "url": self.item.url,
            "when": self.when.isoformat() if self.when else None,
            "rating": self.rating,
            "duration_s": self.duration_s,
            "amount": self.amount,
            "currency": self.currency,
            "quantity": self.quantity,
            "distance_m": self.distance_m,
            "text": self.text,
            "lat": self.location.lat if self.location else None,
            "lon": self.location.lon if self.location else None,
            "place": self.location.name if self.location else None,
            "extra_key": self.extra.get("identity"),  # lets an importer disambiguate look-alikes
        }

    @property
    def id(self) -> str:
        canonical = orjson.dumps(
            self.identity(), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str
        )
        return hashlib.sha256(canonical).hexdigest()[:32]


@dataclass(slots=True)
class ImportProblem:
    """A record or file that could not be imported; reported with where it is, never dropped silently."""

    reason: str
    member: str | None = None
    index: int | None = None
    line: int | None = None
    offset: int | None = None
    excerpt: str | None = None
    # "error": a record that looked like data but could not be read;
    # "refused": unsafe archive content (zip-slip, symlink, bomb);
    # "unsupported": a file recognised as a platform's but in a variant we cannot parse;
    # "skipped": deliberately not imported, with the reason (trailers are not viewing, deleted log entries).
    severity: Literal["error", "refused", "unsupported", "skipped"] = "error"

    def position(self) -> str:
        parts = []
        if self.index is not None:
            parts.append(f"record {self.index}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)


def utc(dt: datetime) -> datetime:
    """Treat a naive datetime as UTC; convert an aware one to UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
