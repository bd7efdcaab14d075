"""Profile cost on a large store: the post-import hook and `selfdex profile show`.

Run it on the store that ``benchmarks/search.py --store PATH`` generated (10⁶ records); it works on a
copy, so that store is left as it was. Measures, each once, in this order:

* ``refresh``: entity linking over every record and re-applying the person's corrections (what
  ``selfdex import`` runs after each import);
* the first ``build_profile`` after it (infers every fact; what the import hook also runs once, so the
  facts are cached in the store);
* ``build_profile`` again, three times (served from the cache: what ``profile show``, ``ask`` and the
  web app pay);
* with ``--add N`` (default 10 000): the import hook (``refresh`` + ``build_profile``) after N new
  records on that store, and after the same N records on an empty store.

    python benchmarks/search.py --distinct 10000 --store /tmp/sxbench/store.sqlite   # once, to make the store
    python benchmarks/profile.py --store /tmp/sxbench/store.sqlite
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from selfdex.profile import build_profile, refresh
from selfdex.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "profile.md"


def _hook(store: Store, n: int) -> float:
    """Add ``n`` generated records (seed 8: other plays, partly new items) and time refresh + build_profile."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search import make_catalogue, write_store

    write_store(store, make_catalogue(10_000, 8), n, 8)
    t = time.perf_counter()
    refresh(store)
    build_profile(store)
    return time.perf_counter() - t


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
        store = Store(path)
        n = store.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        rows: list[tuple[str, float]] = []

        t = time.perf_counter()
        refresh(store)
        rows.append(("refresh: entity linking + corrections (after each import)", time.perf_counter() - t))
        t = time.perf_counter()
        profile = build_profile(store)
        rows.append(
            ("first build_profile: infer and cache the facts (after each import)", time.perf_counter() - t)
        )
        cached = []
        for _ in range(3):
            t = time.perf_counter()
            build_profile(store)
            cached.append(time.perf_counter() - t)
        rows.append(("build_profile from the cache (profile show, ask, web), worst of 3", max(cached)))
        if args.add:
            rows.append(
                (f"import hook after {args.add:,} new records, on this store", _hook(store, args.add))
            )
        store.close()
        if args.add:
            with Store(Path(tmp) / "empty.sqlite") as empty:
                rows.append(
                    (
                        f"import hook after the same {args.add:,} records, on an empty store",
                        _hook(empty, args.add),
                    )
                )

    load = os.getloadavg()
    lines = [
        "# Profile cost on a large store",
        "",
        f"Command: `python benchmarks/profile.py {shlex.join(sys.argv[1:])}`",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(load average at the end {load[0]:.1f}: the cores were shared, times are upper bounds). "
        f"Store: {n:,} records; {len(profile.facts)} facts.",
        "",
        "| step | seconds |",
        "|---|---:|",
        *(f"| {name} | {sec:.3f} |" for name, sec in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        args.results.write_text(text)


if __name__ == "__main__":
    main()
