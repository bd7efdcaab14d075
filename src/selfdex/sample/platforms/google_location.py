"""Google Takeout Location History for the sample person: ``Records.json`` (raw points in the 2022–2024
``timestamp`` layout) and one Semantic Location History month, ``2024/2024_APRIL.json``.

Mara lives in Prenzlauer Berg, runs in the Grunewald on weekend mornings, and in April 2024 spent a
week in Kyoto (knife shop, market, a cooking class: her Japanese home-cooking theme). The JSON is
written the way Google writes it: two-space indent, ``[{`` and ``}, {`` between array elements.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..person import Person

BUNDLE = "takeout-20250701T120000Z-001.zip"
FOLDER = "Takeout/Location History (Timeline)"
DEVICE_TAG = 1186431571
KYOTO_TZ = ZoneInfo("Asia/Tokyo")
TRIP_START, TRIP_END = date(2024, 4, 10), date(2024, 4, 17)  # days she is in Kyoto (local)

HOME = (52.5387, 13.4241, "Kollwitzstraße 52, 10405 Berlin, Germany")
# A loop from S-Bahnhof Grunewald past the Teufelssee and up the Teufelsberg.
GRUNEWALD_LOOP = (
    (52.48834, 13.26121),
    (52.48602, 13.25590),
    (52.48430, 13.25060),
    (52.48911, 13.24455),
    (52.49760, 13.24140),
    (52.50102, 13.25200),
    (52.49540, 13.25890),
    (52.48834, 13.26121),
)
# key → (name, lat, lon, address)
KYOTO_PLACES = {
    "hotel": ("Hotel Gracery Kyoto Sanjo", 35.00930, 135.76760, "Nakagyo Ward, Kyoto, 604-8026, Japan"),
    "station": ("Kyoto Station", 34.98583, 135.75878, "Higashishiokoji Kamadonocho, Shimogyo Ward, Kyoto"),
    "market": ("Nishiki Market", 35.00502, 135.76487, "Nishikikoji-dori, Nakagyo Ward, Kyoto, Japan"),
    "knives": ("Aritsugu", 35.00493, 135.76406, "219 Kajiyacho, Nakagyo Ward, Kyoto, 604-8055, Japan"),
    "class": ("Washoku Cooking Class Kyoto", 35.00390, 135.75310, "Shijo-dori, Nakagyo Ward, Kyoto"),
    "tea": ("Ippodo Tea Kyoto", 35.01340, 135.76760, "Teramachi-dori Nijo, Nakagyo Ward, Kyoto"),
    "shrine": ("Fushimi Inari Taisha", 34.96714, 135.77267, "68 Fukakusa Yabunouchicho, Fushimi Ward, Kyoto"),
}
BER = ("Berlin Brandenburg Airport", 52.36670, 13.50330, "Willy-Brandt-Platz, 12529 Schönefeld, Germany")
KIX = ("Kansai International Airport", 34.43470, 135.24400, "1 Senshukuko Kita, Izumisano, Osaka, Japan")


def _e7(deg: float) -> int:
    return round(deg * 1e7)


def _ts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _google_json(value: Any, level: int = 0) -> str:
    """JSON in Takeout's layout: ``"key": value``, two-space indent, arrays of objects as ``[{ … }, { … }]``."""
    pad = "  " * level
    if isinstance(value, dict):
        body = ",\n".join(f"{pad}  {json.dumps(k)}: {_google_json(v, level + 1)}" for k, v in value.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "[" + ", ".join(_google_json(v, level) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _place_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "ChIJ" + "".join(rng.choice(alphabet) for _ in range(23))


def _point(
    rng: random.Random, when: datetime, lat: float, lon: float, source: str, activity: str | None = None
) -> dict[str, Any]:
    point: dict[str, Any] = {
        "latitudeE7": _e7(lat + rng.uniform(-0.0002, 0.0002)),
        "longitudeE7": _e7(lon + rng.uniform(-0.0002, 0.0002)),
        "accuracy": rng.randrange(4, 16) if source == "GPS" else rng.randrange(20, 60),
    }
    if activity:
        point["activity"] = [
            {
                "activity": [
                    {"type": "ON_FOOT", "confidence": rng.randrange(85, 100)},
                    {"type": activity, "confidence": rng.randrange(70, 95)},
                ],
                "timestamp": _ts(when + timedelta(seconds=rng.randrange(1, 30))),
            }
        ]
    if source == "GPS":
        point["velocity"] = rng.randrange(2, 4) if activity else 0
        point["altitude"] = rng.randrange(35, 110)
    point["source"] = source
    point["deviceTag"] = DEVICE_TAG
    point["timestamp"] = _ts(when)
    return point


def _records(person: Person, rng: random.Random) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    trip = {TRIP_START + timedelta(days=i) for i in range((TRIP_END - TRIP_START).days + 1)}
    home_days = sorted({person.day(rng) for _ in range(30)} - trip)
    for d in home_days:
        for hour in (7, 19, 23):
            when = person.local(d, hour, rng.randrange(60), rng.randrange(60)) + timedelta(
                microseconds=rng.randrange(1000) * 1000
            )
            points.append(_point(rng, when, HOME[0], HOME[1], "WIFI"))
    saturdays = [d for d in (person.start + timedelta(days=i) for i in range(0, 900)) if d.weekday() == 5]
    for d in sorted(rng.sample([s for s in saturdays if s not in trip and s <= person.end], 12)):
        start = person.local(d, 8, rng.randrange(45))
        for i, (lat, lon) in enumerate(GRUNEWALD_LOOP):
            when = start + timedelta(minutes=6 * i, seconds=rng.randrange(60))
            points.append(_point(rng, when, lat, lon, "GPS", "RUNNING"))
    days = sorted(trip)
    plan = ["station", "hotel", "market", "knives", "class", "tea", "shrine", "hotel"]
    for n, d in enumerate(days):
        for hour, key in zip((8, 10, 12, 14, 16, 18, 20, 22), plan[n % 2 :] + plan[: n % 2], strict=True):
            _, lat, lon, _ = KYOTO_PLACES[key]
            local = datetime(
                d.year, d.month, d.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=KYOTO_TZ
            )
            points.append(_point(rng, local, lat, lon, rng.choice(("GPS", "WIFI"))))
    points.sort(key=lambda p: p["timestamp"])
    return points


def _location(
    rng: random.Random, name: str | None, lat: float, lon: float, address: str, **more: Any
) -> dict:
    loc: dict[str, Any] = {"latitudeE7": _e7(lat), "longitudeE7": _e7(lon), "placeId": _place_id(rng)}
    loc["address"] = address
    if name:
        loc["name"] = name
    loc.update(more)
    loc["sourceInfo"] = {"deviceTag": DEVICE_TAG}
    loc["locationConfidence"] = round(rng.uniform(60, 99), 4)
    loc["calibratedProbability"] = round(rng.uniform(60, 99), 4)
    return loc


def _duration(start: datetime, end: datetime) -> dict[str, str]:
    return {"startTimestamp": _ts(start), "endTimestamp": _ts(end)}


def _visit(rng: random.Random, place: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "placeVisit": {
            "location": place,
            "duration": _duration(start, end),
            "placeConfidence": "HIGH_CONFIDENCE",
            "centerLatE7": place["latitudeE7"] + rng.randrange(-300, 300),
            "centerLngE7": place["longitudeE7"] + rng.randrange(-300, 300),
            "visitConfidence": rng.randrange(80, 100),
            "otherCandidateLocations": [],
            "editConfirmationStatus": "NOT_CONFIRMED",
            "locationConfidence": rng.randrange(80, 100),
            "placeVisitType": "SINGLE_PLACE",
            "placeVisitImportance": "MAIN",
        }
    }


def _segment(
    rng: random.Random,
    a: tuple[float, float],
    b: tuple[float, float],
    start: datetime,
    end: datetime,
    activity: str,
    distance: int,
) -> dict[str, Any]:
    others = [t for t in ("WALKING", "IN_PASSENGER_VEHICLE", "IN_TRAIN", "CYCLING") if t != activity]
    return {
        "activitySegment": {
            "startLocation": {
                "latitudeE7": _e7(a[0]),
                "longitudeE7": _e7(a[1]),
                "sourceInfo": {"deviceTag": DEVICE_TAG},
            },
            "endLocation": {
                "latitudeE7": _e7(b[0]),
                "longitudeE7": _e7(b[1]),
                "sourceInfo": {"deviceTag": DEVICE_TAG},
            },
            "duration": _duration(start, end),
            "distance": distance,
            "activityType": activity,
            "confidence": "HIGH",
            "activities": [
                {"activityType": activity, "probability": round(rng.uniform(85, 99), 6)},
                *({"activityType": t, "probability": round(rng.uniform(0, 5), 6)} for t in others[:2]),
            ],
            "editConfirmationStatus": "NOT_CONFIRMED",
        }
    }


def _april(person: Person, rng: random.Random) -> list[dict[str, Any]]:
    """April 2024: Berlin, the flight to Kansai, a week in Kyoto, back home, a Grunewald run."""
    home = _location(rng, None, HOME[0], HOME[1], HOME[2], semanticType="TYPE_HOME")
    places = {k: _location(rng, n, la, lo, ad) for k, (n, la, lo, ad) in KYOTO_PLACES.items()}
    ber = _location(rng, *BER)
    kix = _location(rng, *KIX)
    teufelssee = _location(rng, "Teufelssee", 52.48430, 13.25060, "Teufelsseechaussee, 14193 Berlin, Germany")

    def berlin(d: date, h: int, m: int = 0) -> datetime:
        return person.local(d, h, m)

    def kyoto(d: date, h: int, m: int = 0) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=KYOTO_TZ).astimezone(UTC)

    def coords(place: dict[str, Any]) -> tuple[float, float]:
        return place["latitudeE7"] / 1e7, place["longitudeE7"] / 1e7

    out: list[dict[str, Any]] = []
    out.append(_visit(rng, home, berlin(date(2024, 4, 1), 0), berlin(date(2024, 4, 9), 11, 40)))
    out.append(
        _segment(
            rng,
            coords(home),
            coords(ber),
            berlin(date(2024, 4, 9), 11, 40),
            berlin(date(2024, 4, 9), 12, 35),
            "IN_TRAIN",
            27_300,
        )
    )
    out.append(_visit(rng, ber, berlin(date(2024, 4, 9), 12, 35), berlin(date(2024, 4, 9), 14, 50)))
    out.append(
        _segment(
            rng,
            coords(ber),
            coords(kix),
            berlin(date(2024, 4, 9), 14, 50),
            kyoto(TRIP_START, 12, 5),
            "FLYING",
            9_183_000,
        )
    )
    out.append(_visit(rng, kix, kyoto(TRIP_START, 12, 5), kyoto(TRIP_START, 13, 10)))
    out.append(
        _segment(
            rng,
            coords(kix),
            coords(places["station"]),
            kyoto(TRIP_START, 13, 10),
            kyoto(TRIP_START, 14, 30),
            "IN_TRAIN",
            99_400,
        )
    )
    hotel = coords(places["hotel"])
    day = TRIP_START
    out.append(_visit(rng, places["hotel"], kyoto(day, 15, 0), kyoto(day + timedelta(days=1), 9, 0)))
    days_out = [
        ("market", "knives"),
        ("class", "tea"),
        ("shrine", "market"),
        ("knives", "class"),
        ("tea", "shrine"),
        ("market", "class"),
    ]
    for i, pair in enumerate(days_out):
        day = TRIP_START + timedelta(days=1 + i)
        clock = 9
        last = hotel
        for key in pair:
            target = coords(places[key])
            out.append(
                _segment(
                    rng,
                    last,
                    target,
                    kyoto(day, clock, 0),
                    kyoto(day, clock, 25),
                    "WALKING",
                    rng.randrange(900, 2600),
                )
            )
            out.append(_visit(rng, places[key], kyoto(day, clock, 25), kyoto(day, clock + 2, 40)))
            last, clock = target, clock + 3
        out.append(
            _segment(
                rng,
                last,
                hotel,
                kyoto(day, clock, 0),
                kyoto(day, clock, 30),
                "WALKING",
                rng.randrange(900, 2600),
            )
        )
        out.append(_visit(rng, places["hotel"], kyoto(day, clock, 30), kyoto(day + timedelta(days=1), 9, 0)))
    back = TRIP_END
    out.append(_segment(rng, hotel, coords(kix), kyoto(back, 9, 0), kyoto(back, 10, 40), "IN_TRAIN", 101_200))
    out.append(
        _segment(
            rng, coords(kix), coords(ber), kyoto(back, 12, 30), berlin(back, 21, 15), "FLYING", 9_183_000
        )
    )
    out.append(
        _segment(
            rng, coords(ber), coords(home), berlin(back, 21, 40), berlin(back, 22, 30), "IN_TRAIN", 27_300
        )
    )
    out.append(_visit(rng, home, berlin(back, 22, 30), berlin(date(2024, 4, 20), 7, 55)))
    run = date(2024, 4, 20)
    out.append(
        _segment(
            rng, coords(home), GRUNEWALD_LOOP[0], berlin(run, 7, 55), berlin(run, 8, 40), "IN_TRAIN", 17_800
        )
    )
    out.append(
        _segment(
            rng,
            GRUNEWALD_LOOP[0],
            GRUNEWALD_LOOP[2],
            berlin(run, 8, 42),
            berlin(run, 8, 58),
            "RUNNING",
            2_450,
        )
    )
    out.append(_visit(rng, teufelssee, berlin(run, 8, 58), berlin(run, 9, 6)))
    out.append(
        _segment(
            rng,
            GRUNEWALD_LOOP[2],
            GRUNEWALD_LOOP[-1],
            berlin(run, 9, 6),
            berlin(run, 9, 55),
            "RUNNING",
            9_870,
        )
    )
    out.append(_visit(rng, home, berlin(run, 10, 45), berlin(date(2024, 4, 30), 23, 59)))
    return out


def write(person: Person, root: Path) -> None:
    rng = person.rand("google_location")
    folder = root / FOLDER
    (folder / "Semantic Location History" / "2024").mkdir(parents=True, exist_ok=True)
    records = {"locations": _records(person, rng)}
    (folder / "Records.json").write_text(_google_json(records) + "\n", encoding="utf-8")
    semantic = {"timelineObjects": _april(person, rng)}
    (folder / "Semantic Location History" / "2024" / "2024_APRIL.json").write_text(
        _google_json(semantic) + "\n", encoding="utf-8"
    )
