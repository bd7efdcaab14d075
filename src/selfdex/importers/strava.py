"""Strava bulk export: ``activities.csv`` at the root of ``export_<athlete>.zip``.

Quirks: 94–103 columns, several with the *same* name (``Elapsed Time``, ``Distance``, ``Max Heart Rate``,
``Relative Effort``, ``Commute``); :func:`iter_csv` keeps the second as ``Distance#2``. The first
``Distance`` is km (metres for swims), the second is always metres, so the second wins. Headers are
localized in the account language (German: ``Aktivitäts-ID,Aktivitätsdatum,…``), so columns are found
through the table of known spellings in :mod:`~selfdex.importers.localized`. ``Activity Date`` is UTC written US-style (``Oct 5, 2014, 4:15:21 PM``);
German exports write ``05.10.2014, 16:15:21``; pre-2019 exports used snake_case headers and ISO dates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv
from .localized import STRAVA_COLUMNS, english_month

_COLUMNS = STRAVA_COLUMNS
_ID_NAMES = frozenset(_COLUMNS["id"])
_DATE_NAMES = frozenset(_COLUMNS["date"])
_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # current English export
    "%b %d, %Y %I:%M:%S %p",
    "%d.%m.%Y, %H:%M:%S",  # German
    "%d.%m.%Y %H:%M:%S",
    "%d %b %Y, %H:%M:%S",  # German with month names, after translation ("5. Okt. 2014, 16:15:21")
    "%d/%m/%Y, %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",  # legacy snake_case export
)


def _parse_when(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    candidates = [text]
    if text[:1].isdigit() and "." in text[:4] and text[text.index(".") + 1 : text.index(".") + 2] == " ":
        # "5. Okt. 2014, 16:15:21": translate the localized month abbreviation
        day, _, rest = text.partition(". ")
        month, _, rest = rest.partition(" ")
        eng = english_month(month)
        if eng:
            candidates.append(f"{day} {eng} {rest}")
    for cand in candidates:
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(cand, fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _resolve(keys: list[str]) -> dict[str, list[str]]:
    """canonical field → the row keys carrying it, in column order (duplicates as ``name#2``)."""
    lower = {k.lower(): k for k in keys}
    out: dict[str, list[str]] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if name in lower:
                found = [lower[name]]
                n = 2
                while f"{name}#{n}" in lower:
                    found.append(lower[f"{name}#{n}"])
                    n += 1
                out[field] = found
                break
    return out


class StravaImporter(Importer):
    name = "strava"
    platform = "strava"
    version = "1"
    description = "Strava bulk export activities.csv (runs, rides, hikes…; any account language)"
    handles = ("activities.csv (English, German, French, Spanish headers; 2014–2026 layouts)",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = {h.lower() for h in csv_header(entry)}
        if not header & (_ID_NAMES - {"id"}) or not header & (_DATE_NAMES - {"date"}):
            # legacy snake_case layout: "id,date,name,type,description,elapsed_time,distance,…"
            if {"id", "date", "type", "elapsed_time", "distance"} <= header:
                return 0.8
            # named like Strava's file, headers in a language we do not know yet: parse() says so
            return 0.3 if entry.name.lower() == "activities.csv" and len(header) > 5 else 0.0
        return 0.95 if entry.name.lower() == "activities.csv" else 0.85

    def parse(self, entry: Entry) -> ParseResult:
        cols: dict[str, list[str]] | None = None
        legacy = False
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            if cols is None:
                cols = _resolve(list(r))
                legacy = "elapsed_time" in {k.lower() for k in r}
                if "date" not in cols or "id" not in cols:
                    yield ImportProblem(
                        "Strava activities file without a recognisable id/date column "
                        f"(header starts {list(r)[:4]}): unsupported variant; add its spellings to "
                        "selfdex.importers.localized.STRAVA_COLUMNS",
                        entry.path,
                        severity="unsupported",
                    )
                    return
            yield self._record(entry, index, line, r, cols, legacy)

    def _record(
        self,
        entry: Entry,
        index: int,
        line: int,
        r: dict[str, str],
        cols: dict[str, list[str]],
        legacy: bool,
    ) -> Record | ImportProblem:
        def first(field: str) -> str | None:
            for key in cols.get(field, ()):
                if value := clean(r.get(key)):
                    return value
            return None

        date_text = first("date") or ""
        when = _parse_when(date_text)
        if when is None:
            return ImportProblem(
                f"unreadable activity date {date_text!r}",
                entry.path,
                index=index,
                line=line,
                excerpt=",".join(list(r.values())[:5])[:200],
            )
        distance_m: float | None = None
        dist_keys = cols.get("distance", [])
        if len(dist_keys) > 1:
            distance_m = to_float(r.get(dist_keys[1]))
        if distance_m is None and dist_keys:
            km = to_float(r.get(dist_keys[0]))
            distance_m = None if km is None else (km if legacy else round(km * 1000, 1))
        activity_type = first("type")
        extra: dict[str, Any] = {}
        if activity_type:
            extra["activity_type"] = activity_type
        for field, key in (
            ("moving", "moving_time_s"),
            ("elevation_gain", "elevation_gain_m"),
            ("avg_hr", "avg_heart_rate"),
            ("max_hr", "max_heart_rate"),
            ("calories", "calories"),
        ):
            if (number := to_float(first(field))) is not None:
                extra[key] = number
        for field in ("gear", "filename"):
            if text := first(field):
                extra[field] = text
        if (first("commute") or "").lower() in ("true", "1", "1.0"):
            extra["commute"] = True
        activity_id = first("id")
        return Record(
            platform=self.platform,
            action="exercised",
            item=Item(
                kind="workout",
                title=first("name") or activity_type,
                ids={"strava": activity_id} if activity_id else {},
                categories=(activity_type,) if activity_type else (),
            ),
            when=when,
            original_tz="UTC",
            precision="second",
            duration_s=to_float(first("elapsed")),
            distance_m=distance_m,
            text=first("description"),
            extra=extra,
            raw={k: v for k, v in r.items() if v},  # ~100 mostly empty columns
            provenance=prov(entry, index, line),
        )
