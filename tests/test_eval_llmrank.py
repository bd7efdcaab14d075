"""LLMRank protocol: BPR's sampling-bias correction and the LLM re-ranking on a seeded subset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from selfdex.agent.backends import ChatReply, Message
from selfdex.agent.recommend import ModelRanker
from selfdex.eval.baselines import BPR
from selfdex.eval.datasets import LLMRankData
from selfdex.eval.llmrank import LLM_BASE, LLMRankConfig, llm_subset, run_llmrank
from selfdex.eval.report import llmrank_summary, write_report
from selfdex.rank import Candidate, HistoryItem, Ranked, TextVectors

from .test_eval_protocol import TOPICS, HashEmbedder


def games(seed: int = 0) -> LLMRankData:
    """A tiny LLMRank-shaped world: 6 topics x 20 items, 120 users who mostly stay on one topic."""
    rng = np.random.default_rng(seed)
    titles = [f"{topic} game {j} edition{int(rng.integers(100))}" for topic in TOPICS for j in range(20)]
    n_items = len(titles)
    test_hist, test_target, valid_hist, valid_target, pools = {}, {}, {}, {}, {}
    for u in range(120):
        t = int(rng.integers(len(TOPICS)))
        seq = list(dict.fromkeys(int(t * 20 + rng.integers(20)) for _ in range(9)))[:7]
        while len(seq) < 5:
            seq.append(int(rng.integers(n_items)))
            seq = list(dict.fromkeys(seq))
        test_hist[u], test_target[u] = seq[:-1], seq[-1]
        valid_hist[u], valid_target[u] = seq[:-2], seq[-2]
        pools[u] = [int(i) for i in rng.permutation(n_items)[:40]]
    users = list(range(0, 120, 4))  # 30 evaluated users
    train = [(test_hist[u] + [test_target[u]])[:-2] for u in sorted(test_hist)]
    return LLMRankData(
        titles, users, test_hist, test_target, valid_hist, valid_target, pools, train, {"x": "0"}
    )


class ScriptedBackend:
    """Replies with ``order(ids)`` for the candidate ids of the prompt; counts calls."""

    name = "scripted"
    supports_tools = False
    max_records = 12

    def __init__(self, order: Any) -> None:
        self.order = order
        self.calls = 0

    def chat(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        max_tokens: int = 600,
    ) -> ChatReply:
        self.calls += 1
        ids = schema["properties"]["order"]["items"]["enum"] if schema else []
        return ChatReply(content=self.order(ids))


def test_bpr_pop_correction_adds_beta_log_counts() -> None:
    seqs = [[0, 1], [0, 2], [0, 1, 3], [0]]
    m = BPR.fit(seqs, 5, factors=4, iterations=3)
    raw = m.score(1, [], [0, 1, 2, 3, 4])
    full = m.with_pop_correction(1.0)
    assert full.pop_correction == 1.0 and full.config["pop_correction"] == 1.0 and m.pop_correction == 0.0
    expected = raw + np.log([4, 2, 1, 1, 1])  # counts 4, 2, 1, 1 and 0 (clipped to 1)
    assert np.allclose(full.score(1, [], [0, 1, 2, 3, 4]), expected)
    half = m.with_pop_correction(0.5)
    assert np.allclose(half.score(1, [], [0, 1]), raw[:2] + 0.5 * np.log([4, 2]))
    assert BPR.fit(seqs, 5, factors=4, iterations=3, pop_correction=0.5).pop_correction == 0.5


def test_bpr_refit_with_the_same_seed_is_identical() -> None:
    rng = np.random.default_rng(0)
    seqs = [rng.choice(60, size=8, replace=False).tolist() for _ in range(300)]
    a, b = (BPR.fit(seqs, 60, factors=8, iterations=20, seed=3) for _ in range(2))
    assert np.array_equal(a.item_factors, b.item_factors) and np.array_equal(a.user_factors, b.user_factors)
    other = BPR.fit(seqs, 60, factors=8, iterations=20, seed=4)
    assert not np.array_equal(a.item_factors, other.item_factors)


def test_llm_subset_is_seeded_and_in_file_order() -> None:
    users = list(range(100, 300))
    a = llm_subset(users, 20, 0)
    assert a == llm_subset(users, 20, 0) and len(a) == 20 and a == sorted(a) and set(a) <= set(users)
    assert a != llm_subset(users, 20, 1)
    assert llm_subset(users, 500, 0) == users


class Keep:
    name = "keep"

    def rank(self, history: Any, candidates: list[Candidate], *, platform_order: Any = None) -> list[Ranked]:
        return [Ranked(c, float(len(candidates) - k), "kept") for k, c in enumerate(candidates)]


def test_model_ranker_marks_unusable_replies_as_failures() -> None:
    hist = [HistoryItem("h", "space rocket game", "games", order=1.0)]
    cands = [Candidate(str(i), f"title {i}", "games") for i in range(5)]
    for reply in ("no json here", json.dumps({"order": []}), json.dumps({"nope": 1})):
        mr = ModelRanker(Keep(), ScriptedBackend(lambda ids, r=reply: r))
        out = mr.rank(hist, cands)
        assert mr.failure and mr.placed == 0
        assert [r.candidate.id for r in out] == ["0", "1", "2", "3", "4"]
    mr = ModelRanker(Keep(), ScriptedBackend(lambda ids: json.dumps({"order": ["3", "1"]})))
    out = mr.rank(hist, cands)
    assert mr.failure is None and mr.placed == 2
    assert [r.candidate.id for r in out] == ["3", "1", "0", "2", "4"]


def _vectors() -> TextVectors:
    return TextVectors(HashEmbedder())  # type: ignore[arg-type]


def test_llm_rerank_on_subset_is_paired_and_failures_are_misses(tmp_path: Path) -> None:
    data = games()
    cfg = LLMRankConfig(bpr_iterations=5, n_boot=100, tune=False, llm_ranker="scripted", llm_subset=8)
    reverse = ScriptedBackend(lambda ids: json.dumps({"order": list(reversed(ids))}))
    res = run_llmrank(data, _vectors(), cfg, backend=reverse)
    llm = res.llm
    assert llm is not None and reverse.calls == 8 and len(llm.users) == 8
    assert llm.users == llm_subset(data.users, 8, cfg.seed)
    rows = [data.users.index(u) for u in llm.users]
    assert np.array_equal(llm.ranks["base"], res.ranks[LLM_BASE][rows])  # the same users, paired
    # The model reversed the base list of 20: rank r becomes 21 - r.
    assert np.array_equal(llm.ranks["llm"], 21 - llm.ranks["base"])
    assert all(f is None for f in llm.failures) and set(llm.placed) == {20} and len(llm.seconds) == 8
    # BPR's beta was chosen on valid and every beta's valid NDCG@10 is reported.
    assert res.config.bpr_pop_correction is None
    assert all(set(v) == {"0", "0.5", "1"} for v in res.bpr_valid.values()) and len(res.bpr_valid) == 2

    garbage = ScriptedBackend(lambda ids: "I cannot rank these.")
    bad = run_llmrank(data, _vectors(), cfg, backend=garbage).llm
    assert bad is not None and all(bad.failures) and (bad.ranks["llm"] == 21).all()
    summ = llmrank_summary(run_llmrank(data, _vectors(), cfg, backend=garbage))["llm_rerank"]
    assert summ["parse_failure_rate"] == 1.0 and summ["rows"]["llm"]["NDCG@20"] == 0.0

    paths = write_report(tmp_path, res, embedder="hash", checksums={"x": "0"}, command="selfdex eval llmrank")
    md = paths["md"].read_text()
    assert "LLM re-ranking: `scripted` on a random subset of 8 of the 30 users" in md
    assert "parse failures (counted as misses): 0 / 8" in md and "seconds per list" in md
    js = json.loads(paths["json"].read_text())
    assert js["results"]["llm_rerank"]["n_users"] == 8 and js["config"]["llm_subset"] == 8
    assert "bpr_valid_ndcg10_by_pop_correction" in js["results"]
    from selfdex.eval.report import readme_section

    assert "scripted re-ranking the embedded default, random subset of 8 users" in readme_section(tmp_path)


def test_llmrank_without_model_has_no_llm_section(tmp_path: Path) -> None:
    res = run_llmrank(games(), _vectors(), LLMRankConfig(bpr_iterations=5, n_boot=100, tune=False))
    assert res.llm is None and "llm_rerank" not in llmrank_summary(res)
    with pytest.raises(ValueError):
        run_llmrank(games(), _vectors(), LLMRankConfig(bpr_iterations=5, llm_ranker="x"))


def test_cli_llm_options() -> None:
    from selfdex.cli.eval import eval_group

    res = CliRunner().invoke(eval_group, ["llmrank", "--help"])
    assert res.exit_code == 0 and "--llm-ranker" in res.output and "--llm-subset" in res.output
    assert "--bpr-pop-correction" in res.output


@pytest.mark.slow
def test_embedded_model_reranks_through_the_recommend_path() -> None:
    """The real 0.5B model through ``ModelRanker``: a usable order or a recorded failure, never a crash."""
    from selfdex.agent.backends import open_backend
    from selfdex.agent.config import ConfigError, resolve_model

    try:
        spec = resolve_model("embedded-0.5b")
    except ConfigError:
        pytest.skip("embedded-0.5b is not installed")
    assert spec is not None
    mr = ModelRanker(Keep(), open_backend(spec))
    hist = [
        HistoryItem(str(i), t, "games", order=float(i))
        for i, t in enumerate(["Halo 3", "Halo: Reach", "Gears of War"])
    ]
    cands = [
        Candidate(str(i), t, "games")
        for i, t in enumerate(["Halo 4", "Barbie Horse Adventures", "Gears of War 2"])
    ]
    out = mr.rank(hist, cands)
    assert sorted(r.candidate.id for r in out) == ["0", "1", "2"]
    assert (mr.failure is None) == (mr.placed > 0)


def test_cross_platform_cli_llm_options() -> None:
    from selfdex.cli.eval import eval_group

    res = CliRunner().invoke(eval_group, ["cross-platform", "--help"])
    assert res.exit_code == 0 and all(
        o in res.output for o in ("--llm-ranker", "--llm-subset", "--llm-k", "--no-date")
    )
    # The model must run at a history length that is evaluated (checked before any data is read).
    bad = CliRunner().invoke(
        eval_group, ["cross-platform", "-k", "full", "--llm-ranker", "x", "--llm-k", "0"]
    )
    assert bad.exit_code != 0 and "not among the -k values" in bad.output


def test_learned_row_never_counts_an_evaluated_users_target(tmp_path: Path) -> None:
    import dataclasses

    from selfdex.eval.llmrank import LEARNED, learned_ranks, llmrank_candidates
    from selfdex.eval.sampling import case_rng

    data = games()
    cfg = LLMRankConfig(bpr_iterations=5, n_boot=100, tune=False)
    res = run_llmrank(data, _vectors(), cfg)
    assert LEARNED in res.ranks and res.learned_info["sequences"] == 120 - len(data.users)
    assert (
        f"## {LEARNED}"
        in write_report(tmp_path, res, embedder="hash", checksums={}, command="x")["md"].read_text()
    )
    cases = [
        (
            u,
            data.test_hist[u],
            data.test_target[u],
            llmrank_candidates(data.pools[u], data.test_target[u], case_rng(0, f"llmrank|{u}")),
        )
        for u in data.users
    ]
    # Scramble every evaluated user's stored target: the learned ranks cannot change.
    other = dataclasses.replace(
        data, test_target={**data.test_target, **{u: (data.test_target[u] + 7) % 120 for u in data.users}}
    )
    quiet = lambda d, n: lambda k: None  # noqa: E731
    a, _ = learned_ranks(data, _vectors(), cfg, cases, quiet)
    b, _ = learned_ranks(other, _vectors(), cfg, cases, quiet)
    assert np.array_equal(a, b) and np.array_equal(a, res.ranks[LEARNED])
