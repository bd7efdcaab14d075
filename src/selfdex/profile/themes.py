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


def _themes(rows: list[_Row], graph: _Graph) -> list[Fact]:
    by_entity: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        for ent, _role in graph.roles.get(r.id, ()):
            by_entity[ent].append(r)
    comp = _components(graph)
    members: dict[int, list[int]] = defaultdict(list)
    for ent, root in comp.items():
        members[root].append(ent)
    indegree: Counter[int] = Counter(b for _, b, rel in graph.links if rel in _THEME_RELATIONS)

    # (label, key, evidence, priority, platforms of its own records). A group of overlapping candidates
    # is named after its best candidate: a franchise (book, film, series) before a creator, a creator
    # before an album, a topic last; a merged candidate adds its name only if it stands on two platforms.
    candidates: list[tuple[str, str, _Evidence, int, int]] = []
    rows_by_id = {r.id: r for r in rows}

    # A record's evidence weight does not depend on the entity it is reached through, so each entity's
    # evidence is computed once and groups of entities merge those dicts (first-seen order kept).
    own_evidence: dict[int, dict[str, float]] = {}
    own_platforms: dict[int, frozenset[str]] = {}
    for ent, ent_rows in by_entity.items():
        weights: dict[str, float] = {}
        for r in ent_rows:
            if r.id not in weights and (r.weight > 0 or r.action in ("searched", "visited", "interested")):
                weights[r.id] = max(r.weight, 0.1)
        own_evidence[ent] = weights
        own_platforms[ent] = frozenset(rows_by_id[rid].platform for rid in weights)

    def evidence(ents: Iterable[int]) -> _Evidence:
        ev = _Evidence()
        platforms: set[str] = set()
        for ent in ents:
            if ent in own_evidence:
                ev.records.update((k, v) for k, v in own_evidence[ent].items() if k not in ev.records)
                platforms |= own_platforms[ent]
        ev.weight = sum(ev.records.values())
        ev.platforms = frozenset(platforms)
        return ev

    for ents in members.values():
        works = [
            e for e in ents if graph.ents[e].type in ("book", "film", "series", "podcast", "album", "track")
        ]
        if not works:
            continue
        root = min(
            works,
            key=lambda e: (-indegree[e], graph.ents[e].type != "book", -len(by_entity[e]), graph.ents[e].key),
        )
        e = graph.ents[root]
        ev = evidence(ents)
        priority = 0 if e.type in ("book", "film", "series", "podcast") else 2
        key = "theme:" + e.key.split(":", 1)[1].split("|")[0]
        candidates.append((e.name, key, ev, priority, len(_platforms(ev, rows_by_id))))
    works_by: dict[int, set[int]] = defaultdict(set)
    for a, b, rel in graph.links:
        if rel == "by" and graph.ents[b].type == "creator" and a in comp:
            works_by[b].add(comp[a])
        elif rel == "co_mentioned":
            for x, y in ((a, b), (b, a)):
                if graph.ents[x].type == "creator" and y in comp:
                    works_by[x].add(comp[y])
    for ent, e in graph.ents.items():
        if e.type != "creator":
            continue
        united = {ent} | {m for root in works_by[ent] for m in members[root]}
        own = len(_platforms(evidence([ent]), rows_by_id))
        candidates.append((e.name, "theme:" + e.key.split(":", 1)[1], evidence(united), 1, own))
    for label, key, ev in _topic_candidates(rows):
        candidates.append((label, key, ev, 3, len(_platforms(ev, rows_by_id))))

    candidates = [c for c in candidates if len(_platforms(c[2], rows_by_id)) >= 2 and c[2].weight > 0]
    # A total order (entity ids, which differ between an incremental and a full build, never decide).
    candidates.sort(key=lambda c: (-len(c[2].records), c[3], c[1], c[0], -c[2].weight, min(c[2].records)))
    groups: list[tuple[list[tuple[str, str, _Evidence, int, int]], _Evidence]] = []
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
    accepted: list[tuple[list[str], str, _Evidence]] = []
    for group, acc in groups:
        # A creator who unites several works (Ishiguro: three books and their films) names the group.
        franchises = sum(1 for c in group if c[3] == 0)
        group.sort(key=lambda c: (-1 if c[3] == 1 and franchises >= 2 else c[3], -c[2].weight, c[1]))
        labels: list[str] = []
        for label, _key, _ev, _priority, own in group:
            if (own >= 2 or not labels) and fold(label) not in {fold(x) for x in labels}:
                labels.append(label)
        accepted.append((labels, group[0][1], acc))
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
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)  # term → platforms that name it
    names: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    structured: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        if r.kind == "health_metric":  # metric names ("StepCount"), not interests
            continue
        sources = list(r.categories)
        if (r.kind in _TOPIC_KINDS or r.kind in _ACTIVITY_KINDS) and r.title:
            sources.append(r.title)
        sources += _HASHTAG.findall(r.text or "")
        for phrase in sources:
            terms = _term(phrase)
            if not terms:
                continue
            structured[terms].add(i)
            phrases[terms].add(r.platform)
            names[terms][phrase.lstrip("#")] += 1
    text_stems: list[list[str]] = []
    postings: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(rows):
        title = None if _is_work(r) or r.kind in _TOPIC_KINDS else r.title
        said = _stems(" ".join(x for x in (title, (r.text or "")[:300]) if x))
        text_stems.append(said)
        for st in said:
            postings[st].add(i)
    out = []
    for term in sorted(t for t, platforms in phrases.items() if len(platforms) >= 2):
        matched = set(structured[term])
        if len(term) > 1:
            n = len(term)
            joined = "".join(term)  # "#trailrunning"
            matched |= postings.get(joined, set())
            for i in set.intersection(*(postings.get(st, set()) for st in term)):
                said = text_stems[i]
                if any(tuple(said[k : k + n]) == term for k in range(len(said) - n + 1)):
                    matched.add(i)
        ev = _Evidence()
        for i in sorted(matched):
            r = rows[i]
            if r.weight > 0 or r.action in ("interested", "searched", "visited"):
                ev.add(r, max(r.weight, 0.1))
        label = max(names[term], key=lambda n: (names[term][n], n))
        out.append((label, "theme:" + " ".join(term), ev))
    return out


def _term(phrase: str) -> tuple[str, ...]:
    terms = tuple(s for s in _stems(phrase) if s not in _GENERIC and len(s) >= 3)
    return terms if len(terms) <= 3 else ()


def _is_work(r: _Row) -> bool:
    if r.kind in _WORK_KINDS:
        return True
    if r.kind == "video" and r.platform in ("netflix", "prime_video", "disney_plus", "letterboxd"):
        return True
    return r.kind == "note" and r.extra.get("about") in ("book", "movie", "film", "series")
