"""Bounded expansion of recurring calendar series.

``recurring_ical_events``' ``between()`` builds the whole list for its window, and icalendar parses every
``EXDATE`` into objects: one ``FREQ=SECONDLY`` event over a year, or a series with 10⁶ EXDATEs, then
costs gigabytes before any cap applies. Here the series is expanded window by window, each window
sized from the previous one's count, so the occurrence cap and a time budget apply while iterating; and
large EXDATE sets are kept out of icalendar as one compact set of keys, matched per occurrence.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["EXDATE_INLINE_MAX", "ExDates", "Stop", "windows"]

# Up to this many EXDATE values the calendar library applies them itself (exact RFC 5545 matching);
# above it they are matched here by instant, which is what a generated exclusion list means.
EXDATE_INLINE_MAX = 1000


class Stop(Exception):
    """Why an expansion ended early (the cap or the time budget); the message is for the report."""


class ExDates:
    """EXDATE values as a set of keys: UTC epoch seconds for zoned/UTC times, the literal for floating
    times and dates. About 70 bytes per value, instead of icalendar's kilobytes."""

    def __init__(self) -> None:
        self.keys: set[int | str] = set()
        self.lines: list[str] = []  # kept verbatim while few, handed back to icalendar

    def add_line(self, line: str) -> None:
        self.lines.append(line)

    @property
    def count(self) -> int:
        return sum(ln.count(",") + 1 for ln in self.lines) if self.lines else len(self.keys)

    def compact(self, zone_of: Any) -> None:
        """Parse the kept lines into keys (``zone_of(tzid)`` → a tzinfo or None) and drop the text."""
        for line in self.lines:
            head, _, values = line.partition(":")
            params = {k.upper(): v.strip('"') for k, _, v in (p.partition("=") for p in head.split(";")[1:])}
            zone = zone_of(params["TZID"]) if "TZID" in params else None
            for value in values.split(","):
                key = _key(value.strip(), zone)
                if key is not None:
                    self.keys.add(key)
        self.lines = []

    def excludes(self, start: date | datetime) -> bool:
        if not self.keys:
            return False
        if isinstance(start, datetime):
            if start.tzinfo is not None:
                return int(start.timestamp()) in self.keys
            return start.strftime("%Y%m%dT%H%M%S") in self.keys
        return start.strftime("%Y%m%d") in self.keys


def _key(value: str, zone: Any) -> int | str | None:
    if len(value) == 8 and value.isdigit():
        return value  # a date
    if len(value) < 15 or value[8] != "T":
        return None
    try:
        naive = datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    if value.endswith("Z"):
        return int(naive.replace(tzinfo=UTC).timestamp())
    if zone is not None:
        return int(naive.replace(tzinfo=zone).timestamp())
    return value[:15]  # floating: matched by wall-clock time


def zone_named(tzid: str) -> Any:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def windows(query: Any, start: date, stop: date, *, cap: int, budget_s: float) -> Iterator[Any]:
    """Occurrences from ``start`` to ``stop`` in order, at most ``cap`` of them, within ``budget_s``.

    Raises :class:`Stop` when the cap or the budget ends the series before ``stop``."""
    t = datetime(start.year, start.month, start.day)
    end = datetime(stop.year, stop.month, stop.day)
    span = timedelta(hours=1)
    seen: set[str] = set()  # an occurrence overlapping two windows is returned by both
    count = 0
    deadline = time.monotonic() + budget_s
    while t < end:
        upper = min(t + span, end)
        batch = query.between(t, upper)
        fresh = []
        for occ in batch:
            key = str(occ.get("DTSTART").to_ical()) + str(occ.get("RECURRENCE-ID") or "")
            if key not in seen:
                seen.add(key)
                fresh.append(occ)
        fresh.sort(key=lambda o: _sort_key(o.decoded("DTSTART")))
        for occ in fresh:
            if count >= cap:
                raise Stop(f"recurring series stopped after {cap} occurrences")
            count += 1
            yield occ
        if time.monotonic() > deadline:
            raise Stop(f"recurring series stopped after {count} occurrences ({budget_s:.0f} s of expansion)")
        t = upper
        # Size the next window so it holds about what is left of the cap (never less than a minute).
        n = len(batch)
        factor = 4.0 if n == 0 else max(0.25, min(4.0, (cap - count + 1) / (2 * n)))
        span = max(timedelta(minutes=1), span * factor)


def _sort_key(value: date | datetime) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
