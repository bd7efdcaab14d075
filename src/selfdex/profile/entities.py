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

Everything lands in the ``profile_*`` tables (component "profile"); :func:`.linking.update_entities`
keeps them up to date incrementally, from the records that arrived since its last run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import orjson

from .cluster import _cluster, _creators_agree, _UnionFind
from .mentions import Mention, _loads, _record_mentions
from .names import FUNCTION_WORDS, creator_key, creator_parts, series_of_episode, title_key
from .payments import _payments
from .textlinks import text_mentions

__all__ = [
    "MIGRATIONS",
    "RELATED",
    "Entity",
    "Linking",
    "Mention",
    "MentionTable",
    "link_mentions",
    "link_records",
    "mention_ident",
    "series_keys",
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
    # 2: what incremental linking keeps, so a record's mentions are computed once (see .linking)
    """
    CREATE TABLE profile_mentions (
        id INTEGER PRIMARY KEY,
        ident TEXT NOT NULL UNIQUE,        -- JSON of Mention.ident()
        data TEXT NOT NULL                 -- JSON of the mention's fields
    );
    CREATE TABLE profile_sigs (
        id INTEGER PRIMARY KEY,
        pairs TEXT NOT NULL UNIQUE,        -- JSON [[mention id, role], ...]: what one record names
        records INTEGER NOT NULL,          -- records with this signature
        entities TEXT                      -- JSON [[entity id, role], ...] as last written
    );
    CREATE TABLE profile_record_sigs (
        record_id TEXT PRIMARY KEY,
        sig INTEGER NOT NULL,
        series_key TEXT                    -- a streaming video's title key: a series if episodes name it
    ) WITHOUT ROWID;
    CREATE INDEX profile_record_sigs_sig ON profile_record_sigs(sig);
    CREATE INDEX profile_record_sigs_series ON profile_record_sigs(series_key) WHERE series_key IS NOT NULL;
    CREATE TABLE profile_series_keys (key TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE profile_words (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE profile_text_words (
        word TEXT NOT NULL,                -- a word of a textual record (where a name may start)
        record_id TEXT NOT NULL,
        PRIMARY KEY (word, record_id)
    ) WITHOUT ROWID;
    CREATE TABLE profile_text_found (
        record_id TEXT PRIMARY KEY,
        named TEXT NOT NULL                -- JSON entity ids the text names, with its own items
    ) WITHOUT ROWID;
    """,
]

# Relations between different things; "same" is expressed by sharing one entity.
RELATED = ("adaptation_of", "soundtrack_of", "part_of", "franchise", "co_mentioned")


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


# -- the whole pass -------------------------------------------------------------------------------

_COLUMNS = (
    "id, platform, action, kind, title, creators, external_ids, categories, extra, text, occurred_at, amount"
)


def link_records(
    rows: Iterable[dict[str, Any]], *, embed: Callable[[list[str]], np.ndarray] | None = None
) -> Linking:
    """Link records (dicts with the ``records`` columns in ``_COLUMNS``) into entities and links.

    The same computation as the store's incremental :func:`.linking.update_entities`, all in memory."""
    rows = list(rows)
    keys = series_keys(rows)
    table = MentionTable()
    record_sigs = {row["id"]: table.add(_record_mentions(row, keys)) for row in rows}
    mentions, sigs = table.canonical()
    entities, mention_entity, sig_entities, links = link_mentions(mentions, sigs, embed)
    record_entities = {rid: list(sig_entities[s]) for rid, s in record_sigs.items() if sig_entities[s]}
    text_mentions(rows, entities, record_entities, links)
    record_links = _payments(rows)
    return Linking(entities, record_entities, links, record_links, mentions, mention_entity)


def series_keys(rows: Iterable[dict[str, Any]]) -> set[str]:
    """Title keys of the series that episodes name: a streaming 'video' with such a title is a series."""
    return {
        title_key(_loads(r["extra"]).get("series") if r["extra"] else series_of_episode(r["title"]))
        for r in rows
        if r["kind"] == "episode"
    } - {""}


class MentionTable:
    """Distinct mentions and distinct *signatures* (one record's list of (mention, role)), counted.

    Every play of a track has one signature, so linking works on signatures, never on records. The
    mention kept for an identity is the smallest by its free fields (title as written…), and mentions are
    ordered by identity, so the result does not depend on the order records arrived in."""

    def __init__(self) -> None:
        self.mentions: dict[str, Mention] = {}
        self.sigs: dict[tuple[tuple[str, str], ...], int] = {}
        self.counts: list[int] = []

    def add(self, pairs: list[tuple[Mention, str]], n: int = 1) -> int:
        sig = tuple((self.mention(m), role) for m, role in pairs)
        i = self.sigs.setdefault(sig, len(self.counts))
        if i == len(self.counts):
            self.counts.append(0)
        self.counts[i] += n
        return i

    def mention(self, m: Mention) -> str:
        ident = mention_ident(m)
        old = self.mentions.get(ident)
        if old is None or m.free() < old.free():
            self.mentions[ident] = m
        return ident

    def canonical(self) -> tuple[list[Mention], list[list[tuple[int, str]]]]:
        """Mentions in identity order, weighted by their records, and each signature as mention indexes."""
        order = sorted(self.mentions)
        index = {ident: i for i, ident in enumerate(order)}
        mentions = [replace(self.mentions[ident], weight=0) for ident in order]
        out: list[list[tuple[int, str]]] = []
        for sig, i in self.sigs.items():
            pairs = [(index[ident], role) for ident, role in sig]
            for m, _role in pairs:
                mentions[m].weight += self.counts[i]
            out.append(pairs)
        return mentions, out


def mention_ident(m: Mention) -> str:
    return orjson.dumps(m.ident()).decode()


def link_mentions(
    mentions: list[Mention],
    sigs: list[list[tuple[int, str]]],
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[list[Entity], list[int], list[list[tuple[int, str]]], set[tuple[int, int, str, str]]]:
    """Entities from weighted mentions; each signature's (entity, role) pairs; the links between entities."""
    uf = _cluster(mentions, embed)
    entities, mention_entity = _entities(mentions, uf)
    sig_entities: list[list[tuple[int, str]]] = []
    for pairs in sigs:
        seen: dict[int, str] = {}
        for i, role in pairs:
            seen.setdefault(mention_entity[i], role)
        sig_entities.append(list(seen.items()))
    _attach_credit_parts(entities, sig_entities)
    links = _related(entities, mentions, mention_entity, sig_entities)
    return entities, mention_entity, sig_entities, links


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


def _attach_credit_parts(entities: list[Entity], sig_entities: list[list[tuple[int, str]]]) -> None:
    """'Samin Nosrat & Hrishikesh Hirway' credits Samin Nosrat, when she is a creator elsewhere: the record is
    then attached to the known parts instead of the joint credit."""
    creators = {e.key.split(":", 1)[1]: i for i, e in enumerate(entities) if e.type == "creator"}
    for pairs in sig_entities:
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


Link = tuple[int, int, str, str]  # (from entity, to entity, relation, evidence)


class _Index:
    """The entities the mentions resolved to, by (class, key): a link needs its target to be unique."""

    def __init__(self, mentions: list[Mention], mention_entity: list[int]) -> None:
        self.by_type_key: dict[tuple[str, str], set[int]] = defaultdict(set)
        for i, m in enumerate(mentions):
            self.by_type_key[(m.cls, m.key)].add(mention_entity[i])
            if m.cls == "film" and m.main != m.key:
                self.by_type_key[("film-main", m.main)].add(mention_entity[i])

    def unique(self, cls: str, key: str | None) -> int | None:
        found = self.by_type_key.get((cls, key or ""), set())
        return next(iter(found)) if len(found) == 1 else None


def _related(
    entities: list[Entity],
    mentions: list[Mention],
    mention_entity: list[int],
    sig_entities: list[list[tuple[int, str]]],
) -> set[Link]:
    index = _Index(mentions, mention_entity)
    links: set[Link] = set()
    for i, m in enumerate(mentions):
        ent = mention_entity[i]
        if m.soundtrack and m.cls in ("album", "track"):
            film = index.unique("film", m.soundtrack) or index.unique("series", m.soundtrack)
            if film is not None:
                links.add((ent, film, "soundtrack_of", "album title"))
        if m.cls == "track" and m.album:
            for album in index.by_type_key.get(("album", m.album), ()):
                if _creators_agree(m, mentions[entities[album].mentions[0]]):
                    links.add((ent, album, "part_of", "album"))
        if m.cls in ("film", "series"):
            links |= _screen_links(entities, index, m, ent)
        if m.cls == "book" and m.series and m.series != m.key:
            first = index.unique("book", m.series)
            if first is not None and first != ent:
                links.add((ent, first, "franchise", "book series"))
    return links | _credit_links(entities, sig_entities)


def _screen_links(entities: list[Entity], index: _Index, m: Mention, ent: int) -> set[Link]:
    """A film's or series' book (an adaptation) and, for a sequel, the franchise's first film."""
    links: set[Link] = set()
    e = entities[ent]
    book = index.unique("book", m.key) or (index.unique("book", m.main) if m.main != m.key else None)
    if book is not None:
        b = entities[book]
        if _short_name(b.key):
            # "Her", "Drive", "Up": a shared one-word title alone says nothing; the book coming
            # first (both years known) is the corroboration an adaptation needs
            if e.year and b.year and b.year <= e.year:
                links.add((ent, book, "adaptation_of", "title and years"))
        elif not (e.year and b.year and e.year < b.year):
            links.add((ent, book, "adaptation_of", "title"))
    if m.cls == "film" and m.main != m.key:
        first = index.unique("film", m.main)
        if first is not None and first != ent:
            links.add((ent, first, "franchise", "title"))
    return links


def _credit_links(entities: list[Entity], sig_entities: list[list[tuple[int, str]]]) -> set[Link]:
    """Work → creator, from the records that credit both."""
    links: set[Link] = set()
    for pairs in sig_entities:
        items = [ent for ent, role in pairs if role == "item" and entities[ent].type != "creator"]
        for ent, role in pairs:
            if role == "creator":
                for item in items:
                    links.add((item, ent, "by", "credit"))
    return links


def _short_name(key: str) -> bool:
    """Whether an entity's name is one word (besides articles and the like): "Her", "Drive", "Dune"."""
    words = key.split(":", 1)[-1].split("|")[0].split("#")[0].split()
    return sum(w not in FUNCTION_WORDS for w in words) < 2
