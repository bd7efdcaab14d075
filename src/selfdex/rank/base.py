"""The ranker contract shared by ``selfdex recommend`` and ``selfdex eval``.

A ranker re-orders a platform's candidate list using the person's own history. It sees only
what a real person's agent has: the candidates, the platform's order, and the person's records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Candidate", "HistoryItem", "Ranked", "Ranker", "platform_positions"]


@dataclass(frozen=True)
class HistoryItem:
    """One thing the person did, reduced to what ranking needs.

    ``order`` is chronological (any increasing number: a timestamp or a sequence index); larger
    means more recent. ``platform`` is where it happened, so a ranker can tell the candidate's own
    platform from the person's other platforms. ``count`` is how many records it stands for; the
    default ranker's scores do not use it (reasons and history selection do).
    """

    id: str
    title: str
    platform: str = ""
    creators: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    order: float = 0.0
    count: int = 1  # records behind this item (60 episodes of one series are one item of count 60)


@dataclass(frozen=True)
class Candidate:
    """An item the platform proposes. ``position`` is its place in the platform's list (0 = top);
    ``popularity`` what the platform discloses of how popular it is (a review, sales or play count;
    higher = more popular), ``None`` where it says nothing."""

    id: str
    title: str
    platform: str = ""
    creators: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    position: int | None = None
    popularity: float | None = None


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reason: str
    cited: tuple[str, ...] = ()


@runtime_checkable
class Ranker(Protocol):
    """``rank`` returns every candidate exactly once, best first."""

    name: str

    def rank(
        self,
        history: Sequence[HistoryItem],
        candidates: Sequence[Candidate],
        *,
        platform_order: Sequence[str] | None = None,
    ) -> list[Ranked]: ...


def platform_positions(
    candidates: Sequence[Candidate], platform_order: Sequence[str] | None
) -> list[int | None]:
    """Each candidate's place in the platform's list: from ``platform_order`` (ids, best first) when
    given, else from ``Candidate.position``; ``None`` where the platform said nothing."""
    if platform_order is not None:
        where = {cid: i for i, cid in enumerate(platform_order)}
        return [where.get(c.id) for c in candidates]
    return [c.position for c in candidates]
