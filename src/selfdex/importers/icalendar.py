"""iCalendar files (RFC 5545): Google Takeout ``Takeout/Calendar/<name>.ics`` and Exchange/Outlook exports.

Every VEVENT becomes an ``attended`` record of an ``event``; recurring series are expanded into one record
per occurrence.

Quirks handled:

* Folded lines (continuations start with a space or tab), CRLF or LF, a UTF-8 BOM.
* Times are UTC (``…Z``), zoned (``TZID=``) or floating; floating times are read in the calendar's
  ``X-WR-TIMEZONE`` when it names a zone, else kept as UTC with ``original_tz="local"``.
* Exchange writes Windows zone names (``TZID=W. Europe Standard Time``) with ``16010101`` VTIMEZONE rules;
  they are mapped to IANA zones. Path-style ids (``/mozilla.org/…/Europe/Berlin``) are reduced to the IANA
  name; any other unknown TZID falls back to the file's own VTIMEZONE definition.
* All-day events (``VALUE=DATE``) have day precision and an exclusive DTEND.
* RRULE / RDATE / EXDATE / RECURRENCE-ID overrides are expanded with ``recurring-ical-events``.

The file is streamed one VEVENT at a time: single events are yielded as they are read, only recurring
series (masters and their overrides) are held until the end of the file.

Expansion window: a series is expanded from its own DTSTART up to the *file horizon*, the latest of the
events' DTSTAMPs (Google and Exchange stamp every event with the export time) and the starts of the
file's one-off events, so an open-ended weekly meeting does not run into the future. Independently of
that, a series is never expanded past :data:`MAX_SERIES_YEARS` years, :data:`MAX_OCCURRENCES`
occurrences or :data:`MAX_SERIES_SECONDS` of work, applied while iterating (``_recurrence.windows``);
when a cap cuts a series short, a ``skipped`` problem says so. More than a thousand ``EXDATE`` values
are matched as a compact set instead of through icalendar (memory linear in the file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from ..archive import Entry
from ..model import ImportProblem, Item, Location, Precision, Record
from ._recurrence import EXDATE_INLINE_MAX, ExDates, Stop, windows, zone_named
from ._util import clean, prov
from .base import Importer, ParseResult

MAX_SERIES_YEARS = 10
MAX_OCCURRENCES = 5000
MAX_SERIES_SECONDS = 20.0  # time budget to expand one series (a SECONDLY rule is capped long before)
_SKIPPED_COMPONENTS = ("VTODO", "VJOURNAL", "VFREEBUSY")
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)


@lru_cache(maxsize=256)
def iana_zone(tzid: str) -> str | None:
    """The IANA name for a TZID as calendars write it (IANA, Windows, path-style), or None."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    candidates = [name, WINDOWS_TO_OLSON.get(name, "")]
    if "/" in name:  # "/mozilla.org/20050126_1/Europe/Berlin", "/citadel.org/…/America/New_York"
        segs = [s for s in name.split("/") if s]
        candidates += ["/".join(segs[-3:]), "/".join(segs[-2:])]
    for cand in candidates:
        if not cand:
            continue
        try:
            ZoneInfo(cand)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return cand
    return None


def _rewrite_tzid(line: str) -> str:
    """Replace a Windows/path-style TZID parameter by its IANA name so icalendar resolves it with zoneinfo."""
    head, sep, value = line.partition(":")
    if not sep or ";TZID=" not in head.upper():
        return line

    def repl(m: re.Match[str]) -> str:
        zone = iana_zone(m.group(1))
        return f";TZID={zone}" if zone else m.group(0)

    return _TZID_PARAM.sub(repl, head) + sep + value


@dataclass
class _Block:
    name: str
    index: int
    line: int
    lines: list[str] = field(default_factory=list)
    exdates: ExDates = field(default_factory=ExDates)  # kept apart: a series may list 10⁶ of them

    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


@dataclass
class _Calendar:
    """What the file says about itself, learned while streaming."""

    name: str | None = None
    default_tz: str | None = None  # X-WR-TIMEZONE when it is a zone we know
    custom_zones: dict[str, tzinfo] = field(default_factory=dict)  # TZIDs only the file defines
    custom_blocks: list[str] = field(default_factory=list)
    horizon: datetime | None = None  # latest DTSTAMP / one-off start seen

    def see(self, when: datetime | None) -> None:
        if when is not None and (self.horizon is None or when > self.horizon):
            self.horizon = when


def _iter_blocks(entry: Entry, cal: _Calendar) -> Iterator[_Block | ImportProblem]:
    """Top-level components of the VCALENDAR (VEVENT, VTIMEZONE, …) as unfolded lines, streamed."""
    block: _Block | None = None
    depth = 0  # nesting inside the current block (VALARM inside VEVENT, STANDARD inside VTIMEZONE)
    index = 0
    pending: str | None = None
    pending_line = 0
    saw_calendar = False

    def logical_lines() -> Iterator[tuple[int, str]]:
        nonlocal pending, pending_line
        with entry.open_text() as fh:
            for lineno, raw in enumerate(fh, start=1):
                text = raw.rstrip("\r\n")
                if text[:1] in (" ", "\t") and pending is not None:
                    pending += text[1:]
                    continue
                if pending is not None:
                    yield pending_line, pending
                pending, pending_line = text, lineno
        if pending is not None:
            yield pending_line, pending

    for lineno, line in logical_lines():
        if not line.strip():
            continue
        upper = line.upper()
        if block is None:
            if upper.startswith("BEGIN:VCALENDAR"):
                saw_calendar = True
            elif upper.startswith("BEGIN:"):
                block = _Block(upper[6:].strip(), index, lineno, [line])
                index += 1
            elif upper.startswith("X-WR-CALNAME:"):
                cal.name = clean(line.partition(":")[2])
            elif upper.startswith("X-WR-TIMEZONE:"):
                cal.default_tz = iana_zone(line.partition(":")[2])
            continue
        if depth == 0 and upper.startswith("EXDATE") and upper[6:7] in (":", ";"):
            block.exdates.add_line(line)
            continue
        block.lines.append(line)
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            if depth:
                depth -= 1
            else:
                yield block
                block = None
    if block is not None:
        yield ImportProblem(
            f"file ends inside a {block.name} (truncated?)",
            entry.path,
            index=block.index,
            line=block.line,
            excerpt="\n".join(block.lines[:6])[:200],
        )
    if not saw_calendar:
        yield ImportProblem("no BEGIN:VCALENDAR: not an iCalendar file", entry.path, severity="unsupported")


# RFC 5545 allows these once per event; icalendar hands a repeated one back as a list, which no reading
# of a time or a rule can take.
_AT_MOST_ONCE = ("DTSTART", "DTEND", "RRULE", "RECURRENCE-ID")


def _to_utc(value: date | datetime, zone: tzinfo | None) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone or UTC)
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _decoded(event: icalendar.Event, name: str) -> Any:
    """The property's decoded value, None when it cannot be decoded."""
    try:
        return event.decoded(name)
    except Exception:
        return None


def _end(event: icalendar.Event, when: datetime, zone: tzinfo | None) -> datetime | None:
    """DTEND, or DTSTART + DURATION, in UTC; None when neither is given or readable."""
    try:
        if "DTEND" in event:
            return _to_utc(event.decoded("DTEND"), zone)
        if "DURATION" in event:
            return when + event.decoded("DURATION")
    except Exception:
        return None
    return None


def _event_extra(
    event: icalendar.Event,
    cal: _Calendar,
    zone: tzinfo | None,
    label: str | None,
    end: datetime | None,
    *,
    all_day: bool,
    series: dict[str, Any] | None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if cal.name:
        extra["calendar"] = cal.name
    if all_day:
        extra["all_day"] = True
    if end is not None:
        extra["end"] = end.date().isoformat() if all_day else end.isoformat()
    tzid = getattr(event.get("DTSTART"), "params", {}).get("TZID")
    if tzid and str(tzid) != label:
        extra["tzid"] = str(tzid)
    _property_extra(event, extra)
    if series:
        extra.update(series)
    if "RECURRENCE-ID" in event:
        extra["recurrence_id"] = _recurrence_id(event, zone)
    return extra


# Properties kept in `extra` as written (a mailto: prefix dropped): property → key.
_TEXT_PROPERTIES = (("STATUS", "status"), ("TRANSP", "transparency"), ("ORGANIZER", "organizer"))


def _property_extra(event: icalendar.Event, extra: dict[str, Any]) -> None:
    for prop, key in _TEXT_PROPERTIES:
        if value := clean(str(event.get(prop) or "")):
            extra[key] = value.removeprefix("mailto:").removeprefix("MAILTO:")
    attendees = event.get("ATTENDEE")
    if attendees:
        extra["attendees"] = len(attendees) if isinstance(attendees, list) else 1


def _recurrence_id(event: icalendar.Event, zone: tzinfo | None) -> str:
    """The occurrence an override replaces, in UTC; as written when it cannot be read."""
    try:
        return _to_utc(event.decoded("RECURRENCE-ID"), zone).isoformat()
    except Exception:
        return str(event.get("RECURRENCE-ID").to_ical().decode())


def _location(event: icalendar.Event) -> Location | None:
    location = None
    if place := clean(str(event.get("LOCATION") or "")):
        location = Location(name=place)
    geo = event.get("GEO")
    if geo is not None and hasattr(geo, "latitude"):
        location = location or Location()
        location.lat, location.lon = float(geo.latitude), float(geo.longitude)
    return location


class ICalendarImporter(Importer):
    name = "icalendar"
    platform = "calendar"
    version = "1"
    description = "iCalendar (.ics) calendars: Google Takeout Calendar, Exchange/Outlook, any RFC 5545 export"
    handles = ("Takeout/Calendar/*.ics", "*.ics (Exchange/Outlook, Apple, any RFC 5545)")

    def recognize(self, entry: Entry) -> float:
        head = entry.text_head(512).lstrip().upper()
        if head.startswith("BEGIN:VCALENDAR"):
            return 1.0 if entry.suffix in (".ics", ".ical", ".ifb", ".icalendar") else 0.9
        if entry.suffix in (".ics", ".ical"):
            return 0.3  # named like a calendar but does not look like one: parse() says why
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        cal = _Calendar()
        series: dict[str, list[tuple[_Block, icalendar.Event]]] = {}
        skipped: dict[str, int] = {}
        for block in _iter_blocks(entry, cal):
            if isinstance(block, ImportProblem):
                yield block
                continue
            if block.name == "VTIMEZONE":
                self._timezone(block, cal)
                continue
            if block.name != "VEVENT":
                if block.name in _SKIPPED_COMPONENTS:
                    skipped[block.name] = skipped.get(block.name, 0) + 1
                continue
            if block.exdates.count <= EXDATE_INLINE_MAX:  # few: icalendar applies them, exactly
                block.lines[-1:-1] = block.exdates.lines
                block.exdates = ExDates()
            else:
                block.exdates.compact(
                    lambda tzid: zone_named(iana_zone(tzid) or "") or cal.custom_zones.get(tzid)
                )
            block.lines = [_rewrite_tzid(ln) for ln in block.lines]
            try:
                event = icalendar.Event.from_ical(block.text())
            except Exception as exc:  # icalendar raises ValueError and friends on malformed content
                yield self._bad(entry, block, f"unreadable VEVENT: {exc}")
                continue
            if not isinstance(event, icalendar.Event):
                yield self._bad(entry, block, "unreadable VEVENT")
                continue
            if repeated := [p for p in _AT_MOST_ONCE if isinstance(event.get(p), list)]:
                yield self._bad(entry, block, f"VEVENT repeats {', '.join(repeated)} (allowed at most once)")
                continue
            stamp = _decoded(event, "DTSTAMP")
            if isinstance(stamp, datetime):
                cal.see(_to_utc(stamp, UTC))
            uid = str(event.get("UID") or "")
            if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event:
                series.setdefault(uid or f"#{block.index}", []).append((block, event))
                continue
            yield from self._single(entry, cal, block, event)
        for uid, parsed in series.items():
            yield from self._series(entry, cal, uid, parsed)
        for comp, count in sorted(skipped.items()):
            yield ImportProblem(
                f"{count} {comp} component(s) not imported (only events are)", entry.path, severity="skipped"
            )

    # -- pieces -----------------------------------------------------------------------------------

    def _bad(self, entry: Entry, block: _Block, reason: str) -> ImportProblem:
        return ImportProblem(
            reason, entry.path, index=block.index, line=block.line, excerpt=block.text()[:200]
        )

    def _timezone(self, block: _Block, cal: _Calendar) -> None:
        tzid = next((ln.partition(":")[2].strip() for ln in block.lines if ln.upper().startswith("TZID")), "")
        if not tzid or iana_zone(tzid):
            return  # zoneinfo knows it better than the file's (often truncated) rules
        try:
            comp = icalendar.Timezone.from_ical(block.text())
            if not isinstance(comp, icalendar.Timezone):
                return
            cal.custom_zones[tzid] = comp.to_tz()
        except Exception:  # an unusable definition: times in that zone become floating ("local")
            return
        cal.custom_blocks.append(block.text())

    def _zone_of(self, event: icalendar.Event, cal: _Calendar) -> tuple[tzinfo | None, str | None]:
        """The zone the event's DTSTART was written in and its label for ``original_tz``."""
        prop = event.get("DTSTART")
        value = getattr(prop, "dt", None)
        if not isinstance(value, datetime):
            return None, None  # all-day: a calendar day, no zone
        if value.tzinfo is not None:
            key = getattr(value.tzinfo, "key", None)
            if key:
                return value.tzinfo, str(key)
            if value.utcoffset() == timedelta(0) and not getattr(prop, "params", {}).get("TZID"):
                return UTC, "UTC"
            return value.tzinfo, str(prop.params.get("TZID") or value.tzname() or "local")
        tzid = getattr(prop, "params", {}).get("TZID")
        if tzid and tzid in cal.custom_zones:
            return cal.custom_zones[tzid], str(tzid)
        if cal.default_tz:
            return ZoneInfo(cal.default_tz), cal.default_tz
        return None, "local"

    def _single(self, entry: Entry, cal: _Calendar, block: _Block, event: icalendar.Event) -> ParseResult:
        record = self._record(entry, cal, block, event, None)
        if isinstance(record, Record) and record.when is not None:
            cal.see(record.when)
        yield record

    def _record(
        self,
        entry: Entry,
        cal: _Calendar,
        block: _Block,
        event: icalendar.Event,
        series: dict[str, Any] | None,
    ) -> Record | ImportProblem:
        if str(event.get("STATUS") or "").upper() == "CANCELLED":
            return ImportProblem(
                "cancelled event not imported",
                entry.path,
                index=block.index,
                line=block.line,
                excerpt=str(event.get("SUMMARY") or "")[:200],
                severity="skipped",
            )
        start = _decoded(event, "DTSTART")
        if not isinstance(start, date):  # a broken value decodes to a placeholder, not a date
            raw_start = event.get("DTSTART")
            return self._bad(entry, block, f"event has no readable DTSTART ({str(raw_start or '')[:40]!r})")
        zone, label = self._zone_of(event, cal)
        all_day = not isinstance(start, datetime)
        when = _to_utc(start, zone)
        if zone is None and not all_day:
            label = "local"
        end = _end(event, when, zone)
        precision: Precision = "day" if all_day else "second"
        extra = _event_extra(event, cal, zone, label, end, all_day=all_day, series=series)
        location = _location(event)
        uid = clean(str(event.get("UID") or ""))
        return Record(
            platform=self.platform,
            action="attended",
            item=Item(
                kind="event",
                title=clean(str(event.get("SUMMARY") or "")),
                ids={"ical_uid": uid} if uid else {},
                url=clean(str(event.get("URL") or "")),
            ),
            when=when,
            original_tz=label,
            precision=precision,
            duration_s=(end - when).total_seconds() if end is not None and end >= when else None,
            text=clean(str(event.get("DESCRIPTION") or "")),
            location=location,
            extra=extra,
            raw=block.text(),
            provenance=prov(entry, block.index, block.line),
        )

    def _series(
        self, entry: Entry, cal: _Calendar, uid: str, parsed: list[tuple[_Block, icalendar.Event]]
    ) -> ParseResult:
        masters = [(b, e) for b, e in parsed if "RECURRENCE-ID" not in e]
        if not masters:  # overrides whose series is not in this file: each is a one-off
            for block, event in parsed:
                yield self._record(entry, cal, block, event, None)
            return
        master_block, master = masters[0]
        for block, _ in masters[1:]:
            yield self._bad(entry, block, f"second recurring master for UID {uid!r} ignored")
        overrides = [(b, e) for b, e in parsed if "RECURRENCE-ID" in e]
        first = _decoded(master, "DTSTART")
        if not isinstance(first, date):
            yield self._bad(entry, master_block, "recurring event has no readable DTSTART")
            return
        start_day = first.date() if isinstance(first, datetime) else first
        cap_day = start_day + timedelta(days=round(365.25 * MAX_SERIES_YEARS))
        horizon_day = (cal.horizon.date() if cal.horizon else start_day + timedelta(days=365)) + timedelta(
            days=1
        )
        stop = min(cap_day, horizon_day)
        mini = icalendar.Calendar()
        for tz_text in cal.custom_blocks:
            mini.add_component(icalendar.Timezone.from_ical(tz_text))
        mini.add_component(master)
        for _, event in overrides:
            mini.add_component(event)
        rule = master.get("RRULE")
        series_info: dict[str, Any] = {"series_uid": uid}
        if rule is not None:
            series_info["rrule"] = rule.to_ical().decode()
        by_rid = {str(e.get("RECURRENCE-ID").to_ical()): b for b, e in overrides}
        exdates = master_block.exdates
        try:
            query = recurring_ical_events.of(mini)
            for occ in windows(query, start_day, stop, cap=MAX_OCCURRENCES, budget_s=MAX_SERIES_SECONDS):
                rid = occ.get("RECURRENCE-ID")
                source = by_rid.get(str(rid.to_ical()), master_block) if rid is not None else master_block
                if source is master_block and exdates.excludes(occ.decoded("DTSTART")):
                    continue
                yield self._record(entry, cal, source, occ, series_info)
        except Stop as stop_reason:
            yield ImportProblem(
                str(stop_reason),
                entry.path,
                index=master_block.index,
                line=master_block.line,
                severity="skipped",
            )
            return
        except Exception as exc:  # a rule the library cannot expand: keep the first occurrence
            yield self._bad(entry, master_block, f"recurrence could not be expanded ({exc}); first kept")
            yield self._record(entry, cal, master_block, master, series_info)
            return
        if stop == cap_day and cap_day < horizon_day and self._continues(master, cap_day):
            yield ImportProblem(
                f"recurring series expanded for {MAX_SERIES_YEARS} years only (until {cap_day})",
                entry.path,
                index=master_block.index,
                line=master_block.line,
                severity="skipped",
            )

    @staticmethod
    def _continues(master: icalendar.Event, day: date) -> bool:
        rule = master.get("RRULE")
        if rule is None:
            return False
        until = rule.get("UNTIL")
        if until:
            value = until[0]
            return (value.date() if isinstance(value, datetime) else value) >= day
        return not rule.get("COUNT")
