"""Uber rider export (``Uber Data/Rider/trips_data.csv``): a few rides in Kyoto in April 2024 (JPY) and
in Berlin (EUR), and three requests that never became trips (1970 sentinel times): one she cancelled,
one the driver cancelled (a cancellation fee), one that found no driver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..person import Person
from ._csv import write_csv

BUNDLE = "Uber Data"
_HEADER_LINE = (
    "City,Product Type,Trip or Order Status,Request Time,Begin Trip Time,Begin Trip Lat,Begin Trip Lng,"
    "Begin Trip Address,Dropoff Time,Dropoff Lat,Dropoff Lng,Dropoff Address,Distance (miles),Fare Amount,"
    "Fare Currency"
)
HEADER = _HEADER_LINE.split(",")
SENTINEL = "1970-01-01 00:00:00 +0000 UTC"
# (city, zone, local request time, status, from (lat, lng, address), to (lat, lng, address), miles, fare, currency)
RIDES = (
    ("Kyoto", "Asia/Tokyo", datetime(2024, 4, 6, 18, 5), "COMPLETED",
     (34.98, 135.75, "Kyoto Station"), (35.00, 135.77, "Gion, Higashiyama"), 2.4, 2150, "JPY"),
    ("Kyoto", "Asia/Tokyo", datetime(2024, 4, 12, 8, 40), "COMPLETED",
     (35.00, 135.77, "Gion, Higashiyama"), (35.03, 135.72, "Kinkaku-ji"), 4.1, 3380, "JPY"),
    ("Kyoto", "Asia/Tokyo", datetime(2024, 4, 19, 21, 10), "CANCELED",
     (35.00, 135.76, "Nishiki Market"), (34.98, 135.75, "Kyoto Station"), 0, 0, "JPY"),
    ("Berlin", "Europe/Berlin", datetime(2024, 4, 20, 23, 12), "UNFULFILLED",
     (52.36, 13.51, "BER Airport Terminal 1"), (52.50, 13.42, "Kreuzberg"), 0, 0, "EUR"),
    ("Berlin", "Europe/Berlin", datetime(2024, 4, 20, 23, 30), "COMPLETED",
     (52.36, 13.51, "BER Airport Terminal 1"), (52.50, 13.42, "Kreuzberg"), 13.9, 48.6, "EUR"),
    ("Berlin", "Europe/Berlin", datetime(2025, 2, 14, 22, 41), "DRIVER_CANCELED",
     (52.51, 13.38, "Philharmonie"), (52.50, 13.42, "Kreuzberg"), 0, 5, "EUR"),
    ("Berlin", "Europe/Berlin", datetime(2025, 2, 14, 22, 55), "COMPLETED",
     (52.51, 13.38, "Philharmonie"), (52.50, 13.42, "Kreuzberg"), 3.2, 17.9, "EUR"),
)  # fmt: skip


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def write(person: Person, root: Path) -> None:
    rng = person.rand("uber")
    rows = []
    for city, zone, local, status, start, end, miles, fare, currency in RIDES:
        requested = local.replace(tzinfo=ZoneInfo(zone))
        if status == "COMPLETED":
            begin = requested + timedelta(minutes=rng.randrange(3, 9))
            dropoff = begin + timedelta(minutes=int(miles * 4) + rng.randrange(2, 6))
            times = (_utc(begin), _utc(dropoff))
        else:
            times = (SENTINEL, SENTINEL)
        rows.append(
            (
                city,
                "UberX",
                status,
                _utc(requested),
                times[0],
                *start,
                times[1],
                *end,
                f"{miles:.2f}",
                fare,
                currency,
            )
        )
    rows.sort(key=lambda r: str(r[3]), reverse=True)
    write_csv(root / "Rider" / "trips_data.csv", HEADER, rows)
