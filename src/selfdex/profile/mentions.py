"""What a record is about: the *mentions* (one thing as one platform names it) that linking clusters.

A track play names a track, its album and its artists; a Goodreads row names a book and its author; an
Amazon order line is a book when its ISBN, binding or seller says so. Records that only *talk* about
things (tweets, searches, web pages) are handled by :mod:`.textlinks`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    elif kind == "podcast" or (kind == "video" and platform == "spotify" and extra.get("show")):
        show = extra.get("show")
        if not show and row["action"] == "saved" and creator_names:
            show = creator_names[0]  # a saved episode is credited to its show (Spotify's library)
        if show or row["action"] in ("followed", "subscribed"):
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
