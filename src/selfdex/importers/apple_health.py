"""Apple Health export (``export.zip`` → ``apple_health_export/export.xml``).

The file is often several GB, so it is streamed through expat in 1 MiB chunks with bounded memory. Two
defects of real exports are repaired on the byte stream before the parser sees it: the internal DTD
subset (broken in iOS 16, around line 156) is blanked out — replaced by as many newlines, so line
numbers stay true — and stray control characters (``\\x0b`` in device names) are dropped.

What becomes a record:

* ``Workout`` → "exercised" a "workout" (activity type, duration, distance from the attributes or, on
  iOS 16+, from ``WorkoutStatistics``, energy, average heart rate, start of the route).
* ``ActivitySummary`` → one "health_metric" per day (the rings: move, exercise, stand, with goals).
* ``Record`` samples are **aggregated into one "health_metric" record per type per day**, not imported
  one by one: a watch writes a heart-rate sample every few minutes, millions over a few years. Discrete
  types (heart rate, body mass…) keep count/min/max/mean; cumulative types (steps, distance, energy…)
  keep the day's sum. Because iPhone and Watch record the same steps, the sum is that of the source with
  the largest total (what Health's own de-duplication approximates), with every source's total in
  ``extra["by_source"]``. Category samples (sleep, mindful minutes…) keep count and total duration per
  value. The day is the local calendar day written in the sample's own offset.
* ``Correlation``, ``ClinicalRecord``, ``Audiogram`` and similar are counted in one "skipped" problem;
  ``export_cda.xml`` and ``workout-routes/*.gpx`` are recognised and skipped with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any
from xml.parsers import expat

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from ..archive import Entry
from ..model import ImportProblem, Item, Location, Record
from ._util import prov, to_float
from .base import Importer, ParseResult

_CHUNK = 1 << 20
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 13))
_DOCTYPE_END = re.compile(rb"\]\s*>")
_CUMULATIVE = frozenset(
    "HKQuantityTypeIdentifier" + t
    for t in (
        "StepCount",
        "DistanceWalkingRunning",
        "DistanceCycling",
        "DistanceSwimming",
        "DistanceWheelchair",
        "DistanceDownhillSnowSports",
        "ActiveEnergyBurned",
        "BasalEnergyBurned",
        "FlightsClimbed",
        "AppleExerciseTime",
        "AppleStandTime",
        "AppleMoveTime",
        "SwimmingStrokeCount",
        "PushCount",
        "NikeFuel",
        "DietaryEnergyConsumed",
        "DietaryWater",
        "DietaryCaffeine",
        "NumberOfTimesFallen",
        "UVExposure",
        "TimeInDaylight",
    )
)
_TYPE_PREFIXES = (
    "HKQuantityTypeIdentifier",
    "HKCategoryTypeIdentifier",
    "HKDataType",
    "HKWorkoutActivityType",
    "HKCategoryValue",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_DISTANCE_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_DURATION_S = {"s": 1.0, "sec": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}
_SKIPPED_ELEMENTS = frozenset({"Correlation", "ClinicalRecord", "Audiogram", "VisionPrescription"})


def _short(type_name: str) -> str:
    for prefix in _TYPE_PREFIXES:
        if type_name.startswith(prefix):
            return type_name[len(prefix) :]
    return type_name


def _label(type_name: str) -> str:
    """``HKQuantityTypeIdentifierHeartRate`` → ``Heart rate``."""
    words = _CAMEL.sub(" ", _short(type_name)).split()
    if not words:
        return type_name
    return " ".join([words[0]] + [w if w.isupper() else w.lower() for w in words[1:]])


def _parse_time(text: str | None) -> datetime | None:
    """``2019-05-14 19:05:29 -0400`` (local time with its offset)."""
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def _offset_label(text: str) -> str | None:
    tail = text.strip()[-5:]
    if len(tail) == 5 and tail[0] in "+-" and tail[1:].isdigit():
        return f"{tail[:3]}:{tail[3:]}"
    return None


def _defuse(parser: Any) -> None:
    """defusedxml's policy on our streaming expat parser: entity declarations and external references
    are refused (billion laughs, quadratic blowup, XXE) instead of trusting expat's built-in limits."""

    def entity_decl(name: str, *_args: object) -> None:
        raise EntitiesForbidden(name, None, None, None, None, None)

    def unparsed_entity_decl(name: str, _base: object, sysid: str, pubid: str, notation: str) -> None:
        raise EntitiesForbidden(name, None, None, sysid, pubid, notation)

    def external_ref(context: str, base: str, sysid: str, pubid: str) -> None:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = unparsed_entity_decl
    parser.ExternalEntityRefHandler = external_ref
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


class _CleanStream:
    """The export's bytes with the internal DTD subset blanked and control characters removed."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._first = True

    def read(self, n: int = _CHUNK) -> bytes:
        data = self._raw.read(n)
        if self._first:
            self._first = False
            data = self._strip_doctype(data)
        return data.translate(None, _CONTROL)

    def _strip_doctype(self, data: bytes) -> bytes:
        # The subset is tens of KB at most; read on until the root element shows up.
        while b"<HealthData" not in data and len(data) < 16 * _CHUNK:
            more = self._raw.read(_CHUNK)
            if not more:
                break
            data += more
        start = data.find(b"<!DOCTYPE")
        root = data.find(b"<HealthData")
        if start < 0 or (0 <= root < start):
            return data
        bracket = data.find(b"[", start, root if root >= 0 else len(data))
        if bracket >= 0:
            m = _DOCTYPE_END.search(data, bracket, root if root >= 0 else len(data))
            end = m.end() if m else (root if root >= 0 else len(data))
        else:
            end = data.find(b">", start) + 1 or len(data)
        return data[:start] + b"\n" * data.count(b"\n", start, end) + data[end:]


@dataclass(slots=True)
class _Agg:
    type: str
    day: str
    unit: str | None
    line: int
    offset: str | None
    count: int = 0
    total: float = 0.0
    low: float = float("inf")
    high: float = float("-inf")
    by_source: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Workout:
    attrs: dict[str, str]
    line: int
    index: int
    meta: dict[str, str] = field(default_factory=dict)
    stats: dict[str, dict[str, str]] = field(default_factory=dict)
    start_location: tuple[float, float] | None = None


class AppleHealthImporter(Importer):
    name = "apple_health"
    platform = "apple_health"
    version = "1"
    description = "Apple Health export.xml: workouts, activity rings, daily summaries of samples (streamed)"
    handles = (
        "apple_health_export/export.xml (any size; broken iOS 16 DTD and stray control characters repaired)",
        "export_cda.xml, workout-routes/*.gpx, electrocardiograms/*.csv (skipped)",
    )

    def recognize(self, entry: Entry) -> float:
        parts = [p.lower() for p in entry.parts]
        if entry.suffix == ".gpx" and "workout-routes" in parts:
            return 0.6
        if entry.suffix == ".csv" and "electrocardiograms" in parts:
            return 0.6
        if entry.suffix != ".xml":
            return 0.0
        head = entry.head(4096)
        if b"<!DOCTYPE HealthData" in head or b"<HealthData" in head or b"HealthKit Export" in head:
            return 0.95
        if b"<ClinicalDocument" in head and any("health" in p for p in parts):
            return 0.5
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix in (".gpx", ".csv"):
            what = "workout route points" if entry.suffix == ".gpx" else "ECG voltage samples"
            yield ImportProblem(
                f"{what} are not imported (the workout itself comes from export.xml)",
                entry.path,
                severity="skipped",
            )
            return
        if b"<ClinicalDocument" in entry.head(4096):
            yield ImportProblem(
                "export_cda.xml (HL7 clinical document) repeats export.xml's samples: not imported",
                entry.path,
                severity="skipped",
            )
            return
        yield from _Parser(self, entry).run()


class _Parser:
    """One pass of expat over export.xml; handlers queue outputs that :meth:`run` yields per chunk."""

    def __init__(self, importer: AppleHealthImporter, entry: Entry) -> None:
        self.platform = importer.platform
        self.entry = entry
        self.out: list[Record | ImportProblem] = []
        self.aggs: dict[tuple[str, str, str | None, str | None], _Agg] = {}
        self.depth = 0
        self.index = 0
        self.skipped: dict[str, int] = {}
        self.workout: _Workout | None = None
        self.saw_root = False
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        _defuse(self.parser)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def run(self) -> Iterator[Record | ImportProblem]:
        with self.entry.open() as fh:
            stream = _CleanStream(fh)
            try:
                while chunk := stream.read(_CHUNK):
                    self.parser.Parse(chunk, False)
                    yield from self._drain()
                self.parser.Parse(b"", True)
            except DefusedXmlException as exc:
                yield from self._drain()
                yield ImportProblem(
                    f"refused: the XML declares entities or external references ({type(exc).__name__}), "
                    f"the shape of an entity-expansion or XXE attack; {self.index} elements before it imported",
                    self.entry.path,
                    index=self.index,
                    line=self.parser.CurrentLineNumber,
                    severity="refused",
                )
                return
            except expat.ExpatError as exc:
                yield from self._drain()
                yield ImportProblem(
                    f"XML error ({expat.errors.messages[exc.code]}) after {self.index} elements; "
                    "everything before it is imported",
                    self.entry.path,
                    index=self.index,
                    line=exc.lineno,
                    offset=self.parser.CurrentByteIndex,
                )
        yield from self._drain()
        yield from self._flush_aggregates()
        for name, count in sorted(self.skipped.items()):
            yield ImportProblem(
                f"{count} {name} element(s) not imported (their samples are imported as records)"
                if name == "Correlation"
                else f"{count} {name} element(s) not imported",
                self.entry.path,
                severity="skipped",
            )
        if not self.saw_root:
            yield ImportProblem("no <HealthData> element found", self.entry.path, severity="unsupported")

    def _drain(self) -> Iterator[Record | ImportProblem]:
        if self.out:
            out, self.out = self.out, []
            yield from out

    # -- expat handlers -------------------------------------------------------------------------
    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.saw_root = name == "HealthData"
        if self.depth == 2:
            line = self.parser.CurrentLineNumber
            if name == "Record":
                self._sample(attrs, line)
                self.index += 1
            elif name == "Workout":
                self.workout = _Workout(attrs, line, self.index)
                self.index += 1
            elif name == "ActivitySummary":
                self._summary(attrs, line)
                self.index += 1
            elif name in _SKIPPED_ELEMENTS:
                self.skipped[name] = self.skipped.get(name, 0) + 1
                self.index += 1
        elif self.workout is not None:
            if name == "MetadataEntry" and self.depth == 3:
                self.workout.meta[attrs.get("key", "")] = attrs.get("value", "")
            elif name == "WorkoutStatistics":
                self.workout.stats[attrs.get("type", "")] = attrs
            elif name == "Location" and self.workout.start_location is None:
                lat, lon = to_float(attrs.get("latitude")), to_float(attrs.get("longitude"))
                if lat is not None and lon is not None:
                    self.workout.start_location = (lat, lon)

    def _end(self, name: str) -> None:
        if self.depth == 2 and name == "Workout" and self.workout is not None:
            self.out.append(self._workout_record(self.workout))
            self.workout = None
        self.depth -= 1

    # -- records ---------------------------------------------------------------------------------
    def _sample(self, a: dict[str, str], line: int) -> None:
        type_name = a.get("type", "")
        start = a.get("startDate", "")
        if type_name.startswith("HKCategoryTypeIdentifier"):
            begin, end = _parse_time(start), _parse_time(a.get("endDate"))
            if begin is None or end is None:
                self._bad(a, line)
                return
            # a night's sleep belongs to the morning it ends
            day = a.get("endDate", "")[:10] if "Sleep" in type_name else start[:10]
            key: tuple[str, str, str | None, str | None] = (type_name, day, None, a.get("value"))
            agg = self.aggs.get(key)
            if agg is None:
                agg = self.aggs[key] = _Agg(type_name, day, None, line, _offset_label(start))
            agg.count += 1
            agg.total += (end - begin).total_seconds()
            return
        value = to_float(a.get("value"))
        if value is None or len(start) < 10 or not start[:4].isdigit():
            self._bad(a, line)
            return
        key = (type_name, start[:10], a.get("unit"), None)
        agg = self.aggs.get(key)
        if agg is None:
            agg = self.aggs[key] = _Agg(type_name, start[:10], a.get("unit"), line, _offset_label(start))
        agg.count += 1
        agg.total += value
        if value < agg.low:
            agg.low = value
        if value > agg.high:
            agg.high = value
        if type_name in _CUMULATIVE:
            source = a.get("sourceName", "")
            agg.by_source[source] = agg.by_source.get(source, 0.0) + value

    def _bad(self, a: dict[str, str], line: int) -> None:
        self.out.append(
            ImportProblem(
                f"sample without a readable value/date (type={a.get('type')!r}, "
                f"value={a.get('value')!r}, startDate={a.get('startDate')!r})",
                self.entry.path,
                index=self.index,
                line=line,
            )
        )

    def _flush_aggregates(self) -> Iterator[Record | ImportProblem]:
        for n, ((type_name, day, unit, category), agg) in enumerate(
            sorted(self.aggs.items(), key=lambda kv: kv[0])
        ):
            try:
                d = date.fromisoformat(day)
            except ValueError:
                yield ImportProblem(
                    f"unreadable sample day {day!r} ({type_name})", self.entry.path, line=agg.line
                )
                continue
            extra: dict[str, Any] = {"type": type_name, "count": agg.count, "aggregated": "day"}
            title = _label(type_name)
            quantity: float | None
            duration: float | None = None
            if category is not None or unit is None:
                if category:
                    extra["value"] = category
                    value_name = _short(category).removeprefix(_short(type_name)) or category
                    title = f"{title}: {_label(value_name).lower()}"
                duration = agg.total
                quantity = float(agg.count)
            else:
                extra["unit"] = unit
                extra["min"], extra["max"] = agg.low, agg.high
                if type_name in _CUMULATIVE:
                    extra["by_source"] = dict(sorted(agg.by_source.items()))
                    quantity = extra["sum"] = round(max(agg.by_source.values()), 4)
                else:
                    quantity = extra["mean"] = round(agg.total / agg.count, 4)
            yield Record(
                platform=self.platform,
                action="noted",
                item=Item(kind="health_metric", title=title, categories=(_short(type_name),)),
                when=datetime(d.year, d.month, d.day, tzinfo=UTC),
                original_tz=agg.offset,
                precision="day",
                quantity=quantity,
                duration_s=duration,
                extra=extra,
                provenance=prov(self.entry, n, agg.line),
            )

    def _summary(self, a: dict[str, str], line: int) -> None:
        try:
            d = date.fromisoformat(a.get("dateComponents", ""))
        except ValueError:
            self.out.append(
                ImportProblem(
                    f"activity summary with unreadable day {a.get('dateComponents')!r}",
                    self.entry.path,
                    index=self.index,
                    line=line,
                )
            )
            return
        extra: dict[str, Any] = {}
        for key, value in a.items():
            if key == "dateComponents":
                continue
            number = to_float(value)
            extra[key] = number if number is not None else value
        exercise = to_float(a.get("appleExerciseTime"))
        self.out.append(
            Record(
                platform=self.platform,
                action="noted",
                item=Item(kind="health_metric", title="Activity summary", categories=("ActivitySummary",)),
                when=datetime(d.year, d.month, d.day, tzinfo=UTC),
                precision="day",
                duration_s=exercise * 60 if exercise is not None else None,
                quantity=to_float(a.get("activeEnergyBurned")),
                extra=extra,
                raw=dict(a),
                provenance=prov(self.entry, self.index, line),
            )
        )

    def _workout_record(self, w: _Workout) -> Record | ImportProblem:
        a = w.attrs
        start = _parse_time(a.get("startDate"))
        if start is None:
            return ImportProblem(
                f"workout with unreadable startDate {a.get('startDate')!r}",
                self.entry.path,
                index=w.index,
                line=w.line,
            )
        activity = _label(a.get("workoutActivityType", "Workout"))
        duration = to_float(a.get("duration"))
        if duration is not None:
            duration = round(duration * _DURATION_S.get(a.get("durationUnit", "min"), 60.0), 1)
        distance = to_float(a.get("totalDistance"))
        distance_unit = a.get("totalDistanceUnit")
        if not distance:
            stat = next((s for t, s in w.stats.items() if "Distance" in t), None)
            if stat is not None:
                distance, distance_unit = to_float(stat.get("sum")), stat.get("unit")
        distance_m = None
        if distance and distance_unit in _DISTANCE_M:
            distance_m = round(distance * _DISTANCE_M[distance_unit], 1)
        extra: dict[str, Any] = {"activity_type": a.get("workoutActivityType")}
        energy = to_float(a.get("totalEnergyBurned"))
        if energy is None and (stat := w.stats.get("HKQuantityTypeIdentifierActiveEnergyBurned")):
            energy = to_float(stat.get("sum"))
        if energy is not None:
            extra["energy_kcal"] = energy
        if hr := w.stats.get("HKQuantityTypeIdentifierHeartRate"):
            for key in ("average", "minimum", "maximum"):
                if (value := to_float(hr.get(key))) is not None:
                    extra[f"heart_rate_{key}"] = value
        for key in ("sourceName", "device"):
            if a.get(key):
                extra["source" if key == "sourceName" else "device"] = a[key]
        if w.meta.get("HKIndoorWorkout") == "1":
            extra["indoor"] = True
        for key in ("HKWeatherTemperature", "HKWeatherHumidity", "HKElevationAscended"):
            if key in w.meta:
                extra[_label(key.removeprefix("HK")).lower().replace(" ", "_")] = w.meta[key]
        location = None
        if w.start_location is not None:
            location = Location(lat=w.start_location[0], lon=w.start_location[1])
        return Record(
            platform=self.platform,
            action="exercised",
            item=Item(kind="workout", title=activity, categories=(activity,)),
            when=start,
            original_tz=w.meta.get("HKTimeZone") or _offset_label(a.get("startDate", "")),
            precision="second",
            duration_s=duration,
            distance_m=distance_m,
            location=location,
            extra=extra,
            raw={**a, "metadata": w.meta} if w.meta else dict(a),
            provenance=prov(self.entry, w.index, w.line),
        )
