"""Tastes, per domain: the creators, works and genres the person returns to, by recency-weighted affinity."""

from __future__ import annotations

from collections import Counter, defaultdict

from .evidence import Fact, _ent_name, _Evidence, _Graph, _Row, _type_domain
from .habits import _disliked_entities
from .names import fold

__all__ = ["_tastes"]


def _tastes(rows: list[_Row], graph: _Graph) -> list[Fact]:
    creators: dict[int, _Evidence] = defaultdict(_Evidence)
    creator_domains: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    items: dict[int, _Evidence] = defaultdict(_Evidence)
    item_domains: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    genres: dict[tuple[str, str], _Evidence] = defaultdict(_Evidence)
    genre_names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    disliked = _disliked_entities(rows, graph)
    for r in rows:
        if not r.domain or r.weight <= 0:
            continue
        for ent, role in graph.roles.get(r.id, ()):
            if ent in disliked:
                continue
            e = graph.ents[ent]
            if e.type == "creator" and role in ("creator", "item"):
                creators[ent].add(r)
                creator_domains[ent][r.domain] += r.weight
            elif role == "item":
                items[ent].add(r)
                item_domains[ent][r.domain] += r.weight
        if r.kind in (
            "movie",
            "episode",
            "book",
            "audiobook",
            "track",
            "album",
            "video",
            "product",
            "workout",
        ):
            for c in r.categories:
                key = fold(c)
                if key and not key.isdigit() and len(key) > 2:
                    genres[(r.domain, key)].add(r)
                    genre_names[(r.domain, key)][c] += 1

    facts: list[Fact] = []
    per_domain: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for ent, ev in creators.items():
        seen = creator_domains[ent]
        per_domain[max(sorted(seen), key=lambda d: seen[d])].append((ev.weight, ent))
    for domain, ranked in per_domain.items():
        ranked.sort(key=lambda x: (-x[0], graph.ents[x[1]].key))  # ties by key: ids are not stable
        top = ranked[0][0] or 1.0
        for weight, ent in [x for x in ranked if x[0] > 0][:10]:
            e = graph.ents[ent]
            facts.append(
                Fact(
                    key=e.key,
                    domain=domain,
                    kind="taste",
                    label=f"{e.name} (creator)",
                    score=weight / top,
                    platforms=[],
                    citations=creators[ent].citations(),
                    detail={"entity": e.key, "affinity": round(weight, 3)},
                )
            )
    grouped: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for ent, ev in items.items():
        # one fact per entity, in the domain where it weighs most (a book bought and read: books)
        grouped[_type_domain(graph.ents[ent].type, item_domains[ent])].append((ev.weight, ent))
    for domain, ranked in grouped.items():
        ranked.sort(key=lambda x: (-x[0], graph.ents[x[1]].key))  # ties by key: ids are not stable
        top = ranked[0][0] or 1.0
        for weight, ent in ranked[:10]:
            e = graph.ents[ent]
            facts.append(
                Fact(
                    key=f"entity:{e.key}",
                    domain=domain,
                    kind="taste",
                    label=_ent_name(e),
                    score=weight / top,
                    platforms=[],
                    citations=items[ent].citations(),
                    detail={"entity": e.key, "affinity": round(weight, 3)},
                )
            )
    by_domain: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (domain, key), ev in genres.items():
        by_domain[domain].append((ev.weight, key))
    for domain, genre_ranked in by_domain.items():
        genre_ranked.sort(key=lambda x: (-x[0], x[1]))
        top = genre_ranked[0][0] or 1.0
        for weight, key in genre_ranked[:6]:
            facts.append(
                Fact(
                    key=f"genre:{domain}:{key}",
                    domain=domain,
                    kind="taste",
                    label=f"{genre_names[(domain, key)].most_common(1)[0][0]} (genre)",
                    score=weight / top,
                    platforms=[],
                    citations=genres[(domain, key)].citations(),
                    detail={"affinity": round(weight, 3)},
                )
            )
    return facts
