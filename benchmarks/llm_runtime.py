"""The embedded model's llama.cpp runtimes, side by side on the same prompts, in selfdex's own worker.

    python benchmarks/llm_runtime.py --runtime xllamacpp \
        --runtime llama-cpp-python=/path/to/other/venv/bin/python [--rounds 2] \
        [--out benchmarks/results/llm_runtime.md]

``--runtime NAME[=PYTHON]``: a runtime (worker.py's names) and the interpreter whose installation of it
to use (default: this one), so that builds of one runtime in different virtual environments can be
compared; ``NAME@LABEL=PYTHON`` names the row. Each round runs every runtime once, interleaved, so
that the shared machine's load falls on all of them alike; each request opens with a fresh nonce so no
runtime reuses another request's prompt cache.

Per runtime and thread count (``--threads``, repeatable; medians over rounds): load time; first-token latency and prompt tok/s on a ~300-token
ask-like prompt (``max_tokens=1``); generation tok/s from a 33-token minus a 1-token completion of the
same short prompt (a round where the longer one came back sooner measures nothing); peak RSS of the worker (VmHWM); whether JSON-schema-constrained output came back
valid (test_agent_embedded's schema). A worker that crashes is a row saying how.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfdex.agent.backends import default_threads
from selfdex.agent.embedded import EMBEDDED_MODELS
from selfdex.agent.supervisor import ModelCrashed, ModelWorker

RECORDS = "\n".join(
    f'{{"ref": "R{i}", "date": "2024-0{1 + i % 9}-1{i % 10}", "platform": "{p}", "title": "{t}"}}'
    for i, (p, t) in enumerate(
        [
            ("goodreads", "Dune by Frank Herbert, read, 5 stars"),
            ("netflix", "Dune: Part Two, watched"),
            ("kindle", "Klara and the Sun: highlight 'The sun always has ways to reach us'"),
            ("letterboxd", "Arrival (2016), rated 4.5, review: quiet and devastating"),
            ("spotify", "Hans Zimmer - Time, played 42 times"),
            ("goodreads", "Exhalation by Ted Chiang, read, 5 stars"),
            ("amazon", "Chef's knife, 20 cm, ordered"),
            ("lastfm", "Max Richter - On the Nature of Daylight, scrobbled"),
            ("netflix", "Never Let Me Go, watched"),
            ("goodreads", "The Remains of the Day by Kazuo Ishiguro, want to read"),
            ("strava", "Morning run, 10.2 km, Tempelhofer Feld"),
            ("pocket", "Saved: 'How Denis Villeneuve adapts science fiction'"),
        ]
    )
)
LONG = (
    "Answer the question from the records in <data> only, citing their refs.\n<data>\n"
    f"{RECORDS}\n</data>\nQuestion: what did I read last summer and did I watch any adaptations?"
)
SHORT = "Count from 1 to 100, separated by commas."
SCHEMA = {
    "type": "object",
    "properties": {"pick": {"type": "string", "enum": ["R1", "R2", "R3"]}, "why": {"type": "string"}},
    "required": ["pick", "why"],
    "additionalProperties": False,
}


@dataclass
class Row:
    label: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    schema_ok: list[bool] = field(default_factory=list)
    failure: str | None = None

    def add(self, key: str, value: float) -> None:
        self.samples.setdefault(key, []).append(value)

    def prompt_tps(self) -> str:
        """Prompt tokens over the median first-token time (the same rounds as that column)."""
        if not self.samples.get("first_token_s"):
            return "–"
        tokens = statistics.median(self.samples["prompt_tokens"])
        return f"{tokens / statistics.median(self.samples['first_token_s']):.1f}"

    def med(self, key: str, fmt: str = "{:.2f}") -> str:
        return fmt.format(statistics.median(self.samples[key])) if self.samples.get(key) else "–"


def _request(text: str, max_tokens: int, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {
        "messages": [
            {"role": "system", "content": f"[{secrets.token_hex(4)}] You are a concise assistant."},
            {"role": "user", "content": text},
        ],
        "max_tokens": max_tokens,
        "temperature": 0.0,
    }
    if schema is not None:
        req["response_format"] = {"type": "json_object", "schema": schema}
    return req


def _peak_rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _schema_valid(content: str | None) -> bool:
    try:
        value = json.loads(content or "")
    except ValueError:
        return False
    return isinstance(value, dict) and set(value) == {"pick", "why"} and value["pick"] in ("R1", "R2", "R3")


def run_round(row: Row, runtime: str, python: str, model: str, threads: int) -> None:
    worker = ModelWorker(runtime, model, n_ctx=4096, threads=threads, python=python)
    try:
        first, wall = worker.chat(_request(LONG, 1), timeout_s=900)
        row.add("load_s", worker.load_s or 0.0)
        row.add("first_token_s", wall)
        row.add("prompt_tokens", first["usage"]["prompt_tokens"])
        _, one = worker.chat(_request(SHORT, 1), timeout_s=900)
        gen, many = worker.chat(_request(SHORT, 33), timeout_s=900)
        n = gen["usage"]["completion_tokens"]
        if many > one:  # else the load swung more than the 32 tokens took: no measurement this round
            row.add("gen_tps", (n - 1) / (many - one))
        ref = 'Pick the ref of the book. <data>{"R1": "Dune (book)"}</data>'
        structured, swall = worker.chat(_request(ref, 60, SCHEMA), timeout_s=900)
        row.schema_ok.append(_schema_valid(structured["choices"][0]["message"].get("content")))
        row.add("schema_s", swall)
        rss = _peak_rss_mb(worker.pid)
        if rss is not None:
            row.add("rss_mb", rss)
    except ModelCrashed as exc:
        row.failure = str(exc).replace(" — see selfdex doctor", "")
    finally:
        worker.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runtime", action="append", required=True, help="NAME[@LABEL][=PYTHON]")
    ap.add_argument("--model", default="embedded-0.5b", choices=sorted(EMBEDDED_MODELS))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, action="append", help="repeatable: one row per runtime and count")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = str(EMBEDDED_MODELS[args.model].ensure_file())
    specs: list[tuple[str, str, str]] = []
    for spec in args.runtime:
        name, _, python = spec.partition("=")
        runtime, _, label = name.partition("@")
        specs.append((runtime, label or runtime, python or sys.executable))
    counts = args.threads or [default_threads()]
    rows = {
        (label, t): Row(f"{label}, {t} thread{'s' if t > 1 else ''}") for _, label, _ in specs for t in counts
    }
    for r in range(args.rounds):
        for runtime, label, python in specs:
            for t in counts:
                if rows[label, t].failure is None:
                    print(f"round {r + 1}: {rows[label, t].label}", file=sys.stderr, flush=True)
                    run_round(rows[label, t], runtime, python, model, t)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Embedded model runtimes",
        "",
        f"`python benchmarks/llm_runtime.py {' '.join(sys.argv[1:])}`",
        "",
        f"Model: {args.model} (`{Path(model).name}`), n_ctx 4096, temperature 0, "
        f"{args.rounds} interleaved rounds (medians). Machine: {platform.platform()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores; load average at the end {load} "
        "(the cores were shared with other work, so absolute speeds are low and noisy; the rows ran "
        "interleaved under the same load).",
        "",
        "| runtime | load s | prompt tokens | first token s | prompt tok/s | generation tok/s "
        "| peak RSS MB | JSON schema (valid / runs, median s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows.values():
        if row.failure and not row.samples:
            lines.append(f"| {row.label} | {row.failure} | | | | | | |")
            continue
        schema = f"{sum(row.schema_ok)}/{len(row.schema_ok)}, {row.med('schema_s')}"
        lines.append(
            f"| {row.label} | {row.med('load_s')} | {row.med('prompt_tokens', '{:.0f}')} "
            f"| {row.med('first_token_s')} | {row.prompt_tps()} | {row.med('gen_tps', '{:.1f}')} "
            f"| {row.med('rss_mb', '{:.0f}')} | {schema} |" + (f" then: {row.failure}" if row.failure else "")
        )
    lines += ["", "Every round's values (seconds, tok/s, MB):", ""]
    for row in rows.values():
        raw = "; ".join(f"{k} {', '.join(f'{v:.2f}' for v in vs)}" for k, vs in row.samples.items())
        lines.append(f"- {row.label}: {raw or row.failure}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
