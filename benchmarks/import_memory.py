"""Peak memory (and speed) of the importers whose inputs reach GBs: Apple Health, mbox and location.

Generates, streaming (the generators' own memory stays flat whatever the size):

* an Apple Health ``apple_health_export/export.xml`` of at least ``--health-mb`` MB (default 1024): the
  real internal DTD, then a watch's heart-rate, step, energy and distance samples every few minutes,
  with workouts and daily activity summaries, in HealthKit's attribute layout and date format;
* a Gmail Takeout ``Takeout/Mail/All mail Including Spam and Trash.mbox`` of at least ``--mbox-mb`` MB
  (default 1024): CRLF, Gmail separators and labels, plain/HTML alternatives in quoted-printable and
  base64, RFC 2047 subjects, Latin-1 bodies, a few attachments;
* a Google Location History ``Records.json`` of at least ``--location-mb`` MB (default 1024), written by
  ``benchmarks/import_speed.py``'s generator.

Then parses each file with the importer the pipeline picks, every measurement in its own subprocess so
that its peak RSS is its own (``resource.getrusage(RUSAGE_CHILDREN)`` read by a small probe process
whose only child is the measured one). ``parse-only`` iterates the records and drops them (the
importer's memory); ``import`` runs the real pipeline into a fresh store.

Target (from the issue): peak RSS < 300 MB on inputs of ≥ 1 GB. The Markdown table is printed and
written, with the exact command, to ``benchmarks/results/import_memory.md``.

    python benchmarks/import_memory.py                          # 3 × 1 GB: several minutes
    python benchmarks/import_memory.py --health-mb 5 --mbox-mb 5 --location-mb 5   # smoke test
    python benchmarks/import_memory.py --only mbox --mbox-mb 100 --modes parse     # mbox speed
"""

from __future__ import annotations

import argparse
import base64
import json
import platform
import quopri
import random
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from selfdex.sample.platforms.apple_health import DTD as HEALTH_DTD

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "import_memory.md"
RSS_TARGET_MB = 300
HEALTH_MEMBER = "apple_health_export/export.xml"
MBOX_MEMBER = "Takeout/Mail/All mail Including Spam and Trash.mbox"
SUBJECT_WORDS = (
    "Ihre Bestellung",
    "Lauftreff-News",
    "Dune: Part Two – Samstag?",
    "Rechnung März",
    "Your receipt",
    "Weekly digest",
    "Café Einstein",
    "Reminder",
)
BODY_WORDS = (
    "Hallo Mara, vielen Dank für Ihre Bestellung. Die Lieferung erfolgt voraussichtlich am Montag.",
    "The trail run starts at 9:00 at the Grunewald S-Bahn station; bring water and good shoes.",
    "Anbei die Rechnung für März. Bei Fragen antworten Sie einfach auf diese E-Mail.",
    "Your order has shipped and is on its way. Track your parcel with the link below.",
    "Wir sehen uns am Samstag im Kino — Popcorn geht auf mich!",
)


# -- generators -------------------------------------------------------------------------------------


def _mail(rng: random.Random, n: int, when: datetime) -> bytes:
    subject = f"{rng.choice(SUBJECT_WORDS)} #{n}"
    encoded = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    body = "\n\n".join(rng.choice(BODY_WORDS) for _ in range(rng.randint(3, 25)))
    offset = rng.choice(("+0100", "+0200", "-0800", "+0000"))
    labels = rng.choice(("Inbox,Opened", "Inbox,Category Updates,Unread", "Sent", "Archived,Opened"))
    head = (
        f"X-GM-THRID: {1_700_000_000_000_000_000 + n}\n"
        f"X-Gmail-Labels: {labels}\n"
        f"Message-ID: <{n}.{rng.randrange(10**9)}@mail.example>\n"
        f"Date: {format_datetime(when).rsplit(' ', 1)[0]} {offset}\n"
        f"From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg{n % 97}@example.com>\n"
        "To: Mara <mara@example.com>\n"
        f"Subject: {encoded}\n"
        "MIME-Version: 1.0\n"
    )
    kind = n % 4
    if kind == 0:  # plain, Latin-1 quoted-printable
        part = quopri.encodestring(body.encode("latin-1", "replace")).decode("ascii")
        msg = (
            head + 'Content-Type: text/plain; charset="iso-8859-1"\n'
            "Content-Transfer-Encoding: quoted-printable\n\n" + part
        )
    else:  # alternative: base64 plain + quoted-printable HTML (+ a small attachment now and then)
        html = "<html><head><style>p{margin:0}</style></head><body>" + "".join(
            f"<p>{line}</p>" for line in body.split("\n\n")
        )
        html += "</body></html>"
        plain64 = base64.encodebytes(body.encode("utf-8")).decode("ascii")
        html_qp = quopri.encodestring(html.encode("utf-8")).decode("ascii")
        alt = (
            'Content-Type: multipart/alternative; boundary="alt"\n\n--alt\n'
            'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n'
            f"{plain64}\n--alt\n"
            'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
            f"{html_qp}\n--alt--\n"
        )
        if kind == 3:
            attachment = base64.encodebytes(rng.randbytes(rng.randint(2000, 20000))).decode("ascii")
            msg = (
                head + 'Content-Type: multipart/mixed; boundary="mix"\n\n--mix\n' + alt + "\n--mix\n"
                'Content-Type: application/pdf; name="Rechnung.pdf"\n'
                'Content-Disposition: attachment; filename="Rechnung.pdf"\n'
                "Content-Transfer-Encoding: base64\n\n" + attachment + "\n--mix--\n"
            )
        else:
            msg = head + alt
    lines = [(">" + line if line.startswith("From ") else line) for line in msg.split("\n")]
    separator = f"From {1_700_000_000_000_000_000 + n}@xxx {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}"
    return ("\r\n".join([separator, *lines]) + "\r\n\r\n").encode("utf-8")


def write_mbox(root: Path, megabytes: float, seed: int = 7) -> Path:
    """A Gmail Takeout mbox of at least ``megabytes`` MB, written message by message."""
    path = root / MBOX_MEMBER
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    when = datetime(2012, 1, 1, 8, tzinfo=UTC)
    written = n = 0
    with path.open("wb") as fh:
        while written < target:
            data = _mail(rng, n, when)
            fh.write(data)
            written += len(data)
            n += 1
            when += timedelta(minutes=rng.randint(5, 600))
    return path


# The sample person's DTD, iOS 16 syntax error included, as real exports have it.
_HEALTH_HEAD = (
    """<?xml version="1.0" encoding="UTF-8"?>
"""
    + HEALTH_DTD
    + """<HealthData locale="de_DE">
 <ExportDate value="2025-06-30 21:00:00 +0200"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1900-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""
)
_DEVICE = (
    "&lt;&lt;HKDevice: 0x2836f1e50&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,1, software:10.1&gt;"
)
_SAMPLES = (
    ("HKQuantityTypeIdentifierHeartRate", "count/min", lambda r: f"{r.randint(52, 165)}", 0),
    ("HKQuantityTypeIdentifierStepCount", "count", lambda r: f"{r.randint(5, 900)}", 300),
    ("HKQuantityTypeIdentifierActiveEnergyBurned", "kcal", lambda r: f"{r.uniform(0.1, 12):.3f}", 60),
    ("HKQuantityTypeIdentifierDistanceWalkingRunning", "km", lambda r: f"{r.uniform(0.001, 0.6):.5f}", 300),
)


def _hk(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S +0200")


def write_health(root: Path, megabytes: float, seed: int = 7) -> Path:
    """An ``export.xml`` of at least ``megabytes`` MB: samples every few minutes for as many years as it
    takes, a workout most days and one activity summary per day."""
    path = root / HEALTH_MEMBER
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    t = datetime(2015, 5, 1, 6)
    day = t.date()
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(_HEALTH_HEAD)
        while written < target:
            chunk: list[str] = []
            for _ in range(500):
                kind, unit, value, span = rng.choice(_SAMPLES)
                end = t + timedelta(seconds=span)
                chunk.append(
                    f' <Record type="{kind}" sourceName="Mara’s Apple Watch" sourceVersion="10.1" '
                    f'device="{_DEVICE}" unit="{unit}" creationDate="{_hk(end)}" startDate="{_hk(t)}" '
                    f'endDate="{_hk(end)}" value="{value(rng)}">\n'
                    '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
                    " </Record>\n"
                    if kind.endswith("HeartRate")
                    else f' <Record type="{kind}" sourceName="Mara’s iPhone" sourceVersion="17.4" '
                    f'unit="{unit}" creationDate="{_hk(end)}" startDate="{_hk(t)}" endDate="{_hk(end)}" '
                    f'value="{value(rng)}"/>\n'
                )
                t += timedelta(seconds=rng.randint(30, 240))
                if t.date() != day:
                    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=18)
                    minutes = rng.uniform(20, 70)
                    chunk.append(
                        ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" '
                        f'duration="{minutes:.4f}" durationUnit="min" totalDistance="{minutes / 6:.3f}" '
                        f'totalDistanceUnit="km" totalEnergyBurned="{minutes * 10:.1f}" '
                        'totalEnergyBurnedUnit="kcal" sourceName="Mara’s Apple Watch" sourceVersion="10.1" '
                        f'creationDate="{_hk(start)}" startDate="{_hk(start)}" '
                        f'endDate="{_hk(start + timedelta(minutes=minutes))}"/>\n'
                        f' <ActivitySummary dateComponents="{day.isoformat()}" '
                        f'activeEnergyBurned="{rng.uniform(200, 900):.2f}" activeEnergyBurnedGoal="500" '
                        'activeEnergyBurnedUnit="kcal" appleExerciseTime="34" appleExerciseTimeGoal="30" '
                        'appleStandHours="11" appleStandHoursGoal="12"/>\n'
                    )
                    day = t.date()
            data = "".join(chunk)
            fh.write(data)
            written += len(data.encode("utf-8"))
        fh.write("</HealthData>\n")
    return path


def write_location(root: Path, megabytes: float) -> Path:
    sys.path.insert(0, str(HERE))
    from import_speed import write_location as write  # the location generator lives with its benchmark

    return write(root, megabytes)


# -- measuring --------------------------------------------------------------------------------------


def _child(mode: str, path: Path, work: Path) -> dict[str, Any]:
    """Runs inside the measured subprocess; returns what it counted and how long the work took."""
    from selfdex.importers.registry import load_importers
    from selfdex.ingest import import_path
    from selfdex.store import Store
    from selfdex.testing import count_parsed

    importers = load_importers()
    start = time.perf_counter()
    if mode == "import":
        with Store(work / "store.sqlite") as store:
            summary = import_path(store, path, importers=importers)
        result: dict[str, Any] = {
            "records": summary.records_read,
            "problems": summary.problems,
            "importers": sorted({f.importer or "-" for f in summary.files}),
        }
    else:
        result = count_parsed(path, importers)
    result["seconds"] = time.perf_counter() - start
    return result


def _probe(mode: str, path: Path, work: Path) -> dict[str, Any]:
    """Runs the measured child and reads its peak RSS from this (otherwise childless) process's
    ``RUSAGE_CHILDREN``, so every measurement's maximum is its own."""
    cmd = [sys.executable, __file__, "--child", mode, str(path), str(work)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    if proc.returncode != 0:
        return {"failed": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}", "peak_mb": peak_mb}
    return {**json.loads(proc.stdout), "peak_mb": peak_mb}


def measure(mode: str, path: Path, out: Path) -> tuple[dict[str, Any], float]:
    """One measurement in a fresh interpreter: its report and its peak RSS in MB."""
    work = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=out))
    cmd = [sys.executable, __file__, "--probe", mode, str(path), str(work)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0:
        return {"failed": f"probe exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}, float("nan")
    report = json.loads(proc.stdout)
    return report, report.pop("peak_mb")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--health-mb", type=float, default=1024, help="minimum size of export.xml in MB")
    ap.add_argument("--mbox-mb", type=float, default=1024, help="minimum size of the mbox in MB")
    ap.add_argument("--location-mb", type=float, default=1024, help="minimum size of Records.json in MB")
    ap.add_argument("--only", choices=("health", "mbox", "location"), action="append", help="repeatable")
    ap.add_argument("--modes", default="parse,import", help="comma-separated: parse, import")
    ap.add_argument("--out", type=Path, help="where to write the files (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "WORK"), help=argparse.SUPPRESS)
    ap.add_argument("--probe", nargs=3, metavar=("MODE", "PATH", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child or args.probe:
        mode, path, work = args.child or args.probe
        run = _child if args.child else _probe
        print(json.dumps(run(mode, Path(path), Path(work))))
        return 0

    out = args.out or Path(tempfile.mkdtemp(prefix="selfdex-mem-"))
    out.mkdir(parents=True, exist_ok=True)
    plan = {
        "health": (f"Apple Health export.xml (≥ {args.health_mb:,.0f} MB)", write_health, args.health_mb),
        "mbox": (f"Gmail mbox (≥ {args.mbox_mb:,.0f} MB)", write_mbox, args.mbox_mb),
        "location": (
            f"Location Records.json (≥ {args.location_mb:,.0f} MB)",
            write_location,
            args.location_mb,
        ),
    }
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    lines = [
        "| File | Size (MB) | Mode | Records | Problems | Time (s) | MB/s | Peak RSS (MB) | < 300 MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for key in args.only or list(plan):
        label, writer, megabytes = plan[key]
        t0 = time.perf_counter()
        path = writer(out / key, megabytes)
        size_mb = path.stat().st_size / 1e6
        print(f"{key}: {path} ({size_mb:,.0f} MB, written in {time.perf_counter() - t0:.0f} s)", flush=True)
        for mode in modes:
            report, peak = measure(mode, path, out)
            seconds = report.get("seconds")
            ok = "–" if peak != peak else ("✅" if peak < RSS_TARGET_MB else "❌")
            row = (
                f"| {label} | {size_mb:,.0f} | {mode} | {report.get('records', 0):,} | "
                f"{report.get('problems', 0):,} | {seconds or 0:,.1f} | "
                f"{size_mb / seconds if seconds else 0:,.1f} | "
                f"{'–' if peak != peak else f'{peak:,.0f}'} | {ok} |"
            )
            if "failed" in report:
                row += f" {report['failed']}"
            print(row, flush=True)
            lines.append(row)
        if not args.keep:
            shutil.rmtree(out / key, ignore_errors=True)
    command = "python benchmarks/import_memory.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    machine = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    table = "\n".join(lines)
    report_md = (
        "# Import memory on GB inputs\n\n"
        f"Command: `{command.strip()}`  \nMachine: {machine}, {time.strftime('%Y-%m-%d')}\n\n"
        f"{table}\n\nTarget: peak RSS < {RSS_TARGET_MB} MB (issue 3). Peak RSS is the child process's "
        "`ru_maxrss` (`resource.getrusage(RUSAGE_CHILDREN)`), Python interpreter and imports included.\n"
    )
    print("\n" + table)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(report_md, encoding="utf-8")
    if not args.out and not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
