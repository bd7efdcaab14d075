"""`recommend` and `profile show` on a large generated store, before and after the maintained views.

    python benchmarks/recommend_scale.py --records 100000 [--before-src /work/main/src] \
        [--store /tmp/rs.sqlite] [--reps 10] [--out benchmarks/results/recommend_scale.md]

The store is the one ``benchmarks/search.py`` writes (Zipf-popular catalogue of ``--distinct`` items).
Measured, side by side in one run:

* in-process ``recommend`` with 50 candidates (after a warm-up that embeds the history): p50/p95 of
  the request, with the history read from the maintained ``history_entities`` (now) and by the full
  ``GROUP BY platform, lower(title)`` over every record (``history_by_scan``, the reference);
* whole-command ``selfdex recommend`` and ``selfdex profile show`` (median wall time of ``--reps``
  processes, peak RSS of the worst one), with this checkout's code and, with ``--before-src``, with
  another checkout's (e.g. main) on a copy of the store downgraded to the core schema it knows.

The embedding cache lives in a temporary XDG_CACHE_HOME, filled by the warm-up.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import make_catalogue, write_store
from selfdex.profile import build_profile
from selfdex.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "recommend_scale.md"
# the module: selfdex.agent re-exports a function of the same name
rec: Any = importlib.import_module("selfdex.agent.recommend")
hist: Any = importlib.import_module("selfdex.rank.history")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def timed(fn: Callable[[], object], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def run_cli(args: list[str], env: dict[str, str], reps: int, work: Path) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MB) of `reps` runs of the `selfdex` entry point.

    Peak RSS comes from /usr/bin/time, not from this process's wait4(): a child forked from this
    (large) process would report this process's memory as its own."""
    walls, rss = [], []
    report = work / "time.txt"
    for _ in range(reps):
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(report), sys.executable, "-c", _ENTRY, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        walls.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(f"{args} failed: {proc.stderr}")
        rss.append(int(report.read_text().split()[-1]) / 1024)
    return statistics.median(walls), max(rss)


_ENTRY = "from selfdex.cli.main import main; main()"


def schema_of(src: Path) -> int:
    """The core schema version the checkout at ``src`` knows."""
    code = "from selfdex.store.schema import SCHEMA_VERSION; print(SCHEMA_VERSION)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


# What takes a store from core schema v back to v - 1 (v = 5, 4), for the code before the change.
_DOWN = {
    5: "DROP INDEX record_titles_unkeyed;",
    4: "DROP TRIGGER record_titles_dirty_insert; DROP TRIGGER record_titles_dirty_update; "
    "DROP TRIGGER record_titles_dirty_delete; DROP TRIGGER hidden_records_dirty_insert; "
    "DROP TRIGGER hidden_records_dirty_delete; "
    "DROP TABLE history_titles; DROP TABLE history_entities; DROP TABLE history_dirty; "
    "ALTER TABLE record_titles DROP COLUMN entity_key;",
}


def downgrade(src: Path, dst: Path, version: int) -> None:
    """A copy of the store at core schema ``version``, as the code before a change knows it."""
    shutil.copy(src, dst)
    with sqlite3.connect(dst) as conn:
        now = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.executescript(
            "".join(_DOWN[v] for v in range(now, version, -1)) + f"PRAGMA user_version = {version};"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--distinct", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", type=int, default=10, help="in-process requests (processes: a third)")
    ap.add_argument("--store", type=Path, help="store file (reused when it already has the records)")
    ap.add_argument("--before-src", type=Path, help="src/ of the checkout to compare with (whole commands)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="selfdex-recommend-bench-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    path = args.store or work / "store.sqlite"
    cat = make_catalogue(args.distinct, args.seed)
    t0 = time.perf_counter()
    with Store(path) as store:
        open_s = time.perf_counter() - t0
        write_s = None
        if not store.count():
            print(f"writing {args.records:,} records to {path}", file=sys.stderr)
            write_s = write_store(store, cat, args.records, args.seed)
        n = store.count()
        t0 = time.perf_counter()
        build_profile(store)  # fills the facts cache that `profile show` reads
        profile_s = time.perf_counter() - t0
        titles = store.conn.execute("SELECT count(*) FROM record_titles").fetchone()[0]
        blob = dict(
            store.conn.execute("SELECT key, length(value) FROM profile_state WHERE key LIKE 'facts%'")
        )

        picks = [it for _, it, _, _ in cat.items[::97] if it.title][:50]
        cands = [
            {"id": f"c{i}", "title": it.title, "creators": ", ".join(it.creators)}
            for i, it in enumerate(picks)
        ]
        csv_path = work / "candidates.csv"
        with csv_path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["id", "title", "creators"])
            w.writeheader()
            w.writerows(cands)

        def request() -> object:
            return rec.recommend(store, cands, platform="spotify")

        print("warm-up (embeds the history once)", file=sys.stderr)
        t0 = time.perf_counter()
        request()
        warm_s = time.perf_counter() - t0
        times: dict[str, list[float]] = {k: [] for k in ("hist_now", "hist_scan", "req_now", "req_scan")}
        for _ in range(args.reps):  # interleaved, so both see the same machine load
            times["hist_now"] += timed(lambda: hist.history_from_store(store), 1)
            times["req_now"] += timed(request, 1)
            times["hist_scan"] += timed(lambda: hist.history_by_scan(store), 1)
            times["req_scan"] += timed(
                lambda: rec.recommend(store, cands, platform="spotify", history=hist.history_by_scan(store)),
                1,
            )
        hist_now, hist_scan, req_now, req_scan = times.values()
        same = hist.history_by_scan(store) == hist.history_from_store(store)
        entities = store.conn.execute("SELECT count(*) FROM history_entities").fetchone()[0]

    env = {**os.environ, "SELFDEX_STORE": str(path)}
    procs = max(3, args.reps // 3)
    rows = []
    cmds = {
        "recommend": ["recommend", str(csv_path), "--platform", "spotify", "--json"],
        "profile show": ["profile", "show"],
    }
    for name, cmd in cmds.items():
        rows.append((name, "this checkout", *run_cli(cmd, env, procs, work)))
    if args.before_src:
        old = work / "before.sqlite"
        downgrade(path, old, schema_of(args.before_src))
        benv = {**env, "SELFDEX_STORE": str(old), "PYTHONPATH": str(args.before_src)}
        for name, cmd in cmds.items():
            rows.append((name, f"before ({args.before_src})", *run_cli(cmd, benv, procs, work)))

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# recommend and profile show at scale",
        "",
        f"`{shlex.join([Path(sys.executable).name, *sys.argv])}` — commit {commit}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared; load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}",
        "",
        f"{n:,} records, {titles:,} rows in record_titles, {entities:,} in history_entities; "
        f"store open (migration) {open_s:.1f} s; store write "
        f"{'(reused store)' if write_s is None else f'{write_s:.1f} s'}; profile build (or cache hit) {profile_s:.1f} s; first recommend (embeds) {warm_s:.1f} s; facts cache "
        f"{blob.get('facts', 0) / 1e6:.1f} MB, compact twin {blob.get('facts_compact', 0) / 1e6:.2f} MB.",
        f"History read from history_entities equals the full scan: **{same}**.",
        "",
        "| in-process, 50 candidates | p50 s | p95 s |",
        "|---|---:|---:|",
        f"| history read, history_entities (now) | {pct(hist_now, 0.5):.3f} | {pct(hist_now, 0.95):.3f} |",
        f"| history read, full GROUP BY (before) | {pct(hist_scan, 0.5):.3f} | {pct(hist_scan, 0.95):.3f} |",
        f"| recommend request (now) | {pct(req_now, 0.5):.3f} | {pct(req_now, 0.95):.3f} |",
        f"| recommend request, full GROUP BY (before) | {pct(req_scan, 0.5):.3f} | {pct(req_scan, 0.95):.3f} |",
        "",
        f"| whole command ({procs} processes) | code | median s | peak RSS MB |",
        "|---|---|---:|---:|",
        *(f"| `selfdex {name}` | {code} | {wall:.2f} | {rss:.0f} |" for name, code, wall, rss in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
