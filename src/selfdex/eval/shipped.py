"""Condition (d): ``selfdex recommend`` as shipped, measured through the object it runs.

The agent conditions (a) and (b) tune their weights per dataset and history length on valid, and
the transfer conditions (s) and (p) pick their model by dataset; a person gets neither choice. (d)
ranks every test case with :func:`selfdex.rank.shipped_ranker` as ``selfdex recommend`` builds it
(shipped weights, IDF from the person's own history, the shipped transfer model where its rule says
so), the platform's popularity of each candidate disclosed as Amazon discloses it (the Pop
baseline's training counts). "(d) without popularity" is the same ranker given a list with no
popularity, so (d)(b) − that is what switching to the transfer model adds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..rank.build import DEFAULT_TRANSFER, TRANSFER_MAX_WITHIN, shipped_ranker
from ..rank.embedded import TextVectors
from .baselines import Pop
from .datasets import CrossDomainData
from .protocols import cand_items
from .transfer import _items, _truncate

if TYPE_CHECKING:
    from .protocols import _Prepared

__all__ = ["SHIPPED", "SHIPPED_NOTE", "shipped_conditions"]

# method -> short label
SHIPPED: dict[str, str] = {
    "(d) selfdex recommend as shipped, (a) input": "(d)(a)",
    "(d) selfdex recommend as shipped, (b) input": "(d)(b)",
    "(d) as shipped, the list without popularity (the embedded ranker), (b) input": "(d)(b) no pop.",
}
_BY_SHORT = {v: k for k, v in SHIPPED.items()}

SHIPPED_NOTE = (
    "What `selfdex recommend` runs, through the object it runs (`rank.shipped_ranker`): the embedded "
    "ranker at its shipped weights with IDF from the person's history — no weights tuned on this dataset "
    f"— or, where the list gives each candidate's popularity and at most {TRANSFER_MAX_WITHIN} history "
    f"items are on its platform, the transfer model trained on {DEFAULT_TRANSFER}'s training users (on "
    "that dataset this is (p)'s model, on the other (s)'s). Popularity as Amazon discloses it: the "
    "platform's training counts. *No pop.*: the same list without popularity, so the embedded ranker "
    "ranks it; (d)(b) − (d)(b) no pop. is what the switch to the transfer model adds."
)


def shipped_conditions(
    data: CrossDomainData,
    vectors: TextVectors,
    test: Sequence[_Prepared],
    orders: Sequence[np.ndarray],
    k: int | None,
    pops: Mapping[str, Pop],
) -> dict[str, np.ndarray]:
    """The target's rank in each test case under each (d) condition; ``orders`` = the platform's
    order of each case's candidates (the list the agent re-ranks)."""
    ranks: dict[str, list[int]] = {name: [] for name in SHIPPED}
    for p, order in zip(test, orders, strict=True):
        platform_order = [str(p.cands[j]) for j in order]
        bare = cand_items(data, p.cands)
        counts = pops[p.domain].popularity(p.cands)
        disclosed = [replace(c, popularity=float(n)) for c, n in zip(bare, counts, strict=True)]
        target = str(p.case.target)
        within = set(_truncate(p.within, k))
        # (b)'s history and ranker serve its list with and without popularity.
        runs = ((False, (("(d)(a)", disclosed),)), (True, (("(d)(b)", disclosed), ("(d)(b) no pop.", bare))))
        for use_cross, lists in runs:
            history = _items(data, p.case.history, within | set(p.cross) if use_cross else within)
            ranker = shipped_ranker(history, vectors=vectors)
            for short, cands in lists:
                ranked = ranker.rank(history, cands, platform_order=platform_order)
                rank = next(i for i, r in enumerate(ranked) if r.candidate.id == target) + 1
                ranks[_BY_SHORT[short]].append(rank)
    return {name: np.array(v, dtype=np.int64) for name, v in ranks.items()}
