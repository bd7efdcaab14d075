"""The one way selfdex builds its ranker: ``selfdex recommend``, the gate's re-rank and the web page
call :func:`shipped_ranker`, and ``selfdex eval`` measures that same object (its "as shipped"
conditions) besides the tuned rankers :func:`for_history` builds, so what is measured is what people
run and the same candidates come out in the same order on every surface."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .base import Candidate, HistoryItem, Ranked
from .embedded import DEFAULT_WEIGHTS, EmbeddedRanker, TextVectors, tokens
from .transfer import TransferModel, TransferRanker, shipped_model

__all__ = [
    "DEFAULT_TRANSFER",
    "TRANSFER_MAX_WITHIN",
    "ShippedRanker",
    "default_vectors",
    "doc_freq",
    "for_history",
    "shipped_ranker",
    "trust_weights",
]

# Where the shipped transfer model ranked better than the embedded ranker on the eval (README,
# "Evaluation", condition (d)): the platform's popularity disclosed and a within-platform history of
# 0 or 1 items, on the dataset it never saw (food-kitchen, (s)) and the one it was trained on; at 2
# items it gained nothing on food-kitchen, and without popularity it ranked worse everywhere.
DEFAULT_TRANSFER = "amazon-arts-office"
TRANSFER_MAX_WITHIN = 1
_MODELS: dict[str, TransferModel] = {}

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


@dataclass
class ShippedRanker:
    """What ``selfdex recommend`` runs: the embedded ranker, or the shipped transfer model for a list
    where it measured better — every candidate's popularity disclosed and at most
    :data:`TRANSFER_MAX_WITHIN` history items on the list's platform — at the default trust (another
    trust is a weighting the person chose, which only the embedded ranker has)."""

    base: EmbeddedRanker
    use_transfer: bool = True
    used: str = field(default="embedded", init=False)  # which one ranked the last list
    name: str = field(default="", init=False)  # the base's, or the transfer model's after it ranked

    def __post_init__(self) -> None:
        self.name = self.base.name

    @property
    def vectors(self) -> TextVectors:
        return self.base.vectors

    @property
    def note(self) -> str | None:
        """Why the last list was ranked by the transfer model; None when the embedded ranker ranked it."""
        if self.used != "transfer":
            return None
        return (
            f"this list gives each candidate's popularity and at most {TRANSFER_MAX_WITHIN} of your history "
            f"items are on its platform: ranked by {self.name}, the model shipped for that case"
        )

    def chooses_transfer(self, history: Sequence[HistoryItem], candidates: Sequence[Candidate]) -> bool:
        if not self.use_transfer or not candidates or any(c.popularity is None for c in candidates):
            return False
        platforms = {c.platform for c in candidates}
        return sum(h.platform in platforms for h in history) <= TRANSFER_MAX_WITHIN

    def rank(
        self,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
    ) -> list[Ranked]:
        if not self.chooses_transfer(history, candidates):
            self.used, self.name = "embedded", self.base.name
            return self.base.rank(history, candidates, platform_order=platform_order)
        self.used, self.name = "transfer", f"transfer-{DEFAULT_TRANSFER}"
        if DEFAULT_TRANSFER not in _MODELS:
            _MODELS[DEFAULT_TRANSFER] = shipped_model(DEFAULT_TRANSFER)
        ranker = TransferRanker(self.base, _MODELS[DEFAULT_TRANSFER])
        popularity = [float(c.popularity or 0.0) for c in candidates]
        return ranker.rank(history, candidates, platform_order=platform_order, popularity=popularity)


def shipped_ranker(
    history: Sequence[HistoryItem], *, vectors: TextVectors, trust: float = 0.5
) -> ShippedRanker:
    """The ranker people run for a person with ``history`` (IDF from the history, weights from ``trust``)."""
    return ShippedRanker(for_history(history, vectors=vectors, trust=trust), use_transfer=trust == 0.5)


def default_vectors() -> TextVectors:
    """The default embedder's vectors, memoised per process (the model loads once)."""
    from ..index.embed import default_embedder

    if "default" not in _VECTORS:
        _VECTORS["default"] = TextVectors(default_embedder())
    return _VECTORS["default"]
