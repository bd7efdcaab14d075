from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from selfdex.importers import apple_health
from selfdex.importers.apple_health import AppleHealthImporter
from selfdex.importers.strava import StravaImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "apple_health"
    assert set(recognitions(folder).values()) == {"apple_health"}
    records, problems = parse_path(AppleHealthImporter(), folder)
    assert [(p.member.rsplit("/", 1)[-1], p.severity) for p in problems] == [
        ("route_2019-06-11_3.00pm.gpx", "skipped")
    ]
    # iOS 12 export with its full internal DTD: samples aggregated per type per day
    steps = next(r for r in records if r.item.title == "Step count")
    assert steps.item.kind == "health_metric" and steps.precision == "day"
    assert steps.when is not None and steps.when.date().isoformat() == "2019-05-14"
    assert steps.quantity == 761.0 and steps.extra["count"] == 4 and steps.original_tz == "-04:00"
    sleep = next(r for r in records if r.item.title == "Sleep analysis: asleep")
    assert (
        sleep.duration_s == 36000 and sleep.when is not None and sleep.when.date().isoformat() == "2019-06-16"
    )
    # workout with distance in miles and a route; activity summaries
    run = next(r for r in records if r.action == "exercised")
    assert (
        run.item.title == "Running" and run.distance_m == 800.1 and run.original_tz == "America/Los_Angeles"
    )
    assert run.when is not None and run.when.isoformat() == "2016-11-14T14:25:41+00:00"
    assert run.location is not None and run.location.lat == 37.7777
    rings = [r for r in records if r.item.title == "Activity summary"]
    assert len(rings) == 2 and rings[0].extra["appleStandHours"] == 13


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "export.zip"
    assert set(recognitions(bundle).values()) == {"apple_health"}
    records, problems = parse_path(AppleHealthImporter(), bundle)
    assert problems == []  # the broken iOS 16 DTD and the stray \x0b are repaired
    workouts = [r for r in records if r.action == "exercised"]
    strava, _ = parse_path(StravaImporter(), sample_exports / "export_12345678.zip")
    # the watch recorded the same runs as Strava
    assert sorted(r.when for r in workouts) == sorted(r.when for r in strava)
    heart = [r for r in records if r.item.title == "Heart rate"]
    assert len(heart) == 3 and all(r.extra["count"] == 192 for r in heart)
    kyoto = next(r for r in heart if r.original_tz == "+09:00")
    assert kyoto.when is not None and kyoto.when.date().isoformat() == "2024-04-13"
    steps = next(r for r in records if r.item.title == "Step count")
    # iPhone and Watch count the same steps: the larger source, not the sum of both
    assert steps.quantity == max(steps.extra["by_source"].values())


def test_strict_parsers_fail_on_the_generated_file(sample_exports: Path) -> None:
    import xml.etree.ElementTree as ET

    data = zipfile.ZipFile(sample_exports / "export.zip").read("apple_health_export/export.xml")
    assert b"\x0b" in data
    with pytest.raises(ET.ParseError):
        ET.fromstring(data)


BODY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ATTLIST Broken
  startDate     #REQUIRED
>
]>
<HealthData locale="de_DE">
 <ExportDate value="2024-06-03 10:00:00 +0200"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W\x0batch" unit="count/min" startDate="2024-06-01 10:00:00 +0200" endDate="2024-06-01 10:00:00 +0200" value="60"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-06-01 11:00:00 +0200" endDate="2024-06-01 11:00:00 +0200" value="80"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="2024-06-01 12:00:00 +0200" endDate="2024-06-01 12:00:00 +0200" value="n/a"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" startDate="2024-06-01 12:00:00 +0200" endDate="2024-06-01 12:00:00 +0200">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-06-01 12:00:00 +0200" endDate="2024-06-01 12:00:00 +0200" value="120"/>
 </Correlation>
 <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="30" durationUnit="min" totalDistance="10" totalDistanceUnit="km" startDate="2024-06-01 18:00:00 +0200" endDate="2024-06-01 18:30:00 +0200"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" startDate="someday" endDate="2024-06-01 18:30:00 +0200"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" startDate="2024-06-02 09:00:00 +0200" endDate="2024-06-02 09:10:00 +0200" value="500"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" startDate="2024-06-02 10:00:00 +02
"""


@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_malformed_and_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(apple_health, "_CHUNK", chunk)  # chunk boundaries anywhere, even inside the DTD
    (tmp_path / "export.xml").write_bytes(BODY.encode())
    records, problems = parse_path(AppleHealthImporter(), tmp_path)
    by_title = {r.item.title: r for r in records}
    heart = by_title["Heart rate"]
    assert heart.extra["count"] == 2 and heart.extra["mean"] == 70 and heart.extra["min"] == 60
    assert by_title["Cycling"].distance_m == 10000 and by_title["Cycling"].duration_s == 1800
    assert by_title["Step count"].quantity == 500  # read before the file breaks off
    assert "Blood pressure systolic" not in by_title  # inside a Correlation
    errors = sorted((p.line or 0, p.reason) for p in problems if p.severity == "error")
    assert errors[0][0] == 11 and "n/a" in errors[0][1]
    assert errors[1][0] == 16 and "someday" in errors[1][1]
    assert errors[2][0] in (18, 19) and "XML error" in errors[2][1]
    assert any(p.severity == "skipped" and "Correlation" in p.reason for p in problems)
