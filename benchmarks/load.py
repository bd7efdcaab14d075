"""Load on loopback: N concurrent clients re-ranking through the HTTP API for T seconds.

Builds the sample person's store, grants a recipient (level ``answers``), starts the real server
(``selfdex.channels.api`` under uvicorn, default ranker, full gate: view, redaction, egress check,
one hash-chained audit entry per response) in its own process on 127.0.0.1, warms it up, then runs
``--clients`` asyncio clients in a closed loop, each posting a 20-candidate list and waiting for the
answer. Reports requests, errors (anything but 200, or a transport error), throughput and latency
percentiles, checks that the audit log holds one entry per response and still verifies, and writes
the table with the exact command to ``benchmarks/results/load.md``.

    python benchmarks/load.py                       # 200 clients, 60 s (the issue's target)
    python benchmarks/load.py --clients 20 --seconds 5   # smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from selfdex.gate import AuditLog, Scope, add_grant
from selfdex.gate.grants import utc_now
from selfdex.ingest import import_path
from selfdex.sample import generate
from selfdex.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "load.md"
# What a streaming or shopping platform might propose: some close to the person's tastes, most not.
CATALOGUE = [
    "Dune: Part Two",
    "Dune Messiah",
    "Arrival",
    "Blade Runner 2049",
    "Interstellar",
    "Paddington 2",
    "The Notebook",
    "Fast & Furious 9",
    "Klara and the Sun",
    "Never Let Me Go",
    "Exhalation",
    "The Remains of the Day",
    "Project Hail Mary",
    "The Martian",
    "Mad Max: Fury Road",
    "Sicario",
    "Enemy",
    "Prisoners",
    "Love Actually",
    "Notting Hill",
    "Hans Zimmer Live in Prague",
    "Salomon Speedcross 6",
    "Petzl Actik Core",
    "Shun Classic Santoku",
    "Kombu Dashi Kit",
    "Donabe Rice Cooker",
    "Trail Running Vest",
    "Kindle Paperwhite",
    "Noise Cancelling Headphones",
    "Yoga Mat",
    "The Three-Body Problem",
    "Children of Time",
    "Hyperion",
    "Foundation",
    "Neuromancer",
    "Pride and Prejudice",
    "The Da Vinci Code",
    "Gone Girl",
    "The Girl on the Train",
    "Atomic Habits",
]


def build_store(folder: Path) -> tuple[Path, str]:
    exports = folder / "exports"
    generate(exports, seed=7)
    path = folder / "store.sqlite"
    with Store(path) as store:
        for bundle in sorted(exports.iterdir()):
            import_path(store, bundle)
        scope = Scope(level="answers", platforms=("*",), per_request=50, per_day=10_000_000)
        _, token = add_grant(
            store, "load-test", scope, purpose="benchmark", expires_at=utc_now() + timedelta(days=1)
        )
    return path, token


def serve(store: str, port: int) -> None:
    import uvicorn

    from selfdex.channels.api import create_app
    from selfdex.gate import Gate

    gate = Gate(Store(store))
    # Keep-alive longer than the worst queueing delay, so no idle connection is closed under a client.
    uvicorn.run(
        create_app(gate),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        backlog=4096,
        timeout_keep_alive=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def candidate_lists(n: int, size: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        titles = rng.sample(CATALOGUE, size)
        out.append(
            {
                "platform": "netflix",
                "candidates": [{"id": f"c{i}", "title": t, "position": i} for i, t in enumerate(titles)],
            }
        )
    return out


async def run_load(
    url: str, token: str, clients: int, seconds: float, bodies: list[dict[str, object]]
) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120, headers=headers) as http:

        async def client(i: int) -> None:
            rng = random.Random(i)
            while time.monotonic() < stop:
                body = rng.choice(bodies)
                t0 = time.perf_counter()
                try:
                    res = await http.post("/v1/rerank", json=body)
                    ok = res.status_code == 200
                    key = f"HTTP {res.status_code}"
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors[key] = errors.get(key, 0) + 1

        t_start = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.monotonic() - t_start
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] if len(values) > 1 else 0.0
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--candidates", type=int, default=20, help="candidates per request")
    ap.add_argument("--lists", type=int, default=50, help="distinct candidate lists the clients draw from")
    ap.add_argument("--serve", nargs=2, metavar=("STORE", "PORT"), help=argparse.SUPPRESS)
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    with tempfile.TemporaryDirectory(prefix="selfdex-load-") as tmp:
        print("building the sample store…", file=sys.stderr)
        store_path, token = build_store(Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # One BLAS thread: the ranker's matrices are small, and BLAS threads only fight the request threads.
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(store_path), str(port)], env=env)
        try:
            bodies = candidate_lists(args.lists, args.candidates)
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/health", timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            print("warming up (model load, the person's vectors, each candidate list once)…", file=sys.stderr)
            t0 = time.perf_counter()
            for body in bodies:
                res = httpx.post(
                    f"{url}/v1/rerank", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=300
                )
                res.raise_for_status()
            warm = time.perf_counter() - t0
            print(f"running {args.clients} clients for {args.seconds:g} s…", file=sys.stderr)
            result = asyncio.run(run_load(url, token, args.clients, args.seconds, bodies))
        finally:
            server.terminate()
            server.wait(30)
        with Store(store_path) as store:
            audit = AuditLog(store)
            audited = int(
                store.conn.execute("SELECT count(*) FROM gate_audit WHERE outcome = 'disclosed'").fetchone()[
                    0
                ]
            )
            verified = audit.verify()

    lat = sorted(result["latencies"])
    n_ok, n_err = len(lat), sum(result["errors"].values())
    expected_audit = n_ok + len(bodies)  # + the warm-up requests
    rows = [
        ("clients", f"{args.clients}"),
        ("duration", f"{result['elapsed']:.1f} s"),
        ("candidates per request", f"{args.candidates}"),
        ("requests answered (200)", f"{n_ok:,}"),
        ("errors", f"{n_err}" + (f" ({result['errors']})" if n_err else "")),
        ("throughput", f"{n_ok / result['elapsed']:.0f} req/s"),
        ("latency p50", f"{pct(lat, 50) * 1000:.0f} ms"),
        ("latency p90", f"{pct(lat, 90) * 1000:.0f} ms"),
        ("latency p99", f"{pct(lat, 99) * 1000:.0f} ms"),
        ("latency max", f"{(lat[-1] if lat else 0) * 1000:.0f} ms"),
        (
            "audit entries (disclosed) = answered + warm-up",
            f"{audited:,} = {expected_audit:,}: {audited == expected_audit}",
        ),
        ("audit chain verifies", f"{verified.ok}"),
        ("warm-up (model load + first requests)", f"{warm:.1f} s"),
    ]
    command = "python " + " ".join(shlex.quote(a) for a in ["benchmarks/load.py", *sys.argv[1:]])
    machine = f"{platform.machine()}, {os.cpu_count()} CPU cores (shared with the load generator), Python {platform.python_version()}"
    table = "\n".join(["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])
    text = (
        "# Load: re-rank endpoint on loopback\n\n"
        f"Command: `{command}`\n\nMachine: {machine}. Server and clients run on the same machine, "
        "server in one process (uvicorn, FastAPI thread pool), clients in another (httpx, asyncio).\n\n"
        f"{table}\n"
    )
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
    if n_err or audited != expected_audit or not verified.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
