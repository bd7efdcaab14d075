"""Conditions (s) and (p) of issue 14 — the shipped transfer models — in the cross-platform eval.

    python benchmarks/transfer_eval.py --dataset amazon-food-kitchen [--max-cases N]
    python benchmarks/transfer_eval.py --dataset amazon-arts-office
    python benchmarks/transfer_eval.py --write-md     # both JSONs -> benchmarks/results/eval/transfer.md

Runs ``run_cross_platform`` with ``transfer=True`` (the shipped models in src/selfdex/rank/models,
trained by ``selfdex eval train-transfer``) and records, per history length k: NDCG@10 with 95 %
CIs, (b)−(a) paired bootstrap for (s), (p) and the embedded agent, with the date known (t), and
rescue/harmful override rates against the platform the agent re-ranks.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import default_data_dir, load_cross_domain
from selfdex.eval.metrics import bootstrap_diff, bootstrap_mean, metric_values, override_rates
from selfdex.eval.protocols import (
    AGENT_A,
    AGENT_B,
    DATE_A,
    DATE_B,
    DATE_PLATFORM,
    XD_B,
    CrossPlatformConfig,
)
from selfdex.eval.transfer import TRANSFER
from selfdex.index.embed import default_embedder
from selfdex.rank import TextVectors

OUT = Path(__file__).resolve().parent / "results" / "eval"
SHORT = {
    AGENT_A: "agent (a)",
    AGENT_B: "agent (b)",
    DATE_PLATFORM: "(t) platform",
    DATE_A: "(t) agent (a)",
    DATE_B: "(t) agent (b)",
    XD_B: "(c) (b) + co-occurrence [other users' data]",
    **TRANSFER,
}
PAIRS = [
    ("agent (b)", "agent (a)"),
    ("(s)(b)", "(s)(a)"),
    ("(p)(b)", "(p)(a)"),
    ("(t)(s)(b)", "(t)(s)(a)"),
    ("(t)(p)(b)", "(t)(p)(a)"),
    ("(t) agent (b)", "(t) agent (a)"),
    ("(s)(b)", "agent (b)"),
    ("(s)(a)", "agent (a)"),
]


def run(dataset: str, max_cases: int | None, seed: int) -> dict[str, Any]:
    data = load_cross_domain(dataset, default_data_dir() or Path("/work/shared/data"))
    vectors = TextVectors(default_embedder(None))
    cfg = CrossPlatformConfig(dataset, max_cases=max_cases, seed=seed, transfer=True, other_users=True)
    t0 = time.perf_counter()
    res = run_cross_platform(data, vectors, cfg)
    secs = time.perf_counter() - t0
    out: dict[str, Any] = {
        "dataset": dataset,
        "n_test": res.n_test,
        "n_valid": res.n_valid,
        "seconds": secs,
        "k": {},
    }
    for kl, by in res.ranks.items():
        plat = res.platform_for_agent[kl]
        pr = by[plat]
        long_of = {SHORT[m]: m for m in by if m in SHORT}  # (t)(p) is a dated model or a tuned sum
        rows = {}
        for m, r in [(plat, pr), *((SHORT[m], r) for m, r in by.items() if m in SHORT)]:
            ci = bootstrap_mean(metric_values(r, "NDCG@10"), n_boot=cfg.n_boot)
            rows[m] = {
                "NDCG@10": ci.mean,
                "ci": [ci.low, ci.high],
                "HR@10": float(metric_values(r, "HR@10").mean()),
                **(override_rates(pr, r) if m != plat else {}),
                "valid_NDCG@10": res.valid_ndcg10[kl].get(long_of.get(m, m)),
            }
        diffs = {}
        for a, b in PAIRS:
            if a in rows and b in rows:
                ra, rb = by[long_of[a]], by[long_of[b]]
                d = bootstrap_diff(
                    metric_values(ra, "NDCG@10"), metric_values(rb, "NDCG@10"), n_boot=cfg.n_boot
                )
                diffs[f"{a} − {b}"] = [d.mean, d.low, d.high]
        out["k"][kl] = {"platform": plat, "rows": rows, "diffs": diffs}
    out["timings"] = res.timings
    return out


def _fmt_ci(x: list[float]) -> str:
    star = " **↑**" if x[1] > 0 else (" **↓**" if x[2] < 0 else "")
    return f"{x[0]:+.4f} [{x[1]:+.4f}, {x[2]:+.4f}]{star}"


def write_md(paths: list[Path], command: str) -> str:
    lines = [
        "# Issue 14: the shipped transfer models, conditions (s) and (p)",
        "",
        "(s) = the LightGBM lambdarank re-ranker trained on the **other** dataset's training users only "
        "(arts-office → food-kitchen and the reverse); (p) = trained on the evaluated dataset's training users. "
        "Each re-ranks the same platform list as the embedded agent, with (a)'s input (within-platform history "
        "only) or (b)'s (plus the other-domain history). With the date known (food-kitchen only: arts-office has no "
        "listing order), (t)(p) is (p)'s twin trained with the date's two columns, (t)(s) adds the date to (s)'s score "
        "as the protocol does (weight tuned on valid). Rescue/harmful: vs the platform the agent re-ranks (top-10). "
        "**↑/↓**: 95 % paired-bootstrap CI above/below zero. pop49 candidates, seed 0, all test cases.",
        "",
        f"Command: `{command}` (each dataset) then `python benchmarks/transfer_eval.py --write-md`.",
        "Models: `src/selfdex/rank/models/transfer-*.json`, trained by the command in their `.info.json`.",
        "",
    ]
    for p in paths:
        r = json.loads(p.read_text())
        lines += [
            f"## {r['dataset']} ({r['n_test']} test cases, {r['seconds']:.0f} s for all conditions)",
            "",
        ]
        for kl, kr in r["k"].items():
            lines += [
                f"### History {kl} (platform: {kr['platform']})",
                "",
                "| method | NDCG@10 | 95% CI | HR@10 | rescue | harmful | rescue/harmful | valid NDCG@10 |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for m, x in kr["rows"].items():
                resc, harm = x.get("rescue"), x.get("harmful")
                ratio = f"{resc / harm:.2f}" if resc is not None and harm else "–"
                v = x.get("valid_NDCG@10")
                lines.append(
                    f"| {m} | {x['NDCG@10']:.4f} | [{x['ci'][0]:.3f}, {x['ci'][1]:.3f}] | {x['HR@10']:.3f} | "
                    f"{'–' if resc is None else f'{resc:.3f}'} | {'–' if harm is None else f'{harm:.3f}'} | {ratio} | "
                    f"{'–' if v is None else f'{v:.3f}'} |"
                )
            lines += ["", "Paired differences, NDCG@10:", ""]
            lines += [f"- {name}: {_fmt_ci(d)}" for name, d in kr["diffs"].items()]
            lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset")
    ap.add_argument("--max-cases", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write-md", action="store_true")
    a = ap.parse_args()
    if a.dataset:
        r = run(a.dataset, a.max_cases, a.seed)
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        r["command"] = "python benchmarks/transfer_eval.py " + " ".join(shlex.quote(x) for x in sys.argv[1:])
        r["git_commit"] = commit
        suffix = "" if a.max_cases is None else f"-n{a.max_cases}"
        path = OUT / f"transfer-{a.dataset}{suffix}.json"
        path.write_text(json.dumps(r, indent=1) + "\n")
        for kl, kr in r["k"].items():
            print(kl, kr["platform"], {m: round(x["NDCG@10"], 4) for m, x in kr["rows"].items()})
            for name, d in kr["diffs"].items():
                print("   ", name, _fmt_ci(d))
        print(f"wrote {path} ({r['seconds']:.0f} s)")
    if a.write_md:
        paths = [OUT / f"transfer-{d}.json" for d in ("amazon-food-kitchen", "amazon-arts-office")]
        md = write_md(
            [p for p in paths if p.exists()], "python benchmarks/transfer_eval.py --dataset DATASET"
        )
        (OUT / "transfer.md").write_text(md + "\n")
        print(md)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
