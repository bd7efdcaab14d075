"""Google Fit in Takeout: ``Fit/Daily activity metrics/`` and ``Fit/All Sessions/``.

- ``Daily activity metrics.csv``: one row per day (``Date,Move Minutes count,Calories (kcal),Distance (m),
  Heart Points,…,Step count,…``) → one "health_metric" record per day.
- ``Daily activity metrics/2024-03-05.csv``: the same day in 15-minute rows (``Start time`` like
  ``07:15:00.000+01:00``, the phone's offset) → summed into one record per day with the same identity as the
  summary's row, so importing both yields each day once. Empty cells are "no data", not zero.
- ``All Sessions/<start>_<ACTIVITY>.json``: one workout (``fitnessActivity``, ``startTime``, ``duration`` like
  ``"1800.000s"``, ``aggregate`` metrics by ``metricName``) → "exercised" a "workout".

Only the English column names are read; a Fit CSV with another header is reported as unsupported.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import prov, stamp_fields, to_float
from .base import Importer, ParseResult, csv_header, iter_csv, load_small_json

_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.csv$")
_METRICS = {
    "Move Minutes count": "move_minutes",
    "Calories (kcal)": "calories_kcal",
    "Distance (m)": "distance_m",
    "Heart Points": "heart_points",
    "Heart Minutes": "heart_minutes",
    "Step count": "steps",
    "Walking duration (ms)": "walking_ms",
    "Running duration (ms)": "running_ms",
    "Cycling duration (ms)": "cycling_ms",
}
_AGGREGATES = {
    "com.google.distance.delta": "distance_m",
    "com.google.step_count.delta": "steps",
    "com.google.calories.expended": "calories_kcal",
    "com.google.active_minutes": "move_minutes",
    "com.google.heart_minutes.summary": "heart_minutes",
    "com.google.speed.summary": "speed_mps",
    "com.google.heart_rate.summary": "heart_rate_bpm",
}


def _in_fit(entry: Entry) -> bool:
    return "Fit" in entry.parts or "Google Fit" in entry.parts


class GoogleFitImporter(Importer):
    name = "google_fit"
    platform = "google_fit"
    version = "1"
    description = "Google Fit in Takeout: daily activity metrics (steps, distance, move minutes), sessions"
    handles = ("Fit/Daily activity metrics/*.csv", "Fit/All Sessions/*.json")

    def recognize(self, entry: Entry) -> float:
        if not _in_fit(entry):
            return 0.0
        folder = entry.parts[-2] if len(entry.parts) >= 2 else ""
        if entry.suffix == ".csv" and (
            folder == "Daily activity metrics" or entry.name.startswith("Daily activity")
        ):
            return 0.95
        if entry.suffix == ".json" and folder == "All Sessions" and b'"fitnessActivity"' in entry.head(2048):
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix == ".json":
            yield from self._session(entry)
            return
        header = csv_header(entry)
        if "Date" not in header and "Start time" not in header:
            yield ImportProblem(
                f"Google Fit CSV with columns we cannot read (another language?): {header[:3]}",
                entry.path,
                severity="unsupported",
            )
            return
        if "Date" in header:
            for row in iter_csv(entry):
                if isinstance(row, ImportProblem):
                    yield row
                    continue
                index, line, r = row
                try:
                    day = date.fromisoformat(r["Date"].strip())
                except ValueError:
                    yield ImportProblem(f"unreadable Date {r['Date']!r}", entry.path, index=index, line=line)
                    continue
                metrics = {key: v for col, key in _METRICS.items() if (v := to_float(r.get(col))) is not None}
                yield self._day(entry, day, metrics, None, index, line, r)
            return
        m = _DAY_FILE.match(entry.name)
        if not m:
            yield ImportProblem(
                "a 15-minute Fit file whose name is not its date", entry.path, severity="unsupported"
            )
            return
        day = date.fromisoformat(m.group(1))
        sums: dict[str, float] = {}
        offset = None
        rows = 0
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            _, _, r = row
            rows += 1
            offset = offset or (r.get("Start time") or "")[12:] or None
            for col, key in _METRICS.items():
                value = to_float(r.get(col))
                if value is not None:
                    sums[key] = sums.get(key, 0.0) + value
        if rows:
            yield self._day(entry, day, sums, offset, 0, 2, {"intervals": rows})

    def _day(
        self,
        entry: Entry,
        day: date,
        metrics: dict[str, float],
        offset: str | None,
        index: int,
        line: int,
        raw: Any,
    ) -> Record:
        return Record(
            platform=self.platform,
            action="noted",
            item=Item(kind="health_metric", title="Daily activity", categories=("daily activity metrics",)),
            when=datetime(day.year, day.month, day.day, tzinfo=UTC),
            original_tz=offset,
            precision="day",
            quantity=metrics.get("steps"),
            distance_m=metrics.get("distance_m"),
            duration_s=metrics["move_minutes"] * 60 if "move_minutes" in metrics else None,
            extra={"metrics": {k: round(v, 3) for k, v in metrics.items()}},
            raw=raw,
            provenance=prov(entry, index, line),
            # the summary row and the day's own 15-minute file describe the same day
            dedup_key=f"fit-day:{day.isoformat()}",
        )

    def _session(self, entry: Entry) -> ParseResult:
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        if not isinstance(data, dict) or not data.get("startTime"):
            yield ImportProblem("session has no startTime", entry.path)
            return
        stamp = parse_iso(str(data["startTime"]))
        if stamp is None:
            yield ImportProblem(f"unreadable startTime {data['startTime']!r}", entry.path)
            return
        metrics: dict[str, float] = {}
        for agg in data.get("aggregate") or []:
            key = _AGGREGATES.get(str((agg or {}).get("metricName")))
            value = agg.get("floatValue", agg.get("intValue")) if key else None
            if key and isinstance(value, int | float):
                metrics[key] = float(value)
        activity = str(data.get("fitnessActivity") or "workout").replace("_", " ")
        duration = to_float(str(data.get("duration") or "").rstrip("s"))
        yield Record(
            platform=self.platform,
            action="exercised",
            item=Item(kind="workout", title=activity.capitalize(), categories=(activity,)),
            **stamp_fields(stamp),
            duration_s=duration,
            distance_m=metrics.get("distance_m"),
            quantity=metrics.get("steps"),
            extra={"metrics": metrics},
            raw=data,
            provenance=prov(entry),
        )
