"""Seed spread: the cross-platform report's headline differences over several seeds.

Each seed draws the evaluation again — the negatives of every case, the seeded subsets, BPR-MF's
initialisation and tie breaks — so the spread says how much of a difference is the draw, next to
each seed's own paired-bootstrap CI (which holds the draw fixed)."""

from __future__ import annotations

import statistics
from typing import Any

from .protocols import DATE_A, DATE_B, DATE_KNOWN

__all__ = ["HEADLINES", "seed_spread", "seed_spread_md"]

# (block of the summary, key of the difference in it, short label)
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("diffs", "(b)-(a) NDCG@10", "(b)−(a)"),
    ("date_diffs", f"{DATE_KNOWN[DATE_B]} − {DATE_KNOWN[DATE_A]} NDCG@10", "(t)(b)−(t)(a)"),
    ("transfer_diffs", "(s)(b) − (s)(a) NDCG@10", "(s)(b)−(s)(a)"),
    ("transfer_diffs", "(p)(b) − (p)(a) NDCG@10", "(p)(b)−(p)(a)"),
    ("transfer_diffs", "(t)(s)(b) − (t)(s)(a) NDCG@10", "(t)(s)(b)−(t)(s)(a)"),
    ("transfer_diffs", "(t)(p)(b) − (t)(p)(a) NDCG@10", "(t)(p)(b)−(t)(p)(a)"),
    ("shipped_diffs", "(d)(b) − (d)(a) NDCG@10", "(d)(b)−(d)(a)"),
    ("shipped_diffs", "(d)(b) − (d)(b) no pop. NDCG@10", "(d)(b)−(d)(b) no pop."),
)


def seed_spread(summaries: list[dict[str, Any]], seeds: list[int]) -> dict[str, Any]:
    """Per history length and headline difference: each seed's mean difference, their mean, SD
    (n − 1) and range, and in how many seeds the 95 % CI lies above zero."""
    if len(summaries) != len(seeds) or not summaries:
        raise ValueError("one summary per seed")
    by_k: dict[str, dict[str, Any]] = {}
    for kl in summaries[0]["by_k"]:
        rows: dict[str, Any] = {}
        for section, key, label in HEADLINES:
            got = [s["by_k"].get(kl, {}).get(section, {}).get(key) for s in summaries]
            if any(g is None for g in got):
                continue
            means = [float(g["mean"]) for g in got]
            rows[label] = {
                "per_seed": means,
                "mean": statistics.fmean(means),
                "sd": statistics.stdev(means) if len(means) > 1 else 0.0,
                "min": min(means),
                "max": max(means),
                "ci_above_zero": sum(1 for g in got if float(g["low"]) > 0),
            }
        by_k[kl] = rows
    return {"seeds": list(seeds), "by_k": by_k}


def _cell(row: dict[str, Any] | None, n: int) -> str:
    if row is None:
        return "–"
    return (
        f"{row['mean']:+.3f} ± {row['sd']:.3f} [{row['min']:+.3f}, {row['max']:+.3f}], "
        f"CI > 0 in {row['ci_above_zero']}/{n}"
    )


def seed_spread_md(spread: dict[str, Any]) -> list[str]:
    """A table: history length × headline difference, 'mean ± SD [min, max], CI > 0 in m/n'."""
    n = len(spread["seeds"])
    labels = [lab for _, _, lab in HEADLINES if any(lab in rows for rows in spread["by_k"].values())]
    if not labels:
        return []
    lines = [
        f"Seed spread over {n} seeds ({', '.join(map(str, spread['seeds']))}; each a new draw of negatives, "
        "BPR-MF initialisation and tie breaks): NDCG@10 difference, mean ± SD [min, max] of the seeds' "
        "means, and in how many seeds its 95 % CI lies above zero.",
        "",
        "| history | " + " | ".join(labels) + " |",
        "|---|" + "---|" * len(labels),
    ]
    for kl, rows in spread["by_k"].items():
        lines.append(f"| {kl} | " + " | ".join(_cell(rows.get(lab), n) for lab in labels) + " |")
    return [*lines, ""]
