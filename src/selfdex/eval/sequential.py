"""A sequential recommender learned from other users' sequences only (the LLMRank Games row that
competes with SASRec): item-to-next-item transitions, co-occurrence, popularity, how often an item
ends a sequence and where in sequences it sits (newer items sit late), counted over the sequences it is
given, plus title similarity under the frozen embedder and, where items have one, a shared group (a
game's console); a LightGBM lambdarank model combines them, trained on those same users' episodes (their
last item against 19 uniform negatives, the items before it as history).

A user's own sequence is subtracted from the counts when that user's episode is featurised
(leave-one-out), so training features look like the features of a user the counts never saw. The
evaluated users are never among the sequences: their history is input at inference only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FEATURE_NAMES",
    "LearnedConfig",
    "PairCounts",
    "SequenceStats",
    "SequentialRanker",
    "episodes",
    "train_lambdarank",
]

FEATURE_NAMES: tuple[str, ...] = (
    "log_count",  # sequences containing the candidate
    "log_last",  # sequences that end with it (what people bought last: newer items)
    "last_ratio",
    "next_last",  # P(candidate right after the most recent item)
    "next_rec",  # recency-weighted P(candidate right after each history item)
    "log_next_last",
    "near_last",  # candidate 2..window items after the most recent item
    "near_rec",
    "cooc_max",  # cosine of sequence co-occurrence, best history item
    "cooc_sum",
    "cooc_rec",
    "prev_last",  # the candidate came right *before* the most recent item in others' sequences
    "pos_mean",  # where in others' sequences the candidate sits, 0 first … 1 last (newer items sit late)
    "pos_gap",  # that, minus the same for the most recent history item
    "sim_max",  # title cosine under the frozen embedder
    "sim_last",
    "sim_mean",
    "sim_rec",
    "hist_len",
    "group_share",  # recency-weighted share of the history in the candidate's group (a game's console)
    "group_last",  # the most recent item is in the candidate's group
    "group_known",  # the candidate has a group at all
)


@dataclass(frozen=True)
class PairCounts:
    """Sparse counts of item pairs (a, b), stored as sorted keys a * n + b with their values."""

    n: int
    keys: np.ndarray
    vals: np.ndarray

    @classmethod
    def from_pairs(cls, a: np.ndarray, b: np.ndarray, n: int) -> PairCounts:
        keys, vals = np.unique(a.astype(np.int64) * n + b, return_counts=True)
        return cls(n, keys, vals.astype(np.float64))

    def lookup(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Counts at (a, b) elementwise; pairs with a negative (padding) id count 0."""
        q = a.astype(np.int64) * self.n + b
        i = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        hit = (self.keys[i] == q) & (a >= 0) & (b >= 0)
        return np.where(hit, self.vals[i], 0.0)


@dataclass(frozen=True)
class SequenceStats:
    """What the sequences say about items: next-item and near-future transitions, co-occurrence in
    one sequence, and per item how many sequences hold it, end with it, and continue after it."""

    next1: PairCounts
    near: PairCounts
    cooc: PairCounts
    count: np.ndarray
    last: np.ndarray
    out: np.ndarray
    pos: np.ndarray  # per item, the sum of its relative positions (0 … 1) in the sequences
    window: int

    @classmethod
    def fit(cls, seqs: Sequence[Sequence[int]], n_items: int, window: int = 5) -> SequenceStats:
        a1: list[int] = []
        b1: list[int] = []
        an: list[int] = []
        bn: list[int] = []
        ac: list[int] = []
        bc: list[int] = []
        count = np.zeros(n_items)
        last = np.zeros(n_items)
        out = np.zeros(n_items)
        pos = np.zeros(n_items)
        for s in seqs:
            if not s:
                continue
            s = list(dict.fromkeys(s))
            pos[s] += _relative_positions(len(s))
            count[s] += 1
            last[s[-1]] += 1
            out[s[:-1]] += 1
            a1 += s[:-1]
            b1 += s[1:]
            for g in range(2, window + 1):
                an += s[:-g]
                bn += s[g:]
            for i, x in enumerate(s):
                ac += [x] * (len(s) - 1)
                bc += s[:i] + s[i + 1 :]
        pc = PairCounts.from_pairs
        return cls(
            pc(np.array(a1, dtype=np.int64), np.array(b1, dtype=np.int64), n_items),
            pc(np.array(an, dtype=np.int64), np.array(bn, dtype=np.int64), n_items),
            pc(np.array(ac, dtype=np.int64), np.array(bc, dtype=np.int64), n_items),
            count,
            last,
            out,
            pos,
            window,
        )

    def features(
        self,
        hists: Sequence[Sequence[int]],
        cands: np.ndarray,
        vectors: np.ndarray,
        *,
        max_len: int = 20,
        decay: float = 0.5,
        own_target: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> np.ndarray:
        """[episodes x candidates x FEATURE_NAMES] for each history (oldest first; its last
        ``max_len`` items) against its candidate row. ``vectors[item]`` are unit title vectors.

        ``own_target[e]`` = the candidate column of episode e's target when history + [target] is a
        sequence these counts were fitted on: that sequence is subtracted (leave-one-out).
        ``groups[item]``: an attribute id per item (−1: none), e.g. the console a game is for."""
        n_e, n_c = cands.shape
        h = np.full((n_e, max_len), -1, dtype=np.int64)  # right-aligned: column -1 = most recent
        full_len = np.array([len(hs) for hs in hists], dtype=np.int64)
        for e, hs in enumerate(hists):
            hs = list(hs)[-max_len:]
            if hs:
                h[e, max_len - len(hs) :] = hs
        valid = h >= 0
        length = valid.sum(1)
        hi = np.where(valid, h, 0)
        rec = np.where(valid, decay ** np.arange(max_len - 1, -1, -1.0)[None, :], 0.0)  # [E, L]
        A = np.broadcast_to(h[:, None, :], (n_e, n_c, max_len))
        B = np.broadcast_to(cands[:, :, None], (n_e, n_c, max_len))
        nxt = self.next1.lookup(A, B)
        near = self.near.lookup(A, B)
        co = self.cooc.lookup(A, B)
        prev = self.next1.lookup(cands, np.broadcast_to(h[:, -1:], cands.shape))
        cnt_h = np.where(valid, self.count[hi], 0.0)
        out_h = np.where(valid, self.out[hi], 0.0)
        cnt_c = self.count[cands].astype(np.float64)
        last_c = self.last[cands].astype(np.float64)
        pos_h = np.where(valid[:, -1], self.pos[hi[:, -1]], 0.0)
        cnt_last = np.where(valid[:, -1], self.count[hi[:, -1]], 0.0)
        pos_c = self.pos[cands].astype(np.float64)
        if own_target is not None:  # the episode's own sequence leaves the counts
            own = np.zeros((n_e, n_c), dtype=bool)
            own[np.arange(n_e), own_target] = True
            o3 = own[:, :, None] & valid[:, None, :]
            gap = max_len - np.arange(max_len)  # positions after history item j to the target
            nxt = nxt - (o3 & (gap == 1)[None, None, :])
            near = near - (o3 & ((gap >= 2) & (gap <= self.window))[None, None, :])
            co = co - o3
            cnt_h = cnt_h - valid
            out_h = out_h - valid
            cnt_c = cnt_c - own
            last_c = last_c - own
            pos_c = pos_c - own  # the target ends its own sequence: position 1
            # the most recent history item sat at len(history) − 1 of len(history) + 1 items
            pos_h = pos_h - np.where(valid[:, -1], (full_len - 1) / np.maximum(full_len, 1), 0.0)
            cnt_last = cnt_last - valid[:, -1]
        f: dict[str, np.ndarray] = {}
        f["log_count"] = np.log1p(cnt_c)
        f["log_last"] = np.log1p(last_c)
        f["last_ratio"] = (last_c + 1) / (cnt_c + 2)
        pn = nxt / (out_h[:, None, :] + 1)
        f["next_last"] = pn[:, :, -1]
        f["next_rec"] = (pn * rec[:, None, :]).sum(-1)
        f["log_next_last"] = np.log1p(nxt[:, :, -1])
        pr = near / (cnt_h[:, None, :] + 1)
        f["near_last"] = pr[:, :, -1]
        f["near_rec"] = (pr * rec[:, None, :]).sum(-1)
        cos = co / np.sqrt((cnt_h[:, None, :] + 1) * (cnt_c[:, :, None] + 1))
        f["cooc_max"] = cos.max(-1)
        f["cooc_sum"] = cos.sum(-1)
        f["cooc_rec"] = (cos * rec[:, None, :]).sum(-1)
        f["prev_last"] = prev / (cnt_c + 1)
        f["pos_mean"] = (pos_c + 0.5) / (cnt_c + 1)  # an item never seen sits in the middle
        f["pos_gap"] = f["pos_mean"] - ((pos_h + 0.5) / (cnt_last + 1))[:, None]
        vh = vectors[hi] * valid[:, :, None]
        sim = np.einsum("ecd,eld->ecl", vectors[cands], vh)
        f["sim_max"] = np.where(valid[:, None, :], sim, -1.0).max(-1)
        f["sim_last"] = sim[:, :, -1]
        f["sim_mean"] = sim.sum(-1) / np.maximum(length, 1)[:, None]
        f["sim_rec"] = (sim * rec[:, None, :]).sum(-1) / np.maximum(rec.sum(1), 1e-9)[:, None]
        f["hist_len"] = np.broadcast_to(np.log1p(length)[:, None], (n_e, n_c))
        g = np.full(len(vectors), -1) if groups is None else groups
        gh = np.where(valid, g[hi], -1)
        gc = g[cands]
        same = (gh[:, None, :] == gc[:, :, None]) & (gc[:, :, None] >= 0)
        f["group_share"] = (same * rec[:, None, :]).sum(-1) / np.maximum(rec.sum(1), 1e-9)[:, None]
        f["group_last"] = same[:, :, -1].astype(np.float64)
        f["group_known"] = (gc >= 0).astype(np.float64)
        return np.stack([f[k] for k in FEATURE_NAMES], axis=-1).astype(np.float32)


def _relative_positions(n: int) -> np.ndarray:
    """0 for the first of n items … 1 for the last (a lone item is the last)."""
    return np.arange(n) / (n - 1) if n > 1 else np.ones(1)


def episodes(
    seqs: Sequence[Sequence[int]], n_items: int, n_neg: int, rng: np.random.Generator
) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """Each sequence's last item as the target among ``n_neg`` uniform negatives from outside the
    sequence, the items before it as history: (histories, candidate rows, target columns)."""
    hists: list[list[int]] = []
    rows: list[list[int]] = []
    cols: list[int] = []
    for s in seqs:
        s = list(dict.fromkeys(s))
        if len(s) < 2:
            continue
        seen = set(s)
        negs: list[int] = []
        while len(negs) < n_neg:
            x = int(rng.integers(n_items))
            if x not in seen:
                seen.add(x)
                negs.append(x)
        col = int(rng.integers(n_neg + 1))
        rows.append([*negs[:col], s[-1], *negs[col:]])
        hists.append(s[:-1])
        cols.append(col)
    return hists, np.array(rows, dtype=np.int64).reshape(-1, n_neg + 1), np.array(cols, dtype=np.int64)


@dataclass(frozen=True)
class LearnedConfig:
    seed: int = 0
    max_train_users: int = 45_000  # episodes the re-ranker learns from (a seeded sample)
    valid_users: int = 3_000  # held-out other users' episodes, for early stopping
    n_neg: int = 19
    num_leaves: int = 31
    learning_rate: float = 0.05
    max_rounds: int = 600
    min_data_in_leaf: int = 50
    window: int = 5
    max_len: int = 20


class SequentialRanker:
    """Counts over the given sequences + a lambdarank model trained on their episodes."""

    def __init__(
        self,
        stats: SequenceStats,
        vectors: np.ndarray,
        booster: Any,
        config: LearnedConfig,
        groups: np.ndarray | None = None,
    ) -> None:
        self.stats = stats
        self.vectors = vectors
        self.booster = booster
        self.config = config
        self.groups = groups

    @classmethod
    def fit(
        cls,
        seqs: Sequence[Sequence[int]],
        vectors: np.ndarray,
        config: LearnedConfig,
        groups: np.ndarray | None = None,
    ) -> tuple[SequentialRanker, dict[str, Any]]:
        import lightgbm as lgb

        n_items = len(vectors)
        cfg = config
        stats = SequenceStats.fit(seqs, n_items, window=cfg.window)
        rng = np.random.default_rng(cfg.seed)
        pick = rng.permutation(len(seqs))[: cfg.max_train_users + cfg.valid_users]
        hists, rows, cols = episodes([seqs[i] for i in pick], n_items, cfg.n_neg, rng)
        x = cls._chunked(stats, hists, rows, vectors, cfg.max_len, cols, groups)
        y = np.zeros(rows.shape, dtype=np.int32)
        y[np.arange(len(cols)), cols] = 1
        nv = min(cfg.valid_users, len(cols) // 5)
        nf = x.shape[-1]
        group = lambda n: np.full(n, rows.shape[1])  # noqa: E731
        train = lgb.Dataset(
            x[nv:].reshape(-1, nf),
            y[nv:].ravel(),
            group=group(len(cols) - nv),
            feature_name=list(FEATURE_NAMES),
        )
        valid = lgb.Dataset(x[:nv].reshape(-1, nf), y[:nv].ravel(), group=group(nv), reference=train)
        booster, evals = train_lambdarank(
            train,
            valid,
            num_leaves=cfg.num_leaves,
            learning_rate=cfg.learning_rate,
            min_data_in_leaf=cfg.min_data_in_leaf,
            seed=cfg.seed,
            max_rounds=cfg.max_rounds,
            eval_at=(1, 10),
            patience=50,
        )
        info = {
            "train_episodes": len(cols) - nv,
            "valid_episodes": nv,
            "rounds": booster.best_iteration,
            "valid_ndcg@1": float(evals["valid"]["ndcg@1"][booster.best_iteration - 1]),
            "valid_ndcg@10": float(evals["valid"]["ndcg@10"][booster.best_iteration - 1]),
            "gain": dict(
                zip(FEATURE_NAMES, booster.feature_importance("gain").round(1).tolist(), strict=True)
            ),
        }
        return cls(stats, vectors, booster, cfg, groups), info

    @staticmethod
    def _chunked(
        stats: SequenceStats,
        hists: Sequence[Sequence[int]],
        rows: np.ndarray,
        vectors: np.ndarray,
        max_len: int,
        own: np.ndarray | None,
        groups: np.ndarray | None = None,
        chunk: int = 2_000,
    ) -> np.ndarray:
        parts = [
            stats.features(
                hists[i : i + chunk],
                rows[i : i + chunk],
                vectors,
                max_len=max_len,
                own_target=None if own is None else own[i : i + chunk],
                groups=groups,
            )
            for i in range(0, len(rows), chunk)
        ]
        return (
            np.concatenate(parts) if parts else np.zeros((0, rows.shape[1], len(FEATURE_NAMES)), np.float32)
        )

    def score(self, hists: Sequence[Sequence[int]], cands: np.ndarray) -> np.ndarray:
        """[episodes x candidates] scores (higher = more likely next)."""
        x = self._chunked(self.stats, hists, cands, self.vectors, self.config.max_len, None, self.groups)
        return np.asarray(self.booster.predict(x.reshape(-1, x.shape[-1]), num_threads=1)).reshape(
            cands.shape
        )


def train_lambdarank(
    train: Any,
    valid: Any,
    *,
    num_leaves: int,
    learning_rate: float,
    min_data_in_leaf: int,
    seed: int,
    max_rounds: int,
    eval_at: tuple[int, ...],
    patience: int,
) -> tuple[Any, dict[str, Any]]:
    """LightGBM lambdarank with early stopping on ``valid``; one thread and ``deterministic`` so a
    seeded run gives the same trees on any machine. Returns the booster and its per-round scores."""
    import lightgbm as lgb

    params = {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": list(eval_at),
        "num_leaves": num_leaves,
        "learning_rate": learning_rate,
        "min_data_in_leaf": min_data_in_leaf,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": seed,
        "verbosity": -1,
    }
    evals: dict[str, Any] = {}
    booster = lgb.train(
        params,
        train,
        num_boost_round=max_rounds,
        valid_sets=[valid],
        valid_names=["valid"],
        callbacks=[lgb.early_stopping(patience, verbose=False), lgb.record_evaluation(evals)],
    )
    return booster, evals
