"""Whole-process start-up time of cheap CLI commands, beside a bare Python start.

    python benchmarks/cli_startup.py [--reps 15] [--out benchmarks/results/cli_startup.md]

Each command runs as its own process (the `selfdex` console script a user types), on an empty store,
``--reps`` times; the table gives the median and the slowest run. With ``PYTHONPATH=OTHER_CHECKOUT/src``
the same script measures another version of the code (the results file has the run before lazy loading). Target (issue #15): `selfdex --help` and `selfdex sources` < 0.25 s median.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selfdex.store import Store

RESULTS = Path(__file__).parent / "results" / "cli_startup.md"


def timed(argv: list[str], reps: int) -> list[float]:
    runs = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    selfdex = shutil.which("selfdex")
    if selfdex is None:
        sys.exit("the `selfdex` command is not on PATH: pip install -e . first")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.db"
        Store(store, create=True).close()
        cases = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "selfdex --version": [selfdex, "--version"],
            "selfdex --help": [selfdex, "--help"],
            "selfdex sources": [selfdex, "--store", str(store), "sources"],
            "selfdex jobs list": [selfdex, "--store", str(store), "jobs", "list"],
            "selfdex timeline": [selfdex, "--store", str(store), "timeline"],
        }
        rows = []
        for label, argv in cases.items():
            runs = timed(argv, args.reps)
            rows.append(f"| `{label}` | {statistics.median(runs):.3f} | {max(runs):.3f} |")
            print(rows[-1], flush=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
    ).stdout.strip()
    lines = [
        "# CLI start-up",
        "",
        f"`python benchmarks/cli_startup.py --reps {args.reps}` (commit `{commit}`; {platform.machine()}, "
        f"Python {sys.version.split()[0]}, {args.reps} runs each, empty store)",
        "",
        "| command | median s | slowest s |",
        "|---|---:|---:|",
        *rows,
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
