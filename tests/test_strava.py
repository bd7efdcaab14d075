from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from selfdex.importers.strava import StravaImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "strava"
    assert set(recognitions(folder).values()) == {"strava"}
    records, problems = parse_path(StravaImporter(), folder)
    assert problems == []
    assert len(records) == 18
    assert {r.action for r in records} == {"exercised"}
    # US date "Oct 5, 2014, 4:15:21 PM", UTC
    first = next(r for r in records if r.item.ids["strava"] == "203707851")
    assert first.when is not None and first.when.isoformat() == "2014-10-05T16:15:21+00:00"
    # duplicate "Distance": the second column (metres) wins over the first (km)
    assert first.distance_m == 13609.2001953125 and first.duration_s == 2833
    assert first.item.categories == ("Ride",) and first.item.title == "Lunch Ride"
    sail = next(r for r in records if r.item.categories == ("Sail",))
    assert sail.distance_m == 29610.490234375
    # 2026 layout with 103 columns
    virtual = next(r for r in records if r.item.ids["strava"] == "18488946585")
    assert virtual.when is not None and virtual.when.isoformat() == "2026-05-13T09:54:42+00:00"
    assert virtual.extra["avg_heart_rate"] == 152.0 and virtual.distance_m == 32851.9
    assert virtual.text == "🗺️ Tempus Fugit in Watopia"


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "export_12345678.zip"
    assert recognitions(bundle) == {"activities.csv": "strava"}
    records, problems = parse_path(StravaImporter(), bundle)
    assert problems == []
    assert {r.item.title for r in records} >= {"Grunewald Evening Trail Run", "Kamo River Run"}
    berlin = ZoneInfo("Europe/Berlin")
    kyoto = [r for r in records if r.item.title == "Kamo River Run"]
    assert kyoto and all(r.when and r.when.strftime("%Y-%m") == "2024-04" for r in kyoto)
    assert all(r.when and r.when.astimezone(berlin).weekday() in (1, 3, 5) for r in records)


def test_localized_german_headers(tmp_path: Path) -> None:
    (tmp_path / "activities.csv").write_text(
        "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Verstrichene Zeit,Distanz,"
        "Bewegungszeit,Distanz\n"
        '101,"05.10.2024, 16:15:21",Abendlauf,Lauf,3000,"8,50",2900,8500.0\n'
        '102,"5. Okt. 2024, 08:00:00",Morgenlauf,Lauf,1800,5.1,1700,\n',
        encoding="utf-8",
    )
    records, problems = parse_path(StravaImporter(), tmp_path)
    assert problems == []
    a, b = records
    assert a.when is not None and a.when.isoformat() == "2024-10-05T16:15:21+00:00"
    assert a.item.categories == ("Lauf",) and a.distance_m == 8500.0 and a.extra["moving_time_s"] == 2900
    assert b.when is not None and b.when.isoformat() == "2024-10-05T08:00:00+00:00"
    assert b.distance_m == 5100.0  # only the km column filled


def test_malformed(tmp_path: Path) -> None:
    (tmp_path / "activities.csv").write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance\n"
        '1,"Mar 5, 2024, 7:12:03 AM",Morning Run,Run,1800,5.00\n'
        '2,"yesterday",Broken Run,Run,1800,5.00\n'
        "3,too,few\n"
        '4,"Mar 7, 2024, 6:00:00 PM",Evening Run,Run,2000,6.00\n',
        encoding="utf-8",
    )
    (tmp_path / "garbage.csv").write_bytes(b"\x00\xff\xfe binary")
    records, problems = parse_path(StravaImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Morning Run", "Evening Run"]
    assert records[0].when is not None and records[0].when.isoformat() == "2024-03-05T07:12:03+00:00"
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4)]
    assert "yesterday" in problems[0].reason
