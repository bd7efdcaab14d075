"""The sequential model learned from other users' sequences: leave-one-out counts, determinism,
and that it learns the next-item signal of a tiny synthetic world."""

from __future__ import annotations

import numpy as np
import pytest

from selfdex.eval.sequential import FEATURE_NAMES, LearnedConfig, SequenceStats, SequentialRanker, episodes

N_ITEMS = 60


def world(n_users: int, seed: int) -> list[list[int]]:
    """Users walk a chain: after item i they mostly take i + 1 (mod 60), sometimes a random item."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_users):
        x = int(rng.integers(N_ITEMS))
        seq = [x]
        while len(seq) < int(rng.integers(4, 9)):
            x = (x + 1) % N_ITEMS if rng.random() < 0.8 else int(rng.integers(N_ITEMS))
            if x not in seq:
                seq.append(x)
        out.append(seq)
    return out


def unit_vectors(seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(N_ITEMS, 8))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_leave_one_out_equals_counts_without_that_user() -> None:
    seqs = world(80, 1)
    vec = unit_vectors()
    hists, rows, cols = episodes(seqs, N_ITEMS, 9, np.random.default_rng(0))
    full = SequenceStats.fit(seqs, N_ITEMS, window=3)
    loo = full.features(hists, rows, vec, max_len=6, own_target=cols)
    for e in (0, 7, 33):
        alone = SequenceStats.fit(seqs[:e] + seqs[e + 1 :], N_ITEMS, window=3)
        want = alone.features(hists[e : e + 1], rows[e : e + 1], vec, max_len=6)
        assert np.allclose(loo[e], want[0], atol=1e-5)
    # Without the correction the target's own transition shows: its features differ.
    raw = full.features(hists[:1], rows[:1], vec, max_len=6)
    assert not np.allclose(raw[0, cols[0]], loo[0, cols[0]])
    assert loo.shape == (len(hists), 10, len(FEATURE_NAMES))


def test_episodes_never_put_the_sequence_among_negatives() -> None:
    seqs = world(50, 2)
    hists, rows, cols = episodes(seqs, N_ITEMS, 19, np.random.default_rng(3))
    for s, h, r, c in zip(seqs, hists, rows, cols, strict=True):
        assert r[c] == s[-1] and h == s[:-1] and len(set(r.tolist())) == 20
        assert not set(np.delete(r, c).tolist()) & set(s)


@pytest.fixture(scope="module")
def fitted() -> tuple[SequentialRanker, dict[str, object]]:
    pytest.importorskip("lightgbm")
    cfg = LearnedConfig(max_train_users=600, valid_users=150, max_rounds=60, min_data_in_leaf=20)
    return SequentialRanker.fit(world(750, 4), unit_vectors(), cfg)


def test_learned_ranker_is_deterministic_and_learns_the_chain(
    fitted: tuple[SequentialRanker, dict[str, object]],
) -> None:
    m, info = fitted
    again, info2 = SequentialRanker.fit(world(750, 4), unit_vectors(), m.config)
    # Users the model never saw: the next item of the chain should come first most of the time.
    test = world(100, 99)
    hists, rows, cols = episodes(test, N_ITEMS, 19, np.random.default_rng(5))
    s = m.score(hists, rows)
    assert np.array_equal(s, again.score(hists, rows)) and info == info2
    top1 = float((s.argmax(1) == cols).mean())
    assert top1 > 0.6, top1  # random would be 0.05
    assert info["train_episodes"] == 600 and info["valid_episodes"] == 150


def test_consoles_from_titles() -> None:
    from selfdex.eval.llmrank import _CONSOLES, console_ids

    names = [name for name, _ in _CONSOLES]
    got = console_ids(
        [
            "Halo 3 - Xbox 360",
            "Fire Emblem: The Sacred Stones",
            "Uncharted 2 - Playstation 3",
            "GBA 6-Pak Care Case - Game Boy Advance",
            "Forza 5 - Xbox One Digital Code",
            "Mario Kart 8 - Nintendo Wii U",
        ]
    )
    assert [names[i] if i >= 0 else None for i in got] == ["x360", None, "ps3", "gba", "xone", "wiiu"]


def test_group_features_see_the_history_console() -> None:
    stats = SequenceStats.fit(world(40, 5), N_ITEMS, window=3)
    groups = np.full(N_ITEMS, -1)
    groups[[1, 2, 3]] = 0  # history 1, 2 and candidate 3 share a console; candidate 4 has another
    groups[4] = 1
    x = stats.features([[1, 2]], np.array([[3, 4, 5]]), unit_vectors(), max_len=4, groups=groups)
    col = {n: i for i, n in enumerate(FEATURE_NAMES)}
    assert x[0, :, col["group_share"]].tolist() == pytest.approx([1.0, 0.0, 0.0])
    assert x[0, :, col["group_last"]].tolist() == [1.0, 0.0, 0.0]
    assert x[0, :, col["group_known"]].tolist() == [1.0, 1.0, 0.0]
    plain = stats.features([[1, 2]], np.array([[3, 4, 5]]), unit_vectors(), max_len=4)
    assert not plain[0, :, col["group_known"]].any()  # no groups given: the features are silent
