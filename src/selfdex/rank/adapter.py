"""A learned cross-domain adapter over the frozen title embedder.

The embedder knows that "green tea" is near "matcha"; it does not know that people who buy loose
tea go on to buy a kettle. The adapter is a matrix M learned from other people's public histories:
the score of a candidate c for a person whose history on the *other* platforms has the
recency-weighted mean title vector h is ``h · M · e(c)``, one M per platform the candidate is on
(what leads to a kitchen purchase is not what leads to a food one). It is trained contrastively (each
training pair's next item against the other pairs' items of the same batch, which follow the
catalogue's popularity as the eval's negatives do), starting from M = I (plain cosine).

What it learns is tied to the catalogue pair it was trained on: on another pair it scores below
plain cosine (see the README's evaluation), so only a model trained on the same catalogues uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .base import Candidate, HistoryItem
from .embedded import TextVectors

__all__ = ["ADAPTER_DECAY", "ADAPTER_HISTORY", "CrossAdapter", "fit_adapter", "history_vector"]

ADAPTER_HISTORY = 20  # the newest other-platform items read
ADAPTER_DECAY = 0.8  # weight of an item one step older


def history_vector(vectors: np.ndarray) -> np.ndarray | None:
    """The recency-weighted, unit-length mean of ``vectors`` (oldest first); None when empty."""
    if len(vectors) == 0:
        return None
    v = vectors[-ADAPTER_HISTORY:].astype(np.float64)
    w = ADAPTER_DECAY ** np.arange(len(v))[::-1]
    h = (v * w[:, None]).sum(0)
    n = float(np.linalg.norm(h))
    return h / n if n > 0 else None


@dataclass(frozen=True)
class CrossAdapter:
    matrices: dict[str, np.ndarray]  # the candidate's platform -> M [dim x dim]

    def scores(
        self,
        embed: TextVectors,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
    ) -> np.ndarray:
        """``h · M · e(c)`` per candidate, h from the history on platforms other than the
        candidate's; 0 where there is none or the adapter has no M for the candidate's platform."""
        out = np.zeros(len(candidates))
        if not candidates or not history:
            return out
        hist = sorted(history, key=lambda h: h.order)
        ce = embed.get([c.title for c in candidates]).astype(np.float64)
        for plat in sorted({c.platform for c in candidates} & set(self.matrices)):
            others = [h.title for h in hist if h.platform != plat]
            h = history_vector(embed.get(others)) if others else None
            if h is None:
                continue
            rows = np.array([c.platform == plat for c in candidates])
            out[rows] = ce[rows] @ (h @ self.matrices[plat])
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # float16: 0.3 MB per platform; the shipped model's features are computed from this copy.
        with path.open("wb") as f:
            arrays: dict[str, Any] = {k: v.astype(np.float16) for k, v in self.matrices.items()}
            np.savez_compressed(f, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: Path) -> CrossAdapter:
        with np.load(path, allow_pickle=False) as z:
            return cls({k: z[k].astype(np.float64) for k in sorted(z.files)})

    def rounded(self) -> CrossAdapter:
        """The adapter as :meth:`save` keeps it (float16), so training sees what inference will."""
        return CrossAdapter({k: v.astype(np.float16).astype(np.float64) for k, v in self.matrices.items()})


def fit_adapter(
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 10,
    learning_rate: float = 1e-3,
    temperature: float = 0.1,
    batch: int = 512,
    seed: int = 0,
) -> np.ndarray:
    """One M from pairs (``x[i]``: a history vector, ``y[i]``: the next item's vector): Adam on the in-batch softmax loss,
    deterministic for a seed (numpy only; about 30 s for 80,000 pairs on 2 cores). The defaults
    were chosen on the food-kitchen *valid* users among temperature 0.05/0.1, 10/20 epochs."""
    if len(x) == 0:
        raise ValueError("no training pairs for the adapter")
    dim = x.shape[1]
    m = np.eye(dim)
    m1 = np.zeros_like(m)
    m2 = np.zeros_like(m)
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        perm = rng.permutation(len(x))
        for b in range(0, len(x), batch):
            idx = perm[b : b + batch]
            hb, yb = x[idx].astype(np.float64), y[idx].astype(np.float64)
            s = (hb @ m) @ yb.T / temperature
            s -= s.max(1, keepdims=True)
            p = np.exp(s)
            p /= p.sum(1, keepdims=True)
            p[np.arange(len(idx)), np.arange(len(idx))] -= 1.0
            g = hb.T @ p @ yb / temperature / len(idx)
            step += 1
            m1 = 0.9 * m1 + 0.1 * g
            m2 = 0.999 * m2 + 0.001 * g * g
            m -= learning_rate * (m1 / (1 - 0.9**step)) / (np.sqrt(m2 / (1 - 0.999**step)) + 1e-8)
    return m
