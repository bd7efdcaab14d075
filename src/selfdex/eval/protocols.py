"""The cross-platform re-ranking protocol (with cold start); LLMRank Games is in ``llmrank``.

Cross-platform re-ranking, per case (one user, one held-out target in domain D = "the platform"):

- candidates: the target + negatives from D's catalogue (popularity-proportional 49, or uniform
  99), never the target or anything the user touched, fixed seed per case;
- the platform: Pop, ItemKNN and BPR-MF trained on D's interactions of the training users only,
  seeing the user's D-history truncated to its last k items (k = full, 0, 1, 2);
- the person's agent re-ranks the best platform's order (best by valid NDCG@10 at that k) with
  (a) the truncated D-history only, or (b) that plus the person's whole other-domain history.
  Same ranker class, same candidates; weights tuned on valid for each (condition, k).
- condition (t), the date is known: in real life every party knows today's date and when each
  product was first listed; this data has no dates, so "now" is estimated from the listing order
  of the newest product in the person's history (both domains, untruncated: the same clock for
  everyone) and each candidate gets its closeness to it. Added to the platform's order and to (a)
  and to (b) alike, so (t)(b) − (t)(a) is what the other platforms add once time is accounted for.
- for scale only, condition (c): what *other users'* cross-domain histories add — item-to-item
  co-occurrence across both domains learned from the training users (never a valid or test
  user, never a target). No person's own agent has that data, so (c) is reported apart from (a)
  and (b) and is never either of them (issue 6, "Honesty rules").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..rank.base import Candidate, HistoryItem
from ..rank.build import doc_freq, for_history
from ..rank.embedded import FEATURES, EmbeddedRanker, TextVectors
from .baselines import BPR, ItemKNN, PlatformModel, Pop, order_by_scores
from .datasets import CrossDomainData, EvalCase
from .metrics import metric_values
from .sampling import case_rng, sample_candidates
from .tuning import START, coordinate_ascent, ranks_from_scores

if TYPE_CHECKING:
    from ..agent.backends import ChatBackend
    from ..agent.recommend import ModelRanker

__all__ = [
    "AGENT_A",
    "AGENT_B",
    "CROSS_DOMAIN",
    "DATE_A",
    "DATE_B",
    "DATE_KNOWN",
    "DATE_PLATFORM",
    "XD_B",
    "XD_DATE_B",
    "XD_KNN",
    "XD_RERANK",
    "CrossPlatformConfig",
    "CrossPlatformResult",
    "LLMRerankResult",
    "Progress",
    "cand_items",
    "cross_domain_cooccurrence",
    "run_cross_platform",
]

AGENT_A = "agent (a) within-platform history"
AGENT_B = "agent (b) full cross-platform history"
EMB_A = "embedding only (a), ignores platform order"
EMB_B = "embedding only (b), ignores platform order"

# Condition (c), for scale: learned from other users' cross-domain histories (the training users),
# which a person's own agent does not have. Never (a) or (b).
XD_KNN = "(c) ItemKNN over both domains, the person's whole history"
XD_RERANK = "(c) platform order + co-occurrence with the other-domain history"
XD_B = "(c) agent (b) + co-occurrence with the other-domain history"
XD_DATE_B = "(c) (t) agent (b) + date + co-occurrence"
# Condition (t): the date is known to every party (the platform, (a) and (b) alike).
DATE_PLATFORM = "(t) platform order + closeness to the date"
DATE_A = "(t) agent (a) + closeness to the date"
DATE_B = "(t) agent (b) + closeness to the date"
DATE_KNOWN: dict[str, str] = {  # method -> short label
    DATE_PLATFORM: "(t) platform + date",
    DATE_A: "(t) (a) + date",
    DATE_B: "(t) (b) + date",
}
CROSS_DOMAIN: dict[str, str] = {  # method -> short label for differences and the README
    XD_KNN: "(c) ItemKNN both domains",
    XD_RERANK: "(c) platform + co-occurrence",
    XD_B: "(c) (b) + co-occurrence",
    XD_DATE_B: "(c) (t)(b) + co-occurrence",
}
# Weight of the (max-scaled) co-occurrence score added to the platform's 1/log2(position + 2)
# (or to agent (b)'s score); chosen on valid.
XD_GRID: tuple[float, ...] = (0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)

# Features that change when the person's other platforms join the history.
CROSS_FEATURES = ("x_max", "x_top", "x_cent", "x_recent", "agree", "x_lex", "x_meta", "recent")

# progress(description, total) -> advance(n)
Progress = Callable[[str, int], Callable[[int], None]]


def _no_progress(description: str, total: int) -> Callable[[int], None]:
    return lambda n: None


@dataclass
class CrossPlatformConfig:
    dataset: str
    sampling: str = "pop49"  # or "uni99"
    ks: tuple[int | None, ...] = (None, 0, 1, 2)  # None = full within-platform history
    baselines: tuple[str, ...] = ("Pop", "ItemKNN", "BPR-MF")
    seed: int = 0
    max_cases: int | None = None  # a seeded random subset of valid and of test cases
    bpr_iterations: int = 100
    bpr_factors: int = 64
    n_boot: int = 10_000
    tune: bool = True
    # Condition (c) (other users' cross-domain co-occurrence), reported apart from the agent.
    other_users: bool = True
    # Condition (t) (the date is known to every party), where the data has a listing order.
    date_known: bool = True
    # Conditions (s) and (p): the shipped transfer models (issue 14, eval/transfer.py).
    transfer: bool = False
    # A language model re-ranking (a)'s and (b)'s lists at history length ``llm_k`` on a seeded random
    # subset of ``llm_subset`` test cases (a list takes minutes on 2 cores); None = not run.
    llm_ranker: str | None = None
    llm_subset: int = 10
    llm_k: int | None = 0

    def n_neg(self) -> int:
        return {"pop49": 49, "uni99": 99}[self.sampling]


@dataclass
class CrossPlatformResult:
    config: CrossPlatformConfig
    # ranks[k_label][method] = 1-based target ranks over test cases
    ranks: dict[str, dict[str, np.ndarray]]
    platform_for_agent: dict[str, str]
    weights: dict[str, dict[str, dict[str, float]]]
    valid_ndcg10: dict[str, dict[str, float]]
    within_len: np.ndarray
    domains: np.ndarray
    n_valid: int
    n_test: int
    timings: dict[str, float] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    # llm[condition] = the model re-ranking that condition's list on the subset (``users`` are
    # indexes into the test cases), at history length config.llm_k.
    llm: dict[str, LLMRerankResult] = field(default_factory=dict)


def k_label(k: int | None) -> str:
    return "full" if k is None else f"k={k}"


def _subset(cases: list[EvalCase], n: int | None, seed: int, tag: str) -> list[EvalCase]:
    if n is None or n >= len(cases):
        return cases
    idx = np.sort(case_rng(seed, f"subset|{tag}").choice(len(cases), size=n, replace=False))
    return [cases[i] for i in idx]


def _truncate(within: list[int], k: int | None) -> list[int]:
    if k is None:
        return within
    return within[len(within) - k :] if k > 0 else []


@dataclass
class _Prepared:
    case: EvalCase
    domain: str
    within: list[int]
    cross: list[int]
    cands: list[int]
    target_col: int


def _hist_items(data: CrossDomainData, case: EvalCase, ids: Sequence[int]) -> list[HistoryItem]:
    pos = {i: p for p, i in enumerate(case.history)}
    out = []
    for i in ids:
        m = data.items[i]
        out.append(HistoryItem(str(i), m.title, m.domain, m.creators, m.categories, float(pos[i])))
    return out


def cand_items(data: CrossDomainData, ids: Sequence[int]) -> list[Candidate]:
    return [
        Candidate(
            str(i),
            data.items[i].title,
            data.items[i].domain,
            data.items[i].creators,
            data.items[i].categories,
        )
        for i in ids
    ]


def cross_domain_cooccurrence(data: CrossDomainData) -> ItemKNN:
    """Condition (c)'s item-to-item model: cosine of the binary user x item matrix over **both**
    domains of the training users (``data.train``), so cooc(i, j) links an item of one domain to
    an item of the other through the training users who bought both. Valid and test users are
    not in ``data.train`` (the loaders keep them apart: different people in both data sets), so
    no evaluated user's history and no target is in the matrix."""
    eval_seqs = {(*c.history, c.target) for c in (*data.valid, *data.test)}
    assert not eval_seqs & {tuple(s) for s in data.train}, "an evaluated user is in the training data"
    return ItemKNN.fit(data.train, len(data.items))


def _scaled(s: np.ndarray) -> np.ndarray:
    """Per-case max-scaling, so one weight fits users with short and long histories."""
    m = float(s.max(initial=0.0))
    return s / m if m > 0 else np.zeros_like(s)


def date_closeness(data: CrossDomainData, history: Sequence[int], cands: Sequence[int]) -> np.ndarray | None:
    """Condition (t)'s feature: 1/log2(r + 2), r = the candidate's rank by |listed − now|, where now
    is the listing order of the newest product in ``history`` (a lower bound on the request's
    date). None when the data has no listing order for these items."""
    hl = [data.items[i].listed for i in history]
    cl = [data.items[i].listed for i in cands]
    if not hl or any(x is None for x in hl) or any(x is None for x in cl):
        return None
    now = max(x for x in hl if x is not None)
    gap = np.abs(np.array(cl, dtype=np.float64) - now)
    r = np.argsort(np.argsort(gap, kind="stable"), kind="stable")
    return np.asarray(1.0 / np.log2(r + 2.0))


def _tune_added(
    base: np.ndarray, extra: np.ndarray, target_col: np.ndarray, pos: np.ndarray
) -> tuple[float, float]:
    """The weight w of ``base + w * extra`` with the best valid NDCG@10 (ties: the smaller w)."""
    best_w, best_v = 0.0, -1.0
    for w in XD_GRID:
        v = float(metric_values(ranks_from_scores(base + w * extra, target_col, pos), "NDCG@10").mean())
        if v > best_v + 1e-12:
            best_w, best_v = w, v
    return best_w, best_v


def run_cross_platform(
    data: CrossDomainData,
    vectors: TextVectors,
    config: CrossPlatformConfig,
    progress: Progress = _no_progress,
    *,
    backend: ChatBackend | None = None,
) -> CrossPlatformResult:
    """``backend`` (the model named by ``config.llm_ranker``) is needed only for the LLM re-ranking."""
    if config.llm_ranker and backend is None:
        raise ValueError("config.llm_ranker is set but no backend was given")
    # Ranking multiplies 50 x 384 matrices: BLAS threads only add contention at that size (5x
    # slower on 2 busy cores). The embedder's larger batches are fine on one thread too.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_cross_platform(data, vectors, config, progress, backend)


def _run_cross_platform(
    data: CrossDomainData,
    vectors: TextVectors,
    config: CrossPlatformConfig,
    progress: Progress,
    backend: ChatBackend | None = None,
) -> CrossPlatformResult:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    cfg = config
    dom = [m.domain for m in data.items]
    splits = {
        "valid": _subset(data.valid, cfg.max_cases, cfg.seed, "valid"),
        "test": _subset(data.test, cfg.max_cases, cfg.seed, "test"),
    }

    # Platform models per domain, trained on the training users' interactions in that domain only.
    train_by_dom: dict[str, list[list[int]]] = {
        d: [s2 for s in data.train if (s2 := [i for i in s if dom[i] == d])] for d in data.domains
    }
    catalogue = {d: np.array([m.idx for m in data.items if m.domain == d]) for d in data.domains}
    pops = {d: Pop.fit(train_by_dom[d]) for d in data.domains}
    knns = {d: ItemKNN.fit(train_by_dom[d], len(data.items)) for d in data.domains}
    timings["fit_pop_itemknn_s"] = time.perf_counter() - t0

    pop_weights = {d: pops[d].popularity(catalogue[d].tolist()) for d in data.domains}
    prepared: dict[str, list[_Prepared]] = {}
    for split, cases in splits.items():
        out = []
        for c in cases:
            d = dom[c.target]
            assert c.target not in c.history, "target leaked into history"
            within = [i for i in c.history if dom[i] == d]
            cross = [i for i in c.history if dom[i] != d]
            rng = case_rng(cfg.seed, f"{data.name}|{cfg.sampling}|{c.user}")
            popw = pop_weights[d] if cfg.sampling == "pop49" else None
            cands = sample_candidates(
                c.target, c.exclude, catalogue[d], n_neg=cfg.n_neg(), rng=rng, popularity=popw
            )
            out.append(_Prepared(c, d, within, cross, cands, cands.index(c.target)))
        prepared[split] = out

    # Embed every distinct title the run needs once, up front (the cache makes reruns free).
    t1 = time.perf_counter()
    needed = {
        data.items[i].title for ps in prepared.values() for p in ps for i in (*p.case.history, *p.cands)
    }
    adv = progress("embedding titles", len(needed))
    vectors.prepare(sorted(needed), progress=adv)
    timings["embed_s"] = time.perf_counter() - t1
    df, n_docs = doc_freq([m.title for m in data.items])

    # Condition (c): other users' cross-domain co-occurrence (training users only), and each
    # case's co-occurrence score from its other-domain history (independent of k).
    xd: ItemKNN | None = None
    xd_cross: dict[str, list[np.ndarray]] = {}
    if cfg.other_users:
        t3 = time.perf_counter()
        xd = cross_domain_cooccurrence(data)
        xd_cross = {
            split: [_scaled(xd.score(None, p.cross, p.cands)) for p in ps] for split, ps in prepared.items()
        }
        timings["fit_cross_domain_s"] = time.perf_counter() - t3

    # Condition (t): each case's closeness-to-the-date feature (independent of k); empty when the
    # data has no listing order.
    date_clock: dict[str, np.ndarray] = {}
    if cfg.date_known:
        clocks = {
            split: [date_closeness(data, p.case.history, p.cands) for p in ps]
            for split, ps in prepared.items()
        }
        if all(c is not None for cs in clocks.values() for c in cs) and all(clocks.values()):
            date_clock = {split: np.stack(cs) for split, cs in clocks.items()}  # type: ignore[arg-type]

    ranks: dict[str, dict[str, np.ndarray]] = {}
    llm_results: dict[str, LLMRerankResult] = {}
    weights: dict[str, dict[str, dict[str, float]]] = {}
    valid_nd: dict[str, dict[str, float]] = {}
    platform_for_agent: dict[str, str] = {}
    t2 = time.perf_counter()
    for k in cfg.ks:
        kl = k_label(k)
        models: dict[str, dict[str, PlatformModel]] = {"Pop": dict(pops), "ItemKNN": dict(knns)}
        user_row: dict[tuple[str, str], int] = {}
        # At k = 0 no evaluated user has a row, so BPR would fall back to popularity: skip the fit.
        if "BPR-MF" in cfg.baselines and k != 0:
            tb = time.perf_counter()
            models["BPR-MF"] = {}
            for d in data.domains:
                rows = list(train_by_dom[d])
                for split in ("valid", "test"):
                    for p in prepared[split]:
                        if p.domain == d:
                            user_row[(split, p.case.user)] = len(rows)
                            rows.append(_truncate(p.within, k))
                models["BPR-MF"][d] = BPR.fit(
                    rows,
                    len(data.items),
                    factors=cfg.bpr_factors,
                    iterations=cfg.bpr_iterations,
                    seed=cfg.seed,
                )
            timings[f"fit_bpr_{kl}_s"] = time.perf_counter() - tb
        if "BPR-MF" in cfg.baselines and k == 0:
            models["BPR-MF"] = dict(pops)  # no within-platform history: BPR's fallback is popularity
        names = [b for b in cfg.baselines if b in models]

        # Platform orders for every case and baseline.
        orders: dict[str, dict[str, list[np.ndarray]]] = {s: {b: [] for b in names} for s in prepared}
        for split, ps in prepared.items():
            for p in ps:
                hist = _truncate(p.within, k)
                popc = pops[p.domain].popularity(p.cands)
                for b in names:
                    urow = user_row.get((split, p.case.user)) if b == "BPR-MF" and hist else None
                    sc = models[b][p.domain].score(urow, hist, p.cands)
                    rng = case_rng(cfg.seed, f"tie|{kl}|{b}|{p.case.user}")
                    orders[split][b].append(order_by_scores(sc, popc, rng=rng))

        def target_rank(order: np.ndarray, p: _Prepared) -> int:
            return int(np.nonzero(order == p.target_col)[0][0]) + 1

        valid_nd[kl] = {}
        for b in names:
            vr = np.array(
                [target_rank(o, p) for o, p in zip(orders["valid"][b], prepared["valid"], strict=True)]
            )
            valid_nd[kl][b] = float(np.mean(np.where(vr <= 10, 1 / np.log2(vr + 1), 0)))
        best = max(names, key=lambda b: valid_nd[kl][b])
        platform_for_agent[kl] = best
        ranks[kl] = {
            b: np.array([target_rank(o, p) for o, p in zip(orders["test"][b], prepared["test"], strict=True)])
            for b in names
        }

        # The person's agent: tune on valid, then run the real ranker on test.
        weights[kl] = {}
        conds: list[tuple[str, bool, dict[str, float] | None]] = [
            (AGENT_A, False, None),
            (AGENT_B, True, None),
            (EMB_A, False, {"prior": 0.0, "prior_top": 0.0}),
            (EMB_B, True, {"prior": 0.0, "prior_top": 0.0}),
        ]
        adv = progress(f"{kl}: agent on valid + test", len(conds) * sum(len(v) for v in prepared.values()))
        # Agent (a)'s and (b)'s candidate scores, for conditions (t) and (c).
        agent_scores: dict[str, dict[str, np.ndarray]] = {AGENT_A: {}, AGENT_B: {}}
        for name, use_cross, fixed in conds:
            ranker = for_history((), vectors=vectors, weights=START, corpus=(df, n_docs))
            feats_l, pos_l = [], []
            for i, p in enumerate(prepared["valid"]):
                keep = set(_truncate(p.within, k) + (p.cross if use_cross else []))
                hist_ids = [h for h in p.case.history if h in keep]
                order = orders["valid"][best][i]
                pos = np.empty(len(order), dtype=np.int64)
                pos[order] = np.arange(len(order))
                f, _ = ranker.features(
                    _hist_items(data, p.case, hist_ids),
                    cand_items(data, p.cands),
                    platform_order=[str(p.cands[j]) for j in order],
                )
                feats_l.append(f)
                pos_l.append(pos)
                adv(1)
            if cfg.tune and feats_l:
                # (b) = (a) + the person's other platforms: start from (a)'s tuned weights and search
                # only the features that see cross-platform items, so (b) − (a) isolates what the
                # other platforms add (and re-tuning noise in the within weights does not swamp it).
                base = weights[kl].get(AGENT_A if name == AGENT_B else EMB_A) if use_cross else None
                w, v = coordinate_ascent(
                    np.stack(feats_l),
                    np.array([p.target_col for p in prepared["valid"]]),
                    np.stack(pos_l),
                    base or START,
                    fixed=fixed,
                    active=CROSS_FEATURES if base else None,
                )
            else:
                w = {**START, **(fixed or {})}
                vec = np.array([w[n] for n in FEATURES], dtype=np.float32)
                rr = ranks_from_scores(
                    np.stack(feats_l) @ vec,
                    np.array([p.target_col for p in prepared["valid"]]),
                    np.stack(pos_l),
                )
                v = float(np.mean(np.where(rr <= 10, 1 / np.log2(rr + 1), 0)))
            ranker.weights = w
            weights[kl][name] = w
            valid_nd[kl][name] = v
            if name in agent_scores and feats_l:
                agent_scores[name]["valid"] = ranker.score(np.stack(feats_l))
            scores_test: list[np.ndarray] = []
            test_ranks = []
            for i, p in enumerate(prepared["test"]):
                keep = set(_truncate(p.within, k) + (p.cross if use_cross else []))
                hist_objs = _hist_items(data, p.case, [h for h in p.case.history if h in keep])
                order = orders["test"][best][i]
                ranked = ranker.rank(
                    hist_objs, cand_items(data, p.cands), platform_order=[str(p.cands[j]) for j in order]
                )
                r = next(j for j, x in enumerate(ranked) if x.candidate.id == str(p.case.target)) + 1
                test_ranks.append(r)
                if name in agent_scores:
                    col = {str(c): j for j, c in enumerate(p.cands)}
                    sc = np.empty(len(p.cands))
                    for x in ranked:
                        sc[col[x.candidate.id]] = x.score
                    scores_test.append(sc)
                adv(1)
            ranks[kl][name] = np.array(test_ranks)
            if name in agent_scores and scores_test:
                agent_scores[name]["test"] = np.stack(scores_test)
        b_scores = agent_scores[AGENT_B]
        if backend is not None and cfg.llm_ranker and k == cfg.llm_k and prepared["test"]:
            tl = time.perf_counter()
            for name, use_cross in ((AGENT_A, False), (AGENT_B, True)):
                ranker = for_history((), vectors=vectors, weights=weights[kl][name], corpus=(df, n_docs))
                llm_results[name] = _llm_rerank_cases(
                    cfg,
                    data,
                    backend,
                    ranker,
                    prepared["test"],
                    orders["test"][best],
                    k,
                    use_cross,
                    ranks[kl][name],
                    progress,
                )
            timings["llm_rerank_s"] = time.perf_counter() - tl

        both_halves = bool(prepared["valid"] and prepared["test"])
        if both_halves:
            # The added conditions re-rank with "base score + w * extra", w chosen on valid; ties keep
            # the platform's order.
            tcol = {half: np.array([p.target_col for p in prepared[half]]) for half in ("valid", "test")}
            ppos = {}
            for half in ("valid", "test"):
                pos_m = np.empty((len(prepared[half]), len(prepared[half][0].cands)), dtype=np.int64)
                for i, o in enumerate(orders[half][best]):
                    pos_m[i, o] = np.arange(len(o))
                ppos[half] = pos_m
            prior = {half: 1.0 / np.log2(ppos[half] + 2.0) for half in ppos}

        dated_b: dict[str, np.ndarray] = {}  # (t)(b)'s scores, for (c) on top of the date
        if date_clock and both_halves:
            # Condition (t): the same clock added to the platform's order, to (a) and to (b).
            for name, base_sc in (
                (DATE_PLATFORM, prior),
                (DATE_A, agent_scores[AGENT_A]),
                (DATE_B, agent_scores[AGENT_B]),
            ):
                if "valid" not in base_sc or "test" not in base_sc:
                    continue
                w_t, v = _tune_added(base_sc["valid"], date_clock["valid"], tcol["valid"], ppos["valid"])
                weights[kl][name] = {"date_closeness": w_t}
                valid_nd[kl][name] = v
                ranks[kl][name] = ranks_from_scores(
                    base_sc["test"] + w_t * date_clock["test"], tcol["test"], ppos["test"]
                )
                if name == DATE_B:
                    dated_b = {half: base_sc[half] + w_t * date_clock[half] for half in ("valid", "test")}

        if xd is not None and both_halves:
            # Condition (c), for scale only (other users' data; never (a) or (b)).
            # ItemKNN over both domains with the whole history the agent (b) sees (at k = 0: the
            # other-domain history alone); ties by popularity, then at random, like the platform.
            xr: dict[str, np.ndarray] = {}
            for split, ps in prepared.items():
                xd_r = []
                for p in ps:
                    sc = xd.score(None, _truncate(p.within, k) + p.cross, p.cands)
                    rng = case_rng(cfg.seed, f"tie|{kl}|xd|{p.case.user}")
                    xd_r.append(
                        target_rank(order_by_scores(sc, pops[p.domain].popularity(p.cands), rng=rng), p)
                    )
                xr[split] = np.array(xd_r)
            ranks[kl][XD_KNN] = xr["test"]
            valid_nd[kl][XD_KNN] = float(metric_values(xr["valid"], "NDCG@10").mean())
            # Re-ranking the platform's list (and agent (b)'s) with the co-occurrence added.
            co = {half: np.stack(xd_cross[half]) for half in ppos}
            bases_sc = [(XD_RERANK, prior)]
            if "valid" in b_scores and "test" in b_scores:
                bases_sc.append((XD_B, b_scores))
            if dated_b:  # does other users' data still add anything once the date is known?
                bases_sc.append((XD_DATE_B, dated_b))
            for name, base_sc in bases_sc:
                w_xd, v = _tune_added(base_sc["valid"], co["valid"], tcol["valid"], ppos["valid"])
                weights[kl][name] = {"cooccurrence": w_xd}
                valid_nd[kl][name] = v
                ranks[kl][name] = ranks_from_scores(
                    base_sc["test"] + w_xd * co["test"], tcol["test"], ppos["test"]
                )
        # --- issue 14: conditions (s) and (p), the shipped transfer models (eval/transfer.py) ---
        if cfg.transfer and both_halves:
            from .transfer import transfer_conditions

            half_orders = {h: orders[h][best] for h in prepared}
            tr = transfer_conditions(
                data, vectors, (df, n_docs), prepared, half_orders, k, pops, date_clock, tcol, ppos
            )
            ranks[kl].update(tr[0])
            valid_nd[kl].update(tr[1])
            weights[kl].update(tr[2])
        # --- end of the issue-14 block ---
    timings["rank_s"] = time.perf_counter() - t2
    timings["total_s"] = time.perf_counter() - t0

    examples = []
    if prepared["test"]:
        p = prepared["test"][0]
        ranker = for_history(
            (), vectors=vectors, weights=weights[k_label(cfg.ks[0])][AGENT_B], corpus=(df, n_docs)
        )
        for top in ranker.rank(_hist_items(data, p.case, list(p.case.history)), cand_items(data, p.cands))[
            :3
        ]:
            examples.append(
                {
                    "candidate": top.candidate.title,
                    "score": top.score,
                    "reason": top.reason,
                    "cited": top.cited,
                }
            )

    return CrossPlatformResult(
        config=cfg,
        ranks=ranks,
        platform_for_agent=platform_for_agent,
        weights=weights,
        valid_ndcg10=valid_nd,
        within_len=np.array([len(p.within) for p in prepared["test"]]),
        domains=np.array([p.domain for p in prepared["test"]]),
        n_valid=len(prepared["valid"]),
        n_test=len(prepared["test"]),
        timings=timings,
        examples=examples,
        llm=llm_results,
    )


def _llm_rerank_cases(
    cfg: CrossPlatformConfig,
    data: CrossDomainData,
    backend: ChatBackend,
    ranker: EmbeddedRanker,
    cases: list[_Prepared],
    orders: list[np.ndarray],
    k: int | None,
    use_cross: bool,
    base_ranks: np.ndarray,
    progress: Progress,
) -> LLMRerankResult:
    """The model re-orders the top of the agent's list exactly as ``recommend --rerank`` does, on
    the same seeded subset for (a) and (b) (paired); a reply with no usable order is a miss."""
    from ..agent.recommend import ModelRanker

    n = min(cfg.llm_subset, len(cases))
    rows = sorted(case_rng(cfg.seed, "llm|subset").choice(len(cases), size=n, replace=False).tolist())
    adv = progress(f"{k_label(k)}: {backend.name} re-ranking {'(b)' if use_cross else '(a)'} ({n} cases)", n)

    def lists() -> Iterator[tuple[list[HistoryItem], list[Candidate], list[str] | None, str]]:
        for i in rows:
            p = cases[i]
            keep = set(_truncate(p.within, k) + (p.cross if use_cross else []))
            hist = _hist_items(data, p.case, [h for h in p.case.history if h in keep])
            order = [str(p.cands[j]) for j in orders[i]]
            yield hist, cand_items(data, p.cands), order, str(p.case.target)

    return _model_rerank(
        ModelRanker(ranker, backend),
        lists(),
        [int(base_ranks[i]) for i in rows],
        rows,
        AGENT_B if use_cross else AGENT_A,
        adv,
    )


def _model_rerank(
    mr: ModelRanker,
    lists: Iterable[tuple[list[HistoryItem], list[Candidate], list[str] | None, str]],
    base_ranks: list[int],
    users: list[Any],
    base: str,
    adv: Callable[[int], None],
) -> LLMRerankResult:
    """The model re-orders each (history, candidates, platform order, target id) list: one reply per
    list (plus ``complete_json``'s one validity-based retry), never a retry that looks at the
    target; a list with no usable order is a miss (rank n + 1)."""
    llm_r: list[int] = []
    failures: list[str | None] = []
    placed: list[int] = []
    dropped: list[int] = []
    secs: list[float] = []
    for hist, cands, order, target in lists:
        t1 = time.perf_counter()
        ranked = mr.rank(hist, cands, platform_order=order)
        secs.append(time.perf_counter() - t1)
        failures.append(mr.failure)
        placed.append(mr.placed)
        dropped.append(mr.dropped)
        hit = next(j for j, x in enumerate(ranked) if x.candidate.id == target) + 1
        llm_r.append(len(cands) + 1 if mr.failure else hit)
        adv(1)
    return LLMRerankResult(
        model=mr.backend.name,
        base=base,
        users=users,
        ranks={"base": np.array(base_ranks), "llm": np.array(llm_r)},
        failures=failures,
        placed=placed,
        dropped=dropped,
        seconds=secs,
    )


@dataclass
class LLMRerankResult:
    """The model re-ranking on a subset: ``ranks["base"]`` and ``ranks["llm"]`` over the same users
    (a failed reply counts as a miss: rank n + 1); ``seconds`` per list."""

    model: str
    base: str
    users: list[int]
    ranks: dict[str, np.ndarray]
    failures: list[str | None]
    placed: list[int]
    dropped: list[int]
    seconds: list[float]
