"""The embedded default ranker: text embeddings + rules, no language model per request.

Every candidate gets a small vector of features computed from the person's history and the
platform's order, and the score is a weighted sum of them. The features separate the
candidate's own platform ("within") from the person's other platforms ("cross"), so the same
ranker serves a person with one platform and a person with many; with no cross-platform history
the cross features are constant and drop out of the ranking.

Features (all per candidate):

- ``prior``: the platform's order, 1/log2(position + 2) — the trust put in the platform.
- ``w_max``/``x_max``: the highest cosine between the candidate's title and a within/cross item.
- ``w_top``/``x_top``: the mean of the 3 highest cosines (one lucky match counts less).
- ``w_cent``/``x_cent``: cosine between the candidate and the centroid of the within/cross items,
  both measured from the candidate set's mean, so the shared "it is a product" direction drops
  out and what is left is the *kind* of thing the person likes.
- ``prior_top``: 1 for the platform's top 5, so trust can be steeper than the log curve.
- ``recent``: similarity to the person's 3 most recent items on any platform given (decaying).
- ``x_recent``: the same over the 3 most recent items from the person's *other* platforms: what
  they just bought elsewhere (a coffee maker) predicts what they buy here next (coffee).
- ``agree``: ``w_cent * x_cent``, high when both the within and the cross taste point at it.
- ``w_lex``/``x_lex``: IDF-weighted word overlap with the closest within/cross item: catches
  brands, series and model names that embeddings blur.
- ``w_meta``/``x_meta``: IDF-weighted overlap of creators/brands/categories with the history.
- ``hub``: the candidate's mean similarity to the other candidates; generic titles are similar
  to everything, and this lets the weights discount them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..index.embed import Embedder
from .base import Candidate, HistoryItem, Ranked, platform_positions

__all__ = ["DEFAULT_WEIGHTS", "FEATURES", "EmbeddedRanker", "TextVectors", "tokens"]

FEATURES: tuple[str, ...] = (
    "prior",
    "prior_top",
    "w_max",
    "w_top",
    "w_cent",
    "x_max",
    "x_top",
    "x_cent",
    "recent",
    "x_recent",
    "agree",
    "w_lex",
    "x_lex",
    "w_meta",
    "x_meta",
    "hub",
)

# Tuned on the amazon-food-kitchen *valid* split (condition b, full history, re-ranking ItemKNN):
# benchmarks/results/eval/cross-platform-amazon-food-kitchen-pop49.json. `selfdex eval` re-tunes per
# dataset, condition and k on the valid split (starting from eval.tuning.START) and records the result.
DEFAULT_WEIGHTS: dict[str, float] = {
    "prior": 4.0,
    "prior_top": 0.5,
    "w_max": 4.0,
    "w_top": 0.25,
    "w_cent": 1.0,
    "x_max": 0.25,
    "x_top": 0.25,
    "x_cent": 0.5,
    "recent": 0.25,
    "x_recent": 0.125,
    "agree": 4.0,
    "w_lex": 1.0,
    "x_lex": 0.25,
    "w_meta": 0.5,
    "x_meta": 0.5,
    "hub": -2.0,
}

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "with",
        "in",
        "on",
        "to",
        "by",
        "from",
        "or",
        "at",
        "as",
        "is",
        "it",
        "its",
        "this",
        "that",
        "your",
        "you",
        "our",
        "new",
        "pack",
        "set",
        "oz",
        "lb",
        "lbs",
        "inch",
        "inches",
        "count",
        "ct",
        "pcs",
        "piece",
        "pieces",
        "size",
        "x",
    ]
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=200_000)
def tokens(text: str) -> frozenset[str]:
    """Lower-cased content words; pure numbers are dropped (sizes and counts are noise here)."""
    return frozenset(
        t for t in _WORD.findall(text.lower()) if len(t) > 1 and t not in _STOP and not t.isdigit()
    )


class TextVectors:
    """In-memory memo over an embedder: the ranker asks for the same titles again and again."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vec: dict[str, np.ndarray] = {}

    def prepare(self, texts: Iterable[str], progress: object = None) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vec]
        if todo:
            vecs = self.embedder.embed(todo, progress=progress)  # type: ignore[arg-type]
            self._vec.update(zip(todo, vecs, strict=True))

    def prepare_step(
        self, texts: Iterable[str], progress: Callable[[str, int, int | None], None] | None, step: str
    ) -> None:
        """:meth:`prepare`, telling ``progress(step, done, total)`` how many of the texts not yet
        embedded are done (the first request of a process embeds the person's whole history)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._vec]
        if not todo or progress is None:
            self.prepare(todo)
            return
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            progress(step, min(done, len(todo)), len(todo))

        progress(step, 0, len(todo))
        self.prepare(todo, progress=advance)

    def get(self, texts: Sequence[str]) -> np.ndarray:
        self.prepare(texts)
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._vec[t] for t in texts])


def idf_cosine(
    cdocs: Sequence[frozenset[str]],
    hdocs: Sequence[frozenset[str]],
    doc_freq: Mapping[str, int] | None,
    n_docs: int,
    memo: dict[str, float],
) -> np.ndarray:
    """[len(cdocs) x len(hdocs)] cosines of binary-TF x IDF vectors. IDF comes from ``doc_freq``
    over ``n_docs`` documents, or from these docs themselves when it is None.

    Computed through an inverted index over the history's words, so time and memory grow with the
    words the documents share rather than with documents x vocabulary (a dense matrix for 10,000
    history titles took 450 MB per request)."""
    local = Counter(t for d in (*cdocs, *hdocs) for t in d) if doc_freq is None else None
    w2: dict[str, float] = {}  # squared IDF of every word in play

    def sq(t: str) -> float:
        v = w2.get(t)
        if v is None:
            if local is not None:
                idf = math.log((n_docs + 1) / (local[t] + 1)) + 1.0
            else:
                idf = memo.get(t, 0.0)
                if not idf:
                    idf = memo[t] = math.log((n_docs + 1) / (doc_freq.get(t, 0) + 1)) + 1.0  # type: ignore[union-attr]
            v = w2[t] = idf * idf
        return v

    cnorm = np.array([math.sqrt(sum(sq(t) for t in d)) for d in cdocs], dtype=np.float64)
    hnorm = np.array([math.sqrt(sum(sq(t) for t in d)) for d in hdocs], dtype=np.float64)
    rows_of: dict[str, list[int]] = {}
    for j, d in enumerate(hdocs):
        for t in d:
            rows_of.setdefault(t, []).append(j)
    dot = np.zeros((len(cdocs), len(hdocs)), dtype=np.float64)
    for i, d in enumerate(cdocs):
        for t in d:
            rows = rows_of.get(t)
            if rows:
                dot[i, rows] += w2[t]
    dot /= np.maximum(cnorm, 1e-9)[:, None] * np.maximum(hnorm, 1e-9)[None, :]
    return dot.astype(np.float32)


def _top_mean(s: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Per row, the mean of the k largest entries where mask is set (0 where none is)."""
    x = np.where(mask, s, -np.inf)
    kk = min(k, x.shape[1])
    if kk == 0:
        return np.zeros(x.shape[0], dtype=np.float32)
    top = -np.sort(-x, axis=1)[:, :kk]
    cnt = np.isfinite(top).sum(1)
    tot = np.where(np.isfinite(top), top, 0.0).sum(1)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0).astype(np.float32)


_COL = {n: i for i, n in enumerate(FEATURES)}


def _prior(f: np.ndarray, pos: Sequence[int | None]) -> None:
    """``prior`` and ``prior_top`` from the platform's positions; unplaced candidates rank last."""
    known = [p for p in pos if p is not None]
    if known:
        fallback = max(known) + 1
        pp = [fallback if p is None else p for p in pos]
        f[:, _COL["prior"]] = [1.0 / math.log2(p + 2) for p in pp]
        f[:, _COL["prior_top"]] = [1.0 if p < 5 else 0.0 for p in pp]


def _closest(f: np.ndarray, sims: np.ndarray, same: np.ndarray, cross: np.ndarray) -> None:
    """``w_max``/``x_max`` and ``w_top``/``x_top``: the closest within/cross items."""
    f[:, _COL["w_max"]] = np.where(same.any(1), np.where(same, sims, -np.inf).max(1, initial=-np.inf), 0.0)
    f[:, _COL["x_max"]] = np.where(cross.any(1), np.where(cross, sims, -np.inf).max(1, initial=-np.inf), 0.0)
    f[:, _COL["w_top"]] = _top_mean(sims, same, 3)
    f[:, _COL["x_top"]] = _top_mean(sims, cross, 3)


def _centroids(
    f: np.ndarray, ce: np.ndarray, he: np.ndarray, cplat: np.ndarray, same: np.ndarray, cross: np.ndarray
) -> None:
    """``w_cent``/``x_cent``, both measured from the candidates' mean."""
    mu = ce.mean(0)
    cc_centered = ce - mu
    cc_centered /= np.maximum(np.linalg.norm(cc_centered, axis=1, keepdims=True), 1e-9)
    for name, mask in (("w_cent", same), ("x_cent", cross)):
        # Masks differ only by the candidate's platform; group candidates by it.
        for plat in set(cplat.tolist()):
            rows = cplat == plat
            hm = mask[rows][0]
            if not hm.any():
                continue
            centroid = he[hm].mean(0) - mu
            nrm = float(np.linalg.norm(centroid))
            if nrm > 1e-9:
                f[rows, _COL[name]] = cc_centered[rows] @ (centroid / nrm)


def _recency(
    f: np.ndarray, sims: np.ndarray, history: Sequence[HistoryItem], cplat: np.ndarray, cross: np.ndarray
) -> None:
    """``recent`` (the 3 latest items anywhere) and ``x_recent`` (the 3 latest on other platforms)."""
    recency = np.argsort(np.argsort([-h.order for h in history], kind="stable"), kind="stable")
    decay = np.where(recency < 3, 0.5**recency, 0.0).astype(np.float32)
    f[:, _COL["recent"]] = sims @ decay / decay.sum()
    horder = np.array([h.order for h in history])
    for plat in set(cplat.tolist()):
        rows = cplat == plat
        xi = np.nonzero(cross[rows][0])[0]
        if len(xi):
            last = xi[np.argsort(-horder[xi], kind="stable")[:3]]
            wts = 0.5 ** np.arange(len(last), dtype=np.float32)
            f[rows, _COL["x_recent"]] = sims[np.ix_(rows, last)] @ wts / wts.sum()


@dataclass
class EmbeddedRanker:
    """Deterministic default ranker. ``doc_freq``/``n_docs``: word document frequencies of a
    reference corpus (the person's store or a catalogue); without them IDF comes from the request."""

    vectors: TextVectors
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    doc_freq: Mapping[str, int] | None = None
    n_docs: int = 0
    name: str = "embedded-default"
    _idf: dict[str, float] = field(default_factory=dict, repr=False)

    def features(
        self,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Returns (features [n_cand x len(FEATURES)], cosine matrix [n_cand x n_hist])."""
        nc, nh = len(candidates), len(history)
        f = np.zeros((nc, len(FEATURES)), dtype=np.float32)
        if nc == 0:
            return f, np.zeros((0, nh), dtype=np.float32)
        _prior(f, platform_positions(candidates, platform_order))
        ce = self.vectors.get([c.title for c in candidates])
        if nc > 1:
            cc = ce @ ce.T
            f[:, _COL["hub"]] = (cc.sum(1) - 1.0) / (nc - 1)
        if nh == 0:
            return f, np.zeros((nc, 0), dtype=np.float32)

        he = self.vectors.get([h.title for h in history])
        sims = ce @ he.T
        cplat = np.array([c.platform for c in candidates])
        same = cplat[:, None] == np.array([h.platform for h in history])[None, :]
        cross = ~same
        _closest(f, sims, same, cross)
        _centroids(f, ce, he, cplat, same, cross)
        _recency(f, sims, history, cplat, cross)
        f[:, _COL["agree"]] = f[:, _COL["w_cent"]] * f[:, _COL["x_cent"]]
        self._overlap(f, history, candidates, same, cross)
        return f, sims

    def _overlap(
        self,
        f: np.ndarray,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        same: np.ndarray,
        cross: np.ndarray,
    ) -> None:
        """``w_lex``/``x_lex`` (title words) and ``w_meta``/``x_meta`` (creators and categories)."""
        ctoks = [tokens(c.title) for c in candidates]
        htoks = [tokens(h.title) for h in history]
        n_docs = self.n_docs or (len(candidates) + len(history))
        lex = idf_cosine(ctoks, htoks, self.doc_freq, n_docs, self._idf)
        f[:, _COL["w_lex"]] = np.where(same, lex, 0.0).max(1)
        f[:, _COL["x_lex"]] = np.where(cross, lex, 0.0).max(1)

        cmeta = [frozenset().union(*(tokens(s) for s in (*c.creators, *c.categories))) for c in candidates]
        hmeta = [frozenset().union(*(tokens(s) for s in (*h.creators, *h.categories))) for h in history]
        if any(cmeta) and any(hmeta):
            meta = idf_cosine(cmeta, hmeta, self.doc_freq, n_docs, self._idf)
            f[:, _COL["w_meta"]] = _top_mean(meta, same, 3)
            f[:, _COL["x_meta"]] = _top_mean(meta, cross, 3)

    def score(self, feats: np.ndarray) -> np.ndarray:
        w = np.array([self.weights.get(n, 0.0) for n in FEATURES], dtype=np.float32)
        return np.asarray(feats @ w, dtype=np.float64)

    def rank(
        self,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
    ) -> list[Ranked]:
        feats, sims = self.features(history, candidates, platform_order=platform_order)
        scores = self.score(feats)
        pos = platform_positions(candidates, platform_order)
        # Ties keep the platform's order, then the input order: deterministic.
        order = sorted(
            range(len(candidates)),
            key=lambda i: (-scores[i], pos[i] if pos[i] is not None else len(candidates), i),
        )
        out: list[Ranked] = []
        for i in order:
            c = candidates[i]
            cited: tuple[str, ...] = ()
            pi = pos[i]
            reason = f"platform position {pi + 1}" if pi is not None else "no platform order"
            if sims.shape[1]:
                j = int(np.argmax(sims[i]))
                h = history[j]
                where = "here" if h.platform == c.platform else f"on {h.platform or 'another platform'}"
                cited = (h.id,)
                reason = f"close to “{h.title}” ({where}, cos {sims[i, j]:.2f}); {reason}"
            out.append(Ranked(candidate=c, score=float(scores[i]), reason=reason, cited=cited))
        return out
