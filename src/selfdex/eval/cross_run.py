"""Running the cross-platform protocol (``protocols`` says what it measures), as stages.

prepare the cases once → embed their titles → per history length k: fit the platforms and rank
with them → the person's agent (a) and (b), tuned on valid → the conditions added on top of a
ranking (the model re-ranking, (t) the date, (c) other users' co-occurrence, (s)/(p) the shipped
transfer models) → collect. Each stage writes its methods into one :class:`_AtK` per k, in the
order the report lists them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from ..rank.base import Candidate, HistoryItem
from ..rank.build import doc_freq, for_history
from ..rank.embedded import FEATURES, EmbeddedRanker, TextVectors
from ..rank.transfer import TransferModel
from .baselines import BPR, ItemKNN, PlatformModel, Pop, order_by_scores
from .datasets import CrossDomainData
from .metrics import metric_values
from .protocols import (
    AGENT_A,
    AGENT_B,
    CROSS_FEATURES,
    DATE_A,
    DATE_B,
    DATE_PLATFORM,
    EMB_A,
    EMB_B,
    XD_B,
    XD_DATE_B,
    XD_KNN,
    XD_RERANK,
    CrossPlatformConfig,
    CrossPlatformResult,
    LLMRerankResult,
    Progress,
    _hist_items,
    _model_rerank,
    _no_progress,
    _Prepared,
    _scaled,
    _subset,
    _truncate,
    _tune_added,
    cand_items,
    cross_domain_cooccurrence,
    date_closeness,
    k_label,
)
from .sampling import case_rng, sample_candidates
from .shipped import shipped_conditions
from .transfer import transfer_conditions
from .tuning import START, coordinate_ascent, ranks_from_scores

if TYPE_CHECKING:
    from ..agent.backends import ChatBackend

__all__ = ["run_cross_platform"]

Advance = Callable[[int], None]
Halves = dict[str, np.ndarray]  # "valid"/"test" -> one matrix or vector per half
# The agent's conditions: name, sees the other platforms, weights held fixed.
_AGENT_CONDITIONS: tuple[tuple[str, bool, dict[str, float] | None], ...] = (
    (AGENT_A, False, None),
    (AGENT_B, True, None),
    (EMB_A, False, {"prior": 0.0, "prior_top": 0.0}),
    (EMB_B, True, {"prior": 0.0, "prior_top": 0.0}),
)


def run_cross_platform(
    data: CrossDomainData,
    vectors: TextVectors,
    config: CrossPlatformConfig,
    progress: Progress = _no_progress,
    *,
    backend: ChatBackend | None = None,
    transfer_models: Mapping[str, TransferModel] | None = None,
) -> CrossPlatformResult:
    """``backend`` (the model named by ``config.llm_ranker``) is needed only for the LLM re-ranking;
    ``transfer_models`` ({"s": …, "p": …}) replace the shipped ones in (s) and (p)."""
    if config.llm_ranker and backend is None:
        raise ValueError("config.llm_ranker is set but no backend was given")
    # Ranking multiplies 50 x 384 matrices: BLAS threads only add contention at that size (5x
    # slower on 2 busy cores). The embedder's larger batches are fine on one thread too.
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(data, vectors, config, progress, backend, transfer_models)


@dataclass
class _Run:
    """What every history length shares: the cases, the platforms' training data and models."""

    data: CrossDomainData
    vectors: TextVectors
    cfg: CrossPlatformConfig
    train_by_dom: dict[str, list[list[int]]]
    pops: dict[str, Pop]
    knns: dict[str, ItemKNN]
    prepared: dict[str, list[_Prepared]]
    timings: dict[str, float]
    corpus: tuple[dict[str, int], int] = ({}, 0)
    xd: ItemKNN | None = None  # condition (c)'s co-occurrence model
    xd_cross: dict[str, list[np.ndarray]] = field(default_factory=dict)
    date_clock: Halves = field(default_factory=dict)  # condition (t)'s feature, when the data dates items
    transfer_models: Mapping[str, TransferModel] | None = None  # None: the shipped ones

    def ranker(self, weights: dict[str, float]) -> EmbeddedRanker:
        return for_history((), vectors=self.vectors, weights=weights, corpus=self.corpus)


@dataclass
class _AtK:
    """One history length's results, filled stage by stage."""

    k: int | None
    ranks: dict[str, np.ndarray] = field(default_factory=dict)
    valid_nd: dict[str, float] = field(default_factory=dict)
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    best: str = ""  # the platform baseline the agent re-ranks (best valid NDCG@10)
    orders: dict[str, dict[str, list[np.ndarray]]] = field(default_factory=dict)
    # Agent (a)'s and (b)'s candidate scores per half, for conditions (t) and (c).
    agent_scores: dict[str, Halves] = field(default_factory=lambda: {AGENT_A: {}, AGENT_B: {}})

    @property
    def label(self) -> str:
        return k_label(self.k)

    def best_orders(self, half: str) -> list[np.ndarray]:
        return self.orders[half][self.best]


def _run(
    data: CrossDomainData,
    vectors: TextVectors,
    cfg: CrossPlatformConfig,
    progress: Progress,
    backend: ChatBackend | None,
    transfer_models: Mapping[str, TransferModel] | None,
) -> CrossPlatformResult:
    t0 = time.perf_counter()
    run = _prepare(data, vectors, cfg, t0)
    run.transfer_models = transfer_models
    _embed(run, progress)
    _other_users_and_date(run)
    results: dict[str, _AtK] = {}
    llm_results: dict[str, LLMRerankResult] = {}
    t2 = time.perf_counter()
    for k in cfg.ks:
        at = results[k_label(k)] = _AtK(k)
        _platforms(run, at)
        _agent(run, at, progress)
        if backend is not None and cfg.llm_ranker and k == cfg.llm_k and run.prepared["test"]:
            tl = time.perf_counter()
            llm_results = _llm_conditions(run, at, backend, progress)
            run.timings["llm_rerank_s"] = time.perf_counter() - tl
        if run.prepared["valid"] and run.prepared["test"]:
            _added_conditions(run, at)
    run.timings["rank_s"] = time.perf_counter() - t2
    run.timings["total_s"] = time.perf_counter() - t0
    test = run.prepared["test"]
    return CrossPlatformResult(
        config=cfg,
        ranks={kl: at.ranks for kl, at in results.items()},
        platform_for_agent={kl: at.best for kl, at in results.items()},
        weights={kl: at.weights for kl, at in results.items()},
        valid_ndcg10={kl: at.valid_nd for kl, at in results.items()},
        within_len=np.array([len(p.within) for p in test]),
        domains=np.array([p.domain for p in test]),
        n_valid=len(run.prepared["valid"]),
        n_test=len(test),
        timings=run.timings,
        examples=_examples(run, results[k_label(cfg.ks[0])].weights[AGENT_B]),
        llm=llm_results,
    )


# -- stage 1: the cases and the platforms' training data ---------------------------------------------


def _prepare(data: CrossDomainData, vectors: TextVectors, cfg: CrossPlatformConfig, t0: float) -> _Run:
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
    timings = {"fit_pop_itemknn_s": time.perf_counter() - t0}
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
    return _Run(data, vectors, cfg, train_by_dom, pops, knns, prepared, timings)


def _embed(run: _Run, progress: Progress) -> None:
    """Embed every distinct title the run needs once, up front (the cache makes reruns free)."""
    t1 = time.perf_counter()
    items = run.data.items
    needed = {items[i].title for ps in run.prepared.values() for p in ps for i in (*p.case.history, *p.cands)}
    adv = progress("embedding titles", len(needed))
    run.vectors.prepare(sorted(needed), progress=adv)
    run.timings["embed_s"] = time.perf_counter() - t1
    run.corpus = doc_freq([m.title for m in items])


def _other_users_and_date(run: _Run) -> None:
    """The per-case features of (c) and (t), independent of k."""
    if run.cfg.other_users:
        # (c): other users' cross-domain co-occurrence (training users only), scored from each
        # case's other-domain history.
        t3 = time.perf_counter()
        xd = run.xd = cross_domain_cooccurrence(run.data)
        run.xd_cross = {
            split: [_scaled(xd.score(None, p.cross, p.cands)) for p in ps]
            for split, ps in run.prepared.items()
        }
        run.timings["fit_cross_domain_s"] = time.perf_counter() - t3
    if run.cfg.date_known:
        # (t): each case's closeness-to-the-date feature; empty when the data has no listing order.
        clocks = {
            split: [date_closeness(run.data, p.case.history, p.cands) for p in ps]
            for split, ps in run.prepared.items()
        }
        if all(c is not None for cs in clocks.values() for c in cs) and all(clocks.values()):
            run.date_clock = {split: np.stack(cs) for split, cs in clocks.items()}  # type: ignore[arg-type]


# -- stage 2: the platforms ----------------------------------------------------------------------------


def _target_rank(order: np.ndarray, p: _Prepared) -> int:
    return int(np.nonzero(order == p.target_col)[0][0]) + 1


def _platform_models(
    run: _Run, k: int | None
) -> tuple[dict[str, dict[str, PlatformModel]], dict[tuple[str, str], int]]:
    """Every baseline per domain, and BPR-MF's user row of each evaluated case's truncated history."""
    cfg = run.cfg
    models: dict[str, dict[str, PlatformModel]] = {"Pop": dict(run.pops), "ItemKNN": dict(run.knns)}
    user_row: dict[tuple[str, str], int] = {}
    if "BPR-MF" not in cfg.baselines:
        return models, user_row
    if k == 0:
        # No evaluated user has a row, so BPR would fall back to popularity: skip the fit.
        models["BPR-MF"] = dict(run.pops)
        return models, user_row
    tb = time.perf_counter()
    models["BPR-MF"] = {}
    for d in run.data.domains:
        rows = list(run.train_by_dom[d])
        for split in ("valid", "test"):
            for p in run.prepared[split]:
                if p.domain == d:
                    user_row[(split, p.case.user)] = len(rows)
                    rows.append(_truncate(p.within, k))
        models["BPR-MF"][d] = BPR.fit(
            rows, len(run.data.items), factors=cfg.bpr_factors, iterations=cfg.bpr_iterations, seed=cfg.seed
        )
    run.timings[f"fit_bpr_{k_label(k)}_s"] = time.perf_counter() - tb
    return models, user_row


def _platforms(run: _Run, at: _AtK) -> None:
    """Each baseline's order for every case, its ranks, and the best one on valid."""
    models, user_row = _platform_models(run, at.k)
    names = [b for b in run.cfg.baselines if b in models]
    at.orders = {s: {b: [] for b in names} for s in run.prepared}
    for split, ps in run.prepared.items():
        for p in ps:
            hist = _truncate(p.within, at.k)
            popc = run.pops[p.domain].popularity(p.cands)
            for b in names:
                urow = user_row.get((split, p.case.user)) if b == "BPR-MF" and hist else None
                sc = models[b][p.domain].score(urow, hist, p.cands)
                rng = case_rng(run.cfg.seed, f"tie|{at.label}|{b}|{p.case.user}")
                at.orders[split][b].append(order_by_scores(sc, popc, rng=rng))
    for b in names:
        vr = np.array(
            [_target_rank(o, p) for o, p in zip(at.orders["valid"][b], run.prepared["valid"], strict=True)]
        )
        at.valid_nd[b] = float(np.mean(np.where(vr <= 10, 1 / np.log2(vr + 1), 0)))
    at.best = max(names, key=lambda b: at.valid_nd[b])
    for b in names:
        at.ranks[b] = np.array(
            [_target_rank(o, p) for o, p in zip(at.orders["test"][b], run.prepared["test"], strict=True)]
        )


# -- stage 3: the person's agent -----------------------------------------------------------------------


def _seen(data: CrossDomainData, p: _Prepared, k: int | None, use_cross: bool) -> list[HistoryItem]:
    """The history the agent sees: the last k platform items, and with (b) the other platforms too."""
    keep = set(_truncate(p.within, k) + (p.cross if use_cross else []))
    return _hist_items(data, p.case, [h for h in p.case.history if h in keep])


def _agent(run: _Run, at: _AtK, progress: Progress) -> None:
    """Tune each agent condition on valid, then run the real ranker on test."""
    n_cases = sum(len(v) for v in run.prepared.values())
    adv = progress(f"{at.label}: agent on valid + test", len(_AGENT_CONDITIONS) * n_cases)
    for name, use_cross, fixed in _AGENT_CONDITIONS:
        ranker = run.ranker(START)
        feats, pos = _valid_features(run, at, ranker, use_cross, adv)
        w, v = _tuned(run, at, name, use_cross, fixed, feats, pos)
        ranker.weights = w
        at.weights[name] = w
        at.valid_nd[name] = v
        if name in at.agent_scores and feats:
            at.agent_scores[name]["valid"] = ranker.score(np.stack(feats))
        _agent_on_test(run, at, name, ranker, use_cross, adv)


def _valid_features(
    run: _Run, at: _AtK, ranker: EmbeddedRanker, use_cross: bool, adv: Advance
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The ranker's feature matrix of every valid case, and the platform's position of each candidate."""
    feats, positions = [], []
    for i, p in enumerate(run.prepared["valid"]):
        order = at.best_orders("valid")[i]
        pos = np.empty(len(order), dtype=np.int64)
        pos[order] = np.arange(len(order))
        f, _ = ranker.features(
            _seen(run.data, p, at.k, use_cross),
            cand_items(run.data, p.cands),
            platform_order=[str(p.cands[j]) for j in order],
        )
        feats.append(f)
        positions.append(pos)
        adv(1)
    return feats, positions


def _tuned(
    run: _Run,
    at: _AtK,
    name: str,
    use_cross: bool,
    fixed: dict[str, float] | None,
    feats: list[np.ndarray],
    pos: list[np.ndarray],
) -> tuple[dict[str, float], float]:
    """The condition's weights and their valid NDCG@10."""
    targets = np.array([p.target_col for p in run.prepared["valid"]])
    if run.cfg.tune and feats:
        # (b) = (a) + the person's other platforms: start from (a)'s tuned weights and search only
        # the features that see cross-platform items, so (b) − (a) isolates what the other
        # platforms add (and re-tuning noise in the within weights does not swamp it).
        base = at.weights.get(AGENT_A if name == AGENT_B else EMB_A) if use_cross else None
        return coordinate_ascent(
            np.stack(feats),
            targets,
            np.stack(pos),
            base or START,
            fixed=fixed,
            active=CROSS_FEATURES if base else None,
        )
    w = {**START, **(fixed or {})}
    vec = np.array([w[n] for n in FEATURES], dtype=np.float32)
    rr = ranks_from_scores(np.stack(feats) @ vec, targets, np.stack(pos))
    return w, float(np.mean(np.where(rr <= 10, 1 / np.log2(rr + 1), 0)))


def _agent_on_test(
    run: _Run, at: _AtK, name: str, ranker: EmbeddedRanker, use_cross: bool, adv: Advance
) -> None:
    """Rank every test case through ``ranker.rank`` (the path ``selfdex recommend`` runs)."""
    scores: list[np.ndarray] = []
    ranks = []
    for i, p in enumerate(run.prepared["test"]):
        order = at.best_orders("test")[i]
        ranked = ranker.rank(
            _seen(run.data, p, at.k, use_cross),
            cand_items(run.data, p.cands),
            platform_order=[str(p.cands[j]) for j in order],
        )
        ranks.append(next(j for j, x in enumerate(ranked) if x.candidate.id == str(p.case.target)) + 1)
        if name in at.agent_scores:
            col = {str(c): j for j, c in enumerate(p.cands)}
            sc = np.empty(len(p.cands))
            for x in ranked:
                sc[col[x.candidate.id]] = x.score
            scores.append(sc)
        adv(1)
    at.ranks[name] = np.array(ranks)
    if name in at.agent_scores and scores:
        at.agent_scores[name]["test"] = np.stack(scores)


# -- stage 4: conditions on top of a ranking ---------------------------------------------------------


def _llm_conditions(
    run: _Run, at: _AtK, backend: ChatBackend, progress: Progress
) -> dict[str, LLMRerankResult]:
    out = {}
    for name, use_cross in ((AGENT_A, False), (AGENT_B, True)):
        out[name] = _llm_rerank_cases(
            run, at, backend, run.ranker(at.weights[name]), use_cross, at.ranks[name], progress
        )
    return out


def _llm_rerank_cases(
    run: _Run,
    at: _AtK,
    backend: ChatBackend,
    ranker: EmbeddedRanker,
    use_cross: bool,
    base_ranks: np.ndarray,
    progress: Progress,
) -> LLMRerankResult:
    """The model re-orders the top of the agent's list exactly as ``recommend --rerank`` does, on
    the same seeded subset for (a) and (b) (paired); a reply with no usable order is a miss."""
    from ..agent.recommend import ModelRanker

    cases, orders = run.prepared["test"], at.best_orders("test")
    n = min(run.cfg.llm_subset, len(cases))
    rows = sorted(case_rng(run.cfg.seed, "llm|subset").choice(len(cases), size=n, replace=False).tolist())
    adv = progress(f"{at.label}: {backend.name} re-ranking {'(b)' if use_cross else '(a)'} ({n} cases)", n)

    def lists() -> Iterator[tuple[list[HistoryItem], list[Candidate], list[str] | None, str]]:
        for i in rows:
            p = cases[i]
            order = [str(p.cands[j]) for j in orders[i]]
            yield (
                _seen(run.data, p, at.k, use_cross),
                cand_items(run.data, p.cands),
                order,
                str(p.case.target),
            )

    return _model_rerank(
        ModelRanker(ranker, backend),
        lists(),
        [int(base_ranks[i]) for i in rows],
        rows,
        AGENT_B if use_cross else AGENT_A,
        adv,
    )


def _added_conditions(run: _Run, at: _AtK) -> None:
    """(t), (c), (s) and (p) re-rank with "base score + w * extra", w chosen on valid; ties keep the
    platform's order."""
    tcol = {half: np.array([p.target_col for p in run.prepared[half]]) for half in ("valid", "test")}
    ppos = {}
    for half in ("valid", "test"):
        pos_m = np.empty((len(run.prepared[half]), len(run.prepared[half][0].cands)), dtype=np.int64)
        for i, o in enumerate(at.best_orders(half)):
            pos_m[i, o] = np.arange(len(o))
        ppos[half] = pos_m
    prior = {half: 1.0 / np.log2(ppos[half] + 2.0) for half in ppos}
    dated_b = _date_conditions(run, at, prior, tcol, ppos) if run.date_clock else {}
    if run.xd is not None:
        _cooccurrence_conditions(run, at, prior, dated_b, tcol, ppos)
    if run.cfg.transfer:
        half_orders = {h: at.best_orders(h) for h in run.prepared}
        ranks, valid_nd, weights = transfer_conditions(
            run.data,
            run.vectors,
            run.corpus,
            run.prepared,
            half_orders,
            at.k,
            run.pops,
            run.date_clock,
            tcol,
            ppos,
            run.transfer_models,
        )
        at.ranks.update(ranks)
        at.valid_nd.update(valid_nd)
        at.weights.update(weights)
        test = run.prepared["test"]
        at.ranks.update(shipped_conditions(run.data, run.vectors, test, half_orders["test"], at.k, run.pops))


def _add_tuned(
    at: _AtK, name: str, feature: str, base: Halves, extra: Halves, tcol: Halves, ppos: Halves
) -> Halves:
    """Condition ``name`` = ``base + w * extra``; returns its scores per half."""
    w, v = _tune_added(base["valid"], extra["valid"], tcol["valid"], ppos["valid"])
    at.weights[name] = {feature: w}
    at.valid_nd[name] = v
    at.ranks[name] = ranks_from_scores(base["test"] + w * extra["test"], tcol["test"], ppos["test"])
    return {half: base[half] + w * extra[half] for half in ("valid", "test")}


def _date_conditions(run: _Run, at: _AtK, prior: Halves, tcol: Halves, ppos: Halves) -> Halves:
    """(t): the same clock added to the platform's order, to (a) and to (b); returns (t)(b)'s scores."""
    dated_b: Halves = {}
    for name, base in (
        (DATE_PLATFORM, prior),
        (DATE_A, at.agent_scores[AGENT_A]),
        (DATE_B, at.agent_scores[AGENT_B]),
    ):
        if "valid" in base and "test" in base:
            dated = _add_tuned(at, name, "date_closeness", base, run.date_clock, tcol, ppos)
            if name == DATE_B:
                dated_b = dated
    return dated_b


def _cooccurrence_conditions(
    run: _Run, at: _AtK, prior: Halves, dated_b: Halves, tcol: Halves, ppos: Halves
) -> None:
    """(c), for scale only (other users' data; never (a) or (b))."""
    assert run.xd is not None
    # ItemKNN over both domains with the whole history the agent (b) sees (at k = 0: the
    # other-domain history alone); ties by popularity, then at random, like the platform.
    xr: Halves = {}
    for split, ps in run.prepared.items():
        xd_r = []
        for p in ps:
            sc = run.xd.score(None, _truncate(p.within, at.k) + p.cross, p.cands)
            rng = case_rng(run.cfg.seed, f"tie|{at.label}|xd|{p.case.user}")
            xd_r.append(_target_rank(order_by_scores(sc, run.pops[p.domain].popularity(p.cands), rng=rng), p))
        xr[split] = np.array(xd_r)
    at.ranks[XD_KNN] = xr["test"]
    at.valid_nd[XD_KNN] = float(metric_values(xr["valid"], "NDCG@10").mean())
    # Re-ranking the platform's list (and agent (b)'s) with the co-occurrence added.
    co = {half: np.stack(run.xd_cross[half]) for half in ppos}
    b_scores = at.agent_scores[AGENT_B]
    bases = [(XD_RERANK, prior)]
    if "valid" in b_scores and "test" in b_scores:
        bases.append((XD_B, b_scores))
    if dated_b:  # does other users' data still add anything once the date is known?
        bases.append((XD_DATE_B, dated_b))
    for name, base in bases:
        _add_tuned(at, name, "cooccurrence", base, co, tcol, ppos)


# -- stage 5: collect ------------------------------------------------------------------------------------


def _examples(run: _Run, weights_b: dict[str, float]) -> list[dict[str, object]]:
    """Agent (b)'s top three for the first test case, with its reasons, for the report."""
    if not run.prepared["test"]:
        return []
    p = run.prepared["test"][0]
    ranked = run.ranker(weights_b).rank(
        _hist_items(run.data, p.case, list(p.case.history)), cand_items(run.data, p.cands)
    )
    return [
        {"candidate": t.candidate.title, "score": t.score, "reason": t.reason, "cited": t.cited}
        for t in ranked[:3]
    ]
