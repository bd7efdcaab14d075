from __future__ import annotations

import numpy as np
import pytest

from selfdex.eval.llmrank import llmrank_candidates
from selfdex.eval.sampling import case_rng, sample_candidates


@pytest.mark.parametrize("pop", [False, True])
def test_negatives_never_include_target_or_history(pop: bool) -> None:
    catalogue = np.arange(100, 400)
    popularity = np.linspace(1, 50, len(catalogue)) if pop else None
    for u in range(200):
        rng = case_rng(0, f"user{u}")
        history = set(rng.choice(catalogue, size=20, replace=False).tolist())
        target = int(rng.choice([i for i in catalogue.tolist() if i not in history]))
        cands = sample_candidates(
            target, history, catalogue, n_neg=49, rng=case_rng(0, f"s{u}"), popularity=popularity
        )
        assert len(cands) == 50 and len(set(cands)) == 50
        assert cands.count(target) == 1
        assert not (set(cands) - {target}) & history
        assert set(cands) <= set(catalogue.tolist())


def test_sampling_is_deterministic_per_case() -> None:
    cat = np.arange(1000)
    a = sample_candidates(5, {1, 2}, cat, n_neg=99, rng=case_rng(0, "u1"))
    b = sample_candidates(5, {1, 2}, cat, n_neg=99, rng=case_rng(0, "u1"))
    c = sample_candidates(5, {1, 2}, cat, n_neg=99, rng=case_rng(1, "u1"))
    assert a == b and a != c


def test_zero_popularity_items_are_never_drawn() -> None:
    cat = np.arange(60)
    pop = np.where(cat % 2 == 0, 1.0, 0.0)
    cands = sample_candidates(1, set(), cat, n_neg=20, rng=case_rng(0, "x"), popularity=pop)
    assert all(c % 2 == 0 for c in cands if c != 1)


def test_popularity_proportional_prefers_popular_items() -> None:
    cat = np.arange(1000)
    pop = np.where(cat < 100, 100.0, 1.0)
    hits = 0
    for u in range(50):
        cands = sample_candidates(999, set(), cat, n_neg=49, rng=case_rng(0, str(u)), popularity=pop)
        hits += sum(1 for c in cands if c < 100)
    assert hits / (50 * 49) > 0.6  # 100 items carry 10,000 / 10,900 of the mass


def test_catalogue_too_small() -> None:
    with pytest.raises(ValueError):
        sample_candidates(0, {1, 2}, np.arange(5), n_neg=3, rng=case_rng(0, "x"))


def test_llmrank_candidate_rule() -> None:
    # README worked example shape: GT removed from the pool, the first 19 others kept, GT appended.
    pool = list(range(100, 200))
    pool[12] = 7  # the GT sits inside the pool
    cands = llmrank_candidates(pool, 7, np.random.default_rng(0))
    assert sorted(cands) == sorted([*[p for p in pool if p != 7][:19], 7])
