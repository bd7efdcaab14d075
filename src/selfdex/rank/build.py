"""The one way selfdex builds its ranker: ``selfdex recommend``, the gate's re-rank, the web page
and ``selfdex eval`` all call :func:`for_history`, so what is measured is what people run and the
same candidates come out in the same order on every surface."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .base import HistoryItem
from .embedded import DEFAULT_WEIGHTS, EmbeddedRanker, TextVectors, tokens

__all__ = ["default_vectors", "doc_freq", "for_history", "trust_weights"]

_VECTORS: dict[str, TextVectors] = {}


def trust_weights(trust: float) -> dict[str, float]:
    """``trust`` in [0, 1]: 0 = the person's evidence only, 0.5 = the evaluated default weights,
    1 = the platform's order (evidence only breaks ties and writes the reasons)."""
    if not 0.0 <= trust <= 1.0:
        raise ValueError("trust must be between 0 and 1")
    w = dict(DEFAULT_WEIGHTS)
    w["prior"] = 1e6 if trust >= 1.0 else DEFAULT_WEIGHTS["prior"] * trust / (1.0 - trust)
    return w


def doc_freq(titles: Iterable[str]) -> tuple[dict[str, int], int]:
    """Word document frequencies over ``titles`` and how many there were: the ranker's IDF corpus."""
    df: dict[str, int] = {}
    n = 0
    for title in titles:
        n += 1
        for t in tokens(title):
            df[t] = df.get(t, 0) + 1
    return df, n


def for_history(
    history: Sequence[HistoryItem],
    *,
    vectors: TextVectors,
    trust: float = 0.5,
    weights: Mapping[str, float] | None = None,
    corpus: tuple[Mapping[str, int], int] | None = None,
) -> EmbeddedRanker:
    """The ranker for a person with ``history``.

    ``weights`` (tuned ones, as eval passes) win over ``trust``. IDF comes from ``corpus``
    (``doc_freq`` output over a catalogue, as eval passes) or else from the history itself: the
    person's own titles say which words are common, not whichever candidates a request brought.
    """
    w = dict(weights) if weights is not None else trust_weights(trust)
    df, n_docs = corpus if corpus is not None else doc_freq(h.title for h in history)
    return EmbeddedRanker(vectors, weights=w, doc_freq=df, n_docs=n_docs)


def default_vectors() -> TextVectors:
    """The default embedder's vectors, memoised per process (the model loads once)."""
    from ..index.embed import default_embedder

    if "default" not in _VECTORS:
        _VECTORS["default"] = TextVectors(default_embedder())
    return _VECTORS["default"]
