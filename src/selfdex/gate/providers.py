"""What computes the answers the gate hands out: one small interface, several implementations.

The gate asks providers only for work over a grant's :class:`View`; providers never see the
person's store and never decide what leaves. Defaults: re-ranking by the embedded ranker
(``selfdex.rank``), profile facts by ``selfdex.profile.build_profile``, answers by ``selfdex.agent.ask``
in its extractive mode (no language model).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..agent import ask
from ..index.embed import Embedder, default_embedder
from ..profile import build_profile
from ..rank import Candidate, HistoryItem, Ranked, TextVectors, history_from_store, shipped_ranker
from .view import View

T = TypeVar("T")
StepProgress = Callable[[str, int, int | None], None]  # progress(step, done, total)

__all__ = [
    "AgentAsk",
    "Answer",
    "AskProvider",
    "EmbeddedRerank",
    "FactOut",
    "FactsProvider",
    "ProfileFacts",
    "Providers",
    "RerankProvider",
    "default_providers",
    "view_history",
]


@dataclass(frozen=True)
class FactOut:
    key: str
    domain: str
    kind: str
    label: str
    score: float
    platforms: tuple[str, ...]
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    text: str
    cited: tuple[str, ...]


class FactsProvider(Protocol):
    def __call__(self, view: View) -> list[FactOut]: ...


class RerankProvider(Protocol):
    def __call__(self, view: View, candidates: Sequence[Candidate]) -> list[Ranked]: ...


class AskProvider(Protocol):
    """Answers ``question`` from the view, naming at most ``limit`` works (the grant's per-request cap)."""

    def __call__(self, view: View, question: str, *, limit: int) -> Answer: ...


@dataclass
class Providers:
    rerank: RerankProvider
    facts: FactsProvider | None = None
    ask: AskProvider | None = None

    def describe(self) -> dict[str, str | None]:
        def name(p: Any) -> str | None:
            return None if p is None else getattr(p, "name", type(p).__name__)

        return {"rerank": name(self.rerank), "facts": name(self.facts), "ask": name(self.ask)}


def view_history(view: View) -> list[HistoryItem]:
    """The view's records as ranker history, read exactly as ``selfdex recommend`` reads the person's
    store: one item per (platform, title), the most recent 5,000, without dislikes, returns,
    payments or messages (a disliked film is not a taste to rank by)."""
    cached = view.memo.get("history")
    if cached is None:
        with view.lock:
            cached = view.memo["history"] = history_from_store(view.store)
    return list(cached)


# Embedding and model work runs on this one thread: embedder caches are SQLite connections that only
# the thread that opened them may use, and the in-memory vector memos are not locked.
_MODEL_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="selfdex-model")


def on_model_thread(fn: Callable[..., T], *args: Any) -> T:
    return _MODEL_THREAD.submit(fn, *args).result()


class EmbeddedRerank:
    """The default ranker (no language model) over the view's history, built as everywhere else."""

    name = "embedded-default"

    def __init__(
        self, embedder: Callable[[], Embedder] = default_embedder, progress: StepProgress | None = None
    ) -> None:
        self._make_embedder = embedder  # called on the model thread, which then owns the cache
        self._vectors: TextVectors | None = None
        self._progress = progress  # hears the embedding of the history (called on the model thread)

    def __call__(self, view: View, candidates: Sequence[Candidate]) -> list[Ranked]:
        return on_model_thread(self._rank, view, candidates)

    def _rank(self, view: View, candidates: Sequence[Candidate]) -> list[Ranked]:
        if self._vectors is None:
            # Loading the model costs seconds; pay it on first use, not at server start.
            self._vectors = TextVectors(self._make_embedder())
        history = view_history(view)
        # The first request embeds the whole history (the titles the disk cache does not have yet).
        self._vectors.prepare_step(
            [c.title for c in candidates] + [h.title for h in history],
            self._progress,
            f"grant {view.grant.name}: embedding its history and the candidates",
        )
        # The construction `selfdex recommend` uses (at its default trust): same weights, IDF from the
        # person's history, not from whichever candidates this request brought.
        return shipped_ranker(history, vectors=self._vectors).rank(history, candidates)


class ProfileFacts:
    """``selfdex.profile.build_profile`` over the view: facts from granted records only."""

    name = "profile"

    def __init__(self, progress: StepProgress | None = None) -> None:
        self._progress = progress  # hears each step of computing the view's profile

    def __call__(self, view: View) -> list[FactOut]:
        cached = view.memo.get("facts")
        if cached is None:
            profile = on_model_thread(functools.partial(build_profile, view.store, progress=self._progress))
            cached = view.memo["facts"] = [
                FactOut(f.key, f.domain, f.kind, f.label, f.score, tuple(f.platforms), tuple(f.citations))
                for f in profile.facts
            ]
        return list(cached)


class AgentAsk:
    """``selfdex.agent.ask`` over the view, extractive (no model): answers only from granted records."""

    name = "agent-extractive"

    def __call__(self, view: View, question: str, *, limit: int) -> Answer:
        answer = on_model_thread(functools.partial(ask, view.store, question, max_items=limit))
        return Answer(text=answer.answer, cited=tuple(c.id for c in answer.citations))


def default_providers(progress: StepProgress | None = None) -> Providers:
    """``progress(step, done, total)`` hears their slow steps (the first embedding, a profile)."""
    return Providers(rerank=EmbeddedRerank(progress=progress), facts=ProfileFacts(progress), ask=AgentAsk())
