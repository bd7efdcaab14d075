"""Google Location History: the legacy Takeout files and the 2024+ on-device Timeline exports.

Formats (all recognised by their structure, so localized folder names such as ``Standortverlauf/``
do not matter):

* Raw points, ``Location History.json`` (≤2021, ``timestampMs`` = epoch ms as a string) and
  ``Records.json`` (2022–2024, ``timestamp`` = ISO-8601 UTC, ms optional): ``{"locations": [...]}``.
* Semantic Location History, ``Semantic Location History/<YYYY>/<YYYY>_<MONTH>.json``:
  ``{"timelineObjects": [{"placeVisit": …} | {"activitySegment": …}]}``, in two field generations
  (``startTimestampMs``/``distance``/``activityType`` before 2022; ``startTimestamp``, ``activities``
  and ``waypointPath.distanceMeters`` after), sometimes with a UTF-8 BOM.
* On-device Timeline, Android ``Timeline.json``: ``{"semanticSegments": [...], "rawSignals": [...],
  "userLocationProfile": {...}}`` with ``"lat°, lng°"`` strings and times in the local offset.
* On-device Timeline, iOS ``location-history.json``: a top-level array of segments with
  ``"geo:lat,lng"`` strings and every number written as a string. Arrays of Android-shaped segments
  (a third variant) go through the same code.

Mapping:

* a place visit → ``visited`` a ``place`` (name, address, Google place id, duration); child visits
  (a shop inside a mall) are visits too, with ``extra["parent_place"]``;
* an activity segment → ``travelled`` a ``trip`` titled with the activity ("walking", "cycling"),
  with distance, duration, start location and ``extra["end"]``;
* a raw GPS point (``locations[]``, ``rawSignals[].position``, the points of a ``timelinePath``) →
  ``visited`` a ``place`` with no title and ``extra["raw_point"] = True``: the person *was there* at
  that instant, which is what a visit says, and the flag lets queries tell fixes from real visits.
  A path point has no precision beyond the minute offset iOS gives, and two identical points collide.

E7 coordinates are degrees × 10⁷ in a signed 32-bit int, but some exports wrote negative values as
unsigned: a value above 1 800 000 000 is wrapped back by subtracting 2³² (and one below
−1 800 000 000 by adding it). A coordinate still out of range afterwards is a problem, not a record.

Skipped on purpose: ``timelineMemory`` (Google's trip summary, not an event), and the Wi-Fi scans and
activity guesses in ``rawSignals`` (not places). The latter can be millions per file, so each kind is
reported once, with the count and the index of the first, instead of once per signal.

Files reach several GB: everything streams through :func:`iter_json_items`. The Android file is read
twice (``semanticSegments``, then ``rawSignals``); a raw signal's index continues after the last
segment's, so an index is the element's position among all the file's records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Location, Precision, Provenance, Record
from ._util import prov
from .base import Importer, ParseResult, iter_json_items

PLATFORM = "google_maps"
_WRAP = 2**32
_E7_MAX = 1_800_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_KEY = re.compile(r'\s*([\[{])\s*(?:"([^"]*)")?')
_MONTH_FILE = re.compile(r"^\d{4}_[A-Z]+\.json$")
_LEGACY_NAMES = frozenset({"records.json", "location history.json"})
_FORMAT_BY_KEY = {
    "locations": "points",
    "timelineObjects": "semantic",
    "semanticSegments": "android",
    "rawSignals": "android",
    "userLocationProfile": "android",
}
_SEGMENT_KEYS = ('"visit"', '"activity"', '"timelinePath"', '"timelineMemory"')
_UNKNOWN_TYPES = frozenset({"unknown", "type unknown", "type searched address", "searched address"})
_TRAVEL_MODES = {"WALK": "walking", "BICYCLE": "cycling", "DRIVE": "driving", "TRANSIT": "in transit"}
_BAD_RECORD = (KeyError, TypeError, ValueError, AttributeError, OverflowError, IndexError)


def _sniff(head: str) -> str | None:
    """Which of the formats the head of a file looks like: points, semantic, android, ios or None."""
    m = _FIRST_KEY.match(head)
    if not m:
        return None
    if m.group(1) == "[":
        body = head[m.end(1) : m.end(1) + 4096]
        if '"startTime"' in body and any(k in body for k in _SEGMENT_KEYS):
            return "ios"
        return None
    found = _FORMAT_BY_KEY.get(m.group(2) or "")
    if found:
        return found
    # a first key we do not know (a future field): fall back to the array keys that define each format
    for key, fmt in _FORMAT_BY_KEY.items():
        if f'"{key}"' in head:
            return fmt
    return None


def _e7(value: Any, limit: float) -> float:
    """Degrees from an E7 integer, undoing the unsigned-int wrap-around some exports have."""
    v = int(value)
    if v > _E7_MAX:
        v -= _WRAP
    elif v < -_E7_MAX:
        v += _WRAP
    deg = v / 1e7
    if deg > limit or deg < -limit:
        raise ValueError(f"coordinate {value} is out of range")
    return deg


def _checked(lat: float, lon: float) -> tuple[float, float]:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates {lat}, {lon} are out of range")
    return lat, lon


def _latlng(value: Any) -> tuple[float, float] | None:
    """Coordinates from any of the spellings: ``"geo:lat,lng"``, ``"lat°, lng°"``, ``{"latLng": …}``
    (``LatLng`` in raw signals), ``{"latitudeE7", "longitudeE7"}`` or ``{"latE7", "lngE7"}``."""
    if value is None:
        return None
    if isinstance(value, dict):
        text = value.get("latLng") or value.get("LatLng")
        if text is None:
            lat = value.get("latitudeE7", value.get("latE7"))
            lon = value.get("longitudeE7", value.get("lngE7"))
            if lat is None or lon is None:
                return None
            return _e7(lat, 90.0), _e7(lon, 180.0)
        value = text
    if not isinstance(value, str):
        raise ValueError(f"unreadable coordinates {value!r}")
    lat_s, lon_s = value.removeprefix("geo:").replace("°", "").split(",")
    return _checked(float(lat_s), float(lon_s))


def _tz_label(text: str, when: datetime) -> str:
    """The zone as written: "UTC" for ``Z``, else the offset ("+10:00")."""
    if text.endswith(("Z", "z")):
        return "UTC"
    offset = when.utcoffset()
    if offset is None:
        return "local"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(text: str) -> tuple[datetime, str, Precision]:
    """(UTC instant, zone as written, precision) of an ISO timestamp with ``Z`` or an offset."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:  # never seen, but a naive time must not be mistaken for UTC silently
        return when.replace(tzinfo=UTC), "local", "ms" if "." in text else "second"
    return when.astimezone(UTC), _tz_label(text, when), "ms" if "." in text else "second"


def _epoch_ms(value: Any) -> datetime:
    return _EPOCH + timedelta(milliseconds=int(value))


def _span(duration: dict[str, Any]) -> tuple[datetime, datetime | None, str, Precision]:
    """Start, end, zone and precision of a Semantic Location History ``duration`` (either generation)."""
    start = duration.get("startTimestamp")
    if start is not None:
        when, tz, precision = _iso(start)
        end_text = duration.get("endTimestamp")
        return when, _iso(end_text)[0] if end_text else None, tz, precision
    end_ms = duration.get("endTimestampMs")
    return (
        _epoch_ms(duration["startTimestampMs"]),
        _epoch_ms(end_ms) if end_ms is not None else None,
        "UTC",
        "ms",
    )


def _label(kind: str | None) -> str | None:
    """ "IN_PASSENGER_VEHICLE", "in passenger vehicle" → "in passenger vehicle"; "TYPE_HOME" → "home"."""
    if not kind:
        return None
    text = kind.strip().lower().replace("_", " ")
    text = text.removeprefix("type ")
    return None if not text or text in _UNKNOWN_TYPES else text


def _num(value: Any) -> float | None:
    """A number that iOS may have written as a string."""
    if value is None or value == "":
        return None
    return float(value)


def _iso_z(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _excerpt(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)[:200]


class GoogleLocationImporter(Importer):
    name = "google_location"
    platform = PLATFORM
    version = "1"
    description = (
        "Google Location History (Takeout Records.json, Semantic Location History, on-device Timeline)"
    )
    handles = (
        "Location History/Location History.json (timestampMs)",
        "Location History (Timeline)/Records.json (timestamp)",
        "Semantic Location History/<YYYY>/<YYYY>_<MONTH>.json",
        "Timeline.json (Android on-device export)",
        "location-history.json (iOS on-device export)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.text_head()
        fmt = _sniff(head)
        if fmt == "points" and "E7" not in head:
            fmt = None  # "locations" alone is too common a key to claim a file on
        if fmt is not None:
            return 0.95 if fmt != "ios" else 0.9
        # a damaged file under a name only Location History uses: claim it weakly to report why
        if entry.name.lower() in _LEGACY_NAMES or _MONTH_FILE.match(entry.name):
            return 0.3
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        head = entry.text_head()
        fmt = _sniff(head)
        if fmt == "points":
            yield from self._points(entry)
        elif fmt == "semantic":
            yield from self._semantic(entry)
        elif fmt == "android":
            yield from self._android(entry)
        elif fmt == "ios":
            yield from self._segments(entry, iter_json_items(entry, "item"))
        elif head.lstrip()[:1] in ("{", "["):
            yield ImportProblem(
                reason="JSON that is not a known Location History or Timeline layout",
                member=entry.path,
                severity="unsupported",
                excerpt=head[:200],
            )
        else:
            yield ImportProblem(
                reason="not a JSON Location History file (unreadable start)",
                member=entry.path,
                excerpt=head[:200],
            )

    # -- raw points: Location History.json / Records.json --------------------------------------------
    def _points(self, entry: Entry) -> ParseResult:
        # The hot loop of multi-GB files: one small dict lookup per field, no regex, no helpers per field.
        platform, archive, member = self.platform, entry.archive, entry.path
        for item in iter_json_items(entry, "locations.item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, loc = item
            try:
                ts = loc.get("timestamp")
                if ts is not None:
                    when = datetime.fromisoformat(ts)
                    precision: Precision = "ms" if "." in ts else "second"
                else:
                    when = _EPOCH + timedelta(milliseconds=int(loc["timestampMs"]))
                    precision = "ms"
                lat, lon = loc["latitudeE7"], loc["longitudeE7"]
                if not (-900_000_000 <= lat <= 900_000_000 and -_E7_MAX <= lon <= _E7_MAX):
                    lat, lon = _e7(lat, 90.0) * 1e7, _e7(lon, 180.0) * 1e7
                extra: dict[str, Any] = {"raw_point": True}
                if (source := loc.get("source")) is not None:
                    extra["source"] = source
                if activity := loc.get("activity"):
                    guesses = activity[0].get("activity")
                    if guesses:
                        extra["activity"] = guesses[0].get("type")
                yield Record(
                    platform=platform,
                    action="visited",
                    item=Item(kind="place"),
                    when=when,
                    original_tz="UTC",
                    precision=precision,
                    location=Location(lat=lat / 1e7, lon=lon / 1e7, accuracy_m=loc.get("accuracy")),
                    extra=extra,
                    raw=loc,
                    provenance=Provenance(archive, member, index),
                )
            except _BAD_RECORD as exc:
                yield ImportProblem(
                    reason=f"unreadable location point: {type(exc).__name__}: {exc}",
                    member=entry.path,
                    index=index,
                    excerpt=_excerpt(loc),
                )

    # -- Semantic Location History ----------------------------------------------------------------------
    def _semantic(self, entry: Entry) -> ParseResult:
        for item in iter_json_items(entry, "timelineObjects.item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            try:
                if "placeVisit" in obj:
                    yield from self._place_visit(entry, index, obj["placeVisit"], None)
                elif "activitySegment" in obj:
                    yield self._activity_segment(entry, index, obj["activitySegment"])
                else:
                    yield ImportProblem(
                        reason="timeline object is neither a placeVisit nor an activitySegment",
                        member=entry.path,
                        index=index,
                        excerpt=_excerpt(obj),
                    )
            except _BAD_RECORD as exc:
                yield ImportProblem(
                    reason=f"unreadable timeline object: {type(exc).__name__}: {exc}",
                    member=entry.path,
                    index=index,
                    excerpt=_excerpt(obj),
                )

    def _place_visit(
        self, entry: Entry, index: int, visit: dict[str, Any], parent: str | None
    ) -> Iterator[Record]:
        place = visit.get("location") or {}
        coords = _latlng(place)
        if coords is None and "centerLatE7" in visit:
            coords = _e7(visit["centerLatE7"], 90.0), _e7(visit["centerLngE7"], 180.0)
        start, end, tz, precision = _span(visit["duration"])
        name, address, place_id = place.get("name"), place.get("address"), place.get("placeId")
        semantic = _label(place.get("semanticType"))
        extra: dict[str, Any] = {}
        if end is not None:
            extra["end"] = _iso_z(end)
        for key, out in (
            ("placeConfidence", "place_confidence"),
            ("visitConfidence", "visit_confidence"),
            ("placeVisitType", "visit_type"),
            ("editConfirmationStatus", "edit_status"),
        ):
            if (value := visit.get(key)) is not None:
                extra[out] = value
        if parent is not None:
            extra["parent_place"] = parent
        records = [
            Record(
                platform=self.platform,
                action="visited",
                item=Item(
                    kind="place",
                    title=name or address,
                    ids={"google_place": place_id} if place_id else {},
                    categories=(semantic,) if semantic else (),
                ),
                when=start,
                original_tz=tz,
                precision=precision,
                duration_s=(end - start).total_seconds() if end is not None else None,
                location=Location(
                    lat=coords[0] if coords else None,
                    lon=coords[1] if coords else None,
                    name=name,
                    address=address,
                ),
                extra=extra,
                raw=visit,
                provenance=prov(entry, index),
            )
        ]
        for child in visit.get("childVisits") or ():
            records.extend(self._place_visit(entry, index, child, place_id or name or address or ""))
        yield from records

    def _activity_segment(self, entry: Entry, index: int, seg: dict[str, Any]) -> Record:
        start, end, tz, precision = _span(seg["duration"])
        begin = _latlng(seg.get("startLocation"))
        finish = _latlng(seg.get("endLocation"))
        waypoints = seg.get("waypointPath") or {}
        activity = _label(seg.get("activityType"))
        if activity is None and seg.get("activities"):
            activity = _label(seg["activities"][0].get("activityType"))
        if activity is None and waypoints.get("travelMode"):
            activity = _TRAVEL_MODES.get(waypoints["travelMode"]) or _label(waypoints["travelMode"])
        distance = seg.get("distance")
        if distance is None:
            distance = waypoints.get("distanceMeters")
        extra: dict[str, Any] = {}
        if end is not None:
            extra["end"] = _iso_z(end)
        if finish is not None:
            extra["end_location"] = [finish[0], finish[1]]
        if seg.get("confidence") is not None:
            extra["confidence"] = seg["confidence"]
        return Record(
            platform=self.platform,
            action="travelled",
            item=Item(kind="trip", title=activity, categories=(activity,) if activity else ()),
            when=start,
            original_tz=tz,
            precision=precision,
            duration_s=(end - start).total_seconds() if end is not None else None,
            distance_m=_num(distance),
            location=Location(lat=begin[0], lon=begin[1]) if begin else None,
            extra=extra,
            raw=seg,
            provenance=prov(entry, index),
        )

    # -- on-device Timeline (Android object, iOS array) -------------------------------------------------
    def _android(self, entry: Entry) -> ParseResult:
        state = {"count": 0, "broken": False}

        def counted() -> Iterator[tuple[int, Any] | ImportProblem]:
            for item in iter_json_items(entry, "semanticSegments.item"):
                if isinstance(item, ImportProblem):
                    state["broken"] = True  # whatever follows the break (rawSignals) is unreachable
                else:
                    state["count"] = item[0] + 1
                yield item

        yield from self._segments(entry, counted())
        if not state["broken"]:
            yield from self._raw_signals(entry, int(state["count"]))

    def _segments(self, entry: Entry, items: Iterator[tuple[int, Any] | ImportProblem]) -> ParseResult:
        for item in items:
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, seg = item
            try:
                yield from self._segment(entry, index, seg)
            except _BAD_RECORD as exc:
                yield ImportProblem(
                    reason=f"unreadable timeline segment: {type(exc).__name__}: {exc}",
                    member=entry.path,
                    index=index,
                    excerpt=_excerpt(seg),
                )

    def _segment(self, entry: Entry, index: int, seg: dict[str, Any]) -> ParseResult:
        start_text = seg["startTime"]
        start, tz, precision = _iso(start_text)
        end_text = seg.get("endTime")
        end = _iso(end_text)[0] if end_text else None
        duration = (end - start).total_seconds() if end is not None else None
        extra: dict[str, Any] = {"end": _iso_z(end)} if end is not None else {}
        if (visit := seg.get("visit")) is not None:
            top = visit.get("topCandidate") or {}
            coords = _latlng(top.get("placeLocation"))
            place_id = top.get("placeId") or top.get("placeID")
            semantic = _label(top.get("semanticType"))
            if (p := _num(visit.get("probability"))) is not None:
                extra["probability"] = p
            if (level := visit.get("hierarchyLevel")) not in (None, 0, "0"):
                extra["hierarchy_level"] = int(level)
            yield Record(
                platform=self.platform,
                action="visited",
                item=Item(
                    kind="place",
                    ids={"google_place": place_id} if place_id else {},
                    categories=(semantic,) if semantic else (),
                ),
                when=start,
                original_tz=tz,
                precision=precision,
                duration_s=duration,
                location=Location(lat=coords[0], lon=coords[1]) if coords else None,
                extra=extra,
                raw=seg,
                provenance=prov(entry, index),
            )
        elif (activity := seg.get("activity")) is not None:
            top = activity.get("topCandidate") or {}
            kind = _label(top.get("type"))
            begin = _latlng(activity.get("start"))
            if (finish := _latlng(activity.get("end"))) is not None:
                extra["end_location"] = [finish[0], finish[1]]
            yield Record(
                platform=self.platform,
                action="travelled",
                item=Item(kind="trip", title=kind, categories=(kind,) if kind else ()),
                when=start,
                original_tz=tz,
                precision=precision,
                duration_s=duration,
                distance_m=_num(activity.get("distanceMeters")),
                location=Location(lat=begin[0], lon=begin[1]) if begin else None,
                extra=extra,
                raw=seg,
                provenance=prov(entry, index),
            )
        elif (path := seg.get("timelinePath")) is not None:
            for point in path:
                coords = _latlng(point["point"])
                if coords is None:
                    raise ValueError("timelinePath point without coordinates")
                if "time" in point:
                    when, point_tz, point_precision = _iso(point["time"])
                else:  # iOS: minutes after the segment's start
                    offset = timedelta(minutes=float(point["durationMinutesOffsetFromStartTime"]))
                    when, point_tz, point_precision = start + offset, tz, "minute"
                yield Record(
                    platform=self.platform,
                    action="visited",
                    item=Item(kind="place"),
                    when=when,
                    original_tz=point_tz,
                    precision=point_precision,
                    location=Location(lat=coords[0], lon=coords[1]),
                    extra={"raw_point": True, "source": "timelinePath"},
                    raw=point,
                    provenance=prov(entry, index),
                )
        elif "timelineMemory" in seg:
            yield ImportProblem(
                reason="timelineMemory is Google's summary of a trip, not an event",
                member=entry.path,
                index=index,
                severity="skipped",
            )
        else:
            yield ImportProblem(
                reason="timeline segment has no visit, activity or timelinePath",
                member=entry.path,
                index=index,
                excerpt=_excerpt(seg),
            )

    def _raw_signals(self, entry: Entry, base: int) -> ParseResult:
        skipped: dict[str, list[int]] = {}  # signal kind → [count, first index]
        for item in iter_json_items(entry, "rawSignals.item"):
            if isinstance(item, ImportProblem):
                item.index = None if item.index is None else item.index + base
                yield item
                continue
            index, signal = item
            index += base
            position = signal.get("position") if isinstance(signal, dict) else None
            if position is None:
                kind = next(iter(signal), "empty") if isinstance(signal, dict) and signal else "empty"
                seen = skipped.setdefault(kind, [0, index])
                seen[0] += 1
                continue
            try:
                coords = _latlng(position)
                if coords is None:
                    raise ValueError("position without coordinates")
                when, tz, precision = _iso(position["timestamp"])
                extra: dict[str, Any] = {"raw_point": True}
                if (source := position.get("source")) is not None:
                    extra["source"] = source
                if (speed := position.get("speedMetersPerSecond")) is not None:
                    extra["speed_mps"] = speed
                yield Record(
                    platform=self.platform,
                    action="visited",
                    item=Item(kind="place"),
                    when=when,
                    original_tz=tz,
                    precision=precision,
                    location=Location(
                        lat=coords[0], lon=coords[1], accuracy_m=_num(position.get("accuracyMeters"))
                    ),
                    extra=extra,
                    raw=signal,
                    provenance=prov(entry, index),
                )
            except _BAD_RECORD as exc:
                yield ImportProblem(
                    reason=f"unreadable raw signal: {type(exc).__name__}: {exc}",
                    member=entry.path,
                    index=index,
                    excerpt=_excerpt(signal),
                )
        for kind, (count, first) in skipped.items():
            yield ImportProblem(
                reason=f"{count} rawSignals of kind {kind!r} skipped (Wi-Fi scans and activity guesses "
                "are not places); the first is this one",
                member=entry.path,
                index=first,
                severity="skipped",
            )
