"""Rankers: re-order a platform's candidates with the person's own history."""

from .base import Candidate, HistoryItem, Ranked, Ranker, platform_positions
from .build import ShippedRanker, default_vectors, doc_freq, for_history, shipped_ranker, trust_weights
from .embedded import DEFAULT_WEIGHTS, FEATURES, EmbeddedRanker, TextVectors
from .history import MAX_HISTORY, history_from_store

__all__ = [
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "MAX_HISTORY",
    "Candidate",
    "EmbeddedRanker",
    "HistoryItem",
    "Ranked",
    "Ranker",
    "ShippedRanker",
    "TextVectors",
    "default_vectors",
    "doc_freq",
    "for_history",
    "history_from_store",
    "platform_positions",
    "shipped_ranker",
    "trust_weights",
]
