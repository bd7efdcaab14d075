"""Candidate sets: the target plus sampled negatives from the target's platform catalogue.

Each case gets its own generator seeded from (seed, case id), so a case's candidates do not
depend on which other cases are evaluated or in what order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence

import numpy as np

__all__ = ["case_rng", "sample_candidates"]


def case_rng(seed: int, key: str) -> np.random.Generator:
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.default_rng([seed, digest])


def sample_candidates(
    target: int,
    exclude: Collection[int],
    catalogue: Sequence[int] | np.ndarray,
    *,
    n_neg: int,
    rng: np.random.Generator,
    popularity: Sequence[float] | np.ndarray | None = None,
) -> list[int]:
    """Target + ``n_neg`` distinct negatives, shuffled. With ``popularity`` (aligned with
    ``catalogue``) negatives are drawn in proportion to it (zero-popularity items never), else
    uniformly. Negatives never include the target or anything in ``exclude``."""
    banned = set(exclude) | {target}
    pool = np.asarray(catalogue, dtype=np.int64)
    p: np.ndarray | None = None
    if popularity is not None:
        w = np.asarray(popularity, dtype=np.float64)
        keep = w > 0
        pool, w = pool[keep], w[keep]
        p = w / w.sum()
    in_pool = len(banned & set(pool.tolist())) if len(banned) < len(pool) else len(pool)
    if len(pool) - in_pool < n_neg:
        raise ValueError(f"catalogue too small: {len(pool) - in_pool} eligible items for {n_neg} negatives")
    want = min(len(pool), n_neg + len(banned))
    draw = rng.choice(len(pool), size=want, replace=False, p=p)
    negs = [int(pool[j]) for j in draw if int(pool[j]) not in banned][:n_neg]
    out = [target, *negs]
    rng.shuffle(out)
    return out
