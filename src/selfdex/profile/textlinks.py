"""Records that *talk* about an entity (a search, a tweet, a web page, a video title): role ``mention``.

A title found inside free text is weak evidence: "drive" in "how to clone a hard drive" is not the film
*Drive*, "wonder" in "Stevie Wonder" is not *Wonder Woman*. So a text mentions an entity only when

* it contains the entity's **whole** normalised name as a phrase (never one word of a longer title), and
* the name is specific enough on its own, or the text corroborates it. A name of one content word
  ("Drive", "Her", "Up", "Titanic", "Radiohead") always needs corroboration; so does a longer name made of
  words that are common in the person's own store (document frequency over every record's words).
  Corroboration is the entity's year, one of its creators (or, for a creator, one of their works) or a
  word that says what kind of thing it is ("film", "trailer", "novel", "album"...).

Two entities the person named together in at least two records get a ``co_mentioned`` link.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .names import FUNCTION_WORDS, fold

if TYPE_CHECKING:
    from .entities import Entity

__all__ = [
    "COMMON_WORDS",
    "KIND_WORDS",
    "TEXTUAL_KINDS",
    "co_pairs",
    "corroborators",
    "doc_words",
    "found_in",
    "name_words",
    "said_words",
    "specificity",
    "text_mentions",
    "text_names",
]

TEXTUAL_KINDS = frozenset(
    ["query", "web_page", "post", "topic", "event", "message", "note", "video", "podcast", "list"]
)
# Too common in titles to identify anything on their own (besides the function words).
COMMON_WORDS = FUNCTION_WORDS | frozenset(
    [
        "was",
        "this",
        "that",
        "our",
        "new",
        "best",
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "live",
        "home",
        "part",
        "one",
        "two",
        "day",
        "night",
        "time",
        "love",
        "life",
        "world",
        "man",
        "woman",
        "girl",
        "boy",
        "house",
        "city",
        "music",
        "film",
        "movie",
        "book",
        "books",
        "video",
        "official",
        "trailer",
        "review",
        "season",
        "episode",
        "story",
        "stories",
        "people",
        "light",
        "dark",
        "run",
        "heat",
        "salt",
        "fat",
        "acid",
        "heat",
        "says",
        "her",
        "him",
        "she",
        "he",
        "they",
        "up",
        "down",
        "out",
        "off",
        "over",
        "back",
        "go",
        "get",
        "got",
        "make",
        "made",
        "do",
        "not",
        "no",
        "yes",
        "all",
        "more",
        "most",
        "just",
        "only",
        "good",
        "great",
        "big",
        "little",
        "old",
        "first",
        "last",
        "next",
        "way",
        "thing",
        "things",
        "work",
        "still",
        "here",
        "there",
        "now",
        "again",
    ]
)
# Words that say what kind of thing a text is about; they corroborate a short or common name.
KIND_WORDS: dict[str, frozenset[str]] = {
    "film": frozenset(
        [
            "film",
            "films",
            "movie",
            "movies",
            "trailer",
            "trailers",
            "soundtrack",
            "ost",
            "director",
            "directed",
            "cinema",
            "imdb",
            "letterboxd",
            "screenplay",
            "scene",
            "scenes",
            "cast",
            "actor",
            "actress",
            "showtimes",
            "kino",
        ]
    ),
    "series": frozenset(
        ["series", "season", "seasons", "episode", "episodes", "show", "tv", "netflix", "showrunner"]
    ),
    "book": frozenset(
        [
            "book",
            "books",
            "novel",
            "novels",
            "author",
            "novella",
            "audiobook",
            "kindle",
            "goodreads",
            "paperback",
            "hardcover",
            "chapter",
            "chapters",
            "trilogy",
            "sequel",
            "reading",
            "isbn",
        ]
    ),
    "podcast": frozenset(["podcast", "podcasts", "episode", "episodes"]),
    "creator": frozenset(
        [
            "band",
            "album",
            "albums",
            "song",
            "songs",
            "tour",
            "concert",
            "concerts",
            "lyrics",
            "discography",
            "singer",
            "rapper",
            "spotify",
            "author",
            "novelist",
            "interview",
            "director",
            "filmmaker",
        ]
    ),
}
# A name whose content words together carry less than this (natural-log idf) needs corroboration.
_MIN_SPECIFICITY = 6.0
_BACKGROUND_DOCS = 1000
_TEXT_CHARS = 600
_WORK_TYPES = frozenset(["film", "series", "book", "track", "album"])


def _words(text: str | None) -> list[str]:
    return fold((text or "")[:_TEXT_CHARS], camel=True).split()


def specificity(words: Sequence[str], df: Counter[str], n_docs: int) -> float:
    """How much a name identifies something: the summed inverse document frequency of its content words."""
    # Smoothed with a background of documents that do not hold the word, so that a small store (where
    # every word is in many of its few records) does not make every name look common.
    n = n_docs + _BACKGROUND_DOCS
    return sum(math.log(n / (df[w] + 1)) for w in words if w not in COMMON_WORDS and not w.isdigit())


def _contains(said: list[str], phrase: tuple[str, ...], start: int, end: int) -> bool:
    """Whether ``phrase`` occurs in ``said`` outside the span [start, end) that the name itself covers."""
    n = len(phrase)
    for k in range(len(said) - n + 1):
        if k < end and k + n > start:
            continue
        if tuple(said[k : k + n]) == phrase:
            return True
    return False


def corroborators(
    entities: list[Entity], links: set[tuple[int, int, str, str]]
) -> dict[int, list[tuple[str, ...]]]:
    """Per entity: phrases whose presence next to its name says the text is about it."""
    out: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for i, e in enumerate(entities):
        if e.year:
            out[i].append((str(e.year),))
        for name in e.creators:
            words = tuple(fold(name).split())
            if words:
                out[i].append(words)
                if len(words) >= 2 and len(words[-1]) >= 4 and words[-1] not in COMMON_WORDS:
                    out[i].append((words[-1],))  # "herbert" for Frank Herbert
        kind = "creator" if e.type == "creator" else e.type
        out[i] += [(w,) for w in KIND_WORDS.get(kind, ())]
    for src, dst, rel, _ in links:
        if rel != "by":
            continue
        work, creator = entities[src], entities[dst]
        work_words = tuple(_name_words(work))
        creator_words = tuple(_name_words(creator))
        if creator_words:
            out[src].append(creator_words)
        if work_words and (len(work_words) >= 2 or len(work_words[0]) >= 5):
            out[dst].append(work_words)  # "radiohead weird fishes": the band, through its song
    return out


def _name_words(e: Entity) -> list[str]:
    return e.key.split(":", 1)[1].split("|")[0].split("#")[0].split()


def text_mentions(
    rows: list[dict[str, Any]],
    entities: list[Entity],
    record_entities: dict[str, list[tuple[int, str]]],
    links: set[tuple[int, int, str, str]],
) -> None:
    """Attach records whose words name an entity ('frank herbert dune reading order') with role 'mention'."""
    df: Counter[str] = Counter()
    for row in rows:
        df.update(doc_words(row))
    names = text_names(entities, df, len(rows))
    if not names:
        return
    support = corroborators(entities, links)
    co: Counter[tuple[int, int]] = Counter()
    for row in rows:
        if row["kind"] not in TEXTUAL_KINDS:
            continue
        named = found_in(said_words(row), record_entities.get(row["id"], []), entities, names, support)
        if named is None:
            continue
        found, own = named
        pairs = record_entities.setdefault(row["id"], [])
        have = {ent for ent, _ in pairs}
        pairs.extend((ent, "mention") for ent in sorted(found - have))
        co.update(co_pairs(found | own))
    for (a, b), n in co.items():
        if n >= 2:  # once could be chance; the person naming both twice is a connection they make
            links.add((a, b, "co_mentioned", f"{n} records"))


def doc_words(row: dict[str, Any]) -> set[str]:
    """The words a record counts for in the document frequencies."""
    return set(_words(" ".join(x for x in (row["title"], row["text"]) if x)))


def said_words(row: dict[str, Any]) -> list[str]:
    """What a textual record says (a video's description is the uploader's, not the person's)."""
    if row["kind"] == "video":
        return _words(row["title"])
    return _words(" ".join(x for x in (row["title"], row["text"]) if x))


Names = dict[str, list[tuple[tuple[str, ...], int, bool]]]


def name_words(entities: list[Entity]) -> set[str]:
    """The words whose document frequency :func:`text_names` reads."""
    return {w for e in entities if e.type in _NAMED_TYPES for w in _name_words(e)}


_NAMED_TYPES = ("book", "film", "series", "creator", "podcast")


def text_names(entities: list[Entity], df: Counter[str], n_docs: int) -> Names:
    """First word → (name, entity, needs corroboration), for the entities a text can name."""
    n_docs = max(n_docs, 1)
    names: Names = defaultdict(list)
    for i, e in enumerate(entities):
        if e.type not in _NAMED_TYPES:
            continue
        name = tuple(_name_words(e))
        content = [w for w in name if w not in COMMON_WORDS]
        if not content or len(" ".join(name)) < 3:
            continue  # "Her", "Up": nothing in the name itself identifies the work
        weak = len(content) < 2 or specificity(name, df, n_docs) < _MIN_SPECIFICITY
        names[name[0]].append((name, i, weak))
    return names


def co_pairs(named: set[int]) -> list[tuple[int, int]]:
    ordered = sorted(named)
    return [(a, b) for x, a in enumerate(ordered) for b in ordered[x + 1 :]]


def found_in(
    said: list[str],
    pairs: list[tuple[int, str]],
    entities: Sequence[Entity],
    names: Names,
    support: dict[int, list[tuple[str, ...]]],
) -> tuple[set[int], set[int]] | None:
    """The entities a text names and its own items, or None when it names none (or is a work's title)."""
    own = {ent for ent, role in pairs if role == "item"}
    if any(entities[ent].type in _WORK_TYPES for ent in own):
        return None  # a Netflix title is the name of the work watched, not a text about other things
    hits: list[tuple[int, int, int]] = []  # (start, end, entity)
    for k, w in enumerate(said):
        for cand in (w, w[:-1] if w.endswith("s") else ""):
            for variant, ent, weak in names.get(cand, ()):
                if ent in own or (cand, *said[k + 1 : k + len(variant)]) != variant:
                    continue
                end = k + len(variant)
                if not weak or any(_contains(said, p, k, end) for p in support.get(ent, ())):
                    hits.append((k, end, ent))
    # "dune" inside "dune part two" names Part Two, not the first film: the longest name wins its span
    found = {
        ent
        for start, end, ent in hits
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in hits)
    }
    return (found, own) if found else None
