"""The shipped transfer model: a learned re-ranker over catalogue-agnostic features (issue 14).

The embedded ranker's weighted sum cannot learn *when* the person's other platforms matter
(only for some people, some kinds of items, short within-platform histories). This model is a
gradient-boosted tree ensemble (LightGBM lambdarank, trained by ``selfdex eval train-transfer``
on public data, never on the person under test) over the embedded ranker's features plus
features that carry across catalogues because they are about *relations* inside the request,
not about any item's identity:

- mean/top-5 title cosines to the within/cross history, and history sizes (log);
- per-list z-scores of the similarity, word-overlap and attribute-overlap features (a cosine of
  0.4 is high among kitchen gadgets and low among craft papers; its standing in this list is not);
- how related the cross history is to this list at all (the list's mean cross cosine);
- the candidate's popularity percentile in the list, where the platform discloses it (bestseller
  ranks are public on Amazon); 0.5 when unknown;
- for a model trained with them (``*-adapted.json``), its catalogue pair's learned cross-domain
  adapter score (:mod:`.adapter`), its word towers' scores (:mod:`.towers`: the person's and the
  prior) and their z-scores;
- for a model trained with the date known (``*-dated.json``, the eval's condition (t) only: the
  candidates' listing dates are public catalogue data there, not something ``recommend`` is
  given), the candidate's closeness to the request's date and its signed gap to it.

Inference is numpy only: the trees are shipped as flat arrays in ``models/*.json`` (a few hundred
KB) and walked here, so no LightGBM, no network at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .adapter import CrossAdapter
from .base import Candidate, HistoryItem, Ranked, platform_positions
from .embedded import FEATURES, EmbeddedRanker
from .towers import TextTowers

__all__ = [
    "ADAPTED_FEATURES",
    "DATE_FEATURES",
    "MODEL_DIR",
    "TRANSFER_FEATURES",
    "TransferModel",
    "TransferRanker",
    "adapter_path",
    "model_path",
    "shipped_model",
    "towers_path",
    "transfer_features",
    "with_adapter",
]

MODEL_DIR = Path(__file__).with_name("models")

_Z_OF = (
    "w_max",
    "w_top",
    "x_max",
    "x_top",
    "x_cent",
    "recent",
    "x_recent",
    "w_lex",
    "x_lex",
    "w_meta",
    "x_meta",
    "hub",
)
TRANSFER_FEATURES: tuple[str, ...] = (
    *FEATURES,
    "w_mean",
    "x_mean",
    "w_top5",
    "x_top5",
    "n_within",
    "n_cross",
    "x_rel",
    "x_mean_z",
    *(f"{n}_z" for n in _Z_OF),
    "pop_pct",
)
# A model trained with its catalogue pair's adapter (:mod:`.adapter`) and towers (:mod:`.towers`).
ADAPTED_FEATURES: tuple[str, ...] = (
    *TRANSFER_FEATURES,
    "x_proj",
    "x_proj_z",
    "x_tw",
    "x_tw_z",
    "tw_prior",
    "tw_prior_z",
)
# A model trained with the date known reads two more after either set: 1/log2(r + 2) for the
# candidate's rank r by distance to the date, and its listing time minus the date.
DATE_FEATURES: tuple[str, ...] = ("date_close", "date_gap")
_FEATURE_SETS = tuple(
    (*base, *extra) for base in (TRANSFER_FEATURES, ADAPTED_FEATURES) for extra in ((), DATE_FEATURES)
)
_COL = {n: i for i, n in enumerate(ADAPTED_FEATURES)}


def _masked_mean(s: np.ndarray, mask: np.ndarray) -> np.ndarray:
    cnt = mask.sum(1)
    return np.where(cnt > 0, np.where(mask, s, 0.0).sum(1) / np.maximum(cnt, 1), 0.0)


def _top_mean(s: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    if s.shape[1] == 0:
        return np.zeros(s.shape[0])
    x = -np.sort(-np.where(mask, s, -np.inf), axis=1)[:, :k]
    ok = np.isfinite(x)
    return np.where(ok.any(1), np.where(ok, x, 0.0).sum(1) / np.maximum(ok.sum(1), 1), 0.0)


def _z(v: np.ndarray) -> np.ndarray:
    sd = float(v.std())
    return (v - v.mean()) / sd if sd > 1e-6 else np.zeros_like(v)


def transfer_features(
    ranker: EmbeddedRanker,
    history: Sequence[HistoryItem],
    candidates: Sequence[Candidate],
    *,
    platform_order: Sequence[str] | None = None,
    popularity: Sequence[float] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Returns (features [n_cand x len(TRANSFER_FEATURES)], cosine matrix [n_cand x n_hist]);
    :func:`with_adapter` adds an adapted model's columns. ``popularity``: the platform's count
    for each candidate, if it discloses one."""
    base, sims = ranker.features(history, candidates, platform_order=platform_order)
    nc = len(candidates)
    f = np.zeros((nc, len(TRANSFER_FEATURES)), dtype=np.float64)
    f[:, : len(FEATURES)] = base
    cplat = np.array([c.platform for c in candidates])
    hplat = np.array([h.platform for h in history])
    same = cplat[:, None] == hplat[None, :] if len(history) else np.zeros((nc, 0), dtype=bool)
    cross = ~same
    s = sims.astype(np.float64)
    f[:, _COL["w_mean"]] = _masked_mean(s, same)
    f[:, _COL["x_mean"]] = _masked_mean(s, cross)
    f[:, _COL["w_top5"]] = _top_mean(s, same, 5)
    f[:, _COL["x_top5"]] = _top_mean(s, cross, 5)
    f[:, _COL["n_within"]] = np.log1p(same.sum(1))
    f[:, _COL["n_cross"]] = np.log1p(cross.sum(1))
    f[:, _COL["x_rel"]] = f[:, _COL["x_max"]].mean()
    f[:, _COL["x_mean_z"]] = _z(f[:, _COL["x_mean"]])
    for n in _Z_OF:
        f[:, _COL[f"{n}_z"]] = _z(f[:, _COL[n]])
    if popularity is not None and nc:
        p = np.asarray(popularity, dtype=np.float64)
        # Percentile in the list (ties share the mean rank): comparable across catalogue sizes.
        order = np.argsort(np.argsort(p, kind="stable"), kind="stable").astype(np.float64)
        for v in np.unique(p):
            m = p == v
            order[m] = order[m].mean()
        f[:, _COL["pop_pct"]] = order / max(nc - 1, 1)
    else:
        f[:, _COL["pop_pct"]] = 0.5
    return f, sims


def with_adapter(
    f: np.ndarray,
    adapter: CrossAdapter,
    towers: TextTowers,
    ranker: EmbeddedRanker,
    history: Sequence[HistoryItem],
    candidates: Sequence[Candidate],
) -> np.ndarray:
    """TRANSFER_FEATURES columns ``f`` extended to ADAPTED_FEATURES."""
    x = adapter.scores(ranker.vectors, history, candidates)
    person, prior = towers.scores(history, candidates)
    return np.column_stack([f, x, _z(x), person, _z(person), prior, _z(prior)])


@dataclass(frozen=True)
class TransferModel:
    """A tree ensemble as flat arrays. Per node: ``feature``, ``threshold`` and the ``left`` and
    ``right`` child (>= 0: a node; < 0: leaf ~index); ``leaf`` values; ``roots[t]`` is tree t's
    first node (or ~leaf for a one-leaf tree). A row goes left when value <= threshold, as in
    LightGBM's numerical splits (features never contain NaN here)."""

    # TRANSFER_FEATURES, or ADAPTED_FEATURES with ``adapter`` and ``towers``; either + DATE_FEATURES
    features: tuple[str, ...]
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    roots: np.ndarray
    meta: dict[str, Any]
    adapter: CrossAdapter | None = None
    towers: TextTowers | None = None

    def features_of(
        self,
        ranker: EmbeddedRanker,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
        popularity: Sequence[float] | np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:func:`transfer_features`, with this model's adapter and towers columns if it has them."""
        if self.dated:
            raise ValueError("a model trained with the date known needs its date columns (the eval's (t))")
        f, sims = transfer_features(
            ranker, history, candidates, platform_order=platform_order, popularity=popularity
        )
        if self.adapter is not None and self.towers is not None:
            f = with_adapter(f, self.adapter, self.towers, ranker, history, candidates)
        return f, sims

    @property
    def dated(self) -> bool:
        return self.features[-len(DATE_FEATURES) :] == DATE_FEATURES

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.features):
            raise ValueError(f"expected [n x {len(self.features)}] features, got {x.shape}")
        out = np.zeros(len(x))
        rows = np.arange(len(x))
        for root in self.roots.tolist():
            node = np.full(len(x), root, dtype=np.int64)
            active = node >= 0
            while active.any():
                n = node[active]
                go_left = x[rows[active], self.feature[n]] <= self.threshold[n]
                node[active] = np.where(go_left, self.left[n], self.right[n])
                active = node >= 0
            out += self.leaf[~node]
        return out

    @classmethod
    def from_lightgbm(cls, dump: dict[str, Any], meta: dict[str, Any]) -> TransferModel:
        """From ``Booster.dump_model()`` (numerical ``<=`` splits only)."""
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        leaf: list[float] = []
        roots: list[int] = []

        def walk(node: dict[str, Any]) -> int:
            if "leaf_value" in node:
                leaf.append(float(node["leaf_value"]))
                return ~(len(leaf) - 1)
            if node["decision_type"] != "<=":
                raise ValueError(f"unsupported split {node['decision_type']!r}")
            i = len(feature)
            feature.append(int(node["split_feature"]))
            threshold.append(float(node["threshold"]))
            left.append(0)
            right.append(0)
            left[i] = walk(node["left_child"])
            right[i] = walk(node["right_child"])
            return i

        for tree in dump["tree_info"]:
            roots.append(walk(tree["tree_structure"]))
        return cls(
            tuple(dump["feature_names"]),
            np.array(feature, dtype=np.int64),
            np.array(threshold, dtype=np.float64),
            np.array(left, dtype=np.int64),
            np.array(right, dtype=np.int64),
            np.array(leaf, dtype=np.float64),
            np.array(roots, dtype=np.int64),
            meta,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "selfdex-transfer-trees/1",
            "features": list(self.features),
            "feature": self.feature.tolist(),
            # repr round-trips a float64 exactly, so the shipped model splits where LightGBM did.
            "threshold": [repr(t) for t in self.threshold.tolist()],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "leaf": [repr(v) for v in self.leaf.tolist()],
            "roots": self.roots.tolist(),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TransferModel:
        if d.get("format") != "selfdex-transfer-trees/1":
            raise ValueError("not a selfdex transfer model")
        if tuple(d["features"]) not in _FEATURE_SETS:
            raise ValueError("the model was trained on a different feature set")
        return cls(
            tuple(d["features"]),
            np.array(d["feature"], dtype=np.int64),
            np.array([float(t) for t in d["threshold"]], dtype=np.float64),
            np.array(d["left"], dtype=np.int64),
            np.array(d["right"], dtype=np.int64),
            np.array([float(v) for v in d["leaf"]], dtype=np.float64),
            np.array(d["roots"], dtype=np.int64),
            dict(d["meta"]),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TransferModel:
        """The trees at ``path``; an adapted model also loads the adapter and towers beside it."""
        model = cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        if "x_proj" in model.features:
            model = replace(
                model,
                adapter=CrossAdapter.load(adapter_path(path)),
                towers=TextTowers.load(towers_path(path)),
            )
        return model


def adapter_path(model_path: Path) -> Path:
    """The adapter beside an adapted model; its dated twin reads the same one."""
    stem = model_path.name.removesuffix(".json").removesuffix("-dated")
    return model_path.with_name(stem + ".adapter.npz")


def towers_path(model_path: Path) -> Path:
    """The word towers beside an adapted model; its dated twin reads the same ones."""
    return adapter_path(model_path).with_suffix("").with_suffix(".towers.npz")


def model_path(trained_on: str, *, adapted: bool = False, dated: bool = False) -> Path:
    suffix = ("-adapted" if adapted else "") + ("-dated" if dated else "")
    return MODEL_DIR / f"transfer-{trained_on}{suffix}.json"


def shipped_model(trained_on: str, *, adapted: bool = False, dated: bool = False) -> TransferModel:
    """The model shipped in the package, trained on the training users of ``trained_on``;
    ``adapted``: the one that also reads that catalogue pair's adapter and towers; ``dated``:
    the one that also reads the date's two columns (the eval's (t); see :data:`DATE_FEATURES`)."""
    path = model_path(trained_on, adapted=adapted, dated=dated)
    if not path.exists():
        raise FileNotFoundError(
            f"no shipped transfer model {path.name}: `selfdex eval train-transfer --dataset {trained_on}` writes it"
        )
    return TransferModel.load(path)


@dataclass
class TransferRanker:
    """The ranker API over the transfer model; reasons still cite the closest history record."""

    base: EmbeddedRanker
    model: TransferModel
    name: str = "transfer"

    def rank(
        self,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
        popularity: Sequence[float] | np.ndarray | None = None,
    ) -> list[Ranked]:
        feats, sims = self.model.features_of(
            self.base, history, candidates, platform_order=platform_order, popularity=popularity
        )
        scores = self.model.predict(feats) if len(candidates) else np.zeros(0)
        pos = platform_positions(candidates, platform_order)
        order = sorted(
            range(len(candidates)),
            key=lambda i: (-scores[i], pos[i] if pos[i] is not None else len(candidates), i),
        )
        out: list[Ranked] = []
        for i in order:
            c = candidates[i]
            pi = pos[i]
            reason = f"platform position {pi + 1}" if pi is not None else "no platform order"
            cited: tuple[str, ...] = ()
            if sims.shape[1]:
                j = int(np.argmax(sims[i]))
                h = history[j]
                where = "here" if h.platform == c.platform else f"on {h.platform or 'another platform'}"
                cited = (h.id,)
                reason = f"close to “{h.title}” ({where}, cos {sims[i, j]:.2f}); {reason}"
            out.append(Ranked(candidate=c, score=float(scores[i]), reason=reason, cited=cited))
        return out
