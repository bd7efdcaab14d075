"""What a record is about: the *mentions* (one thing as one platform names it) that linking clusters.

A track play names a track, its album and its artists; a Goodreads row names a book and its author; an
Amazon order line is a book when its ISBN, binding or seller says so. Records that only *talk* about
things (tweets, searches, web pages) are handled by :mod:`.textlinks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .names import creator_key, main_title, series_of_episode, soundtrack_of, split_product_title, title_key

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
    weight: int = 0  # records naming it

    def free(self) -> tuple[Any, ...]:
        """The fields outside the identity (how this platform wrote it): the smallest is kept."""
        return (self.title, self.creator_names, self.main, self.soundtrack or "")

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


def _loads(text: str | None) -> Any:
    return orjson.loads(text) if text else None


def _year(value: Any) -> int | None:
    try:
        year = int(str(value)[:4])
    except (TypeError, ValueError):
        return None
    return year if 1800 < year < 2200 else None


# -- mentions from records ------------------------------------------------------------------------


@dataclass(slots=True)
class _Fields:
    """One record's fields as the mention rules read them (JSON columns decoded)."""

    kind: str
    platform: str
    action: str
    title: str
    extra: dict[str, Any]
    ids_raw: dict[str, str]
    categories: list[str]  # casefolded
    creator_names: list[str]
    ids: list[tuple[str, str]]  # the schemes that identify an item, ISBNs as ISBN-13

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Fields:
        ids_raw: dict[str, str] = _loads(row["external_ids"]) or {}
        return cls(
            kind=row["kind"],
            platform=row["platform"],
            action=row["action"],
            title=row["title"] or "",
            extra=_loads(row["extra"]) or {},
            ids_raw=ids_raw,
            categories=[c.casefold() for c in (_loads(row["categories"]) or [])],
            creator_names=[c for c in (_loads(row["creators"]) or []) if c],
            ids=_ids(ids_raw),
        )


def _ids(ids_raw: dict[str, str]) -> list[tuple[str, str]]:
    ids: list[tuple[str, str]] = []
    for scheme, value in ids_raw.items():
        if scheme in ("isbn13", "isbn10"):
            isbn = _isbn13(str(value))
            if isbn:
                ids.append(("isbn13", isbn))
        elif scheme in _ID_SCHEMES:
            ids.append((scheme, str(value)))
    return ids


@dataclass(slots=True)
class _Item:
    """What a record is about, as one kind's rule reads it: its class, name, ids and credits."""

    cls: str
    name: str
    ids: list[tuple[str, str]]
    creator_names: list[str]


def _item(f: _Fields, cls: str, name: str | None = None, ids: list[tuple[str, str]] | None = None) -> _Item:
    return _Item(cls, f.title if name is None else name, f.ids if ids is None else ids, f.creator_names)


# -- one rule per record kind: what the record is about (None: it names no item) ------------------


def _book(f: _Fields, series_keys: set[str]) -> _Item | None:
    return _item(f, "book")


def _film(f: _Fields, series_keys: set[str]) -> _Item | None:
    return _item(f, "film")


def _series(f: _Fields, series_keys: set[str]) -> _Item | None:
    return _item(f, "series")


def _own_kind(f: _Fields, series_keys: set[str]) -> _Item | None:
    return _item(f, f.kind)  # a track is a track, an album an album


def _episode(f: _Fields, series_keys: set[str]) -> _Item | None:
    series = f.extra.get("series") or series_of_episode(f.title)
    return _item(f, "series", series, []) if series else None


def _video(f: _Fields, series_keys: set[str]) -> _Item | None:
    if f.platform in ("netflix", "prime_video", "disney_plus"):
        return _item(f, "series" if title_key(f.title) in series_keys else "film")
    if f.ids_raw.get("youtube"):
        return _item(f, "video")
    if f.platform == "spotify" and f.extra.get("show"):
        return _podcast(f, series_keys)
    return None


def _podcast(f: _Fields, series_keys: set[str]) -> _Item | None:
    show = f.extra.get("show")
    if not show and f.action == "saved" and f.creator_names:
        show = f.creator_names[0]  # a saved episode is credited to its show (Spotify's library)
    if show:
        return _item(f, "podcast", show, [])  # an episode's URI does not name the show
    if f.action in ("followed", "subscribed"):
        return _item(f, "podcast")
    return None


def _product(f: _Fields, series_keys: set[str]) -> _Item | None:
    if (
        any(s == "isbn13" for s, _ in f.ids)
        or _BOOKISH.search(f.title)
        or (f.extra.get("digital") and _EBOOK_SELLER.search(str(f.extra.get("seller", ""))))
        or any(c in ("books", "kindle store", "kindle ebooks", "audible") for c in f.categories)
    ):
        name, author = split_product_title(f.title)
        # an edition's ASIN never recurs elsewhere
        book = _item(f, "book", name, [(s, v) for s, v in f.ids if s == "isbn13"])
        if author and not f.creator_names:
            book.creator_names = [author]
        return book
    if _FILMISH.search(f.title) or "movies & tv" in f.categories:
        return _item(f, "film", ids=[])
    return _item(f, "product")


_NOTE_ABOUT = {"book": "book", "movie": "film", "film": "film", "series": "series"}


def _note(f: _Fields, series_keys: set[str]) -> _Item | None:
    about = f.extra.get("about")
    if f.platform == "obsidian" and about in _NOTE_ABOUT:
        return _item(f, _NOTE_ABOUT[about])
    return None


_ITEM_RULES: dict[str, Callable[[_Fields, set[str]], _Item | None]] = {
    "book": _book,
    "audiobook": _book,
    "movie": _film,
    "episode": _episode,
    "series": _series,
    "video": _video,
    "track": _own_kind,
    "album": _own_kind,
    "podcast": _podcast,
    "product": _product,
    "note": _note,
}


# -- mentions from records ------------------------------------------------------------------------


def _mention(platform: str, cls: str, name: str, creators: Sequence[str] = (), **kw: Any) -> Mention:
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


def _record_mentions(row: dict[str, Any], series_keys: set[str]) -> list[tuple[Mention, str]]:
    """What a record is about (role 'item'), the album of a track (role 'album') and its creators."""
    f = _Fields.of(row)
    if f.kind in ("artist", "channel"):  # the record is the creator itself
        return (
            [(_mention(f.platform, "creator", f.title, ids=tuple(sorted(f.ids))), "item")] if f.title else []
        )
    rule = _ITEM_RULES.get(f.kind)
    item = rule(f, series_keys) if rule else None
    out = _item_mentions(f, item) if item and item.name else []
    if f.kind in _CREDITED_KINDS:
        name, creator_names = (item.name, item.creator_names) if item else (f.title, f.creator_names)
        for c in creator_names:
            if creator_key(c) != title_key(name):  # a podcast "by" its own show name credits nobody
                out.append((_mention(f.platform, "creator", c), "creator"))
    return out


def _item_mentions(f: _Fields, item: _Item) -> list[tuple[Mention, str]]:
    """The item's mention, with its book series, album (a mention of its own) or soundtrack."""
    cls, name = item.cls, item.name
    year = _year(f.extra.get("year")) or _year((f.extra.get("properties") or {}).get("year"))
    credited = item.creator_names if cls not in ("series", "film", "podcast") else ()
    m = _mention(f.platform, cls, name, credited, year=year, ids=tuple(sorted(item.ids)))
    out: list[tuple[Mention, str]] = []
    if cls == "book":
        series_name = str(f.extra.get("series") or "")
        m.series = title_key(re.sub(r"\s*#.*$", "", series_name)) if series_name else ""
    if cls == "track":
        album = f.extra.get("album") or ""
        m.album = title_key(album)
        m.soundtrack = soundtrack_of(album)
        if album:
            a = _mention(f.platform, "album", album, item.creator_names[:1])
            a.soundtrack = m.soundtrack
            out.append((a, "album"))
    if cls == "album":
        m.soundtrack = soundtrack_of(name)
    out.append((m, "item"))
    return out
