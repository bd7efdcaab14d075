"""Google Fit in Takeout: daily metrics (summary and per-day files, one record per day), sessions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from selfdex.importers.google_fit import GoogleFitImporter
from selfdex.ingest import import_path
from selfdex.sample.person import Person
from selfdex.sample.platforms.google_fit import fit_runs
from selfdex.store import Store
from selfdex.testing import parse_path, recognitions

_HEAD = "Move Minutes count,Calories (kcal),Distance (m),Heart Points,Step count"


def _fit(tmp_path: Path) -> Path:
    daily = tmp_path / "Takeout" / "Fit" / "Daily activity metrics"
    daily.mkdir(parents=True)
    (daily / "Daily activity metrics.csv").write_text(
        f"Date,{_HEAD}\n2024-09-14,40,300.5,5000.0,12,7000\n2024-09-15,,,,,\n2024-13-01,1,1,1,1,1\n",
        encoding="utf-8",
    )
    (daily / "2024-09-14.csv").write_text(
        f"Start time,End time,{_HEAD}\n07:00:00.000+02:00,07:15:00.000+02:00,20,150.25,2500.0,6,3500\n"
        "07:15:00.000+02:00,07:30:00.000+02:00,20,150.25,2500.0,6,3500\n",
        encoding="utf-8",
    )
    sessions = tmp_path / "Takeout" / "Fit" / "All Sessions"
    sessions.mkdir()
    (sessions / "2024-09-14T07_05_00.000+02_00_RUNNING.json").write_text(
        json.dumps(
            {
                "fitnessActivity": "running",
                "startTime": "2024-09-14T05:05:00.000Z",
                "duration": "3600.000s",
                "aggregate": [
                    {"metricName": "com.google.distance.delta", "floatValue": 10000.5},
                    {"metricName": "com.google.step_count.delta", "intValue": 9000},
                ],
            }
        ),
        encoding="utf-8",
    )
    return tmp_path


def test_days_and_sessions(tmp_path: Path) -> None:
    records, problems = parse_path(GoogleFitImporter(), _fit(tmp_path))
    days = [r for r in records if r.item.kind == "health_metric"]
    # blank cells are no data, not zero
    summary = [r for r in days if r.provenance.member.endswith("metrics.csv")]  # type: ignore[union-attr]
    (own,) = [r for r in days if r.provenance.member.endswith("2024-09-14.csv")]  # type: ignore[union-attr]
    assert [(r.when.date().isoformat(), r.quantity) for r in summary] == [
        ("2024-09-14", 7000.0),
        ("2024-09-15", None),
    ]  # type: ignore[union-attr]
    assert (
        own.quantity == 7000.0
        and own.original_tz == "+02:00"
        and own.distance_m == summary[0].distance_m == 5000.0
    )
    run = next(r for r in records if r.item.kind == "workout")
    assert run.duration_s == 3600 and run.distance_m == 10000.5 and run.quantity == 9000
    assert len(problems) == 1 and problems[0].line == 4


def test_summary_and_day_file_store_each_day_once(tmp_path: Path, store: Store) -> None:
    import_path(store, _fit(tmp_path))
    n = store.conn.execute(
        "SELECT count(*) FROM records WHERE kind = 'health_metric' AND date(occurred_at) = '2024-09-14'"
    ).fetchone()[0]
    assert n == 1


def test_another_language_is_unsupported_not_misread(tmp_path: Path) -> None:
    daily = tmp_path / "Takeout" / "Fit" / "Tägliche Aktivitätswerte"
    daily.mkdir(parents=True)
    (daily / "Tägliche Aktivitätswerte.csv").write_text("Datum,Schritte\n2024-09-14,7000\n", encoding="utf-8")
    assert (
        recognitions(tmp_path)["Takeout/Fit/Tägliche Aktivitätswerte/Tägliche Aktivitätswerte.csv"]
        != "google_fit"
    )


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "takeout-20250701T120000Z-001.zip"
    fit = {m: n for m, n in recognitions(bundle).items() if "/Fit/" in m}
    assert fit and set(fit.values()) == {"google_fit"}
    records, problems = parse_path(GoogleFitImporter(), bundle)
    assert problems == []
    week = [date(2024, 9, 10) + timedelta(days=i) for i in range(7)]
    expected = fit_runs(Person(seed=7), week)
    assert expected and sum(r.action == "exercised" for r in records) == len(expected)
    # the sessions are Strava's runs, at the same instants
    assert sorted(r.when for r in records if r.action == "exercised") == sorted(x.start for x in expected)
    assert (
        len({r.id for r in records if r.item.kind == "health_metric"}) == 7
    )  # 7 days, two also as day files
