"""Google Fit in Takeout (same ``takeout-…-001.zip`` as YouTube and Chrome): ``Takeout/Fit/Daily activity
metrics/Daily activity metrics.csv`` (one row per day, blank cells where Fit has no data), two days' own
15-minute files (``2024-09-14.csv``, ``Start time`` in her offset) and ``All Sessions/*.json`` for the runs of that week (the same runs Strava and Apple Health record)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from ..person import Person
from ._csv import write_csv
from .strava import Run, runs

BUNDLE = "takeout-20250701T120000Z-001.zip"
_FIT = "Takeout/Fit"
_COLS = [
    "Move Minutes count",
    "Calories (kcal)",
    "Distance (m)",
    "Heart Points",
    "Heart Minutes",
    "Average speed (m/s)",
    "Max speed (m/s)",
    "Min speed (m/s)",
    "Step count",
    "Average weight (kg)",
    "Max weight (kg)",
    "Min weight (kg)",
    "Walking duration (ms)",
    "Running duration (ms)",
]


def fit_runs(person: Person, days: list[date]) -> list[Run]:
    """The runs Fit recorded as sessions: the same runs Strava (and Apple Health) have, in Fit's week."""
    return [r for r in runs(person) if r.start.astimezone(person.tz).date() in days]


def write(person: Person, root: Path) -> None:
    rng = person.rand("google_fit")
    base = root / _FIT
    days = [date(2024, 9, 10) + timedelta(days=i) for i in range(7)]
    summary = []
    intervals: dict[date, list[list[object]]] = {}
    for d in days:
        rows: list[list[object]] = []
        run = d.weekday() in (5, 6)
        for slot in (7 * 4, 7 * 4 + 1, 12 * 4, 18 * 4):
            steps = rng.randrange(300, 1500) + (2200 if run and slot < 30 else 0)
            start = datetime(d.year, d.month, d.day) + timedelta(minutes=15 * slot)
            offset = start.replace(tzinfo=person.tz).strftime("%z")
            off = f"{offset[:3]}:{offset[3:]}"
            rows.append(
                [
                    f"{start:%H:%M:%S}.000{off}",
                    f"{start + timedelta(minutes=15):%H:%M:%S}.000{off}",
                    rng.randrange(3, 15),
                    round(steps * 0.045, 2),
                    round(steps * 0.75, 1),
                    rng.randrange(0, 12),
                    rng.randrange(0, 10),
                    "",
                    "",
                    "",
                    steps,
                    "",
                    "",
                    "",
                    steps * 480,
                    900000 if run and slot < 30 else "",
                ]
            )
        intervals[d] = rows
        tot = [sum(float(str(r[i])) for r in rows if r[i] != "") for i in range(2, 16)]
        summary.append(
            [
                d.isoformat(),
                int(tot[0]),
                round(tot[1], 2),
                round(tot[2], 1),
                int(tot[3]),
                int(tot[4]),
                "",
                "",
                "",
                int(tot[8]),
                "",
                "",
                "",
                int(tot[12]),
                int(tot[13]) or "",
            ]
        )
    write_csv(base / "Daily activity metrics" / "Daily activity metrics.csv", ["Date", *_COLS], summary)
    for d in days[4:6]:
        write_csv(
            base / "Daily activity metrics" / f"{d.isoformat()}.csv",
            ["Start time", "End time", *_COLS],
            intervals[d],
        )
    sessions = base / "All Sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    for activity in fit_runs(person, days):
        start = activity.start.astimezone(person.tz)
        secs = activity.elapsed_s
        dist = round(activity.distance_m * 1.01, 1)  # the phone's GPS measures a little long
        doc = {
            "fitnessActivity": "running",
            "startTime": activity.start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "endTime": (activity.start + timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "duration": f"{secs}.000s",
            "segment": [
                {
                    "fitnessActivity": "running",
                    "startTime": start.isoformat(),
                    "endTime": (start + timedelta(seconds=secs)).isoformat(),
                }
            ],
            "aggregate": [
                {"metricName": "com.google.calories.expended", "floatValue": float(activity.calories)},
                {"metricName": "com.google.step_count.delta", "intValue": int(secs * 2.6)},
                {"metricName": "com.google.distance.delta", "floatValue": dist},
                {"metricName": "com.google.active_minutes", "intValue": secs // 60},
            ],
        }
        name = start.strftime("%Y-%m-%dT%H_%M_%S.000%z")
        (sessions / f"{name[:-2]}_{name[-2:]}_RUNNING.json").write_text(
            json.dumps(doc, indent=2), encoding="utf-8"
        )
