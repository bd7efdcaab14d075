"""Entity linking: which records on different platforms are about the same thing, and which are related.

A record names a *mention* (Dune by Frank Herbert, as Goodreads writes it); every play of a track shares
one mention, so linking works on the few distinct mentions, not on the 10⁵–10⁶ records. Mentions of one
class (book, film, series, track, album, podcast, video, product, creator) are merged into *entities*:

1. external ids (ISBN, ASIN, Spotify URI, YouTube id, Letterboxd film, MusicBrainz) — always the same item;
2. normalised names (:mod:`.names`): same title key, with creators and year as discriminators. A mention
   that lacks the discriminator (Netflix writes no year, Apple Music sometimes no artist) joins only when
   exactly one candidate fits, so "Dune" on Netflix is never glued to both the 1984 and the 2021 film;
3. a book's main title ("Exhalation: Stories" = "Exhalation") when the creators agree;
4. near-identical spellings (character trigrams, optionally confirmed by text embeddings).

Between entities of different classes we record *related* links, never "same": a film adapts a book
(``adaptation_of``), an album is a film's soundtrack (``soundtrack_of``), a track is on an album
(``part_of``), sequels and book series (``franchise``), a work is by a creator (``by``), and two entities the
person named together in at least two records (``co_mentioned``). Records that merely *mention* an entity
(a search, a tweet, a web page title) are attached with role ``mention``.

Amazon orders and bank transactions are linked record-to-record (``payment``/``refund``) by order id when
the bank text carries it, otherwise by amount and date proximity.

Everything lands in the ``profile_*`` tables (component "profile"); :func:`update_entities` recomputes
only when the records changed since the last run.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from ..store import Store
from .names import (
    FUNCTION_WORDS,
    creator_key,
    creator_parts,
    fold,
    main_title,
    series_of_episode,
    soundtrack_of,
    split_product_title,
    title_key,
)

__all__ = [
    "MIGRATIONS",
    "RELATED",
    "Entity",
    "Linking",
    "link_records",
    "update_entities",
]

MIGRATIONS: list[str] = [
    """
    CREATE TABLE profile_entities (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,          -- stable across recomputation: "book:dune|frank herbert"
        type TEXT NOT NULL,                -- book | film | series | track | album | podcast | video | product | creator
        name TEXT NOT NULL,
        creators TEXT,                     -- JSON array of display names
        year INTEGER,
        platforms TEXT NOT NULL,           -- JSON array: where the person met it as an item
        records INTEGER NOT NULL           -- records attached with role 'item'
    );
    CREATE TABLE profile_entity_records (
        record_id TEXT NOT NULL,           -- records.id (a content hash: survives re-import)
        entity_id INTEGER NOT NULL REFERENCES profile_entities(id) ON DELETE CASCADE,
        role TEXT NOT NULL,                -- item | album | creator | mention
        PRIMARY KEY (record_id, entity_id)
    );
    CREATE INDEX profile_entity_records_entity ON profile_entity_records(entity_id);
    CREATE TABLE profile_links (
        src INTEGER NOT NULL REFERENCES profile_entities(id) ON DELETE CASCADE,
        dst INTEGER NOT NULL REFERENCES profile_entities(id) ON DELETE CASCADE,
        relation TEXT NOT NULL,            -- adaptation_of | soundtrack_of | part_of | franchise | by | co_mentioned
        evidence TEXT,
        PRIMARY KEY (src, dst, relation)
    );
    CREATE TABLE profile_record_links (
        a TEXT NOT NULL,                   -- e.g. the Amazon order line
        b TEXT NOT NULL,                   -- e.g. the bank transaction that paid it
        relation TEXT NOT NULL,            -- payment | refund | return_of
        evidence TEXT,
        PRIMARY KEY (a, b, relation)
    );
    CREATE TABLE profile_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE profile_corrections (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL,              -- forget | pin | note
        target TEXT NOT NULL,              -- forget: a fact or entity key; pin/note: the statement's key
        text TEXT,                         -- the person's own words (pin/note)
        domain TEXT,
        delete_records INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        UNIQUE (action, target)
    );
    """,
]

# Relations between different things; "same" is expressed by sharing one entity.
RELATED = ("adaptation_of", "soundtrack_of", "part_of", "franchise", "co_mentioned")

_ID_SCHEMES = {
    "isbn13",
    "asin",
    "spotify",
    "youtube",
    "youtube_channel",
    "letterboxd",
    "mbid_track",
    "goodreads",
    "imdb",  # Trakt and IMDb name films and shows by their IMDb id
}
_BOOKISH = re.compile(
    r"\b(kindle edition|paperback|hardcover|hardback|audiobook|audible|taschenbuch|gebundene)\b", re.I
)
# Digital orders sold by a publisher (or Amazon's Kindle arm) are e-books.
_EBOOK_SELLER = re.compile(
    r"digital|media eu|kindle|books|publish|harpercollins|penguin|random house|macmillan|hachette|schuster",
    re.I,
)
_FILMISH = re.compile(r"\b(blu-?ray|dvd|4k ultra hd|uhd|steelbook)\b", re.I)
# Kinds whose "creators" are authors or artists (a message's creators are its senders, not a taste).
_CREDITED_KINDS = {"book", "audiobook", "track", "album", "video", "podcast"}
_TEXTUAL_KINDS = {
    "query",
    "web_page",
    "post",
    "topic",
    "event",
    "message",
    "note",
    "video",
    "podcast",
    "list",
}
# Too common in titles to link records by on their own (besides the function words).
_STOPWORDS = FUNCTION_WORDS | frozenset(
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
        "says",
        "her",
        "him",
        "she",
        "he",
        "they",
    ]
)


def _isbn13(value: str) -> str | None:
    digits = re.sub(r"[^0-9Xx]", "", value)
    if len(digits) == 13:
        return digits
    if len(digits) == 10:
        core = "978" + digits[:9]
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(core)) % 10) % 10
        return core + str(check)
    return None


@dataclass(slots=True)
class Mention:
    """One thing as one platform names it."""

    cls: str
    platform: str
    title: str
    key: str
    main: str
    creators: tuple[str, ...] = ()  # creator keys
    creator_names: tuple[str, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()
    year: int | None = None
    album: str = ""  # album key, for tracks
    soundtrack: str | None = None  # title key of the film an album/track scores
    series: str = ""  # book series key ("dune")
    records: list[str] = field(default_factory=list)
    weight: int = 0

    def ident(self) -> tuple[Any, ...]:
        return (
            self.cls,
            self.platform,
            self.key,
            self.creators,
            self.ids,
            self.year,
            self.album,
            self.series,
        )


@dataclass(slots=True)
class Entity:
    key: str
    type: str
    name: str
    creators: list[str]
    year: int | None
    platforms: list[str]
    mentions: list[int]


@dataclass(slots=True)
class Linking:
    """The result of :func:`link_records`, before it is written to the store."""

    entities: list[Entity]
    # record id → [(entity index, role)]
    record_entities: dict[str, list[tuple[int, str]]]
    links: set[tuple[int, int, str, str]]  # (src, dst, relation, evidence)
    record_links: set[tuple[str, str, str, str]]  # (a, b, relation, evidence)
    mentions: list[Mention]
    mention_entity: list[int]

    def entity_of(self, record_id: str, role: str = "item") -> int | None:
        for ent, r in self.record_entities.get(record_id, ()):
            if r == role:
                return ent
        return None

    def relations(self, a: int, b: int) -> set[str]:
        """The relations linking two entities in either direction (``by`` excluded)."""
        return {rel for src, dst, rel, _ in self.links if rel in RELATED and {src, dst} == {a, b}}


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


def _loads(text: str | None) -> Any:
    return orjson.loads(text) if text else None


def _year(value: Any) -> int | None:
    try:
        year = int(str(value)[:4])
    except (TypeError, ValueError):
        return None
    return year if 1800 < year < 2200 else None


# -- mentions from records ------------------------------------------------------------------------


def _record_mentions(row: dict[str, Any], series_keys: set[str]) -> list[tuple[Mention, str]]:
    """What a record is about (role 'item'), the album of a track (role 'album') and its creators."""
    kind, platform, title = row["kind"], row["platform"], row["title"] or ""
    extra = _loads(row["extra"]) or {}
    ids_raw: dict[str, str] = _loads(row["external_ids"]) or {}
    categories = [c.casefold() for c in (_loads(row["categories"]) or [])]
    creator_names = [c for c in (_loads(row["creators"]) or []) if c]
    ids: list[tuple[str, str]] = []
    for scheme, value in ids_raw.items():
        if scheme in ("isbn13", "isbn10"):
            isbn = _isbn13(str(value))
            if isbn:
                ids.append(("isbn13", isbn))
        elif scheme in _ID_SCHEMES:
            ids.append((scheme, str(value)))
    out: list[tuple[Mention, str]] = []

    def mention(cls: str, name: str, creators: Sequence[str] = (), **kw: Any) -> Mention:
        return Mention(
            cls=cls,
            platform=platform,
            title=name,
            key=title_key(name) if cls != "creator" else creator_key(name),
            main=main_title(name),
            creators=tuple(sorted({creator_key(c) for c in creators if creator_key(c)})),
            creator_names=tuple(creators),
            **kw,
        )

    cls: str | None = None
    name = title
    year = _year(extra.get("year")) or _year((extra.get("properties") or {}).get("year"))
    if kind in ("book", "audiobook"):
        cls = "book"
    elif kind == "movie":
        cls = "film"
    elif kind == "episode":
        series = extra.get("series") or series_of_episode(title)
        if series:
            cls, name, ids = "series", series, []
    elif kind == "series":
        cls = "series"
    elif kind == "video" and platform in ("netflix", "prime_video", "disney_plus"):
        cls = "series" if title_key(title) in series_keys else "film"
    elif kind == "video" and ids_raw.get("youtube"):
        cls = "video"
    elif kind in ("track", "album"):
        cls = kind
    elif kind == "podcast":
        show = extra.get("show")
        if show or row["action"] in ("followed", "saved", "subscribed"):
            cls, name = "podcast", show or title
            if show:
                ids = []  # an episode's URI does not name the show
    elif kind == "product":
        if (
            any(s == "isbn13" for s, _ in ids)
            or _BOOKISH.search(title)
            or (extra.get("digital") and _EBOOK_SELLER.search(str(extra.get("seller", ""))))
            or any(c in ("books", "kindle store", "kindle ebooks", "audible") for c in categories)
        ):
            cls = "book"
            name, author = split_product_title(title)
            if author and not creator_names:
                creator_names = [author]
            ids = [(s, v) for s, v in ids if s == "isbn13"]  # an edition's ASIN never recurs elsewhere
        elif _FILMISH.search(title) or "movies & tv" in categories:
            cls, ids = "film", []
        else:
            cls = "product"
    elif (
        kind == "note"
        and platform == "obsidian"
        and extra.get("about") in ("book", "movie", "film", "series")
    ):
        cls = {"book": "book", "movie": "film", "film": "film", "series": "series"}[extra["about"]]
        director = (extra.get("properties") or {}).get("director")
        if cls == "film" and director:
            creator_names = []  # directors are written as wiki links; the year discriminates films
    elif kind in ("artist", "channel"):
        if title:
            out.append((mention("creator", title, ids=tuple(sorted(ids))), "item"))
        return out

    if cls and name:
        m = mention(cls, name, creator_names if cls not in ("series", "film", "podcast") else (), year=year)
        m.ids = tuple(sorted(ids))
        if cls == "book":
            series_name = str(extra.get("series") or "")
            m.series = title_key(re.sub(r"\s*#.*$", "", series_name)) if series_name else ""
        if cls == "track":
            album = extra.get("album") or ""
            m.album = title_key(album)
            m.soundtrack = soundtrack_of(album)
            if album:
                a = mention("album", album, creator_names[:1])
                a.soundtrack = m.soundtrack
                out.append((a, "album"))
        if cls == "album":
            m.soundtrack = soundtrack_of(name)
        out.append((m, "item"))
    if kind in _CREDITED_KINDS:
        for c in creator_names:
            if creator_key(c) != title_key(name):  # a podcast "by" its own show name credits nobody
                out.append((mention("creator", c), "creator"))
    return out


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
    uf = _UnionFind(len(mentions))
    by_id: dict[tuple[str, str, str], int] = {}
    for i, m in enumerate(mentions):
        for scheme, value in m.ids:
            j = by_id.setdefault((m.cls, scheme, value), i)
            uf.union(i, j)

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.key:
            groups[(m.cls, m.key)].append(i)
    for (_cls, _key), members in groups.items():
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

    # Books: "Exhalation: Stories" is "Exhalation" when the creators agree (or one side names none and
    # the other's whole title is this one's main title, with one candidate only).
    books = [i for i, m in enumerate(mentions) if m.cls == "book"]
    by_main: dict[str, list[int]] = defaultdict(list)
    for i in books:
        by_main[mentions[i].main].append(i)
        if mentions[i].main != mentions[i].key:
            by_main[mentions[i].key].append(i)
    for members in by_main.values():
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

    _fuzzy(mentions, uf, embed)
    return uf


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


# -- the whole pass -------------------------------------------------------------------------------

_COLUMNS = (
    "id, platform, action, kind, title, creators, external_ids, categories, extra, text, occurred_at, amount"
)


def link_records(
    rows: Iterable[dict[str, Any]], *, embed: Callable[[list[str]], np.ndarray] | None = None
) -> Linking:
    """Link records (dicts with the ``records`` columns in ``_COLUMNS``) into entities and links."""
    rows = list(rows)
    series_keys = {
        title_key(_loads(r["extra"]).get("series") if r["extra"] else series_of_episode(r["title"]))
        for r in rows
        if r["kind"] == "episode"
    } - {""}
    index: dict[tuple[Any, ...], int] = {}
    mentions: list[Mention] = []
    record_mentions: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        for m, role in _record_mentions(row, series_keys):
            i = index.setdefault(m.ident(), len(mentions))
            if i == len(mentions):
                mentions.append(m)
            mentions[i].weight += 1
            if len(mentions[i].records) < 5:
                mentions[i].records.append(row["id"])
            record_mentions[row["id"]].append((i, role))

    uf = _cluster(mentions, embed)
    entities, mention_entity = _entities(mentions, uf)
    record_entities: dict[str, list[tuple[int, str]]] = {}
    for rid, pairs in record_mentions.items():
        seen: dict[int, str] = {}
        for i, role in pairs:
            seen.setdefault(mention_entity[i], role)
        record_entities[rid] = list(seen.items())
    _attach_credit_parts(entities, mentions, mention_entity, record_entities)
    links = _related(entities, mentions, mention_entity, record_entities)
    _text_mentions(rows, entities, record_entities, links)
    record_links = _payments(rows)
    return Linking(entities, record_entities, links, record_links, mentions, mention_entity)


def _entities(mentions: list[Mention], uf: _UnionFind) -> tuple[list[Entity], list[int]]:
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        clusters[uf.find(i)].append(i)
    entities: list[Entity] = []
    mention_entity = [0] * len(mentions)
    used: set[str] = set()
    for members in sorted(clusters.values(), key=lambda ms: min(ms)):
        ms = [mentions[i] for i in members]
        names = Counter[str]()
        for m in ms:
            names[m.title] += m.weight
        name = min(names, key=lambda n: (-names[n], len(n), n))
        creators = Counter[str]()
        for m in ms:
            for c in m.creator_names:
                creators[c] += m.weight
        years = Counter(m.year for m in ms if m.year)
        year = years.most_common(1)[0][0] if years else None
        cls = ms[0].cls
        keys = Counter[str]()
        for m in ms:
            keys[m.key] += m.weight
        key = f"{cls}:{min(keys, key=lambda k: (-keys[k], k))}"
        if cls in ("book", "track", "album") and creators:
            key += "|" + creator_key(creators.most_common(1)[0][0])
        if cls == "film" and year:
            key += f"|{year}"
        base, n = key, 2
        while key in used:
            key, n = f"{base}#{n}", n + 1
        used.add(key)
        for i in members:
            mention_entity[i] = len(entities)
        entities.append(
            Entity(
                key=key,
                type=cls,
                name=name,
                creators=[c for c, _ in creators.most_common(3)],
                year=year,
                platforms=sorted({m.platform for m in ms}),
                mentions=members,
            )
        )
    return entities, mention_entity


def _attach_credit_parts(
    entities: list[Entity],
    mentions: list[Mention],
    mention_entity: list[int],
    record_entities: dict[str, list[tuple[int, str]]],
) -> None:
    """'Samin Nosrat & Hrishikesh Hirway' credits Samin Nosrat, when she is a creator elsewhere: the record is
    then attached to the known parts instead of the joint credit."""
    creators = {e.key.split(":", 1)[1]: i for i, e in enumerate(entities) if e.type == "creator"}
    for pairs in record_entities.values():
        extra: list[tuple[int, str]] = []
        replaced: set[int] = set()
        for ent, role in pairs:
            e = entities[ent]
            if e.type != "creator" or role == "item":
                continue
            parts = creator_parts(e.name)
            known = [creators[p] for p in parts if p in creators and creators[p] != ent]
            if len(parts) > 1 and known:
                extra += [(k, role) for k in known]
                replaced.add(ent)
        if extra:
            pairs[:] = [(ent, role) for ent, role in pairs if ent not in replaced]
            have = {ent for ent, _ in pairs}
            pairs.extend((ent, role) for ent, role in dict(extra).items() if ent not in have)


def _related(
    entities: list[Entity],
    mentions: list[Mention],
    mention_entity: list[int],
    record_entities: dict[str, list[tuple[int, str]]],
) -> set[tuple[int, int, str, str]]:
    links: set[tuple[int, int, str, str]] = set()
    by_type_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, m in enumerate(mentions):
        by_type_key[(m.cls, m.key)].add(mention_entity[i])
        if m.cls == "film" and m.main != m.key:
            by_type_key[("film-main", m.main)].add(mention_entity[i])

    def unique(cls: str, key: str | None) -> int | None:
        found = by_type_key.get((cls, key or ""), set())
        return next(iter(found)) if len(found) == 1 else None

    for i, m in enumerate(mentions):
        ent = mention_entity[i]
        e = entities[ent]
        if m.soundtrack and m.cls in ("album", "track"):
            film = unique("film", m.soundtrack) or unique("series", m.soundtrack)
            if film is not None:
                links.add((ent, film, "soundtrack_of", "album title"))
        if m.cls == "track" and m.album:
            for album in by_type_key.get(("album", m.album), ()):
                if _creators_agree(m, mentions[entities[album].mentions[0]]):
                    links.add((ent, album, "part_of", "album"))
        if m.cls in ("film", "series"):
            book = unique("book", m.key) or (unique("book", m.main) if m.main != m.key else None)
            if book is not None:
                b = entities[book]
                if not (e.year and b.year and e.year < b.year):
                    links.add((ent, book, "adaptation_of", "title"))
            if m.cls == "film" and m.main != m.key:
                first = unique("film", m.main)
                if first is not None and first != ent:
                    links.add((ent, first, "franchise", "title"))
        if m.cls == "book" and m.series and m.series != m.key:
            first = unique("book", m.series)
            if first is not None and first != ent:
                links.add((ent, first, "franchise", "book series"))
    # work → creator, from the records that credit both
    for pairs in record_entities.values():
        items = [ent for ent, role in pairs if role == "item" and entities[ent].type != "creator"]
        for ent, role in pairs:
            if role == "creator":
                for item in items:
                    links.add((item, ent, "by", "credit"))
    return links


def _text_mentions(
    rows: list[dict[str, Any]],
    entities: list[Entity],
    record_entities: dict[str, list[tuple[int, str]]],
    links: set[tuple[int, int, str, str]],
) -> None:
    """Attach records whose words name an entity ('frank herbert dune reading order') with role 'mention'."""
    names: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    for i, e in enumerate(entities):
        if e.type not in ("book", "film", "series", "creator", "podcast"):
            continue
        strong = len(e.platforms) >= 2
        words = tuple(e.key.split(":", 1)[1].split("|")[0].split("#")[0].split())
        if e.type == "creator":
            variants = [words] if len(words) >= 2 or (strong and len(words[0]) >= 5) else []
            surname = words[-1] if len(words) >= 2 else ""
            if strong and len(surname) >= 6 and surname not in _STOPWORDS:
                variants.append((surname,))
        elif (len(words) >= 2 and len(" ".join(words)) >= 8 and not set(words) <= _STOPWORDS) or (
            len(words) == 1 and strong and len(words[0]) >= 4 and words[0] not in _STOPWORDS
        ):
            variants = [words]
        else:
            variants = []
        for v in variants:
            names[v[0]].append((v, i))
    if not names:
        return
    co: Counter[tuple[int, int]] = Counter()
    for row in rows:
        if row["kind"] not in _TEXTUAL_KINDS:
            continue
        text = " ".join(x for x in (row["title"], row["text"] if row["kind"] != "video" else None) if x)
        said = fold(text[:600], camel=True).split()
        found: set[int] = set()
        for k, w in enumerate(said):
            for cand in (w, w[:-1] if w.endswith("s") else ""):
                for variant, ent in names.get(cand, ()):
                    if (cand, *said[k + 1 : k + len(variant)]) == variant:
                        found.add(ent)
        if not found:
            continue
        pairs = record_entities.setdefault(row["id"], [])
        have = {ent for ent, _ in pairs}
        pairs.extend((ent, "mention") for ent in sorted(found - have))
        named = sorted(found | {ent for ent, role in pairs if role == "item"})
        for x, a in enumerate(named):
            for b in named[x + 1 :]:
                co[(a, b)] += 1
    for (a, b), n in co.items():
        if n >= 2:  # once could be chance; the person naming both twice is a connection they make
            links.add((a, b, "co_mentioned", f"{n} records"))


def _payments(rows: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """Amazon order lines ↔ the bank transactions that paid (or refunded) them."""
    orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    returns: list[tuple[dict[str, Any], str]] = []
    bank: list[dict[str, Any]] = []
    for r in rows:
        if r["platform"] == "amazon" and r["amount"] is not None:
            order = (_loads(r["extra"]) or {}).get("order_id")
            if order and r["action"] == "purchased":
                orders[order].append(r)
            elif order and r["action"] == "returned":
                returns.append((r, order))
        elif (
            r["kind"] == "transaction"
            and r["amount"] is not None
            and "amazon" in fold(f"{r['title']} {r['text'] or ''}").replace("amzn", "amazon")
        ):
            bank.append(r)
    out: set[tuple[str, str, str, str]] = set()
    used: set[str] = set()
    by_text = {t["id"]: t["text"] or "" for t in bank}

    def day(r: dict[str, Any]) -> datetime | None:
        return datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) if r["occurred_at"] else None

    def match(lines: list[dict[str, Any]], order: str, total: float, relation: str, window: int) -> None:
        named = [
            t
            for t in bank
            if t["id"] not in used and order in by_text[t["id"]] and (t["amount"] < 0) == (total < 0)
        ]
        evidence = "order id in bank text"
        if not named:
            start = day(lines[0])
            named = []
            if start:
                for t in bank:
                    when = day(t)
                    if t["id"] in used or when is None or not math.isclose(t["amount"], total, abs_tol=0.005):
                        continue
                    gap = (when.date() - start.date()).days
                    if 0 <= gap <= window:
                        named.append(t)
                named.sort(key=lambda t: (day(t) or start) - start)
            evidence = "amount and date"
        if named:
            used.add(named[0]["id"])
            out.update((line["id"], named[0]["id"], relation, evidence) for line in lines)

    for order, lines in sorted(orders.items(), key=lambda kv: kv[1][0]["occurred_at"] or ""):
        match(lines, order, round(sum(line["amount"] for line in lines), 2), "payment", 6)
    for r, order in returns:
        match([r], order, round(r["amount"], 2), "refund", 14)
        out.update((r["id"], line["id"], "return_of", "order id") for line in orders.get(order, ()))
    return out


# -- persistence ----------------------------------------------------------------------------------


def _fingerprint(store: Store) -> str:
    row = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM records").fetchone()
    return f"{row[0]}:{row[1]}"


def update_entities(
    store: Store, *, force: bool = False, embed: Callable[[list[str]], np.ndarray] | None = None
) -> bool:
    """Recompute entities and links if the records changed since the last run; True when it did."""
    store.ensure_schema("profile", MIGRATIONS)
    fingerprint = _fingerprint(store)
    row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'records'").fetchone()
    if not force and row and row[0] == fingerprint:
        return False
    cur = store.conn.execute(f"SELECT {_COLUMNS} FROM records")
    linking = link_records((dict(r) for r in cur), embed=embed)
    with store.transaction() as conn:
        conn.execute("DELETE FROM profile_links")
        conn.execute("DELETE FROM profile_entity_records")
        conn.execute("DELETE FROM profile_entities")
        conn.execute("DELETE FROM profile_record_links")
        item_counts: Counter[int] = Counter(
            ent for pairs in linking.record_entities.values() for ent, role in pairs if role == "item"
        )
        conn.executemany(
            "INSERT INTO profile_entities (id, key, type, name, creators, year, platforms, records) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    e.key,
                    e.type,
                    e.name,
                    json.dumps(e.creators, ensure_ascii=False),
                    e.year,
                    json.dumps(e.platforms),
                    item_counts[i],
                )
                for i, e in enumerate(linking.entities)
            ],
        )
        conn.executemany(
            "INSERT INTO profile_entity_records (record_id, entity_id, role) VALUES (?, ?, ?)",
            [(rid, ent + 1, role) for rid, pairs in linking.record_entities.items() for ent, role in pairs],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO profile_links (src, dst, relation, evidence) VALUES (?, ?, ?, ?)",
            [(s + 1, d + 1, rel, ev) for s, d, rel, ev in linking.links],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO profile_record_links (a, b, relation, evidence) VALUES (?, ?, ?, ?)",
            sorted(linking.record_links),
        )
        conn.execute(
            "INSERT INTO profile_state (key, value) VALUES ('records', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (fingerprint,),
        )
    return True
