"""Report writer: Markdown + JSON + PNG, with config, data checksums and git commit next to the numbers."""

from __future__ import annotations

import dataclasses
import json
import platform as _platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .llmrank import LEARNED, PUBLISHED_GAMES, LLMRankResult
from .metrics import METRICS, bootstrap_diff, bootstrap_mean, metric_values, override_rates, summarize
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
    LLMRerankResult,
    k_label,
)

__all__ = [
    "BUCKETS",
    "cross_platform_summary",
    "llmrank_summary",
    "provenance",
    "random_ndcg10",
    "write_report",
]

BUCKETS: tuple[tuple[str, int, int], ...] = (("0-1", 0, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10+", 10, 10**9))


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


def random_ndcg10(n_candidates: int) -> float:
    """Expected NDCG@10 of a uniformly random order of ``n_candidates`` with one relevant item."""
    return float(sum(1 / np.log2(r + 1) for r in range(1, min(10, n_candidates) + 1)) / n_candidates)


def _nd10(r: np.ndarray) -> np.ndarray:
    return metric_values(r, "NDCG@10")


def cross_platform_summary(res: CrossPlatformResult) -> dict[str, Any]:
    cfg = res.config
    out: dict[str, Any] = {"by_k": {}}
    for kl, methods in res.ranks.items():
        plat = res.platform_for_agent[kl]
        pr = methods[plat]
        block: dict[str, Any] = {
            "platform_for_agent": plat,
            "methods": {},
            "diffs": {},
            "by_history_length": {},
        }
        for m, r in methods.items():
            entry: dict[str, Any] = {
                **summarize(r),
                "NDCG@10_ci": dataclasses.asdict(bootstrap_mean(_nd10(r), cfg.n_boot, cfg.seed)),
            }
            if m not in ("Pop", "ItemKNN", "BPR-MF"):
                entry.update(override_rates(pr, r))
            entry["valid_NDCG@10"] = res.valid_ndcg10.get(kl, {}).get(m)
            block["methods"][m] = entry
        a, b = methods.get(AGENT_A), methods.get(AGENT_B)
        if a is not None and b is not None:
            for metric in ("NDCG@10", "HR@10"):
                block["diffs"][f"(b)-(a) {metric}"] = dataclasses.asdict(
                    bootstrap_diff(metric_values(b, metric), metric_values(a, metric), cfg.n_boot, cfg.seed)
                )
                block["diffs"][f"(b)-{plat} {metric}"] = dataclasses.asdict(
                    bootstrap_diff(metric_values(b, metric), metric_values(pr, metric), cfg.n_boot, cfg.seed)
                )
                block["diffs"][f"(a)-{plat} {metric}"] = dataclasses.asdict(
                    bootstrap_diff(metric_values(a, metric), metric_values(pr, metric), cfg.n_boot, cfg.seed)
                )
        for label, lo, hi in BUCKETS:
            sel = (res.within_len >= lo) & (res.within_len <= hi)
            if not sel.any():
                continue
            bk: dict[str, Any] = {"n": int(sel.sum())}
            for m, r in methods.items():
                bk[m] = float(_nd10(r[sel]).mean())
            if a is not None and b is not None:
                bk["(b)-(a) NDCG@10"] = dataclasses.asdict(
                    bootstrap_diff(_nd10(b[sel]), _nd10(a[sel]), cfg.n_boot, cfg.seed)
                )
            block["by_history_length"][label] = bk
        # Condition (c), for scale: other users' cross-domain data, compared with (b) (paired).
        xd = {m: r for m, r in methods.items() if m in CROSS_DOMAIN}
        if xd and b is not None:
            # (c) on top of the date is compared with (t)(b), everything else with (b).
            refs = {
                m: (DATE_KNOWN[DATE_B], methods.get(DATE_B)) if m == XD_DATE_B else ("(b)", b) for m in xd
            }
            block["cross_domain_diffs"] = {
                f"{CROSS_DOMAIN[m]} − {refs[m][0]} {metric}": dataclasses.asdict(
                    bootstrap_diff(metric_values(r, metric), metric_values(ref, metric), cfg.n_boot, cfg.seed)
                )
                for metric in ("NDCG@10", "HR@10")
                for m, r in xd.items()
                if (ref := refs[m][1]) is not None
            }
        # Condition (t): with the date known to every party, what do the other platforms add?
        ta, tb, tp = methods.get(DATE_A), methods.get(DATE_B), methods.get(DATE_PLATFORM)
        if ta is not None and tb is not None and tp is not None:
            pairs = (
                ((tb, ta), f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_A]}"),
                ((tb, tp), f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_PLATFORM]}"),
                ((tp, pr), f"{DATE_KNOWN[DATE_PLATFORM]} − {plat}"),
            )
            block["date_diffs"] = {
                f"{label} {metric}": dataclasses.asdict(
                    bootstrap_diff(metric_values(x, metric), metric_values(y, metric), cfg.n_boot, cfg.seed)
                )
                for metric in ("NDCG@10", "HR@10")
                for (x, y), label in pairs
            }
        block["weights"] = res.weights.get(kl, {})
        out["by_k"][kl] = block
    if res.llm:
        out["llm_rerank"] = cross_llm_summary(res)
    return out


def cross_llm_summary(res: CrossPlatformResult) -> dict[str, Any]:
    """The language model re-ranking (a)'s and (b)'s lists on the same subset: each against its own
    base (paired), and (b) + model against (a) + model."""
    cfg = res.config
    out: dict[str, Any] = {
        "model": cfg.llm_ranker,
        "k": k_label(cfg.llm_k),
        "subset_seed": cfg.seed,
        "of_cases": res.n_test,
        "conditions": {},
    }
    for cond, llm in res.llm.items():
        n = len(llm.users)
        n_fail = sum(f is not None for f in llm.failures)
        secs = np.asarray(llm.seconds, dtype=np.float64)
        out["n_cases"] = n
        out["conditions"][cond] = {
            "base": summarize(llm.ranks["base"], ("NDCG@10", "HR@10")),
            "llm": summarize(llm.ranks["llm"], ("NDCG@10", "HR@10")),
            "NDCG@10_llm_minus_base": dataclasses.asdict(
                bootstrap_diff(_nd10(llm.ranks["llm"]), _nd10(llm.ranks["base"]), cfg.n_boot, cfg.seed)
            ),
            "parse_failures": n_fail,
            "parse_failure_rate": n_fail / n if n else float("nan"),
            "failure_messages": sorted({f for f in llm.failures if f}),
            "mean_candidates_placed": float(np.mean(llm.placed)) if n else float("nan"),
            "seconds_per_list_mean": float(secs.mean()) if n else float("nan"),
            "cases": llm.users,
            "ranks": {k: r.tolist() for k, r in llm.ranks.items()},
        }
    a, b = res.llm.get(AGENT_A), res.llm.get(AGENT_B)
    if a is not None and b is not None and a.users == b.users:
        out["NDCG@10_b_minus_a_with_llm"] = dataclasses.asdict(
            bootstrap_diff(_nd10(b.ranks["llm"]), _nd10(a.ranks["llm"]), cfg.n_boot, cfg.seed)
        )
    return out


def _cross_llm_md(ls: dict[str, Any]) -> list[str]:
    lines = [
        f"## LLM re-ranking: `{ls['model']}` on a seeded random subset of {ls['n_cases']} of the "
        f"{ls['of_cases']} test cases (history {ls['k']})",
        "",
        "The model re-orders the top of the agent's list exactly as `selfdex recommend --rerank` does; a reply "
        "with no usable order counts as a miss. Same cases for (a) and (b), so every difference is paired.",
        "",
        "| condition | NDCG@10 agent | NDCG@10 agent + model | model − agent [95% CI] | HR@10 agent → + model "
        "| parse failures | s per list |",
        "|---|---|---|---|---|---|---|",
    ]
    for cond, c in ls["conditions"].items():
        lines.append(
            f"| {cond} | {c['base']['NDCG@10']:.3f} | {c['llm']['NDCG@10']:.3f} | {_ci(c['NDCG@10_llm_minus_base'], 3)} "
            f"| {c['base']['HR@10']:.3f} → {c['llm']['HR@10']:.3f} | {c['parse_failures']} / {ls['n_cases']} "
            f"| {c['seconds_per_list_mean']:.0f} |"
        )
    lines.append("")
    if "NDCG@10_b_minus_a_with_llm" in ls:
        lines += [f"- (b) + model − (a) + model NDCG@10: {_ci(ls['NDCG@10_b_minus_a_with_llm'], 3)}", ""]
    return lines


def llmrank_summary(res: LLMRankResult) -> dict[str, Any]:
    ms = ("NDCG@1", "NDCG@5", "NDCG@10", "NDCG@20")
    rows: dict[str, dict[str, Any]] = {}
    for m, r in res.ranks.items():
        rows[m] = {k: 100 * v for k, v in summarize(r, ms).items()}
        rows[m]["NDCG@10_ci"] = dataclasses.asdict(
            bootstrap_mean(100 * _nd10(r), res.config.n_boot, res.config.seed)
        )
        for k in ("NDCG@1", "NDCG@20"):
            v = 100 * metric_values(r, k)
            rows[m][f"{k}_ci"] = dataclasses.asdict(bootstrap_mean(v, res.config.n_boot, res.config.seed))
        rows[m]["valid_NDCG@10"] = res.valid_ndcg10.get(m)
    checks = {}
    for ours, pub in (("Pop", "Pop"), ("BPR-MF", "BPRMF")):
        if ours in rows:
            diffs = [rows[ours][m] - p for m, p in zip(ms, PUBLISHED_GAMES[pub], strict=True)]
            checks[ours] = {
                "max_abs_diff_points": max(abs(d) for d in diffs),
                "within_3_points": all(abs(d) <= 3 for d in diffs),
            }
    out: dict[str, Any] = {
        "ours": rows,
        "published": {k: dict(zip(ms, v, strict=True)) for k, v in PUBLISHED_GAMES.items()},
        "reproduction": checks,
        "bpr_valid_ndcg10_by_pop_correction": res.bpr_valid,
        "bpr_pop_correction_used": res.bpr_beta,
    }
    if res.learned_info:
        out["learned"] = res.learned_info
    if res.llm is not None:
        out["llm_rerank"] = llm_rerank_summary(res.llm, res.config.n_boot, res.config.seed, res.n_users)
    return out


def llm_rerank_summary(llm: LLMRerankResult, n_boot: int, seed: int, of_users: int) -> dict[str, Any]:
    ms = ("NDCG@1", "NDCG@5", "NDCG@10", "NDCG@20")
    n = len(llm.users)
    secs = np.asarray(llm.seconds, dtype=np.float64)
    n_fail = sum(f is not None for f in llm.failures)
    return {
        "model": llm.model,
        "base": llm.base,
        "n_users": n,
        "of_users": of_users,
        "subset_seed": seed,
        "users": llm.users,
        "rows": {k: {m: 100 * v for m, v in summarize(r, ms).items()} for k, r in llm.ranks.items()},
        "NDCG@10_diff_llm_minus_base_ci": dataclasses.asdict(
            bootstrap_diff(100 * _nd10(llm.ranks["llm"]), 100 * _nd10(llm.ranks["base"]), n_boot, seed)
        ),
        "parse_failures": n_fail,
        "parse_failure_rate": n_fail / n if n else float("nan"),
        "failure_messages": sorted({f for f in llm.failures if f}),
        "mean_candidates_placed": float(np.mean(llm.placed)) if n else float("nan"),
        "mean_ids_dropped": float(np.mean(llm.dropped)) if n else float("nan"),
        "seconds_per_list": {
            "mean": float(secs.mean()) if n else float("nan"),
            "median": float(np.median(secs)) if n else float("nan"),
            "max": float(secs.max()) if n else float("nan"),
        },
        "ranks": {k: r.tolist() for k, r in llm.ranks.items()},
    }


def _fmt(x: float | None, d: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{d}f}"


def _ci(c: dict[str, float], d: int = 4) -> str:
    return f"{c['mean']:+.{d}f} [{c['low']:+.{d}f}, {c['high']:+.{d}f}]"


def _cross_markdown(name: str, res: CrossPlatformResult, summ: dict[str, Any], prov: dict[str, Any]) -> str:
    cfg = res.config
    lines = [
        f"# Cross-platform re-ranking: {name} ({cfg.sampling})",
        "",
        f"Test cases: {res.n_test}; valid cases (weights tuned here only): {res.n_valid}. "
        f"Candidates: target + {cfg.n_neg()} negatives from the target's domain "
        f"({'in proportion to training popularity' if cfg.sampling == 'pop49' else 'uniformly'}), seed {cfg.seed}. "
        "The agent re-ranks the platform baseline that is best on valid at each k; (a) sees the within-platform "
        "history (truncated to the last k items), (b) the same plus the person's whole other-domain history. "
        "Rescue/harmful: share of cases where the platform's top-10 missed/had the target and the agent's had/missed it. "
        f"For reference, a random order scores NDCG@10 {random_ndcg10(cfg.n_neg() + 1):.3f} in expectation."
        + (
            " Condition (c), in its own table under each k, also learns from other users' cross-domain histories: "
            "for scale only, never (a) or (b)."
            if any(m in CROSS_DOMAIN for ms in res.ranks.values() for m in ms)
            else ""
        )
        + (
            " Condition (t), also in its own table, gives the platform, (a) and (b) the same clock "
            "(every party knows today's date in real life; this data has none)."
            if any(m in DATE_KNOWN for ms in res.ranks.values() for m in ms)
            else ""
        ),
        "",
    ]
    for kl, block in summ["by_k"].items():
        plat = block["platform_for_agent"]
        lines += [f"## History: {kl} (agent re-ranks {plat})", ""]
        lines += _method_table(
            block, [m for m in block["methods"] if m not in CROSS_DOMAIN and m not in DATE_KNOWN]
        )
        if block["diffs"]:
            lines.append("Paired bootstrap (95 %, " + f"{cfg.n_boot} resamples):")
            for k, c in block["diffs"].items():
                mark = (
                    " **(CI above zero)**" if c["low"] > 0 else (" (CI below zero)" if c["high"] < 0 else "")
                )
                lines.append(f"- {k}: {_ci(c)}{mark}")
            lines.append("")
        if block["by_history_length"]:
            meths = [m for m in block["methods"] if m not in CROSS_DOMAIN and m not in DATE_KNOWN]
            lines.append("NDCG@10 by the user's full within-platform history length:")
            lines.append("")
            lines.append("| length | n | " + " | ".join(meths) + " | (b)−(a) [95% CI] |")
            lines.append("|---" * (len(meths) + 3) + "|")
            for label, bk in block["by_history_length"].items():
                diff = _ci(bk["(b)-(a) NDCG@10"], 3) if "(b)-(a) NDCG@10" in bk else "–"
                lines.append(
                    f"| {label} | {bk['n']} | " + " | ".join(_fmt(bk[m]) for m in meths) + f" | {diff} |"
                )
            lines.append("")
        lines += _side_md(
            block,
            cfg.n_boot,
            "**What knowing the date is worth — condition (t)**",
            DATE_NOTE,
            DATE_KNOWN,
            block.get("date_diffs") or {},
            (plat, AGENT_A, AGENT_B),
        )
        lines += _side_md(
            block,
            cfg.n_boot,
            "**For scale: what other users' cross-domain data adds — condition (c)**",
            CROSS_DOMAIN_NOTE,
            CROSS_DOMAIN,
            block.get("cross_domain_diffs") or {},
            (AGENT_B, DATE_B),
        )
        lines.append("<details><summary>weights (tuned on valid)</summary>\n")
        for m, w in block["weights"].items():
            nz = ", ".join(f"{k}={v:g}" for k, v in w.items() if v)
            lines.append(f"- {m}: {nz}")
        lines.append("\n</details>\n")
    if "llm_rerank" in summ:
        lines += _cross_llm_md(summ["llm_rerank"])
    lines += _prov_md(prov, cfg, res.timings)
    return "\n".join(lines)


CROSS_DOMAIN_NOTE = (
    "Not available to a person's own agent, so never (a) or (b): item-to-item co-occurrence across both "
    "domains learned from the **training users** (cosine of their binary user × item matrix; no valid or "
    "test user, no target is in it). *ItemKNN over both domains* scores each candidate by its summed "
    "similarity to the person's whole history as (b) sees it (at k = 0 the other-domain history alone); the "
    "re-rankers add w × the co-occurrence with the person's other-domain history (scaled to max 1 per "
    "list) to the platform's 1/log2(position + 2), to agent (b)'s score or, where condition (t) runs, to "
    "(t)(b)'s score (compared with (t)(b): does other users' data add anything once the date is known?), "
    "w chosen on valid. It shows whether the signal exists in the data, not what the person's agent can do."
)


DATE_NOTE = (
    "In real life every party knows today's date and when each product was first listed (Amazon shows "
    "it on the product page). This data has no dates, so the harness estimates them: a product's listing "
    "order is its ASIN's rank in the catalogue (Amazon assigns ASINs roughly in listing order) and *now* "
    "is the listing order of the newest product anywhere in the person's history (both domains, "
    "untruncated: one clock for everyone). Each candidate gets 1/log2(r + 2), r its rank by distance to "
    "now, added with a weight chosen on valid to the platform's 1/log2(position + 2), to (a)'s and to "
    "(b)'s score alike. Popularity-sampled negatives are mostly older bestsellers, so the clock is a "
    "strong signal in this protocol; (t)(b) − (t)(a) is what the person's other platforms add once "
    "every party knows the date."
)


def _method_table(block: dict[str, Any], rows: list[str]) -> list[str]:
    """Every metric of each method in ``rows``, its CI, rescue/harmful and valid NDCG@10."""
    lines = [
        "| method | " + " | ".join(METRICS) + " | NDCG@10 95% CI | rescue | harmful | valid NDCG@10 |",
        "|---" * (len(METRICS) + 5) + "|",
    ]
    for m in rows:
        e = block["methods"][m]
        ci = e["NDCG@10_ci"]
        lines.append(
            f"| {m} | "
            + " | ".join(_fmt(e[x]) for x in METRICS)
            + f" | [{ci['low']:.3f}, {ci['high']:.3f}] | {_fmt(e.get('rescue'))} | {_fmt(e.get('harmful'))} | {_fmt(e.get('valid_NDCG@10'))} |"
        )
    return [*lines, ""]


def _side_md(
    block: dict[str, Any],
    n_boot: int,
    title: str,
    note: str,
    methods: dict[str, str],
    diffs: dict[str, dict[str, float]],
    refs: tuple[str, ...],
    diffs_title: str = "Paired bootstrap",
) -> list[str]:
    """A separately labelled condition's own table (never mixed into (a)/(b)'s), with the
    reference rows ``refs`` repeated above it for reading the difference."""
    side = [m for m in block["methods"] if m in methods]
    if not side:
        return []
    rows = [m for m in (*refs, *side) if m in block["methods"]]
    lines = [
        title,
        "",
        note,
        "",
        *_method_table(block, rows),
    ]
    if diffs:
        lines.append(f"{diffs_title} (95 %, {n_boot} resamples):")
        for k, c in diffs.items():
            mark = " **(CI above zero)**" if c["low"] > 0 else (" (CI below zero)" if c["high"] < 0 else "")
            lines.append(f"- {k}: {_ci(c)}{mark}")
        lines.append("")
    bh = block.get("by_history_length") or {}
    if bh:
        short = {AGENT_A: "(a)", AGENT_B: "(b)", **methods}
        lines.append("NDCG@10 by the user's full within-platform history length:")
        lines.append("")
        lines.append("| length | n | " + " | ".join(short.get(m, m) for m in rows) + " |")
        lines.append("|---" * (len(rows) + 2) + "|")
        for label, row in bh.items():
            lines.append(f"| {label} | {row['n']} | " + " | ".join(_fmt(row.get(m)) for m in rows) + " |")
        lines.append("")
    return lines


def _prov_md(prov: dict[str, Any], cfg: Any, timings: dict[str, float]) -> list[str]:
    return [
        "## Provenance",
        "",
        f"- command: `{prov['command']}`",
        f"- git commit: `{prov['git_commit']}`"
        + (" (working tree had uncommitted changes)" if prov["git_dirty"] else ""),
        f"- created: {prov['created']}; python {prov['python']}, numpy {prov['numpy']}, scipy {prov['scipy']}; {prov['machine']}",
        f"- embedder: {prov['embedder']}",
        f"- config: `{json.dumps(dataclasses.asdict(cfg), default=str)}`",
        "- timings: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()),
        "- data sha256: " + ", ".join(f"`{k}` {v[:16]}…" for k, v in prov["data_sha256"].items()),
        "",
    ]


def _llmrank_markdown(res: LLMRankResult, summ: dict[str, Any], prov: dict[str, Any]) -> str:
    ms = ("NDCG@1", "NDCG@5", "NDCG@10", "NDCG@20")
    lines = [
        "# LLMRank Games (200 users, 20 candidates = GT + first 19 of `Games.random`, shuffled with our seed)",
        "",
        "NDCG × 100. Ours are computed here; published rows are from the LLMRank paper (see the data README).",
        "",
        "| method | " + " | ".join(ms) + " | source |",
        "|---" * 6 + "|",
    ]
    for m, row in summ["ours"].items():
        lines.append(f"| {m} | " + " | ".join(f"{row[x]:.2f}" for x in ms) + " | ours |")
    for m, row in summ["published"].items():
        lines.append(f"| {m} | " + " | ".join(f"{row[x]:.2f}" for x in ms) + " | published |")
    lines.append("")
    for m, c in summ["reproduction"].items():
        ok = "PASS" if c["within_3_points"] else "FAIL"
        lines.append(
            f"- reproduction check {m}: max |ours − published| = {c['max_abs_diff_points']:.2f} points → {ok} (±3)"
        )
    lines += [
        "",
        "Our NDCG@10 95 % bootstrap CIs (200 users; one user moves NDCG@1 by 0.5 points): "
        + "; ".join(
            f"{m} [{r['NDCG@10_ci']['low']:.1f}, {r['NDCG@10_ci']['high']:.1f}]"
            for m, r in summ["ours"].items()
        )
        + ".",
        LLMRANK_BPR_NOTE,
        "",
    ]
    if summ["bpr_valid_ndcg10_by_pop_correction"]:
        betas = next(iter(summ["bpr_valid_ndcg10_by_pop_correction"].values()))
        lines += [
            f"BPR-MF valid NDCG@10 ×100 by log-q correction β (same factors; test targets never used); "
            f"β used: {res.bpr_beta:g}"
            + (
                " (best on the sampled users' valid cases)"
                if res.config.bpr_pop_correction is None
                else " (given)"
            )
            + ":",
            "",
            "| valid set | " + " | ".join(f"β = {b}" for b in betas) + " |",
            "|---" * (len(betas) + 1) + "|",
        ]
        for label, vals in summ["bpr_valid_ndcg10_by_pop_correction"].items():
            lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in vals.values()) + " |")
        lines.append("")
    if "learned" in summ:
        lines += _learned_markdown(summ["learned"], summ["ours"].get(LEARNED))
    if "llm_rerank" in summ:
        lines += _llm_markdown(summ["llm_rerank"], prov)
    lines.append(
        "Weights of the embedded default (tuned on the valid split of the same users, one step earlier):"
    )
    for m, w in res.weights.items():
        lines.append(f"- {m}: " + ", ".join(f"{k}={v:g}" for k, v in w.items() if v))
    lines.append("")
    lines += _prov_md(prov, res.config, res.timings)
    return "\n".join(lines)


LLMRANK_BPR_NOTE = (
    "BPR-MF here is `implicit`'s CPU BPR (SGD, 64 factors + item bias), trained on the training portion "
    "(each sequence minus its last two items) and scored by the user's factors only, as upstream. `implicit` "
    "draws BPR negatives in proportion to popularity (the item of a random interaction), where upstream's "
    "RecBole BPR (Adam, lr 1e-3, early stopping) draws them uniformly; raw `implicit` scores therefore come "
    "out relative to popularity and under-rank popular targets among *uniformly* sampled candidates (most of "
    "the 7.6-point gap of the earlier report; the rest was under-training). Scores add β·log(training "
    "count), the standard log-q sampling-bias correction (β = 1 undoes the sampler's bias in full). β, "
    "iterations, learning rate and regularisation were chosen by valid NDCG@10 only (grid in the "
    "`LLMRankConfig` comment; β table below); the test targets were never used. `implicit` trains on one "
    "thread with the run's seed, so a refit gives identical factors. Ties are broken at random with the fixed seed. A row "
    "that fails its reproduction check above must be read with that caveat."
)


def _learned_markdown(info: dict[str, Any], row: dict[str, Any] | None) -> list[str]:
    gain = sorted(info["gain"].items(), key=lambda kv: -kv[1])
    total = sum(v for _, v in gain) or 1.0
    lines = [
        f"## {LEARNED}",
        "",
        f"Trained inside this run on the {info['sequences']:,} users who are *not* evaluated (their whole "
        "sequences); the evaluated users' histories are input at scoring time only, and no evaluated "
        "user's target or valid item is counted or trained on. Features per candidate: next-item and "
        f"near-future ({info['config']['window']} items) transition rates from the recent history items "
        "(recency-weighted), sequence co-occurrence cosines, popularity and how often the item ends a "
        "sequence, and MiniLM title similarity to the history; a LightGBM lambdarank model (single thread, "
        f"deterministic, seed {info['config']['seed']}) learned them from {info['train_episodes']:,} of those "
        "users' episodes (their last item against 19 uniform negatives, the items before it as history; "
        "the user's own sequence is subtracted from the counts when its episode is featurised), early "
        f"stopping at {info['rounds']} rounds on {info['valid_episodes']:,} further held-out users' episodes "
        f"(their NDCG@1 / @10: {100 * info['valid_ndcg@1']:.2f} / {100 * info['valid_ndcg@10']:.2f}).",
        "",
        "Share of split gain: " + ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in gain[:8]) + ".",
    ]
    if row is not None:
        pub = PUBLISHED_GAMES["SASRec"]
        lines.append(
            f"Against SASRec's published {pub[0]:.2f} / {pub[3]:.2f} (NDCG@1 / @20): {row['NDCG@1']:.2f} "
            f"[{row['NDCG@1_ci']['low']:.1f}, {row['NDCG@1_ci']['high']:.1f}] / {row['NDCG@20']:.2f} "
            f"[{row['NDCG@20_ci']['low']:.1f}, {row['NDCG@20_ci']['high']:.1f}] (95 % bootstrap CIs over the users)."
        )
    return [*lines, ""]


def _llm_markdown(ls: dict[str, Any], prov: dict[str, Any]) -> list[str]:
    ms = ("NDCG@1", "NDCG@5", "NDCG@10", "NDCG@20")
    n = ls["n_users"]
    ci = ls["NDCG@10_diff_llm_minus_base_ci"]
    sp = ls["seconds_per_list"]
    return [
        f"## LLM re-ranking: `{ls['model']}` on a random subset of {n} of the {ls['of_users']} users",
        "",
        f"The model re-orders the list of *{ls['base']}* exactly as `selfdex recommend --rerank` does "
        "(`ModelRanker`: the person's 30 most recent titles and the candidates as JSON, a schema-constrained "
        'reply `{"order": [ids]}`, candidates it leaves out keep the base order after the ones it placed). '
        "One reply per list (plus the validity-only retry of `complete_json`), never a retry that looks at the "
        "target. A reply with no usable order counts as a miss. The subset is drawn with the run's seed "
        f"(users: {', '.join(map(str, ls['users']))}).",
        "",
        f"| method (same {n} users, same candidates) | " + " | ".join(ms) + " |",
        "|---" * 5 + "|",
        f"| {ls['base']} | " + " | ".join(f"{ls['rows']['base'][m]:.2f}" for m in ms) + " |",
        f"| {ls['model']} re-ranking it | " + " | ".join(f"{ls['rows']['llm'][m]:.2f}" for m in ms) + " |",
        "",
        f"- paired NDCG@10 difference (model − base), 95 % bootstrap CI: {ci['mean']:+.2f} [{ci['low']:+.2f}, {ci['high']:+.2f}] points",
        f"- parse failures (counted as misses): {ls['parse_failures']} / {n} ({100 * ls['parse_failure_rate']:.1f} %)"
        + (
            f"; messages: {'; '.join(m[:120] for m in ls['failure_messages'][:3])}"
            if ls["failure_messages"]
            else ""
        ),
        f"- candidates the model placed itself: {ls['mean_candidates_placed']:.1f} of 20 on average; "
        f"invented or repeated ids dropped: {ls['mean_ids_dropped']:.1f} per list",
        f"- seconds per list: mean {sp['mean']:.1f}, median {sp['median']:.1f}, max {sp['max']:.1f} "
        "(2 shared CPU cores, llama.cpp in-process)",
        f"- command: `{prov['command']}`",
        "",
    ]


def _plots(out: Path, stem: str, res: CrossPlatformResult, summ: dict[str, Any]) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover
        return []
    files = []
    full = summ["by_k"].get("full") or next(iter(summ["by_k"].values()))
    bh = full["by_history_length"]
    if bh:
        fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
        labels = list(bh)
        meths = [m for m in full["methods"] if m not in ("Pop", *CROSS_DOMAIN, *DATE_KNOWN)]
        width = 0.8 / max(len(meths), 1)
        for j, m in enumerate(meths):
            ax.bar(np.arange(len(labels)) + j * width, [bh[x][m] for x in labels], width, label=m)
        ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2)
        ax.set_xticklabels([f"{x}\n(n={bh[x]['n']})" for x in labels])
        ax.set_ylabel("NDCG@10")
        ax.set_xlabel("within-platform history length")
        ax.legend(fontsize=6)
        fig.tight_layout()
        p = out / f"{stem}-by-history.png"
        fig.savefig(p)
        plt.close(fig)
        files.append(p.name)
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    ks = list(summ["by_k"])
    for j, (cond, col) in enumerate(((AGENT_A, "tab:blue"), (AGENT_B, "tab:orange"))):
        resc = [summ["by_k"][k]["methods"].get(cond, {}).get("rescue", 0) for k in ks]
        harm = [summ["by_k"][k]["methods"].get(cond, {}).get("harmful", 0) for k in ks]
        x = np.arange(len(ks)) + j * 0.4
        ax.bar(x, resc, 0.2, color=col, label=f"{cond[:9]} rescue")
        ax.bar(x + 0.2, harm, 0.2, color=col, alpha=0.4, label=f"{cond[:9]} harmful")
    ax.set_xticks(np.arange(len(ks)) + 0.3)
    ax.set_xticklabels(ks)
    ax.set_ylabel("share of test cases")
    ax.legend(fontsize=6)
    fig.tight_layout()
    p = out / f"{stem}-rescue-vs-override.png"
    fig.savefig(p)
    plt.close(fig)
    files.append(p.name)
    return files


def write_report(
    out: Path,
    result: CrossPlatformResult | LLMRankResult,
    *,
    embedder: str,
    checksums: dict[str, str],
    plots: bool = True,
    command: str | None = None,
) -> dict[str, Path]:
    """Writes <stem>.md, <stem>.json (and PNGs) under ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    prov = provenance(embedder, checksums, command)
    if isinstance(result, CrossPlatformResult):
        stem = f"cross-platform-{result.config.dataset}-{result.config.sampling}"
        summ = cross_platform_summary(result)
        md = _cross_markdown(result.config.dataset, result, summ, prov)
        pngs = _plots(out, stem, result, summ) if plots else []
        extra: dict[str, Any] = {
            "examples": result.examples,
            "n_valid": result.n_valid,
            "n_test": result.n_test,
        }
    else:
        stem = "llmrank-games"
        summ = llmrank_summary(result)
        md = _llmrank_markdown(result, summ, prov)
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
                f"{_fmt(knn.get('NDCG@10'))} / {_fmt(xb.get('NDCG@10'))}"
                + (f", {_ci(xdiff, 3)}" if xdiff else "")
                if knn or xb
                else "–"
            )
            lines.append(
                f"| {kl} | {plat} | {m[plat]['NDCG@10']:.3f} | {_fmt(a.get('NDCG@10'))} | {_fmt(b.get('NDCG@10'))} | "
                f"{_ci(diff, 3) if diff else '–'} | {_fmt(b.get('rescue'))} / {_fmt(b.get('harmful'))} | {xcol} |"
            )
        lines.append("")
        ls = d["results"].get("llm_rerank")
        if ls:
            parts = [
                f"{'(b)' if cond == AGENT_B else '(a)'} {c['base']['NDCG@10']:.3f} → {c['llm']['NDCG@10']:.3f}"
                f" ({_ci(c['NDCG@10_llm_minus_base'], 3)}; parse failures {c['parse_failures']})"
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
                    f"| {kl} | {_fmt(m.get(DATE_PLATFORM, {}).get('NDCG@10'))} | {_fmt(m[DATE_A]['NDCG@10'])} | "
                    f"{_fmt(m[DATE_B]['NDCG@10'])} | {_ci(tdiff, 3) if tdiff else '–'} "
                    f"| {_ci(cdiff, 3) if cdiff else '–'} |"
                )
            lines.append("")
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
