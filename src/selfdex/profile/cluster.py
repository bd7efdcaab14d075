"""Clustering mentions into entities: external ids, normalised names with discriminators, near spellings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from .mentions import Mention
from .names import creator_parts


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# -- clustering -----------------------------------------------------------------------------------


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _creators_agree(a: Mention, b: Mention) -> bool:
    if not a.creators or not b.creators:
        return True
    if set(a.creators) & set(b.creators):
        return True
    parts_a = {p for c in a.creator_names for p in creator_parts(c)}
    parts_b = {p for c in b.creator_names for p in creator_parts(c)}
    return bool(parts_a & parts_b)


def _anchored(m: Mention) -> bool:
    """Whether a mention carries the attribute that tells same-named works apart."""
    if m.cls == "film":
        return m.year is not None
    if m.cls in ("book", "track", "album"):
        return bool(m.creators)
    return True


def _compatible(a: Mention, b: Mention) -> bool:
    if a.cls == "film":
        return a.year is None or b.year is None or abs(a.year - b.year) <= 1
    if a.cls == "track" and (not a.creators or not b.creators):
        return not a.album or not b.album or a.album == b.album
    return _creators_agree(a, b)


def _cluster(mentions: list[Mention], embed: Callable[[list[str]], np.ndarray] | None) -> _UnionFind:
    # The order matters: later rules ask which entity a mention already belongs to.
    uf = _UnionFind(len(mentions))
    _join_shared_ids(mentions, uf)
    _join_same_names(mentions, uf)
    _join_subtitled_books(mentions, uf)
    _fuzzy(mentions, uf, embed)
    return uf


def _join_shared_ids(mentions: list[Mention], uf: _UnionFind) -> None:
    """Mentions of one class sharing an external id (an ISBN, a platform's id) are one thing, whatever
    their names say."""
    by_id: dict[tuple[str, str, str], int] = {}
    for i, m in enumerate(mentions):
        for scheme, value in m.ids:
            j = by_id.setdefault((m.cls, scheme, value), i)
            uf.union(i, j)


def _join_same_names(mentions: list[Mention], uf: _UnionFind) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.key:
            groups[(m.cls, m.key)].append(i)
    for members in groups.values():
        _join_name_group(mentions, uf, members)


def _join_name_group(mentions: list[Mention], uf: _UnionFind, members: list[int]) -> None:
    """One normalised name in one class: anchored mentions (a year, creators) join where the anchors agree;
    a loose one joins the one anchored entity it fits (fitting several, it is ambiguous and stays apart), or,
    where nothing is anchored, the other loose ones."""
    anchors = [i for i in members if _anchored(mentions[i])]
    loose = [i for i in members if not _anchored(mentions[i])]
    for x, i in enumerate(anchors):
        for j in anchors[x + 1 :]:
            if _compatible(mentions[i], mentions[j]):
                uf.union(i, j)
    for i in loose:
        fits = {uf.find(j) for j in anchors if _compatible(mentions[i], mentions[j])}
        if len(fits) == 1:
            uf.union(i, fits.pop())
        elif not fits and not anchors:
            uf.union(i, loose[0])


def _join_subtitled_books(mentions: list[Mention], uf: _UnionFind) -> None:
    """Books: "Exhalation: Stories" is "Exhalation" when the creators agree (or one side names none and
    the other's whole title is this one's main title, with one candidate only)."""
    for members in _books_by_main_title(mentions).values():
        for i in members:
            a = mentions[i]
            if a.main == a.key:
                continue
            cands = {
                uf.find(j)
                for j in members
                if j != i and mentions[j].key == a.main and _creators_agree(a, mentions[j])
            }
            if len(cands) == 1 and (a.creators or len(members) == 2):
                uf.union(i, cands.pop())


def _books_by_main_title(mentions: list[Mention]) -> dict[str, list[int]]:
    """Book mentions under their main title and, for a subtitled one, under its whole title as well."""
    by_main: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.cls != "book":
            continue
        by_main[m.main].append(i)
        if m.main != m.key:
            by_main[m.key].append(i)
    return by_main


def _fuzzy(mentions: list[Mention], uf: _UnionFind, embed: Callable[[list[str]], np.ndarray] | None) -> None:
    """Near-identical spellings left apart by the exact rules ("Go-Go's"/"Go‐Go’s" already fold alike)."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.cls in ("book", "film", "series", "podcast", "creator") and len(m.key) >= 6:
            blocks[(m.cls, m.key.split()[0])].append(i)
    pairs: list[tuple[int, int]] = []
    for members in blocks.values():
        if len(members) > 200:  # a hub token ("the"): too unspecific to compare everything
            continue
        grams = {i: _trigrams(mentions[i].key) for i in members}
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                a, b = mentions[i], mentions[j]
                if uf.find(i) == uf.find(j) or a.key == b.key or not _compatible(a, b):
                    continue
                if a.cls != "creator" and not (a.creators and b.creators) and a.cls not in ("film", "series"):
                    continue
                if a.cls == "film" and (a.year is None or b.year is None):
                    continue
                if _jaccard(grams[i], grams[j]) >= 0.8:
                    pairs.append((i, j))
    if embed is not None and pairs:
        texts = sorted({mentions[k].key for pair in pairs for k in pair})
        vectors = dict(zip(texts, embed(texts), strict=True))
        pairs = [
            (i, j) for i, j in pairs if float(vectors[mentions[i].key] @ vectors[mentions[j].key]) >= 0.9
        ]
    for i, j in pairs:
        uf.union(i, j)
