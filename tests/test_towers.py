"""The word towers (issue 14): they learn which words follow which across platforms where the
words themselves share nothing, are deterministic, keep what they learned through save/load and
read only the training users they are given."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from selfdex.eval.transfer import fit_catalogue_towers
from selfdex.rank import Candidate, HistoryItem
from selfdex.rank.towers import TextTowers, fit_towers, title_tokens

from .test_eval_protocol import synthetic

pytest.importorskip("scipy")


def test_title_tokens_keep_words_and_mark_the_first() -> None:
    assert title_tokens("Keurig K-Cup Pods, 24 ct") == ["24", "^keurig", "ct", "cup", "keurig", "pods"]
    assert title_tokens("") == []


def _pairs(n: int, seed: int = 0) -> dict[str, tuple[list[list[str]], list[str]]]:
    """On "food", brand i is always followed by gadget i on "kitchen": no word in common."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(12, size=n)
    return {"kitchen": ([[f"brand{i} coffee"] for i in picks], [f"gadget{i} maker" for i in picks])}


def _hit_rate(towers: TextTowers) -> float:
    cands = [Candidate(str(j), f"gadget{j} maker", "kitchen") for j in range(12)]
    hits = 0
    for i in range(12):
        person, _ = towers.scores([HistoryItem("h", f"brand{i} coffee", "food")], cands)
        hits += int(np.argmax(person) == i)
    return hits / 12


def test_towers_learn_what_follows_what_across_platforms() -> None:
    towers = fit_towers(_pairs(3000), dim=16, epochs=20, learning_rate=0.01)
    assert _hit_rate(towers) > 0.9
    again = fit_towers(_pairs(3000), dim=16, epochs=20, learning_rate=0.01)
    assert np.array_equal(towers.candidate["kitchen"], again.candidate["kitchen"])


def test_towers_score_nothing_without_another_platform_and_survive_save_load(tmp_path: Path) -> None:
    towers = fit_towers(_pairs(500), dim=8, epochs=2).rounded()
    cands = [Candidate("a", "gadget1 maker", "kitchen"), Candidate("b", "unknown words", "elsewhere")]
    person, prior = towers.scores([HistoryItem("h", "gadget2 maker", "kitchen")], cands)
    assert not person.any()  # the only history is on the candidate's own platform
    assert prior[0] != 0 and prior[1] == 0  # no towers for "elsewhere"
    towers.save(tmp_path / "t.npz")
    loaded = TextTowers.load(tmp_path / "t.npz")
    assert loaded.vocab == towers.vocab
    assert np.array_equal(loaded.history["kitchen"], towers.history["kitchen"])
    h = [HistoryItem("h", "brand3 coffee", "food")]
    assert np.array_equal(loaded.scores(h, cands)[0], towers.scores(h, cands)[0])


def test_catalogue_towers_read_only_the_users_given() -> None:
    world = synthetic()
    users = list(range(0, len(world.train), 2))
    base = fit_catalogue_towers(world, users)
    skipped = next(u for u in range(len(world.train)) if u not in users)
    mine = [list(reversed(s)) if u == skipped else s for u, s in enumerate(world.train)]
    same = fit_catalogue_towers(dataclasses.replace(world, train=mine), users)
    assert all(np.array_equal(base.candidate[d], same.candidate[d]) for d in world.domains)
    mine = [list(reversed(s)) if u == users[0] else s for u, s in enumerate(world.train)]
    other = fit_catalogue_towers(dataclasses.replace(world, train=mine), users)
    assert any(not np.array_equal(base.candidate[d], other.candidate[d]) for d in world.domains)
