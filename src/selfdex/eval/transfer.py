"""Training the shipped transfer model, and its conditions (s) and (p) in the cross-platform eval.

Training episodes come **only from a dataset's training users** (``data.train``; never a valid
or test user, never their targets): each selected training user's last item is the target, the
rest is the history. The training users are split into two folds; the platform (Pop at k = 0,
ItemKNN otherwise; BPR-MF is left out: slow and not deterministic) that orders one fold's
episodes is fitted on the training users *outside* that fold, so it has never seen the held-out
item of the episode it orders, just as the eval's platform never sees a test user. Candidates are
sampled as the protocol does (pop49 or uni99, from the platform's popularity). Each user gives
one episode per history length k (full, 0, 1, 2), with and without the cross-domain history.

Conditions: (s) scores with the model trained on the *other* dataset (no co-occurrence or item of
the test catalogue reached it), (p) with the model trained on this dataset's training users
(MediateRec's setting), which also reads the cross-domain adapter and word towers learned from
those users (:mod:`..rank.adapter`, :mod:`..rank.towers`); each with (a)'s input (within-platform
history only) and (b)'s (plus the other-domain history). With the date known, a model whose
training data dates its items scores with its twin trained on the same episodes with the date's
two columns (:data:`..rank.transfer.DATE_FEATURES`), so the model itself learns what the other
platform still adds once the date is known; a model without a twin (arts-office has no listing
order, so (t)(s) on food-kitchen) gets its score plus the date's closeness, weighted on valid.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..rank.adapter import CrossAdapter, fit_adapter, history_vector
from ..rank.base import HistoryItem
from ..rank.build import doc_freq
from ..rank.embedded import EmbeddedRanker, TextVectors
from ..rank.towers import TextTowers, fit_towers
from ..rank.transfer import (
    ADAPTED_FEATURES,
    DATE_FEATURES,
    TRANSFER_FEATURES,
    TransferModel,
    model_path,
    shipped_model,
    transfer_features,
    with_adapter,
)
from .baselines import ItemKNN, Pop, order_by_scores
from .datasets import DATASETS, CrossDomainData
from .protocols import Progress, _no_progress, cand_items, date_closeness
from .sampling import case_rng, sample_candidates
from .sequential import train_lambdarank
from .tuning import START, ranks_from_scores

if TYPE_CHECKING:
    from .protocols import _Prepared

__all__ = [
    "TRANSFER",
    "TransferConfig",
    "build_episodes",
    "date_columns",
    "fit_catalogue_adapter",
    "fit_catalogue_knowledge",
    "fit_catalogue_towers",
    "train_transfer",
    "train_transfer_models",
    "transfer_conditions",
]

# method -> short label. (s) = trained on the other dataset only; (p) = on this one's training users.
# With the date known: the model's dated twin where one was trained (its data dates its items),
# else the model's score plus the protocol's closeness to the date, its weight tuned on valid.
_PLAIN = {
    f"({m})({i})": f"({m}) transfer model trained on {w}, ({i}) input"
    for m, w in (("s", "the other dataset"), ("p", "this dataset's training users"))
    for i in "ab"
}
_DATED = {f"(t)({m})({i})": f"(t) ({m}) trained with the date known, ({i}) input" for m in "sp" for i in "ab"}
_TUNED = {f"(t)({m})({i})": f"(t) ({m})({i}) + closeness to the date" for m in "sp" for i in "ab"}
TRANSFER: dict[str, str] = {v: k for names in (_PLAIN, _DATED, _TUNED) for k, v in names.items()}


@dataclass
class TransferConfig:
    dataset: str
    sampling: str = "pop49"
    seed: int = 0
    max_users: int = 4000  # training users turned into episodes (each gives 8)
    valid_share: float = 0.1  # of those users, for early stopping only
    ks: tuple[int | None, ...] = (None, 0, 1, 2)
    num_leaves: int = 15
    learning_rate: float = 0.05
    min_data_in_leaf: int = 200
    max_rounds: int = 400
    extra: dict[str, Any] = field(default_factory=dict)


def _truncate(within: list[int], k: int | None) -> list[int]:
    if k is None:
        return within
    return within[len(within) - k :] if k > 0 else []


def _items(data: CrossDomainData, history: Sequence[int], keep: set[int]) -> list[HistoryItem]:
    out = []
    for p, i in enumerate(history):
        if i in keep:
            m = data.items[i]
            out.append(HistoryItem(str(i), m.title, m.domain, m.creators, m.categories, float(p)))
    return out


def date_columns(data: CrossDomainData, history: Sequence[int], cands: Sequence[int]) -> np.ndarray | None:
    """DATE_FEATURES per candidate [n_cand x 2]: the protocol's closeness to the date (now = the
    newest listing in ``history``) and the candidate's listing minus now; None without listings."""
    close = date_closeness(data, history, cands)
    if close is None:
        return None
    now = max(x for i in history if (x := data.items[i].listed) is not None)
    gap = np.array([data.items[i].listed for i in cands], dtype=np.float64) - now
    return np.column_stack([close, gap])


def _cross_steps(data: CrossDomainData, seq: Sequence[int]) -> Iterator[tuple[int, str, list[int]]]:
    """(j, the domain of seq[j], the positions of the other-domain items before it) for every
    item of ``seq`` with one: the (history → next item) pairs the adapter and the towers learn from."""
    items = data.items
    for j in range(1, len(seq)):
        d = items[seq[j]].domain
        cross = [q for q in range(j) if items[seq[q]].domain != d]
        if cross:
            yield j, d, cross


def fit_catalogue_adapter(
    data: CrossDomainData, vectors: TextVectors, users: Sequence[int], seed: int = 0
) -> CrossAdapter:
    """The cross-domain adapter (:mod:`..rank.adapter`) of ``data``'s catalogue pair, from the
    training sequences ``users`` (indices into ``data.train``): every item that has an
    other-domain item before it is a pair (that history's vector, the item's title vector)."""
    items = data.items
    titles = sorted({items[i].title for u in users for i in data.train[u]})
    vectors.prepare(titles)
    pairs: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {d: ([], []) for d in data.domains}
    for u in users:
        s = data.train[u]
        vecs = vectors.get([items[i].title for i in s])
        for j, d, cross in _cross_steps(data, s):
            h = history_vector(vecs[cross])
            if h is not None:
                pairs[d][0].append(h.astype(np.float32))
                pairs[d][1].append(vecs[j].astype(np.float32))
    return CrossAdapter(
        {d: fit_adapter(np.array(x), np.array(y), seed=seed) for d, (x, y) in pairs.items() if x}
    )


def fit_catalogue_towers(data: CrossDomainData, users: Sequence[int], seed: int = 0) -> TextTowers:
    """The word towers (:mod:`..rank.towers`) of ``data``'s catalogue pair from the training
    sequences ``users``: the same pairs as the adapter's, as titles."""
    items = data.items
    pairs: dict[str, tuple[list[list[str]], list[str]]] = {d: ([], []) for d in data.domains}
    for u in users:
        s = data.train[u]
        for j, d, cross in _cross_steps(data, s):
            pairs[d][0].append([items[s[q]].title for q in cross])
            pairs[d][1].append(items[s[j]].title)
    return fit_towers(pairs, seed=seed)


def fit_catalogue_knowledge(
    data: CrossDomainData, vectors: TextVectors, users: Sequence[int], seed: int = 0
) -> tuple[CrossAdapter, TextTowers]:
    """The adapter and the towers from the same users, as :meth:`save` keeps them (float16)."""
    adapter = fit_catalogue_adapter(data, vectors, users, seed).rounded()
    return adapter, fit_catalogue_towers(data, users, seed).rounded()


def build_episodes(
    data: CrossDomainData,
    vectors: TextVectors,
    cfg: TransferConfig,
    progress: Progress = _no_progress,
    *,
    adapted: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features [n_episodes x n_cand x n_features], target column [n_episodes], user index
    [n_episodes]) from ``data.train`` only. ``adapted``: ADAPTED_FEATURES, each fold's adapter
    fitted on the training users outside the fold (it never saw the item it scores). When every
    item has a listing date, DATE_FEATURES follow as the last two columns."""
    chosen = _episode_users(data, cfg)
    fold_of = {u: j % 2 for j, u in enumerate(chosen)}
    ranker = EmbeddedRanker(vectors, weights=dict(START))
    ranker.doc_freq, ranker.n_docs = doc_freq([m.title for m in data.items])
    titles = sorted({m.title for u in chosen for i in data.train[u] for m in [data.items[i]]})
    vectors.prepare(titles, progress=progress("embedding titles", len(titles)))
    adv = progress("transfer: episodes", len(chosen))
    feats: list[np.ndarray] = []
    tcols: list[int] = []
    users: list[int] = []
    dated = all(m.listed is not None for m in data.items)
    for fold in (0, 1):
        # The platform for this fold's episodes never saw any of this fold's users.
        platform = _Platform(data, [s for u, s in enumerate(data.train) if fold_of.get(u) != fold])
        knowledge = None
        if adapted:
            step = progress(f"transfer: adapter and towers for fold {fold + 1} of 2", 1)
            outside = [u for u in range(len(data.train)) if fold_of.get(u) != fold]
            knowledge = fit_catalogue_knowledge(data, vectors, outside, cfg.seed)
            step(1)
        for u in chosen:
            if fold_of[u] == fold:
                for f, tcol in _user_episodes(data, cfg, ranker, platform, u, knowledge, dated):
                    feats.append(f)
                    tcols.append(tcol)
                    users.append(u)
                adv(1)
    return np.stack(feats), np.array(tcols), np.array(users)


def _episode_users(data: CrossDomainData, cfg: TransferConfig) -> list[int]:
    """A seeded sample of the training users whose last item has a cross-domain history before it
    (so (a) and (b) differ) and is not a repeat."""
    dom = [m.domain for m in data.items]
    eligible = [
        u
        for u, s in enumerate(data.train)
        if len(s) >= 2 and s[-1] not in s[:-1] and any(dom[i] != dom[s[-1]] for i in s[:-1])
    ]
    rng = np.random.default_rng(cfg.seed)
    return [eligible[i] for i in rng.permutation(len(eligible))[: cfg.max_users]]


class _Platform:
    """Pop and ItemKNN per domain, fitted on ``train`` (the other fold's users)."""

    def __init__(self, data: CrossDomainData, train: list[list[int]]) -> None:
        self.dom = [m.domain for m in data.items]
        by_dom = {d: [s2 for s in train if (s2 := [i for i in s if self.dom[i] == d])] for d in data.domains}
        self.catalogue = {d: np.array([m.idx for m in data.items if m.domain == d]) for d in data.domains}
        self.pops = {d: Pop.fit(by_dom[d]) for d in data.domains}
        self.knns = {d: ItemKNN.fit(by_dom[d], len(data.items)) for d in data.domains}
        self.popw = {d: self.pops[d].popularity(self.catalogue[d].tolist()) for d in data.domains}


def _user_episodes(
    data: CrossDomainData,
    cfg: TransferConfig,
    ranker: EmbeddedRanker,
    platform: _Platform,
    u: int,
    knowledge: tuple[CrossAdapter, TextTowers] | None,
    dated: bool,
) -> Iterator[tuple[np.ndarray, int]]:
    """One training user's episodes: at each k, the platform's order, with (a)'s and (b)'s input;
    ``dated``: with the date's columns (the same for both inputs: the date is the request's)."""
    s = data.train[u]
    target, hist = s[-1], s[:-1]
    d = platform.dom[target]
    within = [i for i in hist if platform.dom[i] == d]
    cross = [i for i in hist if platform.dom[i] != d]
    cands = sample_candidates(
        target,
        frozenset(s),
        platform.catalogue[d],
        n_neg={"pop49": 49, "uni99": 99}[cfg.sampling],
        rng=case_rng(cfg.seed, f"transfer|{data.name}|{cfg.sampling}|{u}"),
        popularity=platform.popw[d] if cfg.sampling == "pop49" else None,
    )
    pop, knn = platform.pops[d], platform.knns[d]
    popc = pop.popularity(cands)
    cand_objs = cand_items(data, cands)
    date = date_columns(data, hist, cands) if dated else None
    for k in cfg.ks:
        hw = _truncate(within, k)
        sc = pop.score(None, hw, cands) if not hw else knn.score(None, hw, cands)
        order = order_by_scores(sc, popc, rng=case_rng(cfg.seed, f"transfer-tie|{k}|{u}"))
        plat = [str(cands[j]) for j in order]
        for use_cross in (False, True):
            keep = set(hw) | (set(cross) if use_cross else set())
            seen = _items(data, hist, keep)
            f, _ = transfer_features(ranker, seen, cand_objs, platform_order=plat, popularity=popc)
            if knowledge is not None:
                f = with_adapter(f, *knowledge, ranker, seen, cand_objs)
            if date is not None:
                f = np.column_stack([f, date])
            yield f.astype(np.float32), cands.index(target)


def train_transfer(
    data: CrossDomainData, vectors: TextVectors, cfg: TransferConfig, progress: Progress = _no_progress
) -> tuple[TransferModel, dict[str, Any]]:
    """The model over TRANSFER_FEATURES (no adapter): what (s) and ``recommend`` use."""
    return train_transfer_models(data, vectors, cfg, progress, adapted=False)["base"]


def train_transfer_models(
    data: CrossDomainData,
    vectors: TextVectors,
    cfg: TransferConfig,
    progress: Progress = _no_progress,
    *,
    adapted: bool = True,
) -> dict[str, tuple[TransferModel, dict[str, Any]]]:
    """LightGBM lambdarank on the episodes; single thread, deterministic, seeded. ``"base"``: over
    TRANSFER_FEATURES; with ``adapted``, also ``"adapted"``: over ADAPTED_FEATURES, on the same
    episodes, carrying the adapter and towers fitted on every training user (what (p) uses). When the data
    dates its items, each has a ``"<kind>-dated"`` twin that also reads DATE_FEATURES ((t))."""
    try:
        import lightgbm as lgb
    except ImportError as e:  # training only; inference is numpy
        raise RuntimeError("training the transfer model needs lightgbm (pip install 'selfdex[eval]')") from e
    t0 = time.perf_counter()
    x, tcol, users = build_episodes(data, vectors, cfg, progress, adapted=adapted)
    t_feat = time.perf_counter() - t0
    n_feat = len(ADAPTED_FEATURES if adapted else TRANSFER_FEATURES)
    sets = {"base": TRANSFER_FEATURES, **({"adapted": ADAPTED_FEATURES} if adapted else {})}
    out = {}
    for kind, names in sets.items():
        out[kind] = _fit(lgb, x[..., : len(names)], names, tcol, users, cfg, progress)
        if x.shape[2] > n_feat:  # the date's columns come last
            cols = np.r_[: len(names), n_feat : x.shape[2]]
            out[f"{kind}-dated"] = _fit(
                lgb, x[..., cols], (*names, *DATE_FEATURES), tcol, users, cfg, progress
            )
    if adapted:
        step = progress("transfer: the shipped adapter and towers (every training user)", 1)
        adapter, towers = fit_catalogue_knowledge(data, vectors, range(len(data.train)), cfg.seed)
        step(1)
        for kind in ("adapted", "adapted-dated"):
            if kind in out:
                out[kind] = (replace(out[kind][0], adapter=adapter, towers=towers), out[kind][1])
    for _, info in out.values():
        info.update(
            trained_on=data.name,
            config=asdict(cfg),
            data_sha256=dict(data.checksums),
            episodes=len(tcol),
            features_s=round(t_feat, 1),
        )
    return out


def _fit(
    lgb: Any,
    x: np.ndarray,
    names: tuple[str, ...],
    tcol: np.ndarray,
    users: np.ndarray,
    cfg: TransferConfig,
    progress: Progress,
) -> tuple[TransferModel, dict[str, Any]]:
    t0 = time.perf_counter()
    trained = progress(f"transfer: training (lightgbm, {len(names)} features)", 1)
    uniq = np.unique(users)
    vu = set(
        np.random.default_rng(cfg.seed + 1).permutation(uniq)[: int(len(uniq) * cfg.valid_share)].tolist()
    )
    is_v = np.array([u in vu for u in users.tolist()])
    y = np.zeros(x.shape[:2], dtype=np.int32)
    y[np.arange(len(tcol)), tcol] = 1
    nf, nc = x.shape[2], x.shape[1]

    def ds(m: np.ndarray, ref: Any = None) -> Any:
        return lgb.Dataset(
            x[m].reshape(-1, nf),
            y[m].ravel(),
            group=np.full(int(m.sum()), nc),
            feature_name=list(names),
            reference=ref,
        )

    train = ds(~is_v)
    valid = ds(is_v, train)
    booster, evals = train_lambdarank(
        train,
        valid,
        num_leaves=cfg.num_leaves,
        learning_rate=cfg.learning_rate,
        min_data_in_leaf=cfg.min_data_in_leaf,
        seed=cfg.seed,
        max_rounds=cfg.max_rounds,
        eval_at=(10,),
        patience=30,
    )
    trained(1)
    best = booster.best_iteration or cfg.max_rounds
    gain = booster.feature_importance("gain", iteration=best)
    info = {
        "train_users": int(len(uniq) - len(vu)),
        "valid_users": len(vu),
        "rounds": int(best),
        "valid_ndcg@10": float(evals["valid"]["ndcg@10"][best - 1]),
        "train_s": round(time.perf_counter() - t0, 1),
        "gain_share": {
            n: round(float(g / max(gain.sum(), 1e-9)), 4)
            for n, g in sorted(zip(names, gain, strict=True), key=lambda t: -t[1])
        },
    }
    return TransferModel.from_lightgbm(booster.dump_model(num_iteration=best), info), info


def _other(name: str) -> str:
    others = [d for d in DATASETS if d != name]
    if name not in DATASETS or len(others) != 1:
        raise ValueError(f"no 'other dataset' for {name!r}")
    return others[0]


def transfer_conditions(
    data: CrossDomainData,
    vectors: TextVectors,
    corpus: tuple[dict[str, int], int],
    prepared: Mapping[str, Sequence[_Prepared]],
    orders: Mapping[str, Sequence[np.ndarray]],
    k: int | None,
    pops: Mapping[str, Pop],
    date_clock: Mapping[str, np.ndarray],
    tcol: Mapping[str, np.ndarray],
    ppos: Mapping[str, np.ndarray],
    models: Mapping[str, TransferModel] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, dict[str, float]]]:
    """Test ranks and valid NDCG@10 of (s) and (p) at history length ``k`` and, when the data
    dates its items (``date_clock``), of (t)(s) and (t)(p); ``orders`` = the platform order the
    agent re-ranks, per half. ``models`` = {"s": …, "p": …, "ts": …, "tp": …}, the last two the
    dated twins (default: the shipped models; a twin only where its data dates its items). A model
    without a twin gets (t) as the protocol adds it: its score + w × closeness to the date, w
    tuned on valid (returned, by condition). Ties keep the platform's order."""
    from .metrics import metric_values
    from .protocols import _tune_added

    if models is None:
        name, other = data.name, _other(data.name)
        models = {"s": shipped_model(other), "p": shipped_model(name, adapted=True)}
        for m, on, adapted in (("ts", other, False), ("tp", name, True)):
            if model_path(on, adapted=adapted, dated=True).exists():  # only data that dates its items
                models[m] = shipped_model(on, adapted=adapted, dated=True)
    if not date_clock:
        models = {m: model for m, model in models.items() if not model.dated}
    ranker = EmbeddedRanker(vectors, weights=dict(START), doc_freq=corpus[0], n_docs=corpus[1])
    known = {
        id(model.adapter): (model.adapter, model.towers)
        for model in models.values()
        if model.adapter is not None and model.towers is not None
    }
    dates = (
        {half: [date_columns(data, p.case.history, p.cands) for p in ps] for half, ps in prepared.items()}
        if any(model.dated for model in models.values())
        else {}
    )
    feats: dict[tuple[str, bool, int | None], np.ndarray] = {}
    for half, ps in prepared.items():
        for use_cross in (False, True):
            rows: dict[int | None, list[np.ndarray]] = {None: [], **{a: [] for a in known}}
            for p, order in zip(ps, orders[half], strict=True):
                keep = set(_truncate(p.within, k)) | (set(p.cross) if use_cross else set())
                hist, cands = _items(data, p.case.history, keep), cand_items(data, p.cands)
                f, _ = transfer_features(
                    ranker,
                    hist,
                    cands,
                    platform_order=[str(p.cands[j]) for j in order],
                    popularity=pops[p.domain].popularity(p.cands),
                )
                rows[None].append(f)
                for a, (adapter, towers) in known.items():
                    rows[a].append(with_adapter(f, adapter, towers, ranker, hist, cands))
            for key, r in rows.items():
                feats[(half, use_cross, key)] = np.stack(r)
    ranks: dict[str, np.ndarray] = {}
    valid: dict[str, float] = {}
    weights: dict[str, dict[str, float]] = {}
    for m, model in models.items():
        for use_cross, inp in ((False, "a"), (True, "b")):
            sc = {}
            for half in prepared:
                x = feats[(half, use_cross, id(model.adapter) if model.adapter is not None else None)]
                if model.dated:
                    x = np.concatenate([x, np.stack(dates[half])], axis=2)  # type: ignore[arg-type]
                sc[half] = model.predict(x.reshape(-1, len(model.features))).reshape(len(prepared[half]), -1)
            name = _DATED[f"(t)({m[-1]})({inp})"] if model.dated else _PLAIN[f"({m})({inp})"]
            ranks[name] = ranks_from_scores(sc["test"], tcol["test"], ppos["test"])
            valid[name] = float(
                metric_values(ranks_from_scores(sc["valid"], tcol["valid"], ppos["valid"]), "NDCG@10").mean()
            )
            if date_clock and not model.dated and f"t{m}" not in models:
                tname = _TUNED[f"(t)({m})({inp})"]
                w, v = _tune_added(sc["valid"], date_clock["valid"], tcol["valid"], ppos["valid"])
                weights[tname] = {"date_closeness": w}
                valid[tname] = v
                ranks[tname] = ranks_from_scores(
                    sc["test"] + w * date_clock["test"], tcol["test"], ppos["test"]
                )
    return ranks, valid, weights
