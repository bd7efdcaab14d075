"""Platform baselines: what a single platform can do with its own customers' interactions.

All three score a candidate list for one user from that user's within-platform history. They are
trained on the *training users* of one domain only; the evaluated user's history is used at
scoring time (ItemKNN, Pop) or as their row in the training matrix (BPR), never the target.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["BPR", "ItemKNN", "PlatformModel", "Pop", "order_by_scores"]


def order_by_scores(scores: np.ndarray, *tiebreak: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices best first: by score, then each tiebreak key (higher first), then at random."""
    noise = rng.random(len(scores))
    keys = (noise, *reversed([-t for t in tiebreak]), -scores)
    return np.lexsort(keys)


class PlatformModel:
    name: str = "platform"

    def score(self, user: int | None, history: Sequence[int], candidates: Sequence[int]) -> np.ndarray:
        raise NotImplementedError

    def popularity(self, candidates: Sequence[int]) -> np.ndarray:
        raise NotImplementedError


@dataclass
class Pop(PlatformModel):
    counts: Counter[int]
    name: str = "Pop"

    @classmethod
    def fit(cls, seqs: Sequence[Sequence[int]]) -> Pop:
        return cls(Counter(i for s in seqs for i in s))

    def score(self, user: int | None, history: Sequence[int], candidates: Sequence[int]) -> np.ndarray:
        return self.popularity(candidates)

    def popularity(self, candidates: Sequence[int]) -> np.ndarray:
        return np.array([self.counts.get(c, 0) for c in candidates], dtype=np.float64)


def _binary_matrix(seqs: Sequence[Sequence[int]], n_items: int) -> sp.csr_matrix:
    rows = [u for u, s in enumerate(seqs) for _ in set(s)]
    cols = [i for s in seqs for i in set(s)]
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(seqs), n_items))


@dataclass
class ItemKNN(PlatformModel):
    """Item-item cosine on the binary user x item matrix; a candidate's score is the sum of its
    similarities to the history items. No neighbour pruning (the candidate sets are small)."""

    cols: sp.csc_matrix
    pop: Pop
    name: str = "ItemKNN"

    @classmethod
    def fit(cls, seqs: Sequence[Sequence[int]], n_items: int) -> ItemKNN:
        x = _binary_matrix(seqs, n_items).tocsc()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(0))).ravel()
        x = x @ sp.diags(1.0 / np.maximum(norms, 1e-9))
        return cls(sp.csc_matrix(x), Pop.fit(seqs))

    def score(self, user: int | None, history: Sequence[int], candidates: Sequence[int]) -> np.ndarray:
        if not history:
            return np.zeros(len(candidates))
        c = self.cols[:, list(candidates)]
        h = self.cols[:, list(history)]
        return np.asarray((c.T @ h).sum(1)).ravel()

    def popularity(self, candidates: Sequence[int]) -> np.ndarray:
        return self.pop.popularity(candidates)


@dataclass
class BPR(PlatformModel):
    """BPR-MF from ``implicit``. Users scored must be rows of the training matrix (``user``).

    ``implicit``'s CPU sampler draws each negative as the item of a random *interaction*, i.e. in
    proportion to popularity, where the textbook BPR (and RecBole, which the published LLMRank rows
    used) draws negatives uniformly over the catalogue. A model trained against popularity-weighted
    negatives learns scores relative to popularity (roughly ``log p(i|u) - log q(i)``), which ranks
    a *uniformly* sampled candidate list worse. ``pop_correction`` = beta adds ``beta * log n_i``
    (n_i = the item's training count) to every score, the standard log-q sampling-bias correction:
    beta = 1 undoes the sampler's bias in full, beta = 0 is the raw ``implicit`` score (right when
    the candidates are themselves sampled by popularity).

    One thread by default: ``implicit``'s parallel SGD updates shared factors in a racy order, so a
    2-thread refit with the same seed gives different factors (a full-history (b) − (a) flipped sign
    between re-runs); with one thread the same seed gives identical factors.
    """

    user_factors: np.ndarray
    item_factors: np.ndarray
    pop: Pop
    config: dict[str, float] = field(default_factory=dict)
    name: str = "BPR-MF"
    pop_correction: float = 0.0

    @classmethod
    def fit(
        cls,
        seqs: Sequence[Sequence[int]],
        n_items: int,
        *,
        factors: int = 64,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        iterations: int = 100,
        seed: int = 0,
        pop_correction: float = 0.0,
        num_threads: int = 1,
    ) -> BPR:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit warns about BLAS threads otherwise
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        m = BayesianPersonalizedRanking(
            factors=factors,
            learning_rate=learning_rate,
            regularization=regularization,
            iterations=iterations,
            random_state=seed,
            num_threads=num_threads,
        )
        m.fit(_binary_matrix(seqs, n_items), show_progress=False)
        cfg = {
            "factors": factors,
            "learning_rate": learning_rate,
            "regularization": regularization,
            "iterations": iterations,
            "seed": seed,
            "pop_correction": pop_correction,
        }
        return cls(
            np.asarray(m.user_factors),
            np.asarray(m.item_factors),
            Pop.fit(seqs),
            cfg,
            pop_correction=pop_correction,
        )

    def with_pop_correction(self, beta: float) -> BPR:
        """The same factors scored with another sampling-bias correction (no refit)."""
        cfg = {**self.config, "pop_correction": beta}
        return BPR(self.user_factors, self.item_factors, self.pop, cfg, self.name, beta)

    def score(self, user: int | None, history: Sequence[int], candidates: Sequence[int]) -> np.ndarray:
        if user is None:
            return np.zeros(len(candidates))
        s = np.asarray(self.item_factors[list(candidates)] @ self.user_factors[user], dtype=np.float64)
        if self.pop_correction:
            s = s + self.pop_correction * np.log(np.maximum(self.popularity(candidates), 1.0))
        return s

    def popularity(self, candidates: Sequence[int]) -> np.ndarray:
        return self.pop.popularity(candidates)
