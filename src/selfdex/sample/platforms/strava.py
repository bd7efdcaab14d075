"""Strava bulk export: ``export_<athlete id>.zip`` with ``activities.csv`` (99 columns, duplicate names, US
dates in UTC). Mara runs trails in Grunewald on Tuesday evenings and Saturday mornings; in Kyoto
(April 2024) she runs along the Kamo river. :func:`runs` is shared with the Apple Health writer, whose
watch recorded the same runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..person import Person
from ._csv import write_csv

BUNDLE = "export_12345678.zip"
KYOTO = (date(2024, 4, 6), date(2024, 4, 20))
KYOTO_TZ = ZoneInfo("Asia/Tokyo")

_HEADER_LINE = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
    "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
    "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,"
    "Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,"
    "Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,"
    "Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,"
    "Downhill Time,Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,"
    "Grade Adjusted Distance,Weather Observation Time,Weather Condition,Weather Temperature,"
    "Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,Wind Gust,Wind Bearing,"
    "Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,Gear,Precipitation Probability,"
    "Precipitation Type,Cloud Cover,Weather Visibility,UV Index,Weather Ozone,Jump Count,Total Grit,"
    "Average Flow,Flagged,Average Elapsed Speed,Dirt Distance,Newly Explored Distance,"
    "Newly Explored Dirt Distance,Activity Count,Total Steps,Carbon Saved,Pool Length,Training Load,"
    "Intensity,Average Grade Adjusted Pace,Timer Time,Total Cycles,Recovery,With Pet,Competition,Long Run,"
    "For a Cause,Media"
)
HEADER = _HEADER_LINE.split(",")


@dataclass(frozen=True)
class Run:
    activity_id: int
    start: datetime  # UTC
    name: str
    place: str
    elapsed_s: int
    moving_s: int
    distance_m: float
    elevation_gain_m: float
    avg_hr: int
    max_hr: int
    calories: int


def runs(person: Person) -> list[Run]:
    """Her runs: Grunewald trails on Tuesdays (evening) and Saturdays (morning), Kamo river in Kyoto."""
    rng = person.rand("strava")
    out: list[Run] = []
    d = person.start
    activity_id = 8_400_000_000
    while d <= person.end:
        in_kyoto = KYOTO[0] <= d <= KYOTO[1]
        if (d.weekday() in (1, 5) or (in_kyoto and d.weekday() == 3)) and rng.random() < 0.8:
            saturday = d.weekday() == 5
            hour = rng.choice((8, 9)) if saturday else rng.choice((18, 19))
            naive = datetime(d.year, d.month, d.day, hour, rng.randrange(60), rng.randrange(60))
            zone = KYOTO_TZ if in_kyoto else person.tz
            start = naive.replace(tzinfo=zone).astimezone(UTC)
            km = round(rng.uniform(14, 21) if saturday else rng.uniform(7, 11), 2)
            pace = rng.uniform(330, 390)  # s/km on trails
            moving = int(km * pace)
            if in_kyoto:
                name, place = "Kamo River Run", "Kyoto"
            else:
                name = "Grunewald Long Trail Run" if saturday else "Grunewald Evening Trail Run"
                place = "Grunewald, Berlin"
            activity_id += rng.randrange(20_000_000, 60_000_000)
            out.append(
                Run(
                    activity_id=activity_id,
                    start=start,
                    name=name,
                    place=place,
                    elapsed_s=moving + rng.randrange(30, 400),
                    moving_s=moving,
                    distance_m=round(km * 1000 + rng.uniform(-5, 5), 1),
                    elevation_gain_m=round(km * rng.uniform(6, 14), 1),
                    avg_hr=rng.randrange(138, 156),
                    max_hr=rng.randrange(165, 182),
                    calories=int(km * rng.uniform(60, 70)),
                )
            )
        d += timedelta(days=1)
    return out


def us_date(dt: datetime) -> str:
    """Strava's ``Oct 5, 2014, 4:15:21 PM`` (no zero padding of day or hour)."""
    hour = dt.hour % 12 or 12
    return f"{dt:%b} {dt.day}, {dt.year}, {hour}:{dt:%M:%S} {'AM' if dt.hour < 12 else 'PM'}"


def write(person: Person, root: Path) -> None:
    rows = []
    for run in sorted(runs(person), key=lambda r: r.start, reverse=True):
        row: list[object] = [""] * len(HEADER)
        row[0] = run.activity_id
        row[1] = us_date(run.start)
        row[2] = run.name
        row[3] = "Run"
        row[4] = "Kamo river path, cherry blossoms almost gone" if run.place == "Kyoto" else ""
        row[5] = run.elapsed_s
        row[6] = f"{run.distance_m / 1000:.2f}"
        row[7] = f"{run.max_hr}.0"
        row[9] = "false"
        row[11] = "Salomon Speedcross 6"
        row[12] = f"activities/{run.activity_id + 1_100_000_000}.fit.gz"
        row[15] = f"{run.elapsed_s}.0"
        row[16] = f"{run.moving_s}.0"
        row[17] = run.distance_m
        row[19] = round(run.distance_m / run.moving_s, 3)
        row[20] = run.elevation_gain_m
        row[30] = f"{run.max_hr}.0"
        row[31] = f"{run.avg_hr}.0"
        row[34] = f"{run.calories}.0"
        row[50] = "0.0"
        row[52] = "1.0"
        row[98] = ""
        rows.append(row)
    write_csv(root / "activities.csv", HEADER, rows)
