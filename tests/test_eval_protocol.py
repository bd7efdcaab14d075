"""End to end on a tiny synthetic two-platform world, with a hashed bag-of-words embedder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from selfdex.eval.cross_run import run_cross_platform
from selfdex.eval.datasets import CrossDomainData, EvalCase, ItemMeta
from selfdex.eval.protocols import AGENT_A, AGENT_B, CrossPlatformConfig
from selfdex.eval.report import write_report
from selfdex.index.embed import CachedEmbedder, EmbeddingCache
from selfdex.rank import Candidate, EmbeddedRanker, HistoryItem, Ranker, TextVectors

TOPICS = ["space rocket", "garden flower", "jazz piano", "mountain hiking", "baking bread", "chess opening"]


class HashEmbedder:
    """Deterministic stand-in: words hashed into ``dim`` dims, L2-normalised."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hash-bow-{dim}"
        self.calls = 0

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        if progress:
            progress(len(texts))
        return out


def synthetic(seed: int = 0) -> CrossDomainData:
    """Users love one topic; items of a topic share its words in both domains."""
    rng = np.random.default_rng(seed)
    items: list[ItemMeta] = []
    by: dict[tuple[str, int], list[int]] = {}
    for d in ("books", "films"):
        for t, topic in enumerate(TOPICS):
            for j in range(30):
                idx = len(items)
                items.append(ItemMeta(idx, d, f"{topic} {d} volume{j} extra{int(rng.integers(1000))}"))
                by.setdefault((d, t), []).append(idx)

    def user_seq(topic: int, n: int) -> list[int]:
        seq = []
        for _ in range(n):
            d = "books" if rng.random() < 0.5 else "films"
            t = topic if rng.random() < 0.8 else int(rng.integers(len(TOPICS)))
            seq.append(int(rng.choice(by[(d, t)])))
        return list(dict.fromkeys(seq))

    train = [user_seq(int(rng.integers(len(TOPICS))), 12) for _ in range(150)]
    cases: dict[str, list[EvalCase]] = {"valid": [], "test": []}
    for split in cases:
        for u in range(30):
            topic = int(rng.integers(len(TOPICS)))
            seq = user_seq(topic, 10)
            tgt_dom = items[seq[-1]].domain
            target = int(rng.choice([i for i in by[(tgt_dom, topic)] if i not in seq]))
            cases[split].append(EvalCase(f"{split}:{u}", tuple(seq), target, frozenset([*seq, target])))
    return CrossDomainData(
        "synthetic", ("books", "films"), items, train, cases["valid"], cases["test"], {"x": "0"}
    )


@pytest.fixture(scope="module")
def world() -> CrossDomainData:
    return synthetic()


def test_ranker_contract() -> None:
    r = EmbeddedRanker(TextVectors(HashEmbedder()))
    assert isinstance(r, Ranker)
    hist = [
        HistoryItem("h1", "space rocket launch", "books", order=1),
        HistoryItem("h2", "jazz piano trio", "films", order=2),
    ]
    cands = [
        Candidate(str(i), t, "books") for i, t in enumerate(["garden flower", "space rocket model", "chess"])
    ]
    out = r.rank(hist, cands, platform_order=["0", "2", "1"])
    assert sorted(x.candidate.id for x in out) == ["0", "1", "2"]
    assert out[0].candidate.title == "space rocket model"
    assert out[0].cited == ("h1",) and "space rocket launch" in out[0].reason
    assert out == r.rank(hist, cands, platform_order=["0", "2", "1"])  # deterministic
    # No history and no platform order: still every candidate once.
    assert len(r.rank([], cands)) == 3


def test_cross_history_changes_nothing_when_weights_are_zero() -> None:
    r = EmbeddedRanker(TextVectors(HashEmbedder()), weights={"w_max": 1.0})
    within = [HistoryItem("w", "baking bread", "books")]
    cross = [HistoryItem("x", "space rocket", "films")]
    cands = [Candidate("a", "space rocket book", "books"), Candidate("b", "baking bread book", "books")]
    assert [x.candidate.id for x in r.rank(within, cands)] == [
        x.candidate.id for x in r.rank(within + cross, cands)
    ]


def test_embedding_cache_embeds_each_text_once(tmp_path: Path) -> None:
    inner = HashEmbedder()
    emb = CachedEmbedder(inner, EmbeddingCache(tmp_path / "c.sqlite"))
    a = emb.embed(["x y", "z", "x y"])
    assert inner.calls == 2
    b = CachedEmbedder(inner, EmbeddingCache(tmp_path / "c.sqlite")).embed(["z", "x y"])
    assert inner.calls == 2  # served from disk by a fresh process-level object
    assert np.allclose(a[1], b[0]) and np.allclose(a[0], b[1])


def test_end_to_end_no_leakage_and_report(world: CrossDomainData, tmp_path: Path) -> None:
    cfg = CrossPlatformConfig("synthetic", sampling="pop49", ks=(None, 0), n_boot=200, bpr_iterations=10)
    res = run_cross_platform(world, TextVectors(HashEmbedder()), cfg)
    assert res.n_test == 30 and res.n_valid == 30
    for kl in ("full", "k=0"):
        methods = res.ranks[kl]
        assert {"Pop", "ItemKNN", "BPR-MF", AGENT_A, AGENT_B} <= set(methods)
        for r in methods.values():
            assert r.shape == (30,) and r.min() >= 1 and r.max() <= 50
    # Topic words are shared across platforms, so cross-platform history must help at k = 0.
    nd = lambda r: float(np.mean(np.where(r <= 10, 1 / np.log2(r + 1), 0)))  # noqa: E731
    assert nd(res.ranks["k=0"][AGENT_B]) > nd(res.ranks["k=0"][AGENT_A])
    paths = write_report(tmp_path, res, embedder="hash", checksums=world.checksums)
    data = json.loads(paths["json"].read_text())
    assert data["provenance"]["data_sha256"] == {"x": "0"}
    assert "git_commit" in data["provenance"]
    assert "(b)-(a) NDCG@10" in data["results"]["by_k"]["full"]["diffs"]
    assert "Cross-platform re-ranking" in paths["md"].read_text()


def test_targets_never_in_history_or_training(world: CrossDomainData) -> None:
    held_out = {(c.user, c.target) for c in world.valid + world.test}
    for c in world.valid + world.test:
        assert c.target not in c.history
    # Training users are different people: none of their sequences is an eval user's sequence.
    eval_seqs = {tuple([*c.history, c.target]) for c in world.valid + world.test}
    assert not eval_seqs & {tuple(s) for s in world.train}
    assert held_out


def test_cli_help() -> None:
    from selfdex.cli.eval import COMMANDS, eval_group

    assert eval_group in COMMANDS
    res = CliRunner().invoke(eval_group, ["cross-platform", "--help"])
    assert res.exit_code == 0 and "--data" in res.output and "--sampling" in res.output
    res = CliRunner().invoke(eval_group, ["llmrank", "--data", "/nonexistent-dir"])
    assert res.exit_code != 0 and "not found" in res.output


def test_seed_spread_redraws_the_evaluation_and_reports_each_seed(
    world: CrossDomainData, tmp_path: Path
) -> None:
    from selfdex.eval.report import readme_section
    from selfdex.eval.report_cross import cross_platform_summary
    from selfdex.eval.seeds import seed_spread

    runs = [
        run_cross_platform(
            world,
            TextVectors(HashEmbedder()),
            CrossPlatformConfig(
                "synthetic", sampling="pop49", ks=(0,), n_boot=200, bpr_iterations=10, seed=s
            ),
        )
        for s in (0, 1)
    ]
    summaries = [cross_platform_summary(r) for r in runs]
    spread = seed_spread(summaries, [0, 1])
    row = spread["by_k"]["k=0"]["(b)−(a)"]
    per_seed = [s["by_k"]["k=0"]["diffs"]["(b)-(a) NDCG@10"] for s in summaries]
    assert row["per_seed"] == [d["mean"] for d in per_seed]
    assert row["per_seed"][0] != row["per_seed"][1]  # a new seed draws new negatives
    assert row["min"] <= row["mean"] <= row["max"] and row["sd"] > 0
    assert row["ci_above_zero"] == sum(d["low"] > 0 for d in per_seed)
    paths = write_report(tmp_path, runs[0], embedder="hash", checksums=world.checksums, spread=spread)
    written = json.loads(paths["json"].read_text())["results"]
    assert written["seed_spread"]["seeds"] == [0, 1]
    again = write_report(
        tmp_path / "given",
        runs[0],
        embedder="hash",
        checksums=world.checksums,
        spread=spread,
        summary=summaries[0],
    )
    assert json.loads(again["json"].read_text())["results"] == written  # the summary given = the one computed
    assert "seed_spread" not in summaries[0]  # the caller's summary is not changed
    assert "## Seed spread" in paths["md"].read_text()
    assert "Seed spread over 2 seeds (0, 1;" in readme_section(tmp_path)


def test_seed_spread_statistics() -> None:
    from selfdex.eval.seeds import seed_spread

    def summary(mean: float, low: float) -> dict[str, object]:
        return {
            "by_k": {"full": {"diffs": {"(b)-(a) NDCG@10": {"mean": mean, "low": low, "high": mean + 1}}}}
        }

    spread = seed_spread([summary(0.01, 0.001), summary(0.03, -0.01), summary(0.02, 0.002)], [0, 1, 2])
    row = spread["by_k"]["full"]["(b)−(a)"]
    assert row["mean"] == pytest.approx(0.02) and row["sd"] == pytest.approx(0.01)
    assert (row["min"], row["max"], row["ci_above_zero"]) == (0.01, 0.03, 2)
    assert "(p)(b)−(p)(a)" not in spread["by_k"]["full"]  # absent from the runs: left out
    with pytest.raises(ValueError):
        seed_spread([summary(0.0, 0.0)], [0, 1])
