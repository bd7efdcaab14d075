"""The cross-platform report: the JSON summary of every history length (metrics, paired
bootstrap differences, the history-length buckets, conditions (c) and (t), the language model
re-ranking), its Markdown and its plots."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from .metrics import METRICS, bootstrap_diff, bootstrap_mean, metric_values, override_rates, summarize
from .protocols import (
    AGENT_A,
    AGENT_B,
    CROSS_DOMAIN,
    DATE_A,
    DATE_B,
    DATE_KNOWN,
    DATE_PLATFORM,
    XD_DATE_B,
    CrossPlatformConfig,
    CrossPlatformResult,
    k_label,
)
from .report_format import fmt_ci, fmt_num, nd10, provenance_md, random_ndcg10
from .shipped import SHIPPED, SHIPPED_NOTE
from .transfer import TRANSFER

__all__ = [
    "BUCKETS",
    "cross_llm_summary",
    "cross_platform_markdown",
    "cross_platform_plots",
    "cross_platform_summary",
]

BUCKETS: tuple[tuple[str, int, int], ...] = (("0-1", 0, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10+", 10, 10**9))

Ranks = dict[str, np.ndarray]  # method -> 1-based target ranks over the test cases


def _paired(x: np.ndarray, y: np.ndarray, metric: str, cfg: CrossPlatformConfig) -> dict[str, float]:
    """Paired bootstrap CI of mean(metric(x) − metric(y)) over the same cases, ready for the JSON."""
    return dataclasses.asdict(
        bootstrap_diff(metric_values(x, metric), metric_values(y, metric), cfg.n_boot, cfg.seed)
    )


def cross_platform_summary(res: CrossPlatformResult) -> dict[str, Any]:
    out: dict[str, Any] = {"by_k": {kl: _k_summary(res, kl, methods) for kl, methods in res.ranks.items()}}
    if res.llm:
        out["llm_rerank"] = cross_llm_summary(res)
    return out


def _k_summary(res: CrossPlatformResult, kl: str, methods: Ranks) -> dict[str, Any]:
    """One history length's block; its keys keep this order in the JSON."""
    cfg = res.config
    plat = res.platform_for_agent[kl]
    pr = methods[plat]
    a, b = methods.get(AGENT_A), methods.get(AGENT_B)
    block: dict[str, Any] = {
        "platform_for_agent": plat,
        "methods": {m: _method_summary(res, kl, m, r, pr) for m, r in methods.items()},
        "diffs": _agent_diffs(a, b, pr, plat, cfg),
        "by_history_length": _by_history_length(res, methods, a, b),
    }
    # Condition (c), for scale: other users' cross-domain data, compared with (b) (paired).
    if (xd := _cross_domain_diffs(methods, b, cfg)) is not None:
        block["cross_domain_diffs"] = xd
    # Condition (t): with the date known to every party, what do the other platforms add?
    if (dd := _date_diffs(methods, pr, plat, cfg)) is not None:
        block["date_diffs"] = dd
    # Conditions (s) and (p): what the other platforms add through the shipped transfer models.
    if tr := _transfer_diffs(methods, pr, plat, cfg):
        block["transfer_diffs"] = tr
    # Condition (d): what `selfdex recommend` runs, and what its switch to the transfer model adds.
    if sh := _shipped_diffs(methods, pr, plat, cfg):
        block["shipped_diffs"] = sh
    block["weights"] = res.weights.get(kl, {})
    return block


def _method_summary(
    res: CrossPlatformResult, kl: str, m: str, r: np.ndarray, pr: np.ndarray
) -> dict[str, Any]:
    cfg = res.config
    entry: dict[str, Any] = {
        **summarize(r),
        "NDCG@10_ci": dataclasses.asdict(bootstrap_mean(nd10(r), cfg.n_boot, cfg.seed)),
    }
    # Rescue/harmful describe a re-ranker against the platform list it re-ranks; a baseline re-ranks none.
    if m not in ("Pop", "ItemKNN", "BPR-MF"):
        entry.update(override_rates(pr, r))
    entry["valid_NDCG@10"] = res.valid_ndcg10.get(kl, {}).get(m)
    return entry


def _agent_diffs(
    a: np.ndarray | None, b: np.ndarray | None, pr: np.ndarray, plat: str, cfg: CrossPlatformConfig
) -> dict[str, dict[str, float]]:
    if a is None or b is None:
        return {}
    out = {}
    for metric in ("NDCG@10", "HR@10"):
        out[f"(b)-(a) {metric}"] = _paired(b, a, metric, cfg)
        out[f"(b)-{plat} {metric}"] = _paired(b, pr, metric, cfg)
        out[f"(a)-{plat} {metric}"] = _paired(a, pr, metric, cfg)
    return out


def _by_history_length(
    res: CrossPlatformResult, methods: Ranks, a: np.ndarray | None, b: np.ndarray | None
) -> dict[str, dict[str, Any]]:
    """Mean NDCG@10 per bucket of the full within-platform history length; empty buckets are left out."""
    out = {}
    for label, lo, hi in BUCKETS:
        sel = (res.within_len >= lo) & (res.within_len <= hi)
        if not sel.any():
            continue
        bk: dict[str, Any] = {"n": int(sel.sum())}
        for m, r in methods.items():
            bk[m] = float(nd10(r[sel]).mean())
        if a is not None and b is not None:
            bk["(b)-(a) NDCG@10"] = _paired(b[sel], a[sel], "NDCG@10", res.config)
        out[label] = bk
    return out


def _cross_domain_diffs(
    methods: Ranks, b: np.ndarray | None, cfg: CrossPlatformConfig
) -> dict[str, dict[str, float]] | None:
    xd = {m: r for m, r in methods.items() if m in CROSS_DOMAIN}
    if not xd or b is None:
        return None
    # (c) on top of the date is compared with (t)(b), everything else with (b).
    refs = {m: (DATE_KNOWN[DATE_B], methods.get(DATE_B)) if m == XD_DATE_B else ("(b)", b) for m in xd}
    return {
        f"{CROSS_DOMAIN[m]} − {refs[m][0]} {metric}": _paired(r, ref, metric, cfg)
        for metric in ("NDCG@10", "HR@10")
        for m, r in xd.items()
        if (ref := refs[m][1]) is not None
    }


def _date_diffs(
    methods: Ranks, pr: np.ndarray, plat: str, cfg: CrossPlatformConfig
) -> dict[str, dict[str, float]] | None:
    ta, tb, tp = methods.get(DATE_A), methods.get(DATE_B), methods.get(DATE_PLATFORM)
    if ta is None or tb is None or tp is None:
        return None
    pairs = (
        ((tb, ta), f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_A]}"),
        ((tb, tp), f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_PLATFORM]}"),
        ((tp, pr), f"{DATE_KNOWN[DATE_PLATFORM]} − {plat}"),
    )
    return {
        f"{label} {metric}": _paired(x, y, metric, cfg)
        for metric in ("NDCG@10", "HR@10")
        for (x, y), label in pairs
    }


def _transfer_diffs(
    methods: Ranks, pr: np.ndarray, plat: str, cfg: CrossPlatformConfig
) -> dict[str, dict[str, float]]:
    """(b) − (a) through each transfer model, (b) against the platform, and both with the date known."""
    got = {short: methods[long] for long, short in TRANSFER.items() if long in methods}
    pairs = []
    for model in ("(s)", "(p)"):
        for date in ("", "(t)"):
            a, b = got.get(f"{date}{model}(a)"), got.get(f"{date}{model}(b)")
            if a is not None and b is not None:
                pairs.append(((b, a), f"{date}{model}(b) − {date}{model}(a)"))
        if (b := got.get(f"{model}(b)")) is not None:
            pairs.append(((b, pr), f"{model}(b) − {plat}"))
    return {
        f"{label} {metric}": _paired(x, y, metric, cfg)
        for metric in ("NDCG@10", "HR@10")
        for (x, y), label in pairs
    }


def _shipped_diffs(
    methods: Ranks, pr: np.ndarray, plat: str, cfg: CrossPlatformConfig
) -> dict[str, dict[str, float]]:
    """(d)(b) − (d)(a), (d)(b) − (d)(b) without popularity, (d)(b) − the platform."""
    got = {short: methods[long] for long, short in SHIPPED.items() if long in methods}
    if len(got) != len(SHIPPED):
        return {}
    b = got["(d)(b)"]
    pairs = (
        ((b, got["(d)(a)"]), "(d)(b) − (d)(a)"),
        ((b, got["(d)(b) no pop."]), "(d)(b) − (d)(b) no pop."),
        ((b, pr), f"(d)(b) − {plat}"),
    )
    return {
        f"{label} {metric}": _paired(x, y, metric, cfg)
        for metric in ("NDCG@10", "HR@10")
        for (x, y), label in pairs
    }


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
            "NDCG@10_llm_minus_base": _paired(llm.ranks["llm"], llm.ranks["base"], "NDCG@10", cfg),
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
        out["NDCG@10_b_minus_a_with_llm"] = _paired(b.ranks["llm"], a.ranks["llm"], "NDCG@10", cfg)
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
            f"| {cond} | {c['base']['NDCG@10']:.3f} | {c['llm']['NDCG@10']:.3f} | {fmt_ci(c['NDCG@10_llm_minus_base'], 3)} "
            f"| {c['base']['HR@10']:.3f} → {c['llm']['HR@10']:.3f} | {c['parse_failures']} / {ls['n_cases']} "
            f"| {c['seconds_per_list_mean']:.0f} |"
        )
    lines.append("")
    if "NDCG@10_b_minus_a_with_llm" in ls:
        lines += [f"- (b) + model − (a) + model NDCG@10: {fmt_ci(ls['NDCG@10_b_minus_a_with_llm'], 3)}", ""]
    return lines


def cross_platform_markdown(
    name: str, res: CrossPlatformResult, summ: dict[str, Any], prov: dict[str, Any]
) -> str:
    lines = _intro_md(name, res)
    for kl, block in summ["by_k"].items():
        lines += _k_markdown(kl, block, res.config.n_boot)
    if "llm_rerank" in summ:
        lines += _cross_llm_md(summ["llm_rerank"])
    lines += provenance_md(prov, res.config, res.timings)
    return "\n".join(lines)


def _intro_md(name: str, res: CrossPlatformResult) -> list[str]:
    cfg = res.config
    shown = {m for ms in res.ranks.values() for m in ms}
    return [
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
            if any(m in CROSS_DOMAIN for m in shown)
            else ""
        )
        + (
            " Condition (t), also in its own table, gives the platform, (a) and (b) the same clock "
            "(every party knows today's date in real life; this data has none)."
            if any(m in DATE_KNOWN for m in shown)
            else ""
        ),
        "",
    ]


def _k_markdown(kl: str, block: dict[str, Any], n_boot: int) -> list[str]:
    plat = block["platform_for_agent"]
    # Conditions (c) and (t) get their own tables, never mixed into (a)/(b)'s.
    main = [
        m
        for m in block["methods"]
        if m not in CROSS_DOMAIN and m not in DATE_KNOWN and m not in TRANSFER and m not in SHIPPED
    ]
    lines = [f"## History: {kl} (agent re-ranks {plat})", "", *_method_table(block, main)]
    lines += _bootstrap_md(block["diffs"], n_boot)
    lines += _by_length_md(block["by_history_length"], main)
    lines += _side_md(
        block,
        n_boot,
        "**What knowing the date is worth — condition (t)**",
        DATE_NOTE,
        DATE_KNOWN,
        block.get("date_diffs") or {},
        (plat, AGENT_A, AGENT_B),
    )
    lines += _side_md(
        block,
        n_boot,
        "**For scale: what other users' cross-domain data adds — condition (c)**",
        CROSS_DOMAIN_NOTE,
        CROSS_DOMAIN,
        block.get("cross_domain_diffs") or {},
        (AGENT_B, DATE_B),
    )
    lines += _side_md(
        block,
        n_boot,
        "**Knowledge shipped with the agent: the transfer models — conditions (s) and (p)**",
        TRANSFER_NOTE,
        TRANSFER,
        block.get("transfer_diffs") or {},
        (plat, AGENT_A, AGENT_B),
    )
    lines += _side_md(
        block,
        n_boot,
        "**What `selfdex recommend` runs — condition (d)**",
        SHIPPED_NOTE,
        SHIPPED,
        block.get("shipped_diffs") or {},
        (plat, AGENT_B),
    )
    lines.append("<details><summary>weights (tuned on valid)</summary>\n")
    for m, w in block["weights"].items():
        nz = ", ".join(f"{k}={v:g}" for k, v in w.items() if v)
        lines.append(f"- {m}: {nz}")
    lines.append("\n</details>\n")
    return lines


def _bootstrap_md(diffs: dict[str, dict[str, float]], n_boot: int) -> list[str]:
    """The paired differences, each marked where its interval excludes zero."""
    if not diffs:
        return []
    lines = [f"Paired bootstrap (95 %, {n_boot} resamples):"]
    for k, c in diffs.items():
        mark = " **(CI above zero)**" if c["low"] > 0 else (" (CI below zero)" if c["high"] < 0 else "")
        lines.append(f"- {k}: {fmt_ci(c)}{mark}")
    return [*lines, ""]


def _by_length_md(by_length: dict[str, dict[str, Any]], meths: list[str]) -> list[str]:
    if not by_length:
        return []
    lines = [
        "NDCG@10 by the user's full within-platform history length:",
        "",
        "| length | n | " + " | ".join(meths) + " | (b)−(a) [95% CI] |",
        "|---" * (len(meths) + 3) + "|",
    ]
    for label, bk in by_length.items():
        diff = fmt_ci(bk["(b)-(a) NDCG@10"], 3) if "(b)-(a) NDCG@10" in bk else "–"
        lines.append(f"| {label} | {bk['n']} | " + " | ".join(fmt_num(bk[m]) for m in meths) + f" | {diff} |")
    return [*lines, ""]


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


TRANSFER_NOTE = (
    "A gradient-boosted re-ranker over the agent's features and item text (`rank/transfer.py`), trained "
    "on public data only, never on a valid or test user: (s) on the *other* dataset (it has never seen "
    "this catalogue), (p) on this dataset's training users, with the cross-domain adapter and word towers learned from them (`rank/adapter.py`, `rank/towers.py`: which of this platform's items follow a history on the other). (a) feeds it the within-platform history, (b) "
    "the person's other platform too, so (s)(b) − (s)(a) is what the other platform adds through the "
    "model. With the date known, (t)(p) is (p)'s twin trained with the date's two columns (closeness and signed "
    "gap to it) where its data dates its items, and (t)(s) is (s)'s score plus condition (t)'s clock, its weight "
    "tuned on valid (the other dataset has no listing order to train a twin on). Trained by "
    "`selfdex eval train-transfer`."
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
            + " | ".join(fmt_num(e[x]) for x in METRICS)
            + f" | [{ci['low']:.3f}, {ci['high']:.3f}] | {fmt_num(e.get('rescue'))} | {fmt_num(e.get('harmful'))} | {fmt_num(e.get('valid_NDCG@10'))} |"
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
) -> list[str]:
    """A separately labelled condition's own table (never mixed into (a)/(b)'s), with the
    reference rows ``refs`` repeated above it for reading the difference."""
    side = [m for m in block["methods"] if m in methods]
    if not side:
        return []
    rows = [m for m in (*refs, *side) if m in block["methods"]]
    lines = [title, "", note, "", *_method_table(block, rows), *_bootstrap_md(diffs, n_boot)]
    bh = block.get("by_history_length") or {}
    if bh:
        short = {AGENT_A: "(a)", AGENT_B: "(b)", **methods}
        lines.append("NDCG@10 by the user's full within-platform history length:")
        lines.append("")
        lines.append("| length | n | " + " | ".join(short.get(m, m) for m in rows) + " |")
        lines.append("|---" * (len(rows) + 2) + "|")
        for label, row in bh.items():
            lines.append(f"| {label} | {row['n']} | " + " | ".join(fmt_num(row.get(m)) for m in rows) + " |")
        lines.append("")
    return lines


def cross_platform_plots(out: Path, stem: str, res: CrossPlatformResult, summ: dict[str, Any]) -> list[str]:
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
        meths = [
            m for m in full["methods"] if m not in ("Pop", *CROSS_DOMAIN, *DATE_KNOWN, *TRANSFER, *SHIPPED)
        ]
        width = 0.8 / max(len(meths), 1)
        for j, m in enumerate(meths):
            ax.bar(np.arange(len(labels)) + j * width, [bh[x][m] for x in labels], width, label=m)
        ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2)
        ax.set_xticklabels([f"{x}\n(n={bh[x]['n']})" for x in labels])
        ax.set_ylabel("NDCG@10")
        ax.set_xlabel("within-platform history length")
        files.append(_saved(fig, ax, out / f"{stem}-by-history.png"))
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
    files.append(_saved(fig, ax, out / f"{stem}-rescue-vs-override.png"))
    return files


def _saved(fig: Any, ax: Any, path: Path) -> str:
    import matplotlib.pyplot as plt

    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path.name
