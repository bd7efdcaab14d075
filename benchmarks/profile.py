"""Profile cost on a large store: the post-import hook and `selfdex profile show`.

Run it on the store that ``benchmarks/search.py --store PATH`` generated; it works on a copy, so that
store is left as it was. Measures, each once and each in a fresh process (so each peak RSS is that
step's own), in this order:

* the import hook (``after_import``: entity linking, the person's corrections, the facts) on the store
  as given: the first run links and parses every record;
* ``selfdex profile show --json`` (reads the kept facts);
* with ``--add N`` (default 10 000): the import hook after N new records on that store, and after the
  same N records on an empty store (the ratio is the issue's "< 2×" target), then ``profile show`` again.

    python benchmarks/search.py --distinct 10000 --store /tmp/sxbench/store.sqlite   # once, to make the store
    python benchmarks/profile.py --store /tmp/sxbench/store.sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selfdex.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "profile.md"


def _add(path: Path, n: int) -> None:
    """Add ``n`` generated records (seed 8: other plays, partly new items), as one import would."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search import make_catalogue, write_store

    with Store(path) as store:
        write_store(store, make_catalogue(10_000, 8), n, 8)


def _hook(path: Path) -> dict[str, float]:
    """Time the import hook (``after_import``: linking, corrections, facts) in a fresh process, so its
    peak RSS is the hook's own: {"link", "facts", "total", "rss_mb"}."""
    code = (
        "import json, resource, sys, time\n"
        "from selfdex.store import Store\n"
        "from selfdex.profile import apply_corrections, build_profile\n"
        "from selfdex.profile.linking import update_entities\n"
        "store = Store(sys.argv[1])\n"
        "t0 = time.perf_counter(); update_entities(store); apply_corrections(store)\n"
        "t1 = time.perf_counter(); build_profile(store); t2 = time.perf_counter()\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'link': t1 - t0, 'facts': t2 - t1, 'total': t2 - t0, 'rss_mb': rss}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _show(path: Path) -> dict[str, float]:
    """`selfdex profile show --json` as a whole process: seconds and that process's peak RSS."""
    code = (
        "import contextlib, io, resource, sys\n"
        "from selfdex.cli.main import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli(['--store', sys.argv[1], 'profile', 'show', '--json'], standalone_mode=False)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True)
    return {"total": time.perf_counter() - t, "rss_mb": float(out.stdout.strip().splitlines()[-1])}


def _cell(r: dict[str, float], key: str) -> str:
    return f"{r[key]:.3f}" if key in r else "–"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True, help="a store made by benchmarks/search.py --store")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    ap.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    ap.add_argument(
        "--add",
        type=int,
        default=10_000,
        help="then add this many new records (another seed) to the linked store and to an empty one, and "
        "time the import hook on each: the incremental cost against the same import into an empty store",
    )
    args = ap.parse_args()
    if not args.store.exists():
        sys.exit(f"{args.store}: no such store (make one with benchmarks/search.py --store {args.store})")

    with tempfile.TemporaryDirectory(prefix="selfdex-profile-bench-") as tmp:
        path = Path(tmp) / "store.sqlite"
        shutil.copy(args.store, path)
        with Store(path) as store:
            n = store.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        rows: list[tuple[str, dict[str, float]]] = []
        rows.append(("import hook on the store as given (first: links and parses every record)", _hook(path)))
        rows.append(("`profile show --json`, whole process (reads the kept facts)", _show(path)))
        if args.add:
            _add(path, args.add)
            rows.append((f"import hook after {args.add:,} new records, on this store", _hook(path)))
            empty = Path(tmp) / "empty.sqlite"
            _add(empty, args.add)
            rows.append((f"import hook after the same {args.add:,} records, on an empty store", _hook(empty)))
            rows.append(("`profile show --json` after the import, whole process", _show(path)))
        with Store(path) as store:
            facts = store.conn.execute(
                "SELECT count(*) FROM profile_fact_members WHERE set_id = (SELECT max(id) FROM profile_fact_sets)"
            ).fetchone()[0]

    load = os.getloadavg()
    lines = [
        "# Profile cost on a large store",
        "",
        f"Command: `python benchmarks/profile.py {shlex.join(sys.argv[1:])}`",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(load average at the end {load[0]:.1f}: the cores were shared, times are upper bounds). "
        f"Store: {n:,} records; {facts} facts.",
        "",
        "| step | linking + corrections s | facts s | total s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {_cell(r, 'link')} | {_cell(r, 'facts')} | {r['total']:.3f} | {r['rss_mb']:.0f} |"
            for name, r in rows
        ),
    ]
    if args.add:
        ratio = rows[2][1]["total"] / rows[3][1]["total"]
        lines += ["", f"Import hook, {args.add:,} records into this store / into an empty one: {ratio:.2f}×"]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        args.results.write_text(text)


if __name__ == "__main__":
    main()
