"""What the cross-platform and LLMRank reports share: number and interval formatting, the
provenance block, and the NDCG@10 shorthand (its own module so neither report imports the other)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from .metrics import metric_values


def random_ndcg10(n_candidates: int) -> float:
    """Expected NDCG@10 of a uniformly random order of ``n_candidates`` with one relevant item."""
    return float(sum(1 / np.log2(r + 1) for r in range(1, min(10, n_candidates) + 1)) / n_candidates)


def nd10(r: np.ndarray) -> np.ndarray:
    return metric_values(r, "NDCG@10")


def fmt_num(x: float | None, d: int = 3) -> str:
    """A missing or NaN value shows as a dash, so a table keeps its columns."""
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{d}f}"


def fmt_ci(c: dict[str, float], d: int = 4) -> str:
    return f"{c['mean']:+.{d}f} [{c['low']:+.{d}f}, {c['high']:+.{d}f}]"


def provenance_md(prov: dict[str, Any], cfg: Any, timings: dict[str, float]) -> list[str]:
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
