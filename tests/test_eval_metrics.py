from __future__ import annotations

import math

import numpy as np
import pytest

from selfdex.eval.metrics import bootstrap_diff, bootstrap_mean, metric_values, override_rates, summarize


def test_metrics_hand_computed() -> None:
    ranks = [1, 2, 5, 11]
    s = summarize(ranks)
    assert s["HR@1"] == pytest.approx(1 / 4)
    assert s["HR@5"] == pytest.approx(3 / 4)
    assert s["HR@10"] == pytest.approx(3 / 4)
    assert s["NDCG@5"] == pytest.approx((1 + 1 / math.log2(3) + 1 / math.log2(6)) / 4)
    assert s["NDCG@10"] == pytest.approx(s["NDCG@5"])
    assert s["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 5 + 1 / 11) / 4)


def test_ndcg_at_20_boundary() -> None:
    assert metric_values([20, 21], "NDCG@20").tolist() == pytest.approx([1 / math.log2(21), 0.0])


def test_ranks_must_be_one_based() -> None:
    with pytest.raises(ValueError):
        metric_values([0], "HR@1")
    with pytest.raises(ValueError):
        metric_values([1], "Recall@x")


def test_override_rates() -> None:
    platform = np.array([1, 12, 3, 15, 30])
    agent = np.array([2, 4, 11, 20, 1])
    r = override_rates(platform, agent)
    assert r["rescue"] == pytest.approx(2 / 5)  # cases 2 and 5
    assert r["harmful"] == pytest.approx(1 / 5)  # case 3


def test_bootstrap_diff_is_paired_and_seeded() -> None:
    rng = np.random.default_rng(1)
    a = rng.random(300)
    b = a - 0.05  # a constant paired gain: the interval collapses onto it
    ci = bootstrap_diff(a, b, n_boot=500, seed=3)
    assert ci.mean == pytest.approx(0.05)
    assert ci.low == pytest.approx(0.05) and ci.high == pytest.approx(0.05)
    assert ci.excludes_zero()
    c1 = bootstrap_mean(a, n_boot=500, seed=3)
    c2 = bootstrap_mean(a, n_boot=500, seed=3)
    assert c1 == c2
    assert c1.low < a.mean() < c1.high


def test_bootstrap_zero_difference_straddles_zero() -> None:
    rng = np.random.default_rng(2)
    a = rng.random(400)
    b = rng.permutation(a)
    ci = bootstrap_diff(a, b, n_boot=1000)
    assert ci.low < 0 < ci.high
    with pytest.raises(ValueError):
        bootstrap_diff(a, b[:-1])
