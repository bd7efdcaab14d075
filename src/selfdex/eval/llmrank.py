"""The LLMRank Games protocol (Hou et al., ECIR 2024): 200 users, 20 candidates (the GT and the first 19
of the user's random pool, shuffled with our seed); Pop and BPR-MF reproduced against the published rows,
the embedded default zero-shot and re-ranking Pop, and optionally a language model re-ranking that list.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..rank.base import Candidate, HistoryItem
from ..rank.build import doc_freq, for_history
from ..rank.embedded import EmbeddedRanker, TextVectors
from .baselines import BPR, PlatformModel, Pop, order_by_scores
from .datasets import LLMRankData
from .metrics import metric_values
from .protocols import LLMRerankResult, Progress, _model_rerank, _no_progress
from .sampling import case_rng, sample_candidates
from .tuning import START, coordinate_ascent

if TYPE_CHECKING:
    from ..agent.backends import ChatBackend

__all__ = [
    "LEARNED",
    "LLM_BASE",
    "PUBLISHED_GAMES",
    "LLMRankConfig",
    "LLMRankResult",
    "learned_ranks",
    "llm_subset",
    "llmrank_candidates",
    "run_llmrank",
]

PUBLISHED_GAMES: dict[str, tuple[float, float, float, float]] = {
    "Pop": (25.50, 45.16, 50.75, 55.58),
    "BPRMF": (39.50, 59.07, 62.66, 65.92),
    "SASRec": (52.50, 70.71, 73.25, 74.74),
    "BM25": (9.00, 22.85, 31.08, 40.55),
    "ChatGPT (recency-focused)": (23.83, 45.69, 50.31, 55.45),
    "GPT-4 (recency-focused)": (39.50, 58.22, 62.88, 65.25),
    "random (expected)": (5.00, 14.74, 22.72, 35.20),
}


BPR_BETAS: tuple[float, ...] = (0.0, 0.5, 1.0)
BPR_VALID_USERS = 3_000  # seeded sample of all users' valid cases, for the BPR checks
LLM_BASE = "embedded default re-ranking the Pop order"
LEARNED = "learned from other users' sequences, no evaluated user's target"


@dataclass
class LLMRankConfig:
    seed: int = 0
    # 64 factors as upstream. Iterations x learning rate x regularisation were chosen by valid NDCG@10
    # (3,000 sampled users' valid cases, every beta) from {100, 300, 600} x {0.01, 0.05, 0.1} x
    # {0.01, 0.001} (10 of those 18 points run; valid peaks at 300 / 0.05 / 0.01, lower at 600 and at 0.1).
    bpr_iterations: int = 300
    bpr_factors: int = 64
    bpr_learning_rate: float = 0.05
    bpr_regularization: float = 0.01
    # log-q correction for implicit's popularity-weighted negative sampling (see ``BPR``; 1 = full);
    # None = the beta of BPR_BETAS with the best NDCG@10 on the sampled users' valid cases.
    bpr_pop_correction: float | None = None
    n_boot: int = 10_000
    tune: bool = True
    # A language model re-orders LLM_BASE's list (``ModelRanker``, as ``recommend --rerank``) for a
    # seeded random subset of ``llm_subset`` test users; None = not run.
    llm_ranker: str | None = None
    llm_subset: int = 20
    # The sequential model (``sequential.SequentialRanker``) trained inside the run on the users who
    # are not evaluated; False = not run.
    learned: bool = True
    learned_train_users: int = 45_000  # all but the held-out ones, where there are that many


@dataclass
class LLMRankResult:
    config: LLMRankConfig
    ranks: dict[str, np.ndarray]
    weights: dict[str, dict[str, float]]
    valid_ndcg10: dict[str, float]
    n_users: int
    timings: dict[str, float] = field(default_factory=dict)
    # BPR-MF valid NDCG@10 (x100) per log-q correction beta: {"valid (200 users)": {beta: v}, ...}
    bpr_valid: dict[str, dict[str, float]] = field(default_factory=dict)
    llm: LLMRerankResult | None = None
    bpr_beta: float = 0.0  # the log-q correction BPR-MF's test ranks were scored with
    learned_info: dict[str, Any] = field(default_factory=dict)


def llmrank_candidates(pool: Sequence[int], target: int, rng: np.random.Generator) -> list[int]:
    """README step 4: drop the GT from the pool, take the first 19 left, add the GT, shuffle."""
    negs = [i for i in pool if i != target][:19]
    out = [*negs, target]
    rng.shuffle(out)
    return out


def llm_subset(users: Sequence[int], n: int, seed: int) -> list[int]:
    """A seeded random subset of ``n`` users, in file order (all of them when n >= len)."""
    if n >= len(users):
        return list(users)
    idx = np.sort(case_rng(seed, "llmrank-llm-subset").choice(len(users), size=n, replace=False))
    return [users[i] for i in idx]


def run_llmrank(
    data: LLMRankData,
    vectors: TextVectors,
    config: LLMRankConfig,
    progress: Progress = _no_progress,
    backend: ChatBackend | None = None,
) -> LLMRankResult:
    """``backend`` (the model named by ``config.llm_ranker``) is needed only for the LLM re-ranking."""
    if config.llm_ranker and backend is None:
        raise ValueError("config.llm_ranker is set but no backend was given")
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_llmrank(data, vectors, config, progress, backend)


def _run_llmrank(
    data: LLMRankData,
    vectors: TextVectors,
    config: LLMRankConfig,
    progress: Progress,
    backend: ChatBackend | None,
) -> LLMRankResult:
    t0 = time.perf_counter()
    cfg = config
    n_items = len(data.titles)
    pop = Pop.fit(data.train)
    bpr = BPR.fit(
        data.train,
        n_items,
        factors=cfg.bpr_factors,
        learning_rate=cfg.bpr_learning_rate,
        regularization=cfg.bpr_regularization,
        iterations=cfg.bpr_iterations,
        seed=cfg.seed,
        pop_correction=cfg.bpr_pop_correction or 0.0,
    )
    t_fit = time.perf_counter() - t0

    # Valid: one step earlier, 19 uniform negatives outside the user's sequence.
    def cases(split: str, users: Sequence[int] = data.users) -> list[tuple[int, list[int], int, list[int]]]:
        out = []
        for u in users:
            if split == "test":
                h, t = data.test_hist[u], data.test_target[u]
                c = llmrank_candidates(data.pools[u], t, case_rng(cfg.seed, f"llmrank|{u}"))
            else:
                h, t = data.valid_hist[u], data.valid_target[u]
                seen = set(h) | {t, data.test_target[u]}
                c = sample_candidates(
                    t, seen, np.arange(n_items), n_neg=19, rng=case_rng(cfg.seed, f"llmrank-valid|{u}")
                )
            out.append((u, h, t, c))
        return out

    split_cases = {"valid": cases("valid"), "test": cases("test")}
    needed = {data.titles[i] for cs in split_cases.values() for _, h, _, c in cs for i in (*h, *c)}
    vectors.prepare(sorted(needed), progress=progress("embedding titles", len(needed)))
    df, n_docs = doc_freq(data.titles)

    def hist_items(h: Sequence[int]) -> list[HistoryItem]:
        return [HistoryItem(str(i), data.titles[i], "games", order=float(p)) for p, i in enumerate(h)]

    def cand_items(c: Sequence[int]) -> list[Candidate]:
        return [Candidate(str(i), data.titles[i], "games") for i in c]

    def model_ranks(
        model: PlatformModel, name: str, cs: list[tuple[int, list[int], int, list[int]]]
    ) -> np.ndarray:
        rr = []
        for u, h, t, c in cs:
            o = order_by_scores(model.score(u, h, c), rng=case_rng(cfg.seed, f"tie|{name}|{u}"))
            rr.append(int(np.nonzero(np.array(c)[o] == t)[0][0]) + 1)
        return np.array(rr)

    # BPR's sampling-bias correction on valid only: the 200 users one step earlier, and a seeded
    # sample of all users' valid cases (no test target is ever looked at).
    everyone = sorted(data.valid_target)
    sample = case_rng(cfg.seed, "bpr-valid-users").choice(
        len(everyone), size=min(BPR_VALID_USERS, len(everyone)), replace=False
    )
    valid_sets = {
        f"valid ({len(data.users)} evaluated users)": split_cases["valid"],
        f"valid ({len(sample)} sampled users)": cases("valid", [everyone[i] for i in np.sort(sample)]),
    }
    bpr_valid: dict[str, dict[str, float]] = {}
    for label, cs in valid_sets.items():
        bpr_valid[label] = {
            f"{b:g}": 100
            * float(metric_values(model_ranks(bpr.with_pop_correction(b), "BPR-MF", cs), "NDCG@10").mean())
            for b in BPR_BETAS
        }

    if cfg.bpr_pop_correction is None:  # chosen on the larger valid set; ties go to the smaller beta
        big = bpr_valid[f"valid ({len(sample)} sampled users)"]
        bpr = bpr.with_pop_correction(float(max(big, key=lambda b: (big[b], -float(b)))))
    ranks: dict[str, np.ndarray] = {
        name: model_ranks(m, name, split_cases["test"]) for name, m in (("Pop", pop), ("BPR-MF", bpr))
    }
    weights: dict[str, dict[str, float]] = {}
    valid_nd: dict[str, float] = {
        "BPR-MF": bpr_valid[f"valid ({len(data.users)} evaluated users)"][f"{bpr.pop_correction:g}"] / 100
    }
    rankers: dict[str, tuple[EmbeddedRanker, Callable[..., list[str] | None]]] = {}
    variants: list[tuple[str, PlatformModel | None]] = [
        ("embedded default, zero-shot (no platform order)", None),
        (LLM_BASE, pop),
    ]
    adv = progress("llmrank: agent", len(variants) * 2 * len(data.users))
    for name, platform in variants:
        ranker = for_history((), vectors=vectors, weights=START, corpus=(df, n_docs))

        def porder(
            u: int, h: Sequence[int], c: Sequence[int], pm: PlatformModel | None = platform
        ) -> list[str] | None:
            if pm is None:
                return None
            o = order_by_scores(pm.score(u, h, c), rng=case_rng(cfg.seed, f"tie|{pm.name}|{u}"))
            return [str(c[j]) for j in o]

        feats_l, pos_l, tcol = [], [], []
        for u, h, t, c in split_cases["valid"]:
            po = porder(u, h, c)
            f, _ = ranker.features(hist_items(h), cand_items(c), platform_order=po)
            feats_l.append(f)
            where = {cid: j for j, cid in enumerate(po)} if po else {}
            pos_l.append(np.array([where.get(str(x), j) for j, x in enumerate(c)]))
            tcol.append(c.index(t))
            adv(1)
        fixed = {"prior": 0.0, "prior_top": 0.0} if platform is None else None
        w, v = (
            coordinate_ascent(np.stack(feats_l), np.array(tcol), np.stack(pos_l), START, fixed=fixed)
            if cfg.tune
            else ({**START, **(fixed or {})}, float("nan"))
        )
        ranker.weights = w
        weights[name], valid_nd[name] = w, v
        rr = []
        for u, h, t, c in split_cases["test"]:
            ranked = ranker.rank(hist_items(h), cand_items(c), platform_order=porder(u, h, c))
            rr.append(next(j for j, x in enumerate(ranked) if x.candidate.id == str(t)) + 1)
            adv(1)
        ranks[name] = np.array(rr)
        rankers[name] = (ranker, porder)

    timings = {"fit_s": t_fit}
    learned_info: dict[str, Any] = {}
    if cfg.learned:
        t1 = time.perf_counter()
        ranks[LEARNED], learned_info = learned_ranks(data, vectors, cfg, split_cases["test"], progress)
        timings["learned_s"] = time.perf_counter() - t1
    llm = None
    if cfg.llm_ranker and backend is not None:
        t1 = time.perf_counter()
        llm = _llm_rerank(
            cfg,
            backend,
            rankers[LLM_BASE],
            split_cases["test"],
            ranks[LLM_BASE],
            (hist_items, cand_items),
            progress,
        )
        timings["llm_s"] = time.perf_counter() - t1
    timings["total_s"] = time.perf_counter() - t0
    return LLMRankResult(
        cfg,
        ranks,
        weights,
        valid_nd,
        len(data.users),
        timings,
        bpr_valid,
        llm,
        bpr.pop_correction,
        learned_info,
    )


# A game's console, from words in its title (Amazon titles often end " - PlayStation 4"); first match wins,
# so the specific names come before the families they contain.
_CONSOLES: tuple[tuple[str, str], ...] = (
    ("ps4", r"playstation 4|\bps4\b"),
    ("ps3", r"playstation 3|\bps3\b"),
    ("ps2", r"playstation 2|\bps2\b"),
    ("vita", r"playstation vita|\bps vita\b|\bvita\b"),
    ("psp", r"\bpsp\b"),
    ("ps1", r"playstation|\bps1\b|\bpsx\b"),
    ("xone", r"xbox one"),
    ("x360", r"xbox 360|\bx360\b"),
    ("xbox", r"\bxbox\b"),
    ("wiiu", r"wii u\b"),
    ("wii", r"\bwii\b"),
    ("3ds", r"\b3ds\b"),
    ("ds", r"nintendo ds|\bnds\b|\bdsi\b|\bds\b"),
    ("switch", r"nintendo switch"),
    ("gba", r"game boy advance|\bgba\b"),
    ("gb", r"game ?boy"),
    ("gc", r"gamecube|game cube"),
    ("n64", r"nintendo 64|\bn64\b"),
    ("snes", r"super nintendo|\bsnes\b"),
    ("nes", r"\bnes\b"),
    ("sega", r"genesis|dreamcast|sega saturn"),
    ("pc", r"\bpc\b|\bmac\b|windows|steam"),
)


def console_ids(titles: Sequence[str]) -> np.ndarray:
    """Per item, the index of its console in :data:`_CONSOLES` (−1 when its title names none)."""
    pats = [re.compile(p) for _, p in _CONSOLES]
    out = np.full(len(titles), -1, dtype=np.int64)
    for i, t in enumerate(titles):
        low = t.lower()
        out[i] = next((j for j, p in enumerate(pats) if p.search(low)), -1)
    return out


def learned_ranks(
    data: LLMRankData,
    vectors: TextVectors,
    cfg: LLMRankConfig,
    test_cases: list[tuple[int, list[int], int, list[int]]],
    progress: Progress,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Counts and the re-ranker come from the users who are not evaluated (their whole sequences);
    an evaluated user's history is input at scoring time only, and no evaluated target or valid
    item is ever counted or trained on."""
    from .sequential import LearnedConfig, SequentialRanker

    evaluated = set(data.users)
    seqs = [data.test_hist[u] + [data.test_target[u]] for u in sorted(data.test_hist) if u not in evaluated]
    vectors.prepare(data.titles, progress=progress("embedding all titles", len(set(data.titles))))
    vec = vectors.get(data.titles).astype(np.float32)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    lcfg = LearnedConfig(seed=cfg.seed, max_train_users=cfg.learned_train_users)
    model, info = SequentialRanker.fit(seqs, vec, lcfg, groups=console_ids(data.titles))
    rows = np.array([c for *_, c in test_cases], dtype=np.int64)
    scores = model.score([h for _, h, _, _ in test_cases], rows)
    ranks = []
    for (u, _, t, c), s in zip(test_cases, scores, strict=True):
        o = order_by_scores(s, rng=case_rng(cfg.seed, f"tie|learned|{u}"))
        ranks.append(int(np.nonzero(np.array(c)[o] == t)[0][0]) + 1)
    info = {"sequences": len(seqs), **info, "config": dataclasses.asdict(lcfg)}
    return np.array(ranks), info


def _llm_rerank(
    cfg: LLMRankConfig,
    backend: ChatBackend,
    base: tuple[EmbeddedRanker, Callable[..., list[str] | None]],
    test_cases: list[tuple[int, list[int], int, list[int]]],
    base_ranks: np.ndarray,
    items: tuple[Callable[[Sequence[int]], list[HistoryItem]], Callable[[Sequence[int]], list[Candidate]]],
    progress: Progress,
) -> LLMRerankResult:
    """The model re-orders the base ranker's list exactly as ``recommend --rerank`` does
    (``ModelRanker``); one reply per list (plus ``complete_json``'s one validity-based retry), never
    a retry that looks at the target. A reply with no usable order is a miss."""
    from ..agent.recommend import ModelRanker

    ranker, porder = base
    users = llm_subset([u for u, *_ in test_cases], cfg.llm_subset, cfg.seed)
    row = {u: j for j, (u, *_) in enumerate(test_cases)}
    adv = progress(f"llmrank: {backend.name} re-ranking ({len(users)} users)", len(users))

    def lists() -> Iterator[tuple[list[HistoryItem], list[Candidate], list[str] | None, str]]:
        for u in users:
            _, h, t, c = test_cases[row[u]]
            yield items[0](h), items[1](c), porder(u, h, c), str(t)

    return _model_rerank(
        ModelRanker(ranker, backend),
        lists(),
        [int(base_ranks[row[u]]) for u in users],
        users,
        LLM_BASE,
        adv,
    )
