"""Writers take turns, readers never wait: two imports at once, and read latency during an import.

1. **Two imports started together.** A generated Spotify history of ``--plays`` plays (A) and a second
   one a third of its size overlapping A by 10 % (B) are imported one after the other into one copy
   of the sample person's store, and started together (two ``selfdex import`` processes, B 1 s after
   A) into another. Both must exit 0, the second must say it waited, and the two stores must hold the
   same records (no duplicates).
2. **Reads during an import.** The web app (``/timeline``) and the HTTP API (``/v1/aggregates``, a
   grant's token) are served by real uvicorn servers on loopback. A client requests them in turn,
   idle (the store before the import), during ``selfdex import A``, and idle again on the store at its
   final size (reads over more records cost more whatever the locks do, so "during" is compared with
   both). Latency percentiles per endpoint and phase.

    python benchmarks/concurrency.py                  # 300,000 plays
    python benchmarks/concurrency.py --plays 100000   # what a 2-core shared machine finishes in minutes

Writes the table and the exact command to ``benchmarks/results/concurrency.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from selfdex.store.private import owner_secret
from selfdex.testing import spawn_cli

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import build_store, free_port, pct

RESULTS = Path(__file__).resolve().parent / "results" / "concurrency.md"


def history(path: Path, n: int, start: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fh.write("[")
        for i in range(start, start + n):
            row = {
                "endTime": f"20{14 + i // 400_000 % 10:02d}-{1 + i // 33_000 % 12:02d}-{1 + i // 1440 % 28:02d} "
                f"{i // 60 % 24:02d}:{i % 60:02d}",
                "artistName": f"Artist {i % 4999}",
                "trackName": f"Track {i % 50_000} of {i % 4999}",
                "msPlayed": 30_000 + i,
            }
            fh.write(("," if i > start else "") + json.dumps(row))
        fh.write("]")
    return path


def aggregates_grant(store_path: Path) -> str:
    from datetime import timedelta

    from selfdex.gate import Scope, add_grant
    from selfdex.gate.grants import utc_now
    from selfdex.store import Store

    with Store(store_path) as store:
        scope = Scope(level="aggregates", platforms=("*",), per_request=50, per_day=10_000_000)
        _, token = add_grant(
            store, "bench", scope, purpose="benchmark", expires_at=utc_now() + timedelta(days=1)
        )
    return token


cli = spawn_cli


def finished(proc: subprocess.Popen[str], what: str) -> str:
    _out, err = proc.communicate()
    if proc.returncode != 0 or "Traceback" in err:
        raise SystemExit(f"{what} failed (rc {proc.returncode}):\n{err[-3000:]}")
    return err


def record_ids(store: Path) -> tuple[int, int]:
    with sqlite3.connect(store) as conn:
        n = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        distinct = conn.execute("SELECT count(DISTINCT id) FROM records").fetchone()[0]
    return int(n), int(distinct)


def two_imports(base: Path, a: Path, b: Path, tmp: Path) -> dict[str, object]:
    seq, par = tmp / "sequential.sqlite", tmp / "together.sqlite"
    shutil.copy(base, seq)
    shutil.copy(base, par)
    t0 = time.monotonic()
    finished(cli(seq, "import", str(a)), "sequential import A")
    finished(cli(seq, "import", str(b)), "sequential import B")
    sequential_s = time.monotonic() - t0
    t0 = time.monotonic()
    first = cli(par, "import", str(a))
    time.sleep(1.0)
    second = cli(par, "import", str(b))
    finished(first, "import A (together)")
    err_b = finished(second, "import B (together)")
    together_s = time.monotonic() - t0
    return {
        "sequential": record_ids(seq),
        "together": record_ids(par),
        "waited": "waiting for import" in err_b,
        "sequential_s": sequential_s,
        "together_s": together_s,
    }


def serve_web(store: str, port: int) -> None:
    import uvicorn

    from selfdex.web.app import create_web_app
    from selfdex.web.security import WebSettings

    uvicorn.run(
        create_web_app(store, settings=WebSettings(csrf_secret="bench")), port=port, log_level="warning"
    )


def serve_api(store: str, port: int) -> None:
    import uvicorn

    from selfdex.channels.api import create_app
    from selfdex.gate import Gate
    from selfdex.store import Store

    uvicorn.run(create_app(Gate(Store(store))), port=port, log_level="warning")


def sample(
    urls: dict[str, str], token: str, *, until: float | None = None, rounds: int = 0, login: str = ""
) -> dict[str, list[float]]:
    """Latencies per endpoint: ``rounds`` rounds, or rounds until the monotonic time ``until``.
    ``login`` is the web console's owner login link (its cookie then opens the owner's pages)."""
    out: dict[str, list[float]] = {k: [] for k in urls}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=120, headers=headers) as http:
        if login:
            http.get(login)
        done = 0
        while (until is not None and time.monotonic() < until) or done < rounds:
            for name, url in urls.items():
                t0 = time.perf_counter()
                res = http.get(url)
                if res.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {res.status_code}: {res.text[:300]}")
                out[name].append(time.perf_counter() - t0)
            done += 1
            if until is None and done >= rounds:
                break
    return out


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def reads_during_import(
    base: Path, a: Path, token: str, tmp: Path, rounds: int
) -> dict[str, dict[str, list[float]]]:
    store = tmp / "reads.sqlite"
    shutil.copy(base, store)
    web_port, api_port = free_port(), free_port()
    servers = [
        subprocess.Popen([sys.executable, __file__, "--serve-web", str(store), str(web_port)]),
        subprocess.Popen([sys.executable, __file__, "--serve-api", str(store), str(api_port)]),
    ]
    urls = {
        "web /timeline": f"http://127.0.0.1:{web_port}/timeline",
        "API /v1/aggregates": f"http://127.0.0.1:{api_port}/v1/aggregates",
    }
    try:
        wait_up(f"http://127.0.0.1:{web_port}/")
        wait_up(f"http://127.0.0.1:{api_port}/health")
        # the person's own login link, as `selfdex serve` prints it
        login = f"http://127.0.0.1:{web_port}/?token={owner_secret(store).login_token}"
        sample(urls, token, rounds=3, login=login)  # warm-up
        phases = {"idle (before)": sample(urls, token, rounds=rounds, login=login)}
        importer = cli(store, "import", str(a))
        during: dict[str, list[float]] = {k: [] for k in urls}
        while importer.poll() is None:
            for k, v in sample(urls, token, rounds=1, login=login).items():
                during[k] += v
        finished(importer, "import during reads")
        phases["during the import"] = during
        sample(urls, token, rounds=3, login=login)
        phases["idle (after, full store)"] = sample(urls, token, rounds=rounds, login=login)
        return phases
    finally:
        for s in servers:
            s.terminate()
            s.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plays", type=int, default=300_000)
    ap.add_argument("--rounds", type=int, default=60, help="idle requests per endpoint and phase")
    ap.add_argument("--serve-web", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--serve-api", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args()
    if args.serve_web:
        serve_web(args.serve_web[0], int(args.serve_web[1]))
        return
    if args.serve_api:
        serve_api(args.serve_api[0], int(args.serve_api[1]))
        return
    with tempfile.TemporaryDirectory(prefix="selfdex-concurrency-") as name:
        tmp = Path(name)
        print("building the sample store and the histories…", file=sys.stderr)
        base, _answers_token = build_store(tmp)
        token = aggregates_grant(base)
        n = args.plays
        a = history(tmp / "a" / "StreamingHistory0.json", n)
        b = history(tmp / "b" / "StreamingHistory0.json", n // 3, start=n - n // 30)
        print("two imports…", file=sys.stderr)
        turns = two_imports(base, a, b, tmp)
        print("reads during an import…", file=sys.stderr)
        phases = reads_during_import(base, a, token, tmp, args.rounds)
    lines = report(args, turns, phases)
    print("\n".join(lines))
    if not args.no_write:
        RESULTS.write_text("\n".join(lines) + "\n")


def report(
    args: argparse.Namespace, turns: dict[str, object], phases: dict[str, dict[str, list[float]]]
) -> list[str]:
    cmd = "python benchmarks/concurrency.py" + (f" --plays {args.plays}" if args.plays != 300_000 else "")
    seq, tog = turns["sequential"], turns["together"]
    lines = [
        "# Concurrency: two imports at once, reads during an import",
        "",
        f"`{cmd}` on {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; history A = {args.plays:,} plays, B = {args.plays // 3:,} "
        f"({args.plays // 30:,} of them also in A).",
        "",
        "## Two imports started together",
        "",
        "| run | records | distinct ids | wall time |",
        "|---|---:|---:|---:|",
        f"| A then B | {seq[0]:,} | {seq[1]:,} | {turns['sequential_s']:.0f} s |",  # type: ignore[index]
        f"| A and B together | {tog[0]:,} | {tog[1]:,} | {turns['together_s']:.0f} s |",  # type: ignore[index]
        "",
        f"Both exited 0; same records: **{'yes' if seq == tog else 'NO'}**; the second said "
        f'"waiting for import … to finish": **{"yes" if turns["waited"] else "NO"}**.',
        "",
        "## Read latency (ms) during an import of A",
        "",
        "| endpoint | phase | requests | p50 | p95 | max |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for endpoint in next(iter(phases.values())):
        for phase, data in phases.items():
            v = data[endpoint]
            lines.append(
                f"| {endpoint} | {phase} | {len(v)} | {pct(v, 50) * 1e3:.0f} | {pct(v, 95) * 1e3:.0f} | "
                f"{max(v) * 1e3:.0f} |"
            )
    lines += ["", "p95 during ÷ p95 idle:", ""]
    for endpoint in next(iter(phases.values())):
        during = pct(phases["during the import"][endpoint], 95)
        before = pct(phases["idle (before)"][endpoint], 95)
        after = pct(phases["idle (after, full store)"][endpoint], 95)
        lines.append(
            f"- {endpoint}: {during / before:.2f}× the store before, {during / after:.2f}× the full store"
        )
    lines += ["", f"Command: `{cmd}`"]
    return lines


if __name__ == "__main__":
    main()
