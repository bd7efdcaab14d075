"""Reading a counting, ranking, listing or first/last question into the :class:`Intent` that
:func:`selfdex.agent.aggregate.aggregate` computes: the operation, what is counted (works, creators,
series), the verb, the platforms, the topic words and the k of a top-k.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..store import Store
from ..store.queries import platforms_present
from .context import _STOP, Clause, Plan

__all__ = ["Intent", "Noun", "read_intent"]

UNTITLED = frozenset({"workout", "trip"})  # titles are what each app calls the session, not a work


@dataclass(frozen=True)
class Noun:
    kinds: tuple[str, ...]
    actions: tuple[str, ...]
    group: str  # item | creator | series
    label: str


_TRACKS = Noun(("track",), ("listened",), "item", "tracks")
_ARTISTS = Noun(("track",), ("listened",), "creator", "artists")
_FILMS = Noun(("movie",), ("watched", "seen"), "item", "films")
_BOOKS = Noun(("book",), ("read", "finished"), "item", "books")
_AUTHORS = Noun(("book",), ("read", "finished"), "creator", "authors")
_SHOWS = Noun(("episode", "show"), ("watched",), "series", "shows")
_NOUNS: dict[str, Noun] = {
    **dict.fromkeys(("music", "song", "songs", "track", "tracks", "tune", "tunes"), _TRACKS),
    **dict.fromkeys(("artist", "artists", "band", "bands", "musician", "musicians", "composer"), _ARTISTS),
    **dict.fromkeys(("film", "films", "movie", "movies"), _FILMS),
    **dict.fromkeys(("book", "books", "novel", "novels"), _BOOKS),
    **dict.fromkeys(("author", "authors", "writer", "writers"), _AUTHORS),
    **dict.fromkeys(("show", "shows", "series", "tv"), _SHOWS),
    **dict.fromkeys(("episode", "episodes"), Noun(("episode",), ("watched",), "item", "episodes")),
    **dict.fromkeys(("podcast", "podcasts"), Noun(("podcast",), ("listened",), "creator", "podcasts")),
    **dict.fromkeys(("video", "videos"), Noun(("video",), ("watched",), "item", "videos")),
    **dict.fromkeys(("product", "products"), Noun(("product",), ("purchased",), "item", "products")),
    **dict.fromkeys(("place", "places"), Noun(("place",), ("visited",), "item", "places")),
    **dict.fromkeys(
        ("workout", "workouts", "runs", "rides", "hikes"),
        Noun(("workout",), ("exercised",), "item", "workouts"),
    ),
}
# Words that say what to do, not what to look for: never part of the title/creator words.
_INTENT_WORDS = frozenset(
    [
        "times",
        "time",
        "often",
        "number",
        "count",
        "total",
        "top",
        "favourite",
        "favorite",
        "favourites",
        "favorites",
        "first",
        "last",
        "latest",
        "earliest",
        "recent",
        "list",
        "name",
        "different",
        "distinct",
        "both",
        "also",
        "well",
        "either",
        "platform",
        "platforms",
        "across",
        "several",
        "one",
        "ones",
        "each",
        "every",
        "other",
        "most",
        "mostly",
        "played",
        "play",
        "plays",
        "playing",
        "have",
        "has",
        "had",
        "been",
        "i've",
        "ive",
        "get",
        "got",
        "by",
        "kind",
        "kinds",
        "sort",
        "which",
        "what",
        "when",
        "much",
        "long",
        "hours",
        "minutes",
        "overall",
        "something",
        "anything",
        "everything",
        "thing",
        "things",
        "stuff",
        "more",
    ]
)
_PLATFORM_ALIASES = {
    "apple music": "apple_music",
    "last.fm": "lastfm",
    "last fm": "lastfm",
    "google maps": "google_maps",
}
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_NOT_A_PERIOD = r"(?!\s+(?:year|month|week|night|weekend|spring|summer|autumn|fall|winter|\d))"
_FIRST_LAST = re.compile(
    r"\bwhen did i (first|last)\b|\b(first|last) time\b|\bwhen was the (first|last)\b"
    r"|\b(first|last|latest|earliest|most recent)\s+(?:\w+\s+)?(?:" + "|".join(_NOUNS) + r")\b"
    r"|\b(?:did i|have i)\s+\w+\s+(first|last)\b" + _NOT_A_PERIOD
)


@dataclass(frozen=True)
class Intent:
    op: str  # top | count | list | first | last | when
    unit: str  # items (distinct works) | times (events)
    group: str  # item | creator | series
    noun: str
    verb: str
    kinds: tuple[str, ...]
    actions: tuple[str, ...]
    platforms: tuple[str, ...] = ()
    every_platform: bool = False  # the item must be on each named platform ("on both X and Y")
    min_platforms: int = 1
    topic: tuple[str, ...] = ()
    k: int = 1
    answer_date: bool = False  # first/last: "when" (a date) rather than "what" (a work)

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


def _op(q: str) -> tuple[str, bool] | None:
    if re.search(r"\bhow (many|often)\b|\bnumber of\b", q):
        return "count", False
    if m := _FIRST_LAST.search(q):
        word = next(g for g in m.groups() if g)
        op = "first" if word in ("first", "earliest") else "last"
        return op, q.lstrip().startswith("when")
    if re.search(r"\b(most|top|favou?rites?|mostly)\b", q) and not re.search(r"\bmost recent", q):
        return "top", False
    if re.match(r"\s*when did i\b", q):
        return "when", True
    if re.match(r"\s*(which|what|list|name)\b", q):
        return "list", False
    return None


def _noun(words: list[str]) -> Noun | None:
    """What is counted: the first noun, except that "artists"/"authors" win over "music"/"books"
    ("which music artists…" groups by artist)."""
    found = [_NOUNS[w] for w in words if w in _NOUNS]
    if not found:
        return None
    by_creator = [
        n for n in found if n.group == "creator" and any(m.kinds == n.kinds for m in found if m is not n)
    ]
    return by_creator[0] if by_creator else found[0]


def _platforms(store: Store, q: str) -> tuple[tuple[str, ...], set[str]]:
    """Platforms the question names (in the order named) and the words that named them."""
    found: list[tuple[int, str]] = []
    words: set[str] = set()
    names = {p.replace("_", " "): p for p in platforms_present(store)} | _PLATFORM_ALIASES
    for name, platform in names.items():
        if m := re.search(rf"\b{re.escape(name)}\b", q):
            found.append((m.start(), platform))
            words.update(re.findall(r"[\w']+", name))
    ordered = tuple(dict.fromkeys(p for _, p in sorted(found)))
    return ordered, words


def _clause_verb(clause: Clause | None, words: list[str]) -> tuple[tuple[str, ...], str]:
    """(actions, verb) the question's clause names; "plays" alone means listening."""
    if clause is None and any(re.fullmatch(r"play(s|ed|ing)?", w) for w in words):
        return ("listened",), "listened to"
    if clause is not None:
        return clause.actions, clause.verb
    return (), ""


def _unit(op: str, q: str, noun: Noun) -> str:
    """What a count counts: "times" (events) or "items" (distinct works)."""
    if op == "count" and (
        re.search(r"\bhow often\b|\btimes\b|\bplays\b", q)
        or noun.label == "things"
        or (noun.kinds and set(noun.kinds) <= UNTITLED)  # "how many workouts": sessions, not names
    ):
        return "times"
    return "items"


def _top_k(q: str) -> int:
    if m := re.search(
        r"\btop\s+(\d+|" + "|".join(_NUMBERS) + r")\b|\b(\d+|" + "|".join(_NUMBERS) + r")\s+most\b", q
    ):
        val = m.group(1) or m.group(2)
        return int(val) if val.isdigit() else _NUMBERS[val]
    return 1


def read_intent(store: Store, plan: Plan) -> Intent | None:
    """The aggregate a question asks for, or None when it is not a counting/ranking/listing question
    (or asks about adaptations or the content of mail and notes, which retrieval answers better)."""
    q = plan.question.lower()
    read = _op(q)
    if read is None or plan.adaptations:
        return None
    op, answer_date = read
    words = [w.removesuffix("'s") for w in re.findall(r"[\w']+", re.sub(r"\bshow (me|us)\b", " ", q))]
    noun = _noun(words)
    clause = plan.clauses[0] if plan.clauses else None
    clause_actions, verb = _clause_verb(clause, words)
    if noun is None and clause is None and not clause_actions:
        return None
    if noun is None:
        kinds = plan.kinds or (clause.kinds if clause else ())
        if any(k in ("message", "note", "post") for k in kinds):
            return None
        noun = Noun(kinds, clause_actions, "item", "things")
    actions = clause_actions or noun.actions
    if "book" in noun.kinds and "read" in actions:
        actions = noun.actions  # "read" a book = finished it, not highlighted or started it
    if not verb:
        verb = {"listened": "listened to", "watched": "watched", "read": "read", "purchased": "bought"}.get(
            actions[0], actions[0]
        )
    platforms, platform_words = _platforms(store, q)
    every = len(platforms) > 1 and not re.search(r"\b(or|either)\b", q)
    min_platforms = (
        2 if re.search(r"\b(more than one|several|multiple|two or more|across)\b.*platform", q) else 1
    )
    unit = _unit(op, q, noun)
    k = _top_k(q)
    used = {w for w in words if w in _NOUNS} | platform_words | _INTENT_WORDS
    if k > 1:
        used.add(str(k))
    bare = (w.removesuffix("'s") for w in plan.topic.split())
    topic = tuple(w for w in bare if w and w not in used and w not in _STOP)
    return Intent(
        op=op,
        unit=unit,
        group=noun.group,
        noun=noun.label,
        verb=verb,
        kinds=noun.kinds,
        actions=actions,
        platforms=platforms,
        every_platform=every,
        min_platforms=min_platforms,
        topic=topic,
        k=max(1, min(k, 50)),
        answer_date=answer_date,
    )
