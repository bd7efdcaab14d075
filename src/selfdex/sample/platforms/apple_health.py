"""Apple Health export: ``export.zip`` → ``apple_health_export/export.xml``, written like an iOS 16 export:
an internal DTD with the iOS 16 syntax error, a stray ``\\x0b`` in a device description, local times with
offsets (``2024-04-11 07:12:03 +0900``). Mara's watch recorded the same runs as Strava (iOS 16
``WorkoutStatistics`` carry the distance), a few days of heart-rate and step samples from iPhone and
Watch, and the activity rings of those days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from ..person import Person
from .strava import KYOTO_TZ, runs

BUNDLE = "export.zip"
SAMPLE_DAYS = (date(2024, 4, 13), date(2024, 6, 1), date(2024, 6, 2))
WATCH = "<<HKDevice: 0x283cf6b20>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:9.0>"
PHONE = "<<HKDevice: 0x283cf1a40>, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,2, software:16.0>"

# Trimmed HealthKit DTD; the WorkoutActivity ATTLIST reproduces iOS 16's syntax error (an attribute
# without a type), which makes strict XML parsers give up.
DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 12 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ELEMENT WorkoutActivity ((WorkoutEvent|WorkoutStatistics|MetadataEntry)*)>
<!ATTLIST WorkoutActivity
  uuid          CDATA #REQUIRED
  startDate     #REQUIRED
  endDate       CDATA #IMPLIED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ELEMENT ActivitySummary EMPTY>
]>
"""


def _t(dt: datetime, zone: ZoneInfo) -> str:
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")


def _attrs(**kw: object) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in kw.items())


def write(person: Person, root: Path) -> None:
    rng = person.rand("apple_health")
    tz = person.tz
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', DTD.rstrip("\n"), '<HealthData locale="en_DE">']
    lines.append(f" <ExportDate value={quoteattr(_t(datetime(2025, 7, 1, 12, tzinfo=UTC), tz))}/>")
    lines.append(
        ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-03-14" '
        'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" '
        'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
        'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>'
    )
    for d in SAMPLE_DAYS:
        zone = KYOTO_TZ if d.month == 4 else tz
        start = datetime(d.year, d.month, d.day, 7, tzinfo=zone)
        for i in range(0, 16 * 60, 5):  # a heart-rate sample every 5 minutes, 07:00–23:00
            when = start + timedelta(minutes=i)
            bpm = rng.randrange(58, 84) if i % 180 else rng.randrange(95, 120)
            device = WATCH.replace("Watch6,2", "Watch6,2\x0b") if i == 0 else WATCH
            lines.append(
                f" <Record {_attrs(type='HKQuantityTypeIdentifierHeartRate', sourceName='Mara’s Apple Watch', sourceVersion='9.0', device=device, unit='count/min', creationDate=_t(when + timedelta(seconds=40), zone), startDate=_t(when, zone), endDate=_t(when, zone), value=bpm)}>"
            )
            lines.append('  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>')
            lines.append(" </Record>")
        for hour in range(7, 23):
            begin = start.replace(hour=hour)
            steps = rng.randrange(150, 1400)
            for source, device, share in (("Mara’s iPhone", PHONE, 0.8), ("Mara’s Apple Watch", WATCH, 1.0)):
                lines.append(
                    f" <Record {_attrs(type='HKQuantityTypeIdentifierStepCount', sourceName=source, sourceVersion='16.0', device=device, unit='count', creationDate=_t(begin + timedelta(hours=1), zone), startDate=_t(begin, zone), endDate=_t(begin + timedelta(minutes=59), zone), value=int(steps * share))}/>"
                )
    for run in runs(person):
        zone = KYOTO_TZ if run.place == "Kyoto" else tz
        end = run.start + timedelta(seconds=run.elapsed_s)
        lines.append(
            f" <Workout {_attrs(workoutActivityType='HKWorkoutActivityTypeRunning', duration=f'{run.elapsed_s / 60:.4f}', durationUnit='min', sourceName='Mara’s Apple Watch', sourceVersion='9.0', device=WATCH, creationDate=_t(end, zone), startDate=_t(run.start, zone), endDate=_t(end, zone))}>"
        )
        lines.append(f'  <MetadataEntry key="HKTimeZone" value="{zone.key}"/>')
        lines.append('  <MetadataEntry key="HKIndoorWorkout" value="0"/>')
        lines.append(
            f"  <WorkoutStatistics {_attrs(type='HKQuantityTypeIdentifierDistanceWalkingRunning', startDate=_t(run.start, zone), endDate=_t(end, zone), sum=f'{run.distance_m / 1000:.3f}', unit='km')}/>"
        )
        lines.append(
            f"  <WorkoutStatistics {_attrs(type='HKQuantityTypeIdentifierActiveEnergyBurned', startDate=_t(run.start, zone), endDate=_t(end, zone), sum=run.calories, unit='kcal')}/>"
        )
        lines.append(
            f"  <WorkoutStatistics {_attrs(type='HKQuantityTypeIdentifierHeartRate', startDate=_t(run.start, zone), endDate=_t(end, zone), average=run.avg_hr, minimum=run.avg_hr - 30, maximum=run.max_hr, unit='count/min')}/>"
        )
        lines.append(" </Workout>")
    for d in SAMPLE_DAYS:
        lines.append(
            f" <ActivitySummary {_attrs(dateComponents=d.isoformat(), activeEnergyBurned=rng.randrange(380, 900), activeEnergyBurnedGoal=500, activeEnergyBurnedUnit='kcal', appleMoveTime=0, appleMoveTimeGoal=0, appleExerciseTime=rng.randrange(20, 120), appleExerciseTimeGoal=30, appleStandHours=rng.randrange(8, 14), appleStandHoursGoal=12)}/>"
        )
    lines.append("</HealthData>")
    out = root / "apple_health_export" / "export.xml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
