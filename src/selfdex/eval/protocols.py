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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..rank.base import Candidate, HistoryItem
from .baselines import ItemKNN
from .datasets import CrossDomainData, EvalCase
from .metrics import metric_values
from .sampling import case_rng
from .tuning import ranks_from_scores

if TYPE_CHECKING:
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
