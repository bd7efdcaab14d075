"""The fact families, in the order the profile lists them: each infers one kind of fact from the
records' parsed rows and the entity graph. A new family is one module and one line here; nothing
else in the profile changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .evidence import Fact, _Graph, _Row
from .habits import _dislikes, _routines
from .tastes import _tastes
from .themes import _themes

__all__ = ["FAMILIES", "FactFamily", "FactInputs"]


@dataclass(frozen=True, slots=True)
class FactInputs:
    rows: list[_Row]  # every visible record's parsed row, weighed
    graph: _Graph  # the linked entities and which records mention them
    by_id: dict[str, _Row]  # the same rows by record id


FactFamily = Callable[[FactInputs], list[Fact]]

FAMILIES: dict[str, FactFamily] = {
    "theme": lambda i: _themes(i.rows, i.graph, i.by_id),
    "taste": lambda i: _tastes(i.rows, i.graph),
    "routine": lambda i: _routines(i.rows),
    "dislike": lambda i: _dislikes(i.rows, i.graph, i.by_id),
}
