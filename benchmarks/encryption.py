"""Encryption at rest: import and search on an encrypted (SQLCipher) store vs a plain one, one run.

Inputs: the sample person's exports (every platform) plus a Spotify extended streaming history of
``--streams`` streams (default 50,000), so the import writes enough pages for the cipher to matter.
Each round imports everything into three fresh stores — plain through Python's own sqlite3, plain
through the SQLCipher build (no key: what the library alone costs) and encrypted — the order
alternating between rounds so that a slower stretch of a shared machine hits all, then runs the same
full-text queries on each (after one warm-up pass). Reported: median import time over the rounds, p50/p95 latency over all queries of all
rounds, and the cost of opening an encrypted store (once per process: the key derivation; after that
the derived key is reused). Target (from the issue): encrypted ≤ 1.3× the plain time.

    python benchmarks/encryption.py                      # prints the table, writes results/encryption.md
    python benchmarks/encryption.py --streams 5000 --rounds 1 --no-write    # smoke test
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from selfdex.ingest import import_path
from selfdex.sample import generate
from selfdex.sample.platforms.spotify import write_extended_history
from selfdex.store import Store, crypto, db, queries

RESULTS = Path(__file__).resolve().parent / "results" / "encryption.md"
PLAIN, ENCRYPTED = "plain (Python's sqlite3)", "encrypted (SQLCipher)"
MODES = (PLAIN, "plain, SQLCipher library", ENCRYPTED)
TARGET = 1.3
PASSPHRASE = "benchmark passphrase"
QUERIES = (
    "dune",
    "klara sun",
    "zimmer",
    "ramen",
    "knife",
    "running",
    "love",
    "night",
    "blue",
    "berlin",
    "the",
    "girl",
    "song",
    "dream",
    "time",
    "heart",
    "ishiguro",
    "chiang",
    "coffee",
    "rain",
)


def _via_sqlcipher(path: Path) -> sqlite3.Connection:
    """A plain (unencrypted) file through the SQLCipher build: separates the library from the cipher."""
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = dbapi2.Row
    return conn  # type: ignore[no-any-return]


@contextmanager
def _driver(mode: str) -> Iterator[None]:
    if mode != "plain, SQLCipher library":
        yield
        return
    saved = db.connect
    db.connect = _via_sqlcipher
    try:
        yield
    finally:
        db.connect = saved


def _import(path: Path, inputs: list[Path], mode: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    if mode == ENCRYPTED:
        crypto.init_encrypted(path, PASSPHRASE)
    with _driver(mode), Store(path) as store:
        for p in inputs:
            import_path(store, p)
        n = store.count()
    return time.perf_counter() - t0, n


def _search(path: Path, repeats: int, mode: str) -> list[float]:
    times = []
    with _driver(mode), Store(path, create=False) as store:
        for q in QUERIES:  # warm the page cache: the rows compare steady-state queries
            queries.search_fts(store, q, limit=20)
        for _ in range(repeats):
            for q in QUERIES:
                t0 = time.perf_counter()
                queries.search_fts(store, q, limit=20)
                times.append(time.perf_counter() - t0)
    return times


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def run(streams: int, rounds: int, repeats: int) -> str:
    with tempfile.TemporaryDirectory(prefix="selfdex-bench-enc-") as tmp:
        root = Path(tmp)
        inputs = generate(root / "exports", seed=7)
        spotify = write_extended_history(
            root / "spotify" / "Streaming_History_Audio_2016-2025_0.json", streams, seed=7
        )
        inputs.append(spotify.parent)
        imports: dict[str, list[float]] = {m: [] for m in MODES}
        searches: dict[str, list[float]] = {m: [] for m in MODES}
        sizes: dict[str, int] = {}
        records = 0
        load_before = os.getloadavg()[0]
        for r in range(rounds):
            for i, mode in enumerate(MODES if r % 2 == 0 else MODES[::-1]):
                path = root / f"r{r}-{i}.sqlite"
                seconds, records = _import(path, inputs, mode)
                imports[mode].append(seconds)
                searches[mode].extend(_search(path, repeats, mode))
                sizes[mode] = path.stat().st_size
                if mode == ENCRYPTED:
                    enc = path
                elif mode == PLAIN:
                    plain = path
        # Opening: the first open in a process derives the key (PBKDF2, 256,000 rounds); later ones reuse it.
        crypto.forget_key(enc)
        crypto.remember_passphrase(enc, PASSPHRASE)
        t0 = time.perf_counter()
        Store(enc, create=False).close()
        first_open = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(20):
            Store(enc, create=False).close()
        later_open = (time.perf_counter() - t0) / 20
        t0 = time.perf_counter()
        for _ in range(20):
            Store(plain, create=False).close()
        plain_open = (time.perf_counter() - t0) / 20
        load_after = os.getloadavg()[0]

    def ratio(a: float, b: float) -> str:
        x = a / b
        return f"{x:.2f}× {'✅' if x <= TARGET else '❌'}"

    imp = {k: statistics.median(v) for k, v in imports.items()}
    p50 = {k: _pct(v, 0.5) * 1000 for k, v in searches.items()}
    p95 = {k: _pct(v, 0.95) * 1000 for k, v in searches.items()}
    lib = "plain, SQLCipher library"
    rows = [
        f"| | {PLAIN} | {lib} | {ENCRYPTED} | encrypted / plain | encrypted / {lib} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, values, fmt in (
        (f"import, median of {rounds} (s)", imp, ".2f"),
        (f"search p50 (ms), {len(searches[PLAIN])} queries", p50, ".3f"),
        ("search p95 (ms)", p95, ".3f"),
    ):
        rows.append(
            f"| {label} | {values[PLAIN]:{fmt}} | {values[lib]:{fmt}} | {values[ENCRYPTED]:{fmt}} | "
            f"{ratio(values[ENCRYPTED], values[PLAIN])} | {ratio(values[ENCRYPTED], values[lib])} |"
        )
    rows += [
        f"| open a store (ms), key already derived | {plain_open * 1000:.1f} | — | {later_open * 1000:.1f} | — | — |",
        f"| first open in a process (ms): key derivation | — | — | {first_open * 1000:.0f} | — | — |",
        f"| file size (MB) | {sizes[PLAIN] / 1e6:.1f} | {sizes[lib] / 1e6:.1f} | {sizes[ENCRYPTED] / 1e6:.1f} | — | — |",
    ]
    cmd = shlex.join(["python", "benchmarks/encryption.py", *sys.argv[1:]])
    return (
        "# Encryption at rest: encrypted vs plain store\n\n"
        f"Command: `{cmd}`\n\n"
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (load average {load_before:.1f} before, {load_after:.1f} after: a shared machine, "
        f"timings are indicative), SQLCipher {_cipher_version()}. {records:,} records per store (the sample "
        f"person + {streams:,} Spotify streams). Target: encrypted ≤ {TARGET}× plain.\n\n"
        + "\n".join(rows)
        + "\n"
    )


def _cipher_version() -> str:
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(":memory:")
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--streams", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="How often each query runs per store.")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    doc = run(args.streams, args.rounds, args.repeats)
    print(doc)
    if not args.no_write:
        RESULTS.write_text(doc)


if __name__ == "__main__":
    main()
