"""Uber rider trips: ``Uber Data/Rider/trips_data.csv``.

Quirks: times are ``2023-02-21 03:14:26 +0000 UTC``; trips that never started (cancelled, unfulfilled)
carry the sentinel ``1970-01-01 00:00:00 +0000 UTC`` as begin/dropoff time, which is never taken for a
time: such a trip is dated by its request and says why it has no trip times in ``extra``. Some exports
give a numeric city id instead of the name and have no coordinate or address columns. Distance is in
miles (stored in metres); the fare becomes a negative amount in the fare currency.

A request that never became a trip (``CANCELED``, ``DRIVER_CANCELED``, ``UNFULFILLED``…) is kept, because
it happened and may have cost a cancellation fee, but as the action ``requested``: it is not travel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Location, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv

_MILE_M = 1609.344
_NOT_TRAVELLED = {"CANCELED", "CANCELLED", "DRIVER_CANCELED", "RIDER_CANCELED", "UNFULFILLED", "FAILED"}


def _time(text: str | None) -> datetime | None:
    """``2023-02-21 03:14:26 +0000 UTC`` → aware datetime; the 1970 sentinel and junk → None."""
    if not text:
        return None
    body = text.strip().removesuffix(" UTC")
    try:
        when = datetime.strptime(body, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        try:
            when = datetime.fromisoformat(body)
        except ValueError:
            return None
    if when.tzinfo is None or when.year <= 1970:
        return None
    return when


def _location(r: dict[str, str], prefix: str) -> Location | None:
    lat, lon = to_float(r.get(f"{prefix} Lat")), to_float(r.get(f"{prefix} Lng"))
    address = clean(r.get(f"{prefix} Address"))
    if lat is None and lon is None and address is None:
        return None
    return Location(lat=lat, lon=lon, address=address)


class UberImporter(Importer):
    name = "uber"
    platform = "uber"
    version = "1"
    description = (
        "Uber rider trips and requests that never became trips (trips_data.csv), with and without coordinates"
    )
    handles = ("Uber Data/Rider/trips_data.csv",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = set(csv_header(entry))
        if {"Trip or Order Status", "Request Time", "Begin Trip Time"} <= header:
            return 0.95
        if entry.name.lower().startswith("trips_data") or any(p.lower() == "uber data" for p in entry.parts):
            return 0.3  # named like Uber's trips file, columns we do not know: parse() says which
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        header = csv_header(entry)
        if "Request Time" not in header and "Begin Trip Time" not in header:
            yield ImportProblem(
                f"Uber file without Request Time / Begin Trip Time columns (header {header[:6]}): "
                "unsupported variant",
                entry.path,
                line=1,
                severity="unsupported",
            )
            return
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            yield self._trip(entry, index, line, r)

    def _trip(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record | ImportProblem:
        requested = _time(r.get("Request Time"))
        begin, dropoff = _time(r.get("Begin Trip Time")), _time(r.get("Dropoff Time"))
        status = (clean(r.get("Trip or Order Status")) or "").upper()
        if requested is None and begin is None:
            return ImportProblem(
                f"unreadable request time {r.get('Request Time')!r}",
                entry.path,
                index=index,
                line=line,
                excerpt=",".join(r.values())[:200],
            )
        city = clean(r.get("City"))
        product = clean(r.get("Product Type"))
        extra = _extra(r, status, city, product, begin, requested, dropoff)
        if "city_id" in extra:
            city = None
        miles = to_float(r.get("Distance (miles)"))
        fare = to_float(r.get("Fare Amount"))
        travelled = status not in _NOT_TRAVELLED and begin is not None
        when = begin or requested
        place = city or (f"city {extra['city_id']}" if "city_id" in extra else None)
        return Record(
            platform=self.platform,
            action="travelled" if travelled else "requested",
            item=Item(kind="trip", title=" in ".join(p for p in (product or "Uber", place) if p)),
            when=when,
            original_tz="UTC",
            precision="second",
            duration_s=(dropoff - begin).total_seconds() if begin and dropoff and dropoff >= begin else None,
            distance_m=round(miles * _MILE_M, 1) if miles and travelled else None,
            amount=-fare if fare else None,
            currency=clean(r.get("Fare Currency")) if fare else None,
            location=_location(r, "Begin Trip"),
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )


def _extra(
    r: dict[str, str],
    status: str,
    city: str | None,
    product: str | None,
    begin: datetime | None,
    requested: datetime | None,
    dropoff: datetime | None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {"status": status}
    if city and city.isdigit():
        extra["city_id"] = city
    elif city:
        extra["city"] = city
    if product:
        extra["product"] = product
    if begin is None:
        extra["no_trip_times"] = (
            f"{status.lower() or 'trip'}: never started (Uber writes 1970-01-01 as begin/dropoff time)"
        )
    if requested is not None:
        extra["requested_at"] = requested.isoformat()
    if dropoff is not None:
        extra["dropoff_at"] = dropoff.isoformat()
    if (end := _location(r, "Dropoff")) is not None:
        extra["dropoff"] = {"lat": end.lat, "lon": end.lon, "address": end.address}
    return extra
