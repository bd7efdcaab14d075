"""Condition (c): other users' cross-domain co-occurrence, reported for scale apart from (a)/(b).

A tiny two-domain world where each book is bought with one film by the training users, with
titles that say nothing (so only the co-occurrence can find the pair; 32 hashed dims)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from selfdex.eval.baselines import ItemKNN
from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import CrossDomainData, EvalCase, ItemMeta
from selfdex.eval.protocols import (
    AGENT_A,
    AGENT_B,
    CROSS_DOMAIN,
    XD_B,
    XD_DATE_B,
    XD_KNN,
    XD_RERANK,
    CrossPlatformConfig,
    cross_domain_cooccurrence,
)
from selfdex.eval.report import readme_section, write_report
from selfdex.rank import TextVectors

from .test_eval_protocol import HashEmbedder

N_PAIRS = 80
SECRET = 2 * N_PAIRS  # a film only the evaluated users ever touched


def planted(seed: int = 0) -> CrossDomainData:
    """Book p (0..79) and film 80 + p are bought together by 5 training users each (plus one random
    book and film of noise). An evaluated user has film 80 + p, the secret film and another book
    before their target, book p."""
    rng = np.random.default_rng(seed)
    items = [ItemMeta(i, "books", f"item{i} w{int(rng.integers(10**6))}") for i in range(N_PAIRS)]
    items += [
        ItemMeta(N_PAIRS + i, "films", f"item{N_PAIRS + i} w{int(rng.integers(10**6))}")
        for i in range(N_PAIRS)
    ]
    items.append(ItemMeta(SECRET, "films", "secret film"))
    train = []
    for p in range(N_PAIRS):
        for _ in range(5):
            seq = [p, N_PAIRS + p, int(rng.integers(N_PAIRS)), N_PAIRS + int(rng.integers(N_PAIRS))]
            train.append(list(dict.fromkeys(seq)))
    cases: dict[str, list[EvalCase]] = {"valid": [], "test": []}
    for split in cases:
        for p in rng.permutation(N_PAIRS)[:25]:
            other = int((p + 1 + rng.integers(N_PAIRS - 1)) % N_PAIRS)
            hist = (N_PAIRS + int(p), SECRET, other)
            cases[split].append(EvalCase(f"{split}:{p}", hist, int(p), frozenset([*hist, int(p)])))
    return CrossDomainData(
        "planted", ("books", "films"), items, train, cases["valid"], cases["test"], {"x": "0"}
    )


@pytest.fixture(scope="module")
def world() -> CrossDomainData:
    return planted()


def test_cooccurrence_uses_training_users_only(world: CrossDomainData) -> None:
    xd = cross_domain_cooccurrence(world)
    assert (xd.cols != ItemKNN.fit(world.train, len(world.items)).cols).nnz == 0
    # The secret film occurs only in evaluated users' histories: no column, no similarity.
    assert xd.cols[:, SECRET].nnz == 0
    assert not xd.score(None, [SECRET], list(range(N_PAIRS))).any()
    # Changing every evaluated user's target and history changes nothing in the matrix.
    moved = [dataclasses.replace(c, target=(c.target + 1) % N_PAIRS, history=(SECRET,)) for c in world.test]
    xd2 = cross_domain_cooccurrence(dataclasses.replace(world, test=moved))
    assert (xd.cols != xd2.cols).nnz == 0
    # The planted pair co-occurs across domains.
    s = xd.score(None, [N_PAIRS + 7], list(range(N_PAIRS)))
    assert int(np.argmax(s)) == 7


def test_cooccurrence_refuses_an_evaluated_user_in_training(world: CrossDomainData) -> None:
    c = world.test[0]
    leaky = dataclasses.replace(world, train=[*world.train, [*c.history, c.target]])
    with pytest.raises(AssertionError, match="evaluated user"):
        cross_domain_cooccurrence(leaky)


def test_condition_c_ranks_the_planted_item_first_and_leaves_a_b_alone(
    world: CrossDomainData, tmp_path: Path
) -> None:
    cfg = CrossPlatformConfig("planted", ks=(0, None), baselines=("Pop", "ItemKNN"), n_boot=200)
    res = run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg)
    k0 = res.ranks["k=0"]
    # The planted world has no listing dates, so no (c) row on top of condition (t).
    assert set(CROSS_DOMAIN) - {XD_DATE_B} == {m for m in k0 if m in CROSS_DOMAIN}
    # k = 0: the platform knows nothing and the titles say nothing; other users' data finds the pair.
    assert (k0[XD_KNN] == 1).all()
    assert (k0[XD_RERANK] == 1).mean() > 0.9 and (k0[XD_B] == 1).mean() > 0.9
    assert (k0[AGENT_B] == 1).mean() < 0.5
    assert res.weights["k=0"][XD_RERANK]["cooccurrence"] > 0
    # (a) and (b) are exactly what they are without condition (c).
    off = run_cross_platform(
        world, TextVectors(HashEmbedder(32)), dataclasses.replace(cfg, other_users=False)
    )
    for kl in ("k=0", "full"):
        assert not set(CROSS_DOMAIN) & set(off.ranks[kl])
        for m in ("Pop", "ItemKNN", AGENT_A, AGENT_B):
            assert (off.ranks[kl][m] == res.ranks[kl][m]).all()
    # Reported apart, with a paired CI against (b), and in the README line.
    paths = write_report(tmp_path, res, embedder="hash", checksums=world.checksums, plots=False)
    summ = json.loads(paths["json"].read_text())["results"]["by_k"]["k=0"]
    assert summ["cross_domain_diffs"]["(c) (b) + co-occurrence − (b) NDCG@10"]["low"] > 0
    md = paths["md"].read_text()
    assert "what other users' cross-domain data adds" in md
    main_table = md.split("**For scale")[0]
    assert XD_KNN not in main_table
    assert "(c) other users' cross-domain data" in readme_section(tmp_path)


def test_llm_reranks_a_and_b_on_the_same_subset_and_failures_are_misses(
    world: CrossDomainData, tmp_path: Path
) -> None:
    from .test_eval_llmrank import ScriptedBackend

    cfg = CrossPlatformConfig(
        "planted",
        ks=(0,),
        baselines=("Pop",),
        n_boot=100,
        other_users=False,
        llm_ranker="scripted",
        llm_subset=6,
    )
    with pytest.raises(ValueError, match="no backend"):
        run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg)
    reverse = ScriptedBackend(lambda ids: json.dumps({"order": list(reversed(ids))}))
    res = run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg, backend=reverse)
    a, b = res.llm[AGENT_A], res.llm[AGENT_B]
    assert reverse.calls == 12 and a.users == b.users and len(a.users) == 6
    # Paired with the agent's own ranks on the same cases; the model reversed the top 30 of 50.
    assert np.array_equal(a.ranks["base"], res.ranks["k=0"][AGENT_A][a.users])
    top = a.ranks["base"] <= 30
    assert np.array_equal(a.ranks["llm"][top], 31 - a.ranks["base"][top])
    garbage = ScriptedBackend(lambda ids: "no idea")
    bad = run_cross_platform(world, TextVectors(HashEmbedder(32)), cfg, backend=garbage).llm[AGENT_B]
    assert all(bad.failures) and (bad.ranks["llm"] == 51).all()

    paths = write_report(tmp_path, res, embedder="hash", checksums=world.checksums, plots=False)
    md = paths["md"].read_text()
    assert (
        "LLM re-ranking: `scripted` on a seeded random subset of 6 of the 25 test cases (history k=0)" in md
    )
    ls = json.loads(paths["json"].read_text())["results"]["llm_rerank"]
    assert ls["conditions"][AGENT_A]["parse_failures"] == 0 and "NDCG@10_b_minus_a_with_llm" in ls
    assert "Language model `scripted` re-ranking the agent's list, k=0" in readme_section(tmp_path)
