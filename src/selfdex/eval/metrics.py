"""Ranking metrics for one relevant item per case, from its 1-based rank among the candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "METRICS",
    "Interval",
    "bootstrap_diff",
    "bootstrap_mean",
    "metric_values",
    "override_rates",
    "summarize",
]

METRICS: tuple[str, ...] = ("HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR")


def metric_values(ranks: Sequence[int] | np.ndarray, name: str) -> np.ndarray:
    """Per-case value of ``name`` (HR@k, NDCG@k or MRR) given the target's 1-based ranks."""
    r = np.asarray(ranks, dtype=np.float64)
    if np.any(r < 1):
        raise ValueError("ranks are 1-based")
    if name == "MRR":
        return 1.0 / r
    kind, _, k_s = name.partition("@")
    k = int(k_s)
    if kind == "HR":
        return (r <= k).astype(np.float64)
    if kind == "NDCG":
        return np.where(r <= k, 1.0 / np.log2(r + 1.0), 0.0)
    raise ValueError(f"unknown metric {name!r}")


def summarize(ranks: Sequence[int] | np.ndarray, metrics: Sequence[str] = METRICS) -> dict[str, float]:
    return {m: float(metric_values(ranks, m).mean()) if len(ranks) else float("nan") for m in metrics}


def override_rates(platform_ranks: np.ndarray, agent_ranks: np.ndarray, k: int = 10) -> dict[str, float]:
    """rescue: the platform's top-k missed the target and the agent's top-k has it; harmful: the
    reverse. Both as shares of all cases."""
    p = np.asarray(platform_ranks) <= k
    a = np.asarray(agent_ranks) <= k
    n = max(len(p), 1)
    return {"rescue": float((~p & a).sum() / n), "harmful": float((p & ~a).sum() / n)}


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def fmt(self, digits: int = 4) -> str:
        return f"{self.mean:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]"


def _boot(values: np.ndarray, n_boot: int, seed: int) -> Interval:
    n = len(values)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    step = max(1, 2_000_000 // n)
    for s in range(0, n_boot, step):
        b = min(step, n_boot - s)
        means[s : s + b] = values[rng.integers(0, n, size=(b, n))].mean(1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return Interval(float(values.mean()), float(lo), float(hi))


def bootstrap_mean(values: Sequence[float] | np.ndarray, n_boot: int = 10_000, seed: int = 0) -> Interval:
    return _boot(np.asarray(values, dtype=np.float64), n_boot, seed)


def bootstrap_diff(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, n_boot: int = 10_000, seed: int = 0
) -> Interval:
    """Paired bootstrap 95 % percentile interval of mean(a - b): cases are resampled together."""
    av, bv = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if av.shape != bv.shape:
        raise ValueError("paired bootstrap needs equal-length inputs")
    return _boot(av - bv, n_boot, seed)
