"""Report writer: Markdown + JSON + PNG, with config, data checksums and git commit next to the numbers.

The cross-platform report lives in ``report_cross``, the LLMRank one in ``report_llmrank``; this
module picks one, writes the files and builds the README section from the JSON reports."""

from __future__ import annotations

import dataclasses
import json
import platform as _platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..rank.build import TRANSFER_MAX_WITHIN
from .llmrank import LLMRankResult
from .protocols import (
    AGENT_A,
    AGENT_B,
    CROSS_DOMAIN,
    DATE_A,
    DATE_B,
    DATE_KNOWN,
    DATE_PLATFORM,
    XD_B,
    XD_DATE_B,
    XD_KNN,
    CrossPlatformResult,
)
from .report_cross import BUCKETS, cross_platform_markdown, cross_platform_plots, cross_platform_summary
from .report_format import fmt_ci, fmt_num, random_ndcg10
from .report_llmrank import llmrank_markdown, llmrank_summary
from .seeds import seed_spread_md
from .shipped import SHIPPED
from .transfer import TRANSFER

__all__ = [
    "BUCKETS",
    "cross_platform_summary",
    "llmrank_summary",
    "provenance",
    "random_ndcg10",
    "readme_section",
    "write_report",
]


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def provenance(embedder: str, checksums: dict[str, str], command: str | None = None) -> dict[str, Any]:
    repo = Path(__file__).resolve().parents[3]
    # Dirty means the code differs from the commit; earlier reports in the results folder do not count.
    status = _git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results"], repo)
    from importlib.metadata import version

    return {
        "git_commit": _git(["rev-parse", "HEAD"], repo),
        "git_dirty": bool(status) if status is not None else None,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or " ".join(["selfdex", *sys.argv[1:]]),
        "python": sys.version.split()[0],
        "numpy": version("numpy"),
        "scipy": version("scipy"),
        "implicit": version("implicit"),
        "machine": f"{_platform.system()} {_platform.machine()}",
        "embedder": embedder,
        "data_sha256": checksums,
    }


def write_report(
    out: Path,
    result: CrossPlatformResult | LLMRankResult,
    *,
    embedder: str,
    checksums: dict[str, str],
    plots: bool = True,
    command: str | None = None,
    spread: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Writes <stem>.md, <stem>.json (and PNGs) under ``out``; returns the paths. ``spread``: the
    headline differences over several seeds (:func:`.seeds.seed_spread`), reported beside the first
    seed's numbers. ``summary``: ``result``'s :func:`cross_platform_summary`, where the caller has it."""
    out.mkdir(parents=True, exist_ok=True)
    prov = provenance(embedder, checksums, command)
    if isinstance(result, CrossPlatformResult):
        stem = f"cross-platform-{result.config.dataset}-{result.config.sampling}"
        summ = dict(summary) if summary is not None else cross_platform_summary(result)
        md = cross_platform_markdown(result.config.dataset, result, summ, prov)
        if spread is not None:
            summ["seed_spread"] = spread
            md += "\n## Seed spread\n\n" + "\n".join(seed_spread_md(spread))
        pngs = cross_platform_plots(out, stem, result, summ) if plots else []
        extra: dict[str, Any] = {
            "examples": result.examples,
            "n_valid": result.n_valid,
            "n_test": result.n_test,
        }
    else:
        stem = "llmrank-games"
        summ = llmrank_summary(result)
        md = llmrank_markdown(result, summ, prov)
        pngs = []
        extra = {"n_users": result.n_users, "weights": result.weights}
    if pngs:
        md += "\n" + "\n".join(f"![{p}]({p})" for p in pngs) + "\n"
    payload = {
        "provenance": prov,
        "config": dataclasses.asdict(result.config),
        "timings_s": result.timings,
        "results": summ,
        **extra,
    }
    paths = {"md": out / f"{stem}.md", "json": out / f"{stem}.json"}
    paths["md"].write_text(md)
    paths["json"].write_text(json.dumps(payload, indent=1, default=str))
    for p in pngs:
        paths[p] = out / p
    return paths


def _n_cands(cfg: dict[str, Any]) -> int:
    return {"pop49": 50, "uni99": 100}[cfg["sampling"]]


def _transfer_md(by_k: dict[str, Any]) -> list[str]:
    """The README rows of conditions (s) and (p), where the report has them."""
    rows = []
    for kl, block in by_k.items():
        if not (diffs := block.get("transfer_diffs")):
            continue
        m = {TRANSFER[name]: v for name, v in block["methods"].items() if name in TRANSFER}
        cells = [kl]
        for model in ("(s)", "(p)"):
            a, b = m.get(f"{model}(a)", {}), m.get(f"{model}(b)", {})
            diff = diffs.get(f"{model}(b) − {model}(a) NDCG@10")
            cells += [
                fmt_num(a.get("NDCG@10")),
                fmt_num(b.get("NDCG@10")),
                fmt_ci(diff, 3) if diff else "–",
                f"{fmt_num(b.get('rescue'))} / {fmt_num(b.get('harmful'))}",
            ]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return []
    return [
        "Through the transfer models shipped with selfdex (trained on public data, never on an evaluated "
        "user: (s) on the other dataset, (p) on this dataset's training users, with their cross-domain adapter and word towers; see the report):",
        "",
        "| history | (s)(a) | (s)(b) | (s)(b)−(s)(a) [95% CI] | rescue / harmful (s)(b) "
        "| (p)(a) | (p)(b) | (p)(b)−(p)(a) [95% CI] | rescue / harmful (p)(b) |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _shipped_md(by_k: dict[str, Any]) -> list[str]:
    """The README rows of condition (d), what `selfdex recommend` runs, where the report has it."""
    rows = []
    for kl, block in by_k.items():
        if not (diffs := block.get("shipped_diffs")):
            continue
        m = {SHIPPED[name]: v for name, v in block["methods"].items() if name in SHIPPED}
        a, b, bare = m["(d)(a)"], m["(d)(b)"], m["(d)(b) no pop."]
        rows.append(
            f"| {kl} | {fmt_num(a.get('NDCG@10'))} | {fmt_num(b.get('NDCG@10'))} "
            f"| {fmt_ci(diffs['(d)(b) − (d)(a) NDCG@10'], 3)} | {fmt_num(bare.get('NDCG@10'))} "
            f"| {fmt_ci(diffs['(d)(b) − (d)(b) no pop. NDCG@10'], 3)} "
            f"| {fmt_num(b.get('rescue'))} / {fmt_num(b.get('harmful'))} |"
        )
    if not rows:
        return []
    return [
        "What `selfdex recommend` runs, condition (d) (shipped weights; the transfer model where the list "
        f"gives popularity and the within-platform history has at most {TRANSFER_MAX_WITHIN} item(s); *no "
        "pop.*: the same list without popularity; see the report):",
        "",
        "| history | (d)(a) | (d)(b) | (d)(b)−(d)(a) [95% CI] | (d)(b) no pop. | (d)(b) − no pop. [95% CI] "
        "| rescue / harmful (d)(b) |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def readme_section(results: Path) -> str:
    """A README results section generated from the reports in ``results`` (the latest run of each)."""
    lines = ["## Results: the person's agent vs the platform (generated by `selfdex eval readme`)", ""]
    for js in sorted(results.glob("cross-platform-*.json")):
        d = json.loads(js.read_text())
        cfg, prov = d["config"], d["provenance"]
        lines += [
            f"**{cfg['dataset']}**, {cfg['sampling']}, {d['n_test']} test cases — `{prov['command']}` "
            f"(commit `{(prov['git_commit'] or '')[:10]}`, [full report]({js.with_suffix('.md').name}); "
            f"a random order scores NDCG@10 {random_ndcg10(_n_cands(cfg)):.3f})",
            "",
            "| history | platform (best on valid) | NDCG@10 platform | (a) within | (b) cross-platform | (b)−(a) [95% CI] "
            "| rescue / harmful (b) | for scale, (c) other users' cross-domain data: ItemKNN both domains / (b) + "
            "co-occurrence, minus (b) [95% CI] |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for kl, block in d["results"]["by_k"].items():
            plat = block["platform_for_agent"]
            m = block["methods"]
            a, b = m.get(AGENT_A, {}), m.get(AGENT_B, {})
            diff = block["diffs"].get("(b)-(a) NDCG@10")
            knn, xb = m.get(XD_KNN, {}), m.get(XD_B, {})
            xdiff = (block.get("cross_domain_diffs") or {}).get(f"{CROSS_DOMAIN[XD_B]} − (b) NDCG@10")
            xcol = (
                f"{fmt_num(knn.get('NDCG@10'))} / {fmt_num(xb.get('NDCG@10'))}"
                + (f", {fmt_ci(xdiff, 3)}" if xdiff else "")
                if knn or xb
                else "–"
            )
            lines.append(
                f"| {kl} | {plat} | {m[plat]['NDCG@10']:.3f} | {fmt_num(a.get('NDCG@10'))} | {fmt_num(b.get('NDCG@10'))} | "
                f"{fmt_ci(diff, 3) if diff else '–'} | {fmt_num(b.get('rescue'))} / {fmt_num(b.get('harmful'))} | {xcol} |"
            )
        lines.append("")
        ls = d["results"].get("llm_rerank")
        if ls:
            parts = [
                f"{'(b)' if cond == AGENT_B else '(a)'} {c['base']['NDCG@10']:.3f} → {c['llm']['NDCG@10']:.3f}"
                f" ({fmt_ci(c['NDCG@10_llm_minus_base'], 3)}; parse failures {c['parse_failures']})"
                for cond, c in ls["conditions"].items()
            ]
            lines += [
                f"Language model `{ls['model']}` re-ranking the agent's list, {ls['k']}, seeded random subset of "
                f"{ls['n_cases']} test cases: NDCG@10 " + "; ".join(parts) + ".",
                "",
            ]
        dated = {kl: block for kl, block in d["results"]["by_k"].items() if DATE_B in block["methods"]}
        if dated:
            lines += [
                "With the date known to every party (condition (t): the same clock added to the platform, "
                "(a) and (b); see the report):",
                "",
                "| history | (t) platform + date | (t) (a) + date | (t) (b) + date | (t)(b) − (t)(a) [95% CI] "
                "| for scale, (c) on top: other users' co-occurrence, minus (t)(b) [95% CI] |",
                "|---|---|---|---|---|---|",
            ]
            for kl, block in dated.items():
                m = block["methods"]
                tdiff = block.get("date_diffs", {}).get(
                    f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_A]} NDCG@10"
                )
                cdiff = (block.get("cross_domain_diffs") or {}).get(
                    f"{CROSS_DOMAIN[XD_DATE_B]} − {DATE_KNOWN[DATE_B]} NDCG@10"
                )
                lines.append(
                    f"| {kl} | {fmt_num(m.get(DATE_PLATFORM, {}).get('NDCG@10'))} | {fmt_num(m[DATE_A]['NDCG@10'])} | "
                    f"{fmt_num(m[DATE_B]['NDCG@10'])} | {fmt_ci(tdiff, 3) if tdiff else '–'} "
                    f"| {fmt_ci(cdiff, 3) if cdiff else '–'} |"
                )
            lines.append("")
        lines += _transfer_md(d["results"]["by_k"])
        lines += _shipped_md(d["results"]["by_k"])
        if spread := d["results"].get("seed_spread"):
            lines += seed_spread_md(spread)
    for js in sorted(results.glob("llmrank-*.json")):
        d = json.loads(js.read_text())
        lines += [
            f"**LLMRank Games** (200 users, 20 candidates; NDCG@1/@20 ×100) — `{d['provenance']['command']}`",
            "",
        ]
        for m, row in d["results"]["ours"].items():
            lines.append(f"- {m}: {row['NDCG@1']:.2f} / {row['NDCG@20']:.2f}")
        g = d["results"]["published"]["GPT-4 (recency-focused)"]
        lines.append(f"- GPT-4 (published): {g['NDCG@1']:.2f} / {g['NDCG@20']:.2f}")
        ls = d["results"].get("llm_rerank")
        if ls:
            lines.append(
                f"- {ls['model']} re-ranking the embedded default, random subset of {ls['n_users']} users: "
                f"{ls['rows']['llm']['NDCG@1']:.2f} / {ls['rows']['llm']['NDCG@20']:.2f} (embedded default on "
                f"the same users {ls['rows']['base']['NDCG@1']:.2f} / {ls['rows']['base']['NDCG@20']:.2f}; "
                f"parse failures {ls['parse_failures']}/{ls['n_users']}, "
                f"{ls['seconds_per_list']['mean']:.0f} s per list)"
            )
        lines.append("")
    return "\n".join(lines)
