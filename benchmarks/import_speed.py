"""Import speed and memory on large exports: selfdex against google_takeout_parser, side by side.

Generates, streaming (memory stays flat whatever the size):

* a Spotify extended streaming history of ``--records`` streams (default 1 000 000), written by
  :func:`selfdex.sample.platforms.spotify.write_extended_history`;
* a Google Location History ``Records.json`` of at least ``--location-mb`` MB (default 500), in
  Takeout's own layout, inside a ``Takeout/Location History (Timeline)/`` folder.

Then measures each file, every measurement in its own subprocess so that its peak RSS is its own
(``os.wait4`` returns the child's rusage):

* ``selfdex import``: the real pipeline, :func:`selfdex.ingest.import_path` into a fresh store;
* ``selfdex parse-only``: the chosen importer's records iterated and dropped (no store), so the
  difference with the row above is what the store costs;
* ``google_takeout_parser`` (0.1.13): its ``TakeoutParser`` over the same file ("no parser" when it has
  none for the file), with orjson when installed (its default) and with the stdlib ``json`` fallback;
* the SQLite floor: after the import, the rows it stored are copied into a bare table of the same
  columns (no index, no full-text index, no id to compute; batches of 10,000 read outside the timer),
  timing only the inserts: what any store that keeps one SQLite row per record pays at least.

Targets (issue 15): peak RSS < 300 MB whatever the file size; ``selfdex import`` ≥ 1× the records/s
of google_takeout_parser on the same input. The Markdown table is printed and written, with the exact
command, to ``benchmarks/results/import_speed.md``.

    python benchmarks/import_speed.py                       # full size: several minutes
    python benchmarks/import_speed.py --records 20000 --location-mb 5   # smoke test
    python benchmarks/import_speed.py --profile             # + cProfile of the selfdex runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "import_speed.md"
RSS_TARGET_MB = 300
SPEEDUP_TARGET = 1.0
FLOOR = "SQLite floor: the stored rows into a bare table"
_FLOOR_BATCH = 10_000
SPOTIFY_MEMBER = "Spotify Extended Streaming History/Streaming_History_Audio_2016-2025_0.json"
LOCATION_MEMBER = "Takeout/Location History (Timeline)/Records.json"


# -- generators -------------------------------------------------------------------------------------


def write_spotify(root: Path, n_records: int) -> Path:
    from selfdex.sample.platforms.spotify import write_extended_history

    return write_extended_history(root / SPOTIFY_MEMBER, n_records, seed=7)


def write_location(root: Path, megabytes: float, seed: int = 7) -> Path:
    """A ``Records.json`` of at least ``megabytes`` MB: a phone's fixes every ~minute around Berlin, with
    activity guesses on some, in Takeout's two-space ``[{ … }, { … }]`` layout. A few points abroad
    have negative coordinates written as unsigned E7 ints, as real exports sometimes do."""
    path = root / LOCATION_MEMBER
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rand = rng.random
    target = int(megabytes * 1_000_000)
    lat, lon = 525_387_000, 134_241_000
    t = datetime(2014, 1, 1, tzinfo=UTC)
    sources = ("WIFI", "WIFI", "GPS", "CELL", "UNKNOWN")
    activities = ("STILL", "ON_FOOT", "WALKING", "IN_VEHICLE", "ON_BICYCLE", "RUNNING", "UNKNOWN")
    written = 0
    first = True
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write('{\n  "locations": [')
        while written < target:
            chunk = []
            for _ in range(5000):
                t += timedelta(seconds=20 + int(rand() * 120), milliseconds=int(rand() * 1000))
                lat += int((rand() - 0.5) * 20_000)
                lon += int((rand() - 0.5) * 30_000)
                if rand() < 0.001:  # abroad, west of Greenwich: an unsigned wrap-around E7
                    p_lat, p_lon = lat, -1_221_400_000 + int(rand() * 1e6) + 2**32
                else:
                    p_lat, p_lon = lat, lon
                source = sources[int(rand() * 5)]
                ts = t.strftime("%Y-%m-%dT%H:%M:%S") + (
                    f".{t.microsecond // 1000:03d}Z" if rand() < 0.9 else "Z"
                )
                parts = [
                    "{\n",
                    f'    "latitudeE7": {p_lat},\n    "longitudeE7": {p_lon},\n',
                    f'    "accuracy": {3 + int(rand() * 60)},\n',
                ]
                if rand() < 0.25:
                    a1, a2 = activities[int(rand() * 7)], activities[int(rand() * 7)]
                    parts.append(
                        '    "activity": [{\n      "activity": [{\n'
                        f'        "type": "{a1}",\n        "confidence": {50 + int(rand() * 50)}\n'
                        "      }, {\n"
                        f'        "type": "{a2}",\n        "confidence": {int(rand() * 50)}\n'
                        "      }],\n"
                        f'      "timestamp": "{ts}"\n    }}],\n'
                    )
                if source == "GPS":
                    parts.append(
                        f'    "velocity": {int(rand() * 12)},\n    "heading": {int(rand() * 360)},\n'
                        f'    "altitude": {30 + int(rand() * 80)},\n    "verticalAccuracy": {2 + int(rand() * 20)},\n'
                    )
                parts.append(
                    f'    "source": "{source}",\n    "deviceTag": 1186431571,\n    "timestamp": "{ts}"\n  }}'
                )
                chunk.append(("" if first else ", ") + "".join(parts))
                first = False
            text = "".join(chunk)
            fh.write(text)
            written += len(text)
        fh.write("]\n}\n")
    return path


# -- measurements (each in a child process) --------------------------------------------------------


@dataclass
class Row:
    file: str
    size_mb: float
    tool: str
    records: int | None = None
    seconds: float | None = None
    peak_rss_mb: float | None = None
    note: str = ""

    @property
    def rate(self) -> float | None:
        if not self.records or not self.seconds:
            return None
        return self.records / self.seconds


def _child(mode: str, path: Path, takeout_dir: Path, work: Path, profile: bool) -> dict[str, Any]:
    """Runs inside the measured subprocess; returns what it counted and how long the work took."""
    if mode == "gtp-stdlib":
        sys.modules["orjson"] = None  # type: ignore[assignment]  # google_takeout_parser falls back on json
    if mode.startswith("gtp"):
        import warnings

        from google_takeout_parser.path_dispatch import TakeoutParser

        warnings.simplefilter("ignore")
        parser = TakeoutParser(takeout_dir, locale_name="EN", warn_exceptions=False)
        handler = parser.dispatch_map().get(path.absolute())
        if handler is None:
            return {"no_parser": True}
        start = time.perf_counter()
        records = errors = 0
        for parsed in parser.parse(cache=False):
            if isinstance(parsed, Exception):
                errors += 1
            else:
                records += 1
        return {"records": records, "errors": errors, "seconds": time.perf_counter() - start}

    from selfdex.importers.registry import load_importers
    from selfdex.ingest import import_path
    from selfdex.store import Store
    from selfdex.testing import count_parsed

    importers = load_importers()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result: dict[str, Any]
    if mode == "import":
        with Store(work / "store.sqlite") as store:
            summary = import_path(store, path, importers=importers)
        result = {
            "records": summary.records_read,
            "new": summary.records_new,
            "problems": summary.problems,
            "importers": sorted({f.importer or "-" for f in summary.files}),
        }
    else:
        result = count_parsed(path, importers)
    result["seconds"] = time.perf_counter() - start
    if profiler is not None:
        import pstats

        profiler.disable()
        stats_file = work / f"{mode}.pstats"
        profiler.dump_stats(stats_file)
        result["profile"] = str(stats_file)
        pstats.Stats(str(stats_file), stream=sys.stderr).sort_stats("tottime").print_stats(25)
    if mode == "import":
        result["store_mb"] = sum(f.stat().st_size for f in work.glob("store.sqlite*")) / 1e6
        result["floor_records"], result["floor_seconds"] = _sqlite_floor(
            work / "store.sqlite", work / "floor.sqlite"
        )
    return result


def _sqlite_floor(store: Path, target: Path) -> tuple[int, float]:
    """(rows, seconds): the store's records inserted into a bare table with the same columns and
    the store's own journal settings, timing the ``executemany`` calls only."""
    import sqlite3

    src = sqlite3.connect(store)
    cols = [r[1] for r in src.execute("PRAGMA table_info(records)")]
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    dst.execute(f"CREATE TABLE records ({', '.join(cols)})")
    insert = f"INSERT INTO records VALUES ({', '.join('?' for _ in cols)})"
    cur = src.execute(f"SELECT {', '.join(cols)} FROM records ORDER BY rowid")
    rows = seconds = 0.0
    dst.execute("BEGIN")
    while batch := cur.fetchmany(_FLOOR_BATCH):
        t0 = time.perf_counter()
        dst.executemany(insert, batch)
        seconds += time.perf_counter() - t0
        rows += len(batch)
    t0 = time.perf_counter()
    dst.execute("COMMIT")
    seconds += time.perf_counter() - t0
    src.close()
    dst.close()
    return int(rows), seconds


def measure(
    mode: str, path: Path, takeout_dir: Path, out: Path, profile: bool
) -> tuple[dict[str, Any], float]:
    """Runs one measurement in a fresh interpreter; returns its report and its own peak RSS in MB."""
    work = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=out))
    cmd = [sys.executable, __file__, "--child", mode, str(path), str(takeout_dir), str(work)]
    if profile:
        cmd.append("--profile")
    with (work / "stdout").open("w") as so, (work / "stderr").open("w") as se:
        proc = subprocess.Popen(cmd, stdout=so, stderr=se)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    stderr = (work / "stderr").read_text()
    if profile and stderr:
        print(stderr, file=sys.stderr)
    if proc.returncode != 0:
        report: dict[str, Any] = {"failed": f"exit {proc.returncode}: {stderr.strip().splitlines()[-1:]}"}
    else:
        report = json.loads((work / "stdout").read_text())
    shutil.rmtree(work, ignore_errors=True)  # the store of an import run can be GBs
    return report, peak_mb


# -- report -----------------------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def render(rows: list[Row], labels: list[str]) -> str:
    lines = [
        "| File | Size (MB) | Tool | Records | Time (s) | Records/s | Peak RSS (MB) | Note |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.file} | {r.size_mb:,.0f} | {r.tool} | {_fmt(r.records, ',d')} | {_fmt(r.seconds, ',.1f')} "
            f"| {_fmt(r.rate, ',.0f')} | {_fmt(r.peak_rss_mb, ',.0f')} | {r.note} |"
        )
    lines += ["", "Targets: peak RSS < 300 MB; selfdex import ≥ 1× google_takeout_parser's records/s.", ""]
    for name in labels:
        mine = {r.tool: r for r in rows if r.file == name}
        imp = mine.get("selfdex import")
        if imp is None or imp.rate is None:
            continue
        rss_ok = imp.peak_rss_mb is not None and imp.peak_rss_mb < RSS_TARGET_MB
        parts = [f"peak RSS {imp.peak_rss_mb:,.0f} MB {'✅' if rss_ok else '❌'}"]
        for tool in ("google_takeout_parser (orjson)", "google_takeout_parser (json)"):
            other = mine.get(tool)
            if other is not None and other.rate:
                ratio = imp.rate / other.rate
                ok = "✅" if ratio >= SPEEDUP_TARGET else "❌"
                parts.append(f"{ratio:.2f}× {tool} {ok}")
        parse = mine.get("selfdex parse-only")
        if parse is not None and parse.rate:
            parts.append(f"the store takes {100 * (1 - imp.rate / parse.rate):.0f}% of import time")
        floor, gtp = mine.get(FLOOR), mine.get("google_takeout_parser (orjson)")
        if floor is not None and floor.rate and gtp is not None and gtp.rate:
            ratio = floor.rate / gtp.rate
            parts.append(
                f"the bare SQLite inserts alone run at {ratio:.2f}× google_takeout_parser's whole parse"
                + (", so an import that keeps these rows cannot reach 1×" if ratio < 1 else "")
            )
        lines.append(f"- **{name}**: " + "; ".join(parts))
    return "\n".join(lines)


def _revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=HERE, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "an unknown revision"
    return f"commit {head}" + (" with uncommitted changes" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000, help="Spotify streams to generate")
    ap.add_argument("--location-mb", type=float, default=500, help="minimum size of Records.json in MB")
    ap.add_argument("--out", type=Path, help="where to write the files (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files (reused by a later run)")
    ap.add_argument("--only", choices=("spotify", "location"), help="benchmark one file only")
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the selfdex runs (slower; top 25 on stderr)"
    )
    ap.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    ap.add_argument("--child", nargs=4, metavar=("MODE", "PATH", "TAKEOUT", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        mode, path, takeout, work = args.child
        print(json.dumps(_child(mode, Path(path), Path(takeout), Path(work), args.profile)))
        return 0

    out = args.out or Path(tempfile.mkdtemp(prefix="selfdex-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "generated.json"
    params = {"records": args.records, "location_mb": args.location_mb}
    reuse = stamp.exists() and json.loads(stamp.read_text()) == params
    files: dict[str, tuple[Path, Path]] = {}  # label → (file, the folder google_takeout_parser walks)
    if args.only in (None, "spotify"):
        root = out / "spotify"
        t0 = time.perf_counter()
        path = root / SPOTIFY_MEMBER if reuse else write_spotify(root, args.records)
        print(f"spotify: {path} ({path.stat().st_size / 1e6:,.0f} MB, {time.perf_counter() - t0:.0f} s)")
        files[f"Spotify extended history ({args.records:,} streams)"] = (path, root)
    if args.only in (None, "location"):
        root = out / "location"
        t0 = time.perf_counter()
        path = root / LOCATION_MEMBER if reuse else write_location(root, args.location_mb)
        print(f"location: {path} ({path.stat().st_size / 1e6:,.0f} MB, {time.perf_counter() - t0:.0f} s)")
        files["Location Records.json"] = (path, root / "Takeout")
    stamp.write_text(json.dumps(params))

    load_before = os.getloadavg()
    rows: list[Row] = []
    modes = (
        ("selfdex import", "import"),
        ("selfdex parse-only", "parse"),
        ("google_takeout_parser (orjson)", "gtp"),
        ("google_takeout_parser (json)", "gtp-stdlib"),
    )
    for label, (path, takeout_dir) in files.items():
        size_mb = path.stat().st_size / 1e6
        for tool, mode in modes:
            report, peak = measure(mode, path, takeout_dir, out, args.profile and not mode.startswith("gtp"))
            if report.get("no_parser"):
                if mode == "gtp":
                    rows.append(Row(label, size_mb, "google_takeout_parser", note="no parser"))
                print(f"{label}: {tool}: no parser")
                continue
            row = Row(label, size_mb, tool, report.get("records"), report.get("seconds"), peak)
            if "failed" in report:
                row.note = report["failed"]
            elif report.get("problems") or report.get("errors"):
                row.note = f"{report.get('problems') or report.get('errors'):,} problems"
            if report.get("store_mb"):
                row.note = (row.note + "; " if row.note else "") + f"store {report['store_mb']:,.0f} MB"
            rows.append(row)
            if report.get("floor_seconds"):
                rows.append(
                    Row(
                        label,
                        size_mb,
                        FLOOR,
                        report["floor_records"],
                        report["floor_seconds"],
                        None,
                        "inserts only",
                    )
                )
            print(
                f"{label}: {tool}: {row.records} records, {_fmt(row.seconds, '.1f')} s, "
                f"{_fmt(row.rate, ',.0f')} rec/s, peak {peak:,.0f} MB {row.note}",
                flush=True,
            )

    table = render(rows, list(files))
    print("\n" + table)
    command = "python " + " ".join(
        shlex.quote(a) for a in ([os.path.relpath(__file__)] + (argv or sys.argv[1:]))
    )
    load = f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        "# Import speed\n\n"
        f"Command: `{command}`\n\n"
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs ({load}: shared with other work, so timings are indicative), "
        f"selfdex at {_revision()}. Each row is its own subprocess; "
        "peak RSS is that process's own maximum resident set size.\n\n" + table + "\n"
    )
    if not args.keep:
        shutil.rmtree(out / "spotify", ignore_errors=True)
        shutil.rmtree(out / "location", ignore_errors=True)
        stamp.unlink(missing_ok=True)
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    else:
        print(f"kept the generated files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
