"""The transfer model (issue 14): trained on training users only, shipped weights load and score
offline, deterministic, and the numpy tree walk agrees with LightGBM."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path

import numpy as np
import pytest

from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import CrossDomainData, EvalCase
from selfdex.eval.protocols import CrossPlatformConfig
from selfdex.eval.transfer import TRANSFER, TransferConfig, build_episodes, train_transfer
from selfdex.rank import Candidate, EmbeddedRanker, HistoryItem, TextVectors
from selfdex.rank.transfer import (
    TRANSFER_FEATURES,
    TransferModel,
    TransferRanker,
    shipped_model,
    transfer_features,
)

from .test_eval_protocol import HashEmbedder, synthetic

pytest.importorskip("lightgbm")

CFG = TransferConfig("synthetic", max_users=80, max_rounds=40, min_data_in_leaf=20)


@pytest.fixture(scope="module")
def world() -> CrossDomainData:
    return synthetic()


@pytest.fixture(scope="module")
def trained(world: CrossDomainData) -> tuple[TransferModel, dict[str, object]]:
    return train_transfer(world, TextVectors(HashEmbedder()), CFG)


def _weights(m: TransferModel) -> str:
    """The model as shipped, minus the wall-clock timings in its metadata."""
    d = m.to_json()
    d["meta"] = {k: v for k, v in d["meta"].items() if not k.endswith("_s")}
    return json.dumps(d)


def _scrambled(data: CrossDomainData) -> CrossDomainData:
    """Every valid/test case gets another target and a reversed history."""
    rng = np.random.default_rng(7)

    def scr(cases: list[EvalCase]) -> list[EvalCase]:
        out = []
        for c in cases:
            t = int(rng.integers(len(data.items)))
            h = tuple(i for i in reversed(c.history) if i != t)
            out.append(EvalCase(c.user, h, t, frozenset([*h, t])))
        return out

    return dataclasses.replace(data, valid=scr(data.valid), test=scr(data.test))


def test_training_never_reads_evaluated_users(
    world: CrossDomainData, trained: tuple[TransferModel, dict]
) -> None:
    model, _ = trained
    other, _ = train_transfer(_scrambled(world), TextVectors(HashEmbedder()), CFG)
    assert _weights(model) == _weights(other)
    # ... while the training users do reach it: a change there changes the model.
    fewer = dataclasses.replace(world, train=world.train[: len(world.train) * 2 // 3])
    third, _ = train_transfer(fewer, TextVectors(HashEmbedder()), CFG)
    assert _weights(third) != _weights(model)


def test_training_is_deterministic(world: CrossDomainData, trained: tuple[TransferModel, dict]) -> None:
    again, _ = train_transfer(world, TextVectors(HashEmbedder()), CFG)
    assert _weights(again) == _weights(trained[0])


def test_episodes_hold_out_the_training_users_last_item(world: CrossDomainData) -> None:
    x, tcol, users = build_episodes(world, TextVectors(HashEmbedder()), CFG)
    assert x.shape[1:] == (50, len(TRANSFER_FEATURES))
    assert len(tcol) == len(users) == 8 * len(set(users.tolist()))  # 4 history lengths x (a)/(b)
    assert set(users.tolist()) <= set(range(len(world.train)))


def test_numpy_trees_match_lightgbm(world: CrossDomainData) -> None:
    import lightgbm as lgb

    x, tcol, _ = build_episodes(world, TextVectors(HashEmbedder()), CFG)
    flat = x.reshape(-1, x.shape[-1]).astype(np.float64)
    y = np.zeros(x.shape[:2])
    y[np.arange(len(tcol)), tcol] = 1
    ds = lgb.Dataset(
        flat, y.ravel(), group=np.full(len(tcol), x.shape[1]), feature_name=list(TRANSFER_FEATURES)
    )
    params = {
        "objective": "lambdarank",
        "num_leaves": 7,
        "num_threads": 1,
        "deterministic": True,
        "verbosity": -1,
    }
    booster = lgb.train(params, ds, num_boost_round=15)
    model = TransferModel.from_lightgbm(booster.dump_model(), {})
    assert np.allclose(model.predict(flat), booster.predict(flat), atol=1e-9)
    assert np.allclose(
        TransferModel.from_json(json.loads(json.dumps(model.to_json()))).predict(flat), booster.predict(flat)
    )


@pytest.mark.parametrize("name", ["amazon-food-kitchen", "amazon-arts-office"])
def test_shipped_weights_load_and_score_without_network(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_net(*a: object, **k: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_net)
    model = shipped_model(name)
    assert model.meta["trained_on"] == name and "command" in model.meta and model.meta["data_sha256"]
    ranker = TransferRanker(EmbeddedRanker(TextVectors(HashEmbedder())), model)
    hist = [
        HistoryItem("h1", "space rocket launch", "books", order=1),
        HistoryItem("h2", "jazz piano", "films", order=2),
    ]
    cands = [
        Candidate(str(i), t, "books")
        for i, t in enumerate(["garden flower", "space rocket model", "chess set"])
    ]
    out = ranker.rank(hist, cands, platform_order=["0", "2", "1"], popularity=[5, 1, 3])
    assert sorted(x.candidate.id for x in out) == ["0", "1", "2"]
    assert all(x.cited and x.cited[0] in {"h1", "h2"} for x in out)
    assert out == ranker.rank(hist, cands, platform_order=["0", "2", "1"], popularity=[5, 1, 3])


def test_features_are_list_relative() -> None:
    r = EmbeddedRanker(TextVectors(HashEmbedder()))
    hist = [HistoryItem("x", "space rocket", "films")]
    cands = [Candidate("a", "space rocket book", "books"), Candidate("b", "baking bread", "books")]
    f, _ = transfer_features(r, hist, cands, popularity=[10, 1])
    col = {n: i for i, n in enumerate(TRANSFER_FEATURES)}
    assert f[0, col["x_max"]] > f[1, col["x_max"]] and f[0, col["x_max_z"]] > 0 > f[1, col["x_max_z"]]
    assert f[0, col["pop_pct"]] == 1.0 and f[1, col["pop_pct"]] == 0.0
    assert f[0, col["n_within"]] == 0.0 and f[0, col["n_cross"]] == pytest.approx(np.log(2))


def test_conditions_in_the_protocol(
    world: CrossDomainData, trained: tuple[TransferModel, dict], tmp_path: Path
) -> None:
    model = trained[0]
    cfg = CrossPlatformConfig(
        "synthetic", ks=(None, 0), baselines=("Pop", "ItemKNN"), n_boot=200, transfer=True
    )
    res = run_cross_platform(
        world, TextVectors(HashEmbedder()), cfg, transfer_models={"s": model, "p": model}
    )
    for kl in ("full", "k=0"):
        got = {m for m in res.ranks[kl] if m in TRANSFER}
        assert {"(s)(a)", "(s)(b)", "(p)(a)", "(p)(b)"} <= {TRANSFER[m] for m in got}
        for m in got:
            assert len(res.ranks[kl][m]) == res.n_test and res.ranks[kl][m].min() >= 1
    # The report gives (s) and (p) their own table and their own paired differences.
    from selfdex.eval.report import provenance
    from selfdex.eval.report_cross import cross_platform_markdown, cross_platform_summary

    summ = cross_platform_summary(res)
    # Condition (d), `selfdex recommend` as shipped, with its own differences.
    from selfdex.eval.shipped import SHIPPED

    for kl in ("full", "k=0"):
        assert set(SHIPPED) <= res.ranks[kl].keys()
        assert all(len(res.ranks[kl][m]) == res.n_test for m in SHIPPED)
    assert "(d)(b) − (d)(b) no pop. NDCG@10" in summ["by_k"]["k=0"]["shipped_diffs"]
    diffs = summ["by_k"]["full"]["transfer_diffs"]
    assert {"(s)(b) − (s)(a) NDCG@10", "(p)(b) − (p)(a) NDCG@10"} <= diffs.keys()
    assert all(d["low"] <= d["mean"] <= d["high"] for d in diffs.values())
    md = cross_platform_markdown("synthetic", res, summ, provenance("hash", {}))
    main_table, _, side = md.partition("conditions (s) and (p)")
    assert "(s) transfer model" not in main_table.split("## History: k=0")[0] and "(s) transfer model" in side
    # …and the README section generated from the written report has their rows.
    from selfdex.eval.report import readme_section, write_report

    write_report(tmp_path, res, embedder="hash", checksums=world.checksums, plots=False)
    section, _, shipped = (
        readme_section(tmp_path)
        .split("Through the transfer models", 1)[1]
        .partition("What `selfdex recommend` runs, condition (d)")
    )
    assert [ln.split(" | ")[0] for ln in shipped.splitlines() if ln.startswith("| ")][1:3] == [
        "| full",
        "| k=0",
    ]
    assert [
        ln.split(" | ")[0] for ln in section.splitlines() if ln.startswith("| full") or ln.startswith("| k=0")
    ] == [
        "| full",
        "| k=0",
    ]
