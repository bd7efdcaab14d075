from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers.google_location import GoogleLocationImporter
from selfdex.model import Record
from selfdex.testing import entries, parse_path, recognitions

IMP = GoogleLocationImporter()


def _by_member(records: list[Record], name: str) -> list[Record]:
    return [r for r in records if r.provenance and r.provenance.member.endswith(name)]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("folder", ["location_history", "timeline_on_device"])
def test_real_samples_are_recognised(formats_dir: Path, folder: str) -> None:
    found = recognitions(formats_dir / "google_takeout" / folder)
    assert found and set(found.values()) == {"google_location"}


def test_legacy_raw_points(formats_dir: Path) -> None:
    records, problems = parse_path(IMP, formats_dir / "google_takeout" / "location_history")
    assert [p for p in problems if p.severity != "skipped"] == []
    # Location History.json (≤2021): timestampMs as a string of epoch ms
    old = _by_member(records, "Location History.json")
    assert len(old) == 2
    first = old[0]
    assert first.action == "visited" and first.item.kind == "place" and first.extra["raw_point"] is True
    assert first.when == _utc("2015-07-18T23:57:26.012+00:00") and first.precision == "ms"
    assert first.location is not None
    assert (first.location.lat, first.location.lon, first.location.accuracy_m) == (
        37.6955289,
        -121.9287261,
        45,
    )
    assert old[1].extra["activity"] == "UNKNOWN"
    # Records.json (2022–2024): ISO timestamp
    new = _by_member(records, "Records.json")
    assert len(new) == 25
    assert new[0].when == _utc("2013-04-15T06:31:26.860+00:00") and new[0].original_tz == "UTC"
    assert new[0].extra == {"raw_point": True, "source": "GPS"}
    assert new[3].extra["activity"] == "STILL"
    assert new[0].location is not None and new[0].location.lat == pytest.approx(52.5121303)


def test_semantic_location_history(formats_dir: Path) -> None:
    records, _ = parse_path(IMP, formats_dir / "google_takeout" / "location_history")
    june = _by_member(records, "2013_JUNE.json")
    assert [r.action for r in june] == [
        "travelled",
        "visited",
        "travelled",
        "travelled",
        "visited",
        "travelled",
    ]
    walk = june[0]
    assert walk.item.kind == "trip" and walk.item.title == "walking"  # from activities / travelMode
    assert walk.distance_m == pytest.approx(1173.098617164307)  # new generation: waypointPath.distanceMeters
    assert walk.duration_s == pytest.approx(900.295)
    assert walk.extra["end_location"] == [37.4277169, -122.1401737]
    assert june[2].location is None  # startLocation: {}
    visit = june[1]
    assert visit.item.ids == {"google_place": "ChIJi8yMsvq6j4ARyxrV3iyuvI4"}
    assert (
        visit.item.title
        == visit.location.address
        == "134-248 Oregon Expy, Palo Alto, California 94306, United States"
    )  # type: ignore[union-attr]
    assert visit.when == _utc("2013-06-01T16:21:54.644+00:00")
    assert visit.duration_s == pytest.approx(4448.558)
    # the hand-made file starts with a UTF-8 BOM and is not named after a month
    bom = _by_member(records, "semantic_history_with_bom.handmade.json")
    assert len(bom) == 1 and bom[0].action == "travelled"
    assert bom[0].location is not None and (bom[0].location.lat, bom[0].location.lon) == (60.4518, 22.2666)
    assert bom[0].when == _utc("2024-01-01T10:00:00+00:00") and bom[0].duration_s == 1800


def test_android_timeline(formats_dir: Path) -> None:
    records, problems = parse_path(
        IMP, formats_dir / "google_takeout" / "timeline_on_device" / "Timeline.android.json"
    )
    # the two Wi-Fi scans in rawSignals: one skipped problem with the count, indexed after the 20 segments
    assert [(p.severity, p.index) for p in problems] == [("skipped", 21)]
    assert "2 rawSignals" in problems[0].reason
    path = [r for r in records if r.extra.get("source") == "timelinePath"]
    # "lat°, lng°" strings and times in the local offset
    assert path[0].location is not None and (path[0].location.lat, path[0].location.lon) == (
        -27.4127738,
        163.5638958,
    )
    assert path[0].when == _utc("2017-05-02T02:12:00+00:00") and path[0].original_tz == "+10:00"
    visits = [r for r in records if r.action == "visited" and not r.extra.get("raw_point")]
    assert len(visits) == 7
    assert visits[0].item.ids == {"google_place": "ChIJ7czCIfZYkWsRpWBJ8NUZOIs"}
    assert visits[0].extra["probability"] == pytest.approx(0.94)
    assert visits[0].duration_s == 6 * 3600 + 40 * 60 + 8
    trips = [r for r in records if r.action == "travelled"]
    assert len(trips) == 5 and trips[0].item.title == "cycling" and trips[0].distance_m == 8856.0
    # rawSignals positions: capitalised "LatLng", accuracy, source
    raw = [r for r in records if r.extra.get("raw_point") and r.extra.get("source") != "timelinePath"]
    assert len(raw) == 3 and raw[0].location is not None and raw[0].location.accuracy_m == 11
    assert raw[0].provenance is not None and raw[0].provenance.index == 20


def test_ios_timeline(formats_dir: Path) -> None:
    folder = formats_dir / "google_takeout" / "timeline_on_device"
    records, problems = parse_path(IMP, folder / "location-history.ios.json")
    assert problems == []
    assert len(records) == 50
    drive = records[0]
    # "geo:" strings and numbers written as strings
    assert drive.item.title == "in passenger vehicle" and drive.distance_m == 1881.0
    assert drive.location is not None and drive.location.lat == 55.596349
    assert drive.original_tz == "+01:00" and drive.when == _utc("2023-12-27T12:32:18+00:00")
    home = records[1]
    assert home.item.categories == ("home",) and home.extra["probability"] == 0.95
    assert home.item.ids == {"google_place": "ChIJ46eCM-OjU0YRApSt64ssrck"}

    records, problems = parse_path(IMP, folder / "location-history.ios.dawarich.json")
    assert [(p.severity, p.index) for p in problems] == [("skipped", 2)]  # timelineMemory
    visit = records[0]
    assert visit.original_tz == "-05:00" and visit.precision == "ms"
    assert visit.duration_s == pytest.approx(4530.999)
    points = [r for r in records if r.extra.get("raw_point")]
    assert len(points) == 10
    # iOS path points are minutes after the segment's start
    assert points[0].when == _utc("2023-08-27T20:49:00+00:00") and points[0].precision == "minute"
    assert points[-1].when == _utc("2023-08-27T23:52:00+00:00")


def test_e7_overflow_is_wrapped(tmp_path: Path) -> None:
    sydney_lat = 2**32 - 338_688_000  # -33.8688° written as an unsigned int
    sf_lon = 2**32 - 1_224_194_000  # -122.4194°
    data = {
        "locations": [
            {"latitudeE7": sydney_lat, "longitudeE7": 1_512_093_000, "timestamp": "2023-01-01T00:00:00Z"},
            {"latitudeE7": 377_749_000, "longitudeE7": sf_lon, "timestamp": "2023-01-02T00:00:00Z"},
            {"latitudeE7": -1_000_000_000, "longitudeE7": 0, "timestamp": "2023-01-03T00:00:00Z"},
        ]
    }
    (tmp_path / "Records.json").write_text(json.dumps(data))
    records, problems = parse_path(IMP, tmp_path)
    locs = [(r.location.lat, r.location.lon) for r in records if r.location]
    assert locs == [
        (pytest.approx(-33.8688), pytest.approx(151.2093)),
        (pytest.approx(37.7749), pytest.approx(-122.4194)),
    ]
    assert len(problems) == 1 and problems[0].index == 2 and "out of range" in problems[0].reason


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "takeout-20250701T120000Z-001.zip"
    mine = {m: n for m, n in recognitions(bundle).items() if "Location History" in m}
    assert set(mine) == {
        "Takeout/Location History (Timeline)/Records.json",
        "Takeout/Location History (Timeline)/Semantic Location History/2024/2024_APRIL.json",
    }
    assert set(mine.values()) == {"google_location"}
    records, problems = parse_path(IMP, bundle)
    assert problems == []
    points = [r for r in records if r.extra.get("raw_point")]
    assert 150 < len(points) < 600
    runs = [r for r in points if r.extra.get("activity") == "ON_FOOT"]
    assert runs and all(r.location and 52.48 < r.location.lat < 52.51 for r in runs)  # Grunewald
    kyoto = [r for r in points if r.location and 34.9 < r.location.lat < 35.1]
    assert kyoto and all(r.when and r.when.date().isoformat().startswith("2024-04") for r in kyoto)
    visits = {r.item.title for r in records if r.action == "visited" and r.item.title}
    assert {"Nishiki Market", "Aritsugu", "Fushimi Inari Taisha", "Teufelssee"} <= visits
    flights = [r for r in records if r.item.title == "flying"]
    assert len(flights) == 2 and all(r.distance_m and r.distance_m > 9e6 for r in flights)
    home = [r for r in records if r.item.categories == ("home",)]
    assert home and home[0].location is not None and home[0].location.address.startswith("Kollwitzstraße")  # type: ignore[union-attr]


def test_malformed_input(tmp_path: Path) -> None:
    good = '{"latitudeE7": 525000000, "longitudeE7": 134000000, "timestamp": "2023-05-01T10:00:00Z"}'
    bad_time = '{"latitudeE7": 525000000, "longitudeE7": 134000000, "timestamp": "yesterday"}'
    no_coords = '{"timestamp": "2023-05-01T10:02:00Z"}'
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Records.json").write_text(
        '{"locations": [' + ",".join([good, bad_time, no_coords, good.replace("10:00", "10:05")]) + "]}"
    )
    records, problems = parse_path(IMP, tmp_path / "a")
    assert len(records) == 2
    assert [p.index for p in problems] == [1, 2]
    assert "yesterday" in (problems[0].excerpt or "")

    # truncated download: what came before the cut is kept
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Records.json").write_text(
        '{"locations": [' + good + "," + good.replace("10:00", "10:05")[:40]
    )
    records, problems = parse_path(IMP, tmp_path / "b")
    assert len(records) == 1 and len(problems) == 1 and "invalid JSON after 1 records" in problems[0].reason

    # binary garbage under a Location History name is claimed weakly and reported, not crashed on
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "Records.json").write_bytes(b"\x00\x9f\xff garbage")
    assert IMP.recognize(next(entries(tmp_path / "c"))) == pytest.approx(0.3)
    records, problems = parse_path(IMP, tmp_path / "c")
    assert records == [] and len(problems) == 1 and problems[0].severity == "error"

    # semantic: an unknown timeline object and a visit without duration, among good ones
    visit = {
        "placeVisit": {
            "location": {"latitudeE7": 1, "longitudeE7": 2, "name": "X"},
            "duration": {"startTimestampMs": "1600000000000", "endTimestampMs": "1600000600000"},
        }
    }
    objs = [visit, {"somethingNew": {}}, {"placeVisit": {"location": {}}}, visit]
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "2020_SEPTEMBER.json").write_text(json.dumps({"timelineObjects": objs}))
    records, problems = parse_path(IMP, tmp_path / "d")
    assert len(records) == 2 and records[0].duration_s == 600 and records[0].precision == "ms"
    assert [p.index for p in problems] == [1, 2]

    # Android file cut inside semanticSegments: one problem, no second pass over rawSignals
    seg = {
        "startTime": "2024-01-01T10:00:00+01:00",
        "endTime": "2024-01-01T11:00:00+01:00",
        "activity": {"distanceMeters": 5.0, "topCandidate": {"type": "WALKING"}},
    }
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "Timeline.json").write_text('{"semanticSegments": [' + json.dumps(seg) + ", {")
    records, problems = parse_path(IMP, tmp_path / "e")
    assert len(records) == 1 and records[0].item.title == "walking"
    assert len(problems) == 1 and "invalid JSON" in problems[0].reason

    # iOS: a segment without startTime among good ones
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "location-history.json").write_text(
        json.dumps([seg, {"endTime": "x", "visit": {}}, seg])
    )
    records, problems = parse_path(IMP, tmp_path / "f")
    assert len(records) == 2 and [p.index for p in problems] == [1]


def test_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "Settings.json").write_text('{"createdTime": "2020-01-01T00:00:00Z", "deviceSettings": []}')
    (tmp_path / "MyActivity.json").write_text(
        '[{"header": "Maps", "title": "Searched", "time": "2020-01-01T00:00:00Z"}]'
    )
    (tmp_path / "Timeline Edits.json").write_text('{"timelineEdits": []}')
    assert all(IMP.recognize(e) == 0 for e in entries(tmp_path))


def test_empty_and_foreign_locations(tmp_path: Path) -> None:
    (tmp_path / "places.json").write_text('{"locations": [{"name": "Paris"}]}')
    assert IMP.recognize(next(entries(tmp_path))) == 0
    (tmp_path / "places.json").unlink()
    (tmp_path / "Records.json").write_text('{"locations": []}')
    assert IMP.recognize(next(entries(tmp_path))) == pytest.approx(0.3)
    assert parse_path(IMP, tmp_path) == ([], [])
