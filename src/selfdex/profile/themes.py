"""Cross-platform themes: one interest seen on several platforms, citing only records that are about it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from .evidence import Fact, _Evidence, _Graph, _Row
from .names import FUNCTION_WORDS, fold, stem

# -- themes ---------------------------------------------------------------------------------------

_THEME_RELATIONS = {"adaptation_of", "soundtrack_of", "part_of", "franchise", "co_mentioned"}
_GENERIC = frozenset(
    [
        "interest",
        "interests",
        "custom",
        "streamers",
        "streamer",
        "listeners",
        "listener",
        "users",
        "user",
        "intenders",
        "device",
        "devices",
        "podcast",
        "podcasts",
        "playlist",
        "playlists",
        "music",
        "film",
        "films",
        "movie",
        "movies",
        "book",
        "books",
        "video",
        "videos",
        "culture",
        "show",
        "shows",
        "topic",
        "topics",
        "general",
        "reading",
        "read",
        "saved",
        "favorites",
        "favourite",
        "favorite",
        "list",
        "lists",
        "watch",
        "later",
        "liked",
        "like",
        "search",
        "sent",
        "inbox",
        "opened",
        "important",
        "unread",
        "category",
        "updates",
        "purchases",
        "personal",
        "references",
        "notes",
        "clippings",
        "posts",
        "post",
        "daily",
        "other",
        "nonfiction",
        "non",
        "new",
        "classics",
        "classic",
        "owned",
        "tags",
        "categories",
        "places",
        "place",
        "home",
        "advertiser",
        "restricted",
        "specific",
        "page",
        "facebook",
        "twitter",
        "instagram",
        "spotify",
        "youtube",
        "netflix",
        "amazon",
        "google",
        "apple",
        "recipes",
        "meetings",
        "saw",
        "story",
        "stories",
        "walking",
        "flying",
        "driving",
        "train",
        "bus",
        "vehicle",
        "passenger",
        "subway",
        "tram",
        "ferry",
        "cycling",
        "in_vehicle",
        "score",
        "listener",
    ]
)
_STOP = FUNCTION_WORDS
_TOPIC_KINDS = {"topic", "list"}
# Whose title is a type of activity ("Running", "walking"), not free text.
_ACTIVITY_KINDS = {"workout", "trip"}
_HASHTAG = re.compile(r"#(\w{3,})")
_WORK_KINDS = {"movie", "episode", "series", "book", "audiobook", "track", "album"}


def _components(graph: _Graph) -> dict[int, int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, rel in graph.links:
        if rel in _THEME_RELATIONS and "creator" not in (graph.ents[a].type, graph.ents[b].type):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {e: find(e) for e in graph.ents if graph.ents[e].type != "creator"}


_Candidate = tuple[str, str, _Evidence, int, int]  # label, key, evidence, priority, platforms of its own


class _Own:
    """Each entity's own evidence, computed once: a record's evidence weight does not depend on the
    entity it is reached through, so groups of entities merge these dicts (first-seen order kept)."""

    def __init__(self, rows: list[_Row], graph: _Graph) -> None:
        by_entity: dict[int, list[_Row]] = defaultdict(list)
        for r in rows:
            for ent, _role in graph.roles.get(r.id, ()):
                by_entity[ent].append(r)
        self.rows = {ent: len(ent_rows) for ent, ent_rows in by_entity.items()}
        self.evidence: dict[int, dict[str, float]] = {}
        self.platforms: dict[int, frozenset[str]] = {}
        for ent, ent_rows in by_entity.items():
            weights: dict[str, float] = {}
            platforms = set()
            for r in ent_rows:
                if r.id not in weights and (
                    r.weight > 0 or r.action in ("searched", "visited", "interested")
                ):
                    weights[r.id] = max(r.weight, 0.1)
                    platforms.add(r.platform)
            self.evidence[ent] = weights
            self.platforms[ent] = frozenset(platforms)

    def of(self, ents: Iterable[int]) -> _Evidence:
        ev = _Evidence()
        platforms: set[str] = set()
        for ent in ents:
            if ent in self.evidence:
                ev.records.update((k, v) for k, v in self.evidence[ent].items() if k not in ev.records)
                platforms |= self.platforms[ent]
        ev.weight = sum(ev.records.values())
        ev.platforms = frozenset(platforms)
        return ev


def _themes(rows: list[_Row], graph: _Graph, rows_by_id: dict[str, _Row]) -> list[Fact]:
    """Candidates (franchises, creators, topics) on two platforms or more, grouped where their records
    overlap, each group named after its best candidate; a group seen on three platforms is a theme."""
    comp = _components(graph)
    members: dict[int, list[int]] = defaultdict(list)
    for ent, root in comp.items():
        members[root].append(ent)
    own = _Own(rows, graph)
    candidates = _work_candidates(graph, members, own, rows_by_id)
    candidates += _creator_candidates(graph, comp, members, own, rows_by_id)
    for label, key, ev in _topic_candidates(rows):
        candidates.append((label, key, ev, 3, len(_platforms(ev, rows_by_id))))
    candidates = [c for c in candidates if len(_platforms(c[2], rows_by_id)) >= 2 and c[2].weight > 0]
    # A total order (entity ids, which differ between an incremental and a full build, never decide).
    candidates.sort(key=lambda c: (-len(c[2].records), c[3], c[1], c[0], -c[2].weight, min(c[2].records)))
    return _theme_facts(_named(_grouped(candidates)), rows_by_id)


def _work_candidates(
    graph: _Graph, members: dict[int, list[int]], own: _Own, rows_by_id: dict[str, _Row]
) -> list[_Candidate]:
    """One candidate per linked group of works, named after its most linked-to work (a book first)."""
    indegree: Counter[int] = Counter(b for _, b, rel in graph.links if rel in _THEME_RELATIONS)
    out: list[_Candidate] = []
    for ents in members.values():
        works = [
            e for e in ents if graph.ents[e].type in ("book", "film", "series", "podcast", "album", "track")
        ]
        if not works:
            continue
        root = min(
            works,
            key=lambda e: (
                -indegree[e],
                graph.ents[e].type != "book",
                -own.rows.get(e, 0),
                graph.ents[e].key,
            ),
        )
        e = graph.ents[root]
        ev = own.of(ents)
        priority = 0 if e.type in ("book", "film", "series", "podcast") else 2
        key = "theme:" + e.key.split(":", 1)[1].split("|")[0]
        out.append((e.name, key, ev, priority, len(_platforms(ev, rows_by_id))))
    return out


def _creator_candidates(
    graph: _Graph,
    comp: dict[int, int],
    members: dict[int, list[int]],
    own: _Own,
    rows_by_id: dict[str, _Row],
) -> list[_Candidate]:
    """A creator with the works they made or are mentioned with."""
    works_by: dict[int, set[int]] = defaultdict(set)
    for a, b, rel in graph.links:
        if rel == "by" and graph.ents[b].type == "creator" and a in comp:
            works_by[b].add(comp[a])
        elif rel == "co_mentioned":
            for x, y in ((a, b), (b, a)):
                if graph.ents[x].type == "creator" and y in comp:
                    works_by[x].add(comp[y])
    out: list[_Candidate] = []
    for ent, e in graph.ents.items():
        if e.type != "creator":
            continue
        united = {ent} | {m for root in works_by[ent] for m in members[root]}
        alone = len(_platforms(own.of([ent]), rows_by_id))
        out.append((e.name, "theme:" + e.key.split(":", 1)[1], own.of(united), 1, alone))
    return out


def _grouped(candidates: list[_Candidate]) -> list[tuple[list[_Candidate], _Evidence]]:
    """Candidates whose records overlap by 70 % join the first such group, which takes their records."""
    groups: list[tuple[list[_Candidate], _Evidence]] = []
    for cand in candidates:
        ev = cand[2]
        for group, acc in groups:
            if len(ev.records.keys() & acc.records.keys()) >= 0.7 * min(len(ev.records), len(acc.records)):
                group.append(cand)
                for rid, w in ev.records.items():
                    if rid not in acc.records:
                        acc.records[rid] = w
                        acc.weight += w
                break
        else:
            acc = _Evidence()
            acc.records, acc.weight = dict(ev.records), ev.weight
            groups.append(([cand], acc))
    return groups


def _named(groups: list[tuple[list[_Candidate], _Evidence]]) -> list[tuple[list[str], str, _Evidence]]:
    """Each group's labels, best first: a franchise before a creator, a creator before an album, a topic
    last; a merged candidate adds its name only if it stands on two platforms of its own."""
    accepted: list[tuple[list[str], str, _Evidence]] = []
    for group, acc in groups:
        # A creator who unites several works (Ishiguro: three books and their films) names the group.
        franchises = sum(1 for c in group if c[3] == 0)
        group.sort(key=lambda c: (-1 if c[3] == 1 and franchises >= 2 else c[3], -c[2].weight, c[1]))
        labels: list[str] = []
        for label, _key, _ev, _priority, alone in group:
            if (alone >= 2 or not labels) and fold(label) not in {fold(x) for x in labels}:
                labels.append(label)
        accepted.append((labels, group[0][1], acc))
    return accepted


def _theme_facts(accepted: list[tuple[list[str], str, _Evidence]], rows_by_id: dict[str, _Row]) -> list[Fact]:
    facts = []
    seen: set[str] = set()
    for labels, key, ev in accepted:
        if key in seen:  # a weaker group under the same name (a topic "radiohead" beside the band)
            continue
        seen.add(key)
        platforms = _platforms(ev, rows_by_id)
        if len(platforms) < 3:
            continue
        facts.append(
            Fact(
                key=key,
                domain="general",
                kind="theme",
                label=" / ".join(labels[:3]),
                score=len(platforms) + ev.weight / (ev.weight + 50.0),
                platforms=[],
                citations=ev.citations(),
                detail={"also": labels[3:], "affinity": round(ev.weight, 3)},
            )
        )
    return facts


def _platforms(ev: _Evidence, rows_by_id: dict[str, _Row]) -> frozenset[str]:
    if ev.platforms is None:
        ev.platforms = frozenset(rows_by_id[rid].platform for rid in ev.records)
    return ev.platforms


def _stems(text: str) -> list[str]:
    out = []
    for t in fold(text, camel=True).split():
        if t in _STOP or any(ch.isdigit() for ch in t):
            continue
        out.append(stem(t))
    return out


def _topic_candidates(rows: list[_Row]) -> list[tuple[str, str, _Evidence]]:
    """Interests the platforms inferred and tags the person chose, checked against everything else.

    A topic is a whole phrase ("trail running", "science fiction"), never one word of it: "wonder" from
    "Wonder Woman" would find Stevie Wonder. A record supports it when it names the phrase in a structured
    field (a category, a platform's topic, an activity type, a hashtag), or, for a phrase of two or more
    words, when its own descriptive text holds the phrase. One word in free text is too ambiguous
    ("Running Your First JavaScript" is not about running), and a work's title is a name, not a description
    ("Blade Runner" says nothing about running)."""
    platforms, names, structured = _structured_terms(rows)
    terms = sorted(t for t, seen in platforms.items() if len(seen) >= 2)
    matched = _said(rows, [t for t in terms if len(t) > 1])
    out = []
    for term in terms:
        ev = _Evidence()
        for i in sorted(structured[term] | matched.get(term, set())):
            r = rows[i]
            if r.weight > 0 or r.action in ("interested", "searched", "visited"):
                ev.add(r, max(r.weight, 0.1))
        label = max(names[term], key=lambda n: (names[term][n], n))
        out.append((label, "theme:" + " ".join(term), ev))
    return out


def _structured_terms(
    rows: list[_Row],
) -> tuple[
    dict[tuple[str, ...], set[str]], dict[tuple[str, ...], Counter[str]], dict[tuple[str, ...], set[int]]
]:
    """Per phrase named in a structured field: the platforms that name it, its spellings, its rows."""
    platforms: dict[tuple[str, ...], set[str]] = defaultdict(set)
    names: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    structured: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        for terms, phrase in r.terms:
            structured[terms].add(i)
            platforms[terms].add(r.platform)
            names[terms][phrase] += 1
    return platforms, names, structured


def _said(rows: list[_Row], terms: list[tuple[str, ...]]) -> dict[tuple[str, ...], set[int]]:
    """The rows whose descriptive text holds each phrase of several words (or it joined: "#trailrunning")."""
    wanted = {st for term in terms for st in (*term, "".join(term))}
    postings: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        for st in r.said:
            if st in wanted:
                postings[st].add(i)
    out: dict[tuple[str, ...], set[int]] = {}
    for term in terms:
        n = len(term)
        matched = set(postings.get("".join(term), ()))
        for i in set.intersection(*(postings.get(st, set()) for st in term)):
            said = rows[i].said
            if any(tuple(said[k : k + n]) == term for k in range(len(said) - n + 1)):
                matched.add(i)
        out[term] = matched
    return out


def _term(phrase: str) -> tuple[str, ...]:
    terms = tuple(s for s in _stems(phrase) if s not in _GENERIC and len(s) >= 3)
    return terms if len(terms) <= 3 else ()


def _is_work_kind(kind: str, platform: str, about: object) -> bool:
    """Whether a record is about a work, whose title is a name, not a description."""
    if kind in _WORK_KINDS:
        return True
    if kind == "video" and platform in ("netflix", "prime_video", "disney_plus", "letterboxd"):
        return True
    return kind == "note" and about in ("book", "movie", "film", "series")
