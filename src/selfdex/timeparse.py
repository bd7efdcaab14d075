"""Turning the many ways platforms write time into (UTC instant, original zone, precision)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import Precision

__all__ = ["Stamp", "epoch_unit", "from_epoch", "parse_date", "parse_iso", "parse_local", "shown_when"]


@dataclass(frozen=True, slots=True)
class Stamp:
    when: datetime  # aware, UTC
    tz: str | None  # "+02:00", "UTC", "Europe/Berlin", or "local" when the platform gave no zone
    precision: Precision


_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$",
    re.IGNORECASE,
)


def _offset(text: str) -> tuple[timezone, str]:
    t = text.upper()
    if t in ("Z", "UTC", "GMT"):
        return UTC, "UTC"
    sign = -1 if t[0] == "-" else 1
    digits = t[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    delta = timedelta(hours=hours, minutes=minutes) * sign
    label = f"{t[0]}{hours:02d}:{minutes:02d}"
    return timezone(delta), label


def parse_iso(text: str, default_tz: str | None = None) -> Stamp | None:
    """ISO 8601 and its common look-alikes ("2021-03-04 05:06:07 UTC", "…T…Z", "…+0200").

    A string without a zone is read in ``default_tz`` (an IANA name or "UTC"); if that is None too, it is
    taken as UTC and marked ``tz="local"`` so nobody mistakes it for a known zone."""
    m = _ISO.match(text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac, zone = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    except ValueError:
        return None
    if hh is None:
        precision: Precision = "day"
    elif ss is None:
        precision = "minute"
    elif frac is None:
        precision = "second"
    elif len(frac) <= 3:
        precision = "ms"
    else:
        precision = "us"
    if zone:
        tzinfo, label = _offset(zone)
        return Stamp(naive.replace(tzinfo=tzinfo).astimezone(UTC), label, precision)
    return parse_local(naive, default_tz, precision)


def parse_local(naive: datetime, tz_name: str | None, precision: Precision) -> Stamp:
    """A wall-clock time in a named zone (or unknown zone → treated as UTC, tz="local")."""
    if tz_name:
        try:
            zone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is not None:
            return Stamp(naive.replace(tzinfo=zone).astimezone(UTC), tz_name, precision)
    return Stamp(naive.replace(tzinfo=UTC), "local", precision)


_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
_EPOCH_PRECISION: dict[str, Precision] = {"s": "second", "ms": "ms", "us": "us", "ns": "us"}
_PLAUSIBLE_FROM = 31_536_000.0  # 1971-01-01 in seconds: earlier is a unit mistake or a placeholder


def epoch_unit(number: float) -> str:
    """The unit a Unix timestamp is in, by magnitude: seconds reach 10¹¹ only in the year 5138, so
    each unit owns three decimal orders for any date after 1973."""
    size = abs(number)
    if size < 1e11:
        return "s"
    if size < 1e14:
        return "ms"
    if size < 1e17:
        return "us"
    return "ns"


def from_epoch(value: float | int | str, unit: str = "auto") -> Stamp | None:
    """Unix time in s, ms, us or ns. ``unit`` is what the platform documents; when the value read in it
    falls before 1971 or centuries ahead (a seconds value where microseconds were expected), the unit
    its magnitude says is used instead. Returns None for 0/negative sentinels and unparsable input."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number <= 0 or number != number:  # NaN
        return None
    if unit == "auto" or not _plausible(number / _SCALE[unit]):
        unit = epoch_unit(number)
    try:
        when = datetime.fromtimestamp(number / _SCALE[unit], tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return Stamp(when, "UTC", _EPOCH_PRECISION[unit])


def _plausible(seconds: float) -> bool:
    return _PLAUSIBLE_FROM <= seconds <= datetime.now(UTC).timestamp() + 100 * 366 * 86400


def parse_date(text: str, formats: tuple[str, ...] = ("%Y-%m-%d", "%Y/%m/%d")) -> Stamp | None:
    """A calendar date with no time; stored at 00:00 UTC with day precision."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-":  # the common case, ~20x faster than strptime
        try:
            return day_stamp(date.fromisoformat(text))
        except ValueError:
            pass
    for fmt in formats:
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day_stamp(d)
    return None


def day_stamp(d: date) -> Stamp:
    return Stamp(datetime(d.year, d.month, d.day, tzinfo=UTC), None, "day")


def shown_when(occurred_at: str | None, precision: str | None, *, seconds: bool = False) -> str:
    """A stored time as the source knew it: ``2026-02-17`` for a day (not ``2026-02-17 00:00``),
    ``2026-02`` for a month, ``undated`` when the source gave none."""
    if not occurred_at:
        return "undated"
    text = str(occurred_at)
    cut = {"year": 4, "month": 7, "day": 10}.get(precision or "")
    if cut is not None:
        return text[:cut]
    return text[: 19 if seconds else 16].replace("T", " ")
