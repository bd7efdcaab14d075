"""Rankers: re-order a platform's candidates with the person's own history."""

from .base import Candidate, HistoryItem, Ranked, Ranker, platform_positions
from .embedded import DEFAULT_WEIGHTS, FEATURES, EmbeddedRanker, TextVectors

__all__ = [
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "Candidate",
    "EmbeddedRanker",
    "HistoryItem",
    "Ranked",
    "Ranker",
    "TextVectors",
    "platform_positions",
]
