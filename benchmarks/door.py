"""The owner's door under attack, measured on a real ``selfdex serve`` (a subprocess on 127.0.0.1).

Two numbers the security issue reported against the old server, measured again:

- **password guessing**: the console guarded by an owner password (``$SELFDEX_WEB_PASSWORD``),
  one client sending wrong guesses as fast as it can for ``--seconds``: how many guesses were
  actually compared (401) and how many were turned away by the throttle (429);
- **huge bodies**: a ``--mb`` MB JSON body to ``/v1/search`` without a token, and with a valid
  token: the status, the reply's size, how long the reply took, the server's resident memory before
  and after, and the slowest ``/health`` reply while it was being sent (an event-loop stall shows
  there).

    python -m benchmarks.door                 # 10 s of guessing, a 100 MB body
    python -m benchmarks.door --seconds 2 --mb 10   # smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from tests.gate_support import free_port, wait_until_serving

from selfdex.sample import generate

RESULTS = Path(__file__).resolve().parent / "results" / "door.md"
SELFDEX = [sys.executable, "-c", "from selfdex.cli.main import main; main()"]
PASSWORD = "a long owner password for the benchmark"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="how long to guess passwords")
    ap.add_argument("--mb", type=int, default=100, help="size of the huge body")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="selfdex-door-"))
    store = tmp / "store.sqlite"
    exports = tmp / "exports"
    generate(exports, seed=7)
    env = {**os.environ, "SELFDEX_MODEL": "none", "SELFDEX_WEB_PASSWORD": PASSWORD}
    run = [*SELFDEX, "--store", str(store)]
    subprocess.run(
        [*run, "import", str(exports / "netflix-report.zip")], check=True, capture_output=True, env=env
    )
    made = subprocess.run(
        [*run, "grant", "add", "bench", "--level", "raw", "--platform", "*", "--purpose", "b", "--json"],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    token = json.loads(made.stdout)["token"]
    port = free_port()
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen([*run, "serve", "--port", str(port), "--no-mcp"], stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + "/health", proc, tmp / "serve.log")
        rows = [
            ("machine", f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        ]

        # -- guessing ------------------------------------------------------------------------------
        codes: dict[int, int] = {}
        with httpx.Client(base_url=url, timeout=30) as c:
            end = time.monotonic() + args.seconds
            i = 0
            while time.monotonic() < end:
                code = c.get("/", auth=("me", f"guess-{i}")).status_code
                codes[code] = codes.get(code, 0) + 1
                i += 1
            right = c.get("/", auth=("me", PASSWORD)).status_code
        rows.append((f"wrong guesses sent in {args.seconds:g} s", f"{i:,}"))
        rows.append(
            (
                "  compared (401) / turned away by the throttle (429)",
                f"{codes.get(401, 0)} / {codes.get(429, 0)}",
            )
        )
        rows.append(("  the right password right after, answered", str(right)))

        # -- huge bodies ---------------------------------------------------------------------------
        body = b'{"query": "' + b"A" * (args.mb << 20) + b'"}'
        for label, headers in (
            ("no token", {}),
            ("valid token", {"Authorization": f"Bearer {token}"}),
        ):
            slowest = [0.0]
            stop = threading.Event()

            def probe(slowest: list[float] = slowest, stop: threading.Event = stop) -> None:
                with httpx.Client(base_url=url, timeout=30) as h:
                    while not stop.is_set():
                        t = time.monotonic()
                        h.get("/health")
                        slowest[0] = max(slowest[0], time.monotonic() - t)
                        time.sleep(0.01)

            before = rss_mb(proc.pid)
            watcher = threading.Thread(target=probe)
            watcher.start()
            t0 = time.monotonic()
            try:
                res = httpx.post(
                    url + "/v1/search", content=body, timeout=120,
                    headers={"Content-Type": "application/json", **headers},
                )  # fmt: skip
                status, size = str(res.status_code), len(res.content)
            except httpx.HTTPError as exc:  # the server may close the connection mid-upload
                status, size = type(exc).__name__, 0
            took = time.monotonic() - t0
            stop.set()
            watcher.join()
            after = rss_mb(proc.pid)
            rows.append(
                (
                    f"{args.mb} MB body to /v1/search, {label}",
                    f"{status}, {size} B reply in {took:.2f} s; RSS {before:.0f} → {after:.0f} MB; "
                    f"slowest /health meanwhile {slowest[0] * 1000:.0f} ms",
                )
            )
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()
    command = "python -m benchmarks.door" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    table = "| measure | value |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    text = f"# The owner's door\n\nCommand: `{command}`\n\n{table}"
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
