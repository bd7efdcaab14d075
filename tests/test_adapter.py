"""The learned cross-domain adapter (issue 14): it learns an association no title cosine shows,
reads only the training users it is given, keeps what it learned through save/load, and the
model trained with it ships and scores offline."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import numpy as np
import pytest

from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import CrossDomainData
from selfdex.eval.protocols import CrossPlatformConfig
from selfdex.eval.transfer import (
    TRANSFER,
    TransferConfig,
    date_columns,
    fit_catalogue_adapter,
    train_transfer_models,
)
from selfdex.rank import Candidate, EmbeddedRanker, HistoryItem, TextVectors
from selfdex.rank.adapter import CrossAdapter, fit_adapter, history_vector
from selfdex.rank.towers import TextTowers
from selfdex.rank.transfer import (
    ADAPTED_FEATURES,
    DATE_FEATURES,
    TRANSFER_FEATURES,
    TransferRanker,
    adapter_path,
    model_path,
    shipped_model,
    towers_path,
    transfer_features,
    with_adapter,
)

from .test_eval_protocol import HashEmbedder, synthetic


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.normal(size=(n, dim))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_it_learns_what_follows_what_where_cosine_sees_nothing() -> None:
    """Item i of one domain is always followed by item i of the other; the two vectors are
    independent, so cosine ranks the right one at random."""
    rng = np.random.default_rng(0)
    a, b = _unit(rng, 40, 16), _unit(rng, 40, 16)
    picks = rng.integers(40, size=4000)
    m = fit_adapter(a[picks], b[picks], epochs=30, learning_rate=0.01, seed=0)

    def hit_rate(matrix: np.ndarray) -> float:
        return float(np.mean([np.argmax(b @ (a[i] @ matrix)) == i for i in range(40)]))

    assert hit_rate(np.eye(16)) < 0.2
    assert hit_rate(m) > 0.9
    again = fit_adapter(a[picks], b[picks], epochs=30, learning_rate=0.01, seed=0)
    assert np.array_equal(m, again)  # deterministic for a seed


def test_history_vector_weighs_recent_items_more() -> None:
    v = np.eye(3)
    h = history_vector(v)
    assert h is not None and h[2] > h[1] > h[0] and np.isclose(np.linalg.norm(h), 1.0)
    assert history_vector(np.zeros((0, 3))) is None


def test_scores_read_only_other_platforms_and_survive_saving(tmp_path: Path) -> None:
    vectors = TextVectors(HashEmbedder())
    dim = vectors.get(["x"]).shape[1]
    rng = np.random.default_rng(1)
    adapter = CrossAdapter({"kitchen": np.eye(dim) + 0.1 * rng.normal(size=(dim, dim))})
    hist = [HistoryItem("f1", "green tea leaves", "food", order=1)]
    cands = [Candidate("k1", "tea kettle", "kitchen"), Candidate("x1", "tea towel", "garden")]
    s = adapter.scores(vectors, hist, cands)
    assert s[0] != 0.0 and s[1] == 0.0  # no matrix for the garden platform
    same_platform = adapter.scores(vectors, [HistoryItem("k0", "kettle", "kitchen")], cands)
    assert same_platform[0] == 0.0  # the history on the candidate's own platform is not read
    adapter.save(tmp_path / "a.npz")
    back = CrossAdapter.load(tmp_path / "a.npz")
    assert np.array_equal(back.matrices["kitchen"], adapter.rounded().matrices["kitchen"])
    assert np.allclose(back.scores(vectors, hist, cands), s, atol=1e-2)


def test_catalogue_adapter_reads_only_the_users_it_is_given() -> None:
    world = synthetic()
    vectors = TextVectors(HashEmbedder())
    users = list(range(0, len(world.train), 2))
    base = fit_catalogue_adapter(world, vectors, users)
    assert set(base.matrices) == set(world.domains)
    # Other users' sequences changed: the same adapter.
    changed = [s if u in users else list(reversed(s)) for u, s in enumerate(world.train)]
    same = fit_catalogue_adapter(dataclasses.replace(world, train=changed), vectors, users)
    assert all(np.array_equal(base.matrices[d], same.matrices[d]) for d in world.domains)
    # One of its own users changed: another adapter.
    mine = [list(reversed(s)) if u == users[0] else s for u, s in enumerate(world.train)]
    other = fit_catalogue_adapter(dataclasses.replace(world, train=mine), vectors, users)
    assert any(not np.array_equal(base.matrices[d], other.matrices[d]) for d in world.domains)


def test_adapted_features_extend_the_base_ones() -> None:
    r = EmbeddedRanker(TextVectors(HashEmbedder()))
    dim = r.vectors.get(["x"]).shape[1]
    adapter = CrossAdapter({"books": np.eye(dim)})
    # towers that map each word to its own axis: the person's score counts shared words
    vocab = {"space": 0, "rocket": 1, "book": 2, "baking": 3, "bread": 4}
    eye = np.eye(len(vocab))
    towers = TextTowers(vocab, {"books": eye}, {"books": eye}, {"books": eye[3]})
    hist = [HistoryItem("x", "space rocket", "films")]
    cands = [Candidate("a", "space rocket book", "books"), Candidate("b", "baking bread", "books")]
    f, _ = transfer_features(r, hist, cands, popularity=[10, 1])
    g = with_adapter(f, adapter, towers, r, hist, cands)
    assert f.shape[1] == len(TRANSFER_FEATURES) and g.shape[1] == len(ADAPTED_FEATURES)
    assert np.array_equal(g[:, : f.shape[1]], f)
    col = {n: i for i, n in enumerate(ADAPTED_FEATURES)}
    # with M = I the adapter is the cosine to the recency-weighted cross history
    assert g[0, col["x_proj"]] > g[1, col["x_proj"]] and g[0, col["x_proj_z"]] > 0 > g[1, col["x_proj_z"]]
    assert g[0, col["x_tw"]] > 0 == g[1, col["x_tw"]]
    # the prior (here: "baking") is the same with or without the other platform's history
    assert g[1, col["tw_prior"]] > 0 == g[0, col["tw_prior"]]
    alone = with_adapter(transfer_features(r, [], cands)[0], adapter, towers, r, [], cands)
    assert (
        np.array_equal(alone[:, col["tw_prior"]], g[:, col["tw_prior"]]) and not alone[:, col["x_tw"]].any()
    )


@pytest.mark.slow
def test_adapted_model_trains_beside_the_base_one(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    world = synthetic()
    cfg = TransferConfig("synthetic", max_users=80, max_rounds=20, min_data_in_leaf=20)
    out = train_transfer_models(world, TextVectors(HashEmbedder()), cfg)
    base, adapted = out["base"][0], out["adapted"][0]
    assert base.features == TRANSFER_FEATURES and base.adapter is None
    assert adapted.features == ADAPTED_FEATURES and adapted.adapter is not None
    path = tmp_path / "transfer-synthetic-adapted.json"
    adapted.save(path)
    assert adapted.towers is not None
    adapted.adapter.save(adapter_path(path))
    adapted.towers.save(towers_path(path))
    loaded = type(adapted).load(path)
    assert loaded.adapter is not None and loaded.towers is not None
    assert all(np.array_equal(loaded.adapter.matrices[d], adapted.adapter.matrices[d]) for d in world.domains)
    assert loaded.towers.vocab == adapted.towers.vocab
    assert all(np.array_equal(loaded.towers.candidate[d], adapted.towers.candidate[d]) for d in world.domains)
    # (p) reads the adapter's two columns in the protocol, (s) does not
    pcfg = CrossPlatformConfig("synthetic", ks=(0,), baselines=("Pop",), n_boot=50, transfer=True)
    res = run_cross_platform(
        world, TextVectors(HashEmbedder()), pcfg, transfer_models={"s": base, "p": adapted}
    )
    got = {TRANSFER[m] for m in res.ranks["k=0"] if m in TRANSFER}
    assert {"(s)(b)", "(p)(b)"} <= got


@pytest.mark.parametrize("name", ["amazon-food-kitchen", "amazon-arts-office"])
def test_shipped_adapted_models_load_and_score_without_network(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_net(*a: object, **k: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_net)
    model = shipped_model(name, adapted=True)
    assert model.features == ADAPTED_FEATURES and model.adapter is not None
    assert model.meta["trained_on"] == name and model.meta["data_sha256"]
    vectors = TextVectors(HashEmbedder())
    dim = vectors.get(["x"]).shape[1]
    assert model.towers is not None and set(model.towers.candidate) == set(model.adapter.matrices)
    if next(iter(model.adapter.matrices.values())).shape[0] != dim:
        # the shipped adapter is for MiniLM's 384 dimensions; test the walk with a same-size stand-in
        model = dataclasses.replace(
            model, adapter=CrossAdapter({d: np.eye(dim) for d in model.adapter.matrices})
        )
    domain = sorted(model.adapter.matrices)[0]
    ranker = TransferRanker(EmbeddedRanker(vectors), model)
    hist = [HistoryItem("h1", "loose leaf tea", "elsewhere", order=1)]
    cands = [Candidate(str(i), t, domain) for i, t in enumerate(["kettle", "frying pan", "teapot"])]
    out = ranker.rank(hist, cands, platform_order=["0", "1", "2"], popularity=[5, 1, 3])
    assert sorted(x.candidate.id for x in out) == ["0", "1", "2"]


def _dated(world: CrossDomainData) -> CrossDomainData:
    """The synthetic world with listing dates: item i listed at i / n (the protocol's quantiles)."""
    n = len(world.items)
    return dataclasses.replace(world, items=[dataclasses.replace(m, listed=m.idx / n) for m in world.items])


def test_date_columns_rank_by_closeness_and_keep_the_gap_signed() -> None:
    world = _dated(synthetic())
    n = len(world.items)
    hist, cands = [3, 10], [12, 9, 40]  # now = 10 / n
    cols = date_columns(world, hist, cands)
    assert cols is not None and cols.shape == (3, len(DATE_FEATURES))
    assert cols[1, 0] == 1.0 > cols[0, 0] > cols[2, 0]  # 9 is closest to the date, 40 farthest
    assert np.allclose(cols[:, 1], np.array([2, -1, 30]) / n)
    assert date_columns(synthetic(), hist, cands) is None  # no listing dates: no (t)


@pytest.mark.slow
def test_dated_twins_train_load_and_run_only_with_the_date() -> None:
    pytest.importorskip("lightgbm")
    world = _dated(synthetic())
    cfg = TransferConfig("synthetic", max_users=80, max_rounds=20, min_data_in_leaf=20)
    out = train_transfer_models(world, TextVectors(HashEmbedder()), cfg)
    assert set(out) == {"base", "adapted", "base-dated", "adapted-dated"}
    assert out["base-dated"][0].features == (*TRANSFER_FEATURES, *DATE_FEATURES)
    assert out["adapted-dated"][0].features == (*ADAPTED_FEATURES, *DATE_FEATURES)
    assert out["adapted-dated"][0].adapter is out["adapted"][0].adapter
    assert out["adapted-dated"][0].towers is out["adapted"][0].towers
    assert out["base-dated"][0].dated and not out["base"][0].dated
    with pytest.raises(ValueError, match="date"):
        out["base-dated"][0].features_of(
            EmbeddedRanker(TextVectors(HashEmbedder())), [], [Candidate("a", "x", "books")]
        )
    # an undated world trains no twins
    assert set(train_transfer_models(synthetic(), TextVectors(HashEmbedder()), cfg)) == {"base", "adapted"}
    models = {
        "s": out["base"][0],
        "p": out["adapted"][0],
        "ts": out["base-dated"][0],
        "tp": out["adapted-dated"][0],
    }
    pcfg = CrossPlatformConfig("synthetic", ks=(1,), baselines=("Pop",), n_boot=50, transfer=True)
    got = run_cross_platform(world, TextVectors(HashEmbedder()), pcfg, transfer_models=models).ranks["k=1"]
    short = {TRANSFER[m] for m in got if m in TRANSFER}
    assert {
        "(s)(a)",
        "(s)(b)",
        "(p)(a)",
        "(p)(b)",
        "(t)(s)(a)",
        "(t)(s)(b)",
        "(t)(p)(a)",
        "(t)(p)(b)",
    } <= short
    # without the date known, the dated twins are not run
    nodate = dataclasses.replace(pcfg, date_known=False)
    got = run_cross_platform(world, TextVectors(HashEmbedder()), nodate, transfer_models=models).ranks["k=1"]
    assert not any(TRANSFER[m].startswith("(t)") for m in got if m in TRANSFER)


def test_a_dated_adapted_model_reads_its_undated_twins_adapter(tmp_path: Path) -> None:
    assert (
        adapter_path(tmp_path / "transfer-x-adapted-dated.json")
        == tmp_path / "transfer-x-adapted.adapter.npz"
    )
    assert (
        towers_path(tmp_path / "transfer-x-adapted-dated.json") == tmp_path / "transfer-x-adapted.towers.npz"
    )
    assert model_path("x", adapted=True, dated=True).name == "transfer-x-adapted-dated.json"
