"""Trakt account export (Settings → Data → Export): a ZIP of raw API responses, one JSON array per member.

What we read: ``watched-history.json`` (paginated as ``watched-history-1.json``, ``-2``… on big accounts;
one event per play with its ``id``, ``watched_at``, ``action`` scrobble/checkin/watch and the movie or the
episode with its show), ``ratings-{movies,shows,seasons,episodes}.json`` (1–10) and the watchlist
(``lists-watchlist.json``; older exports: ``watchlist-movies.json``/``watchlist-shows.json``). Every object
carries Trakt's ``ids`` block (``trakt``, ``slug``, ``imdb``, ``tmdb``, shows also ``tvdb``): the IMDb and TMDB
ids are kept so a film links to the same film on IMDb and, with title and year, on Letterboxd and Netflix.
``watched-movies.json``/``watched-shows.json`` are per-title totals of the same history and are skipped;
most other members (comments, likes, network, settings with the account's e-mail) are not activity.
Many members are just ``[]``.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, iter_json_items

_HISTORY = re.compile(r"^watched-history(-\d+)?\.json$")
_RATINGS = re.compile(r"^ratings-(movies|shows|seasons|episodes)\.json$")
_WATCHLIST = re.compile(r"^(lists-watchlist|watchlist-(movies|shows|seasons|episodes))\.json$")
_TOTALS = re.compile(r"^watched-(movies|shows)\.json$")
_ID_KEYS = ("imdb", "tmdb", "tvdb", "trakt", "slug")


class TraktImporter(Importer):
    name = "trakt"
    platform = "trakt"
    version = "1"
    description = "Trakt export ZIP: watch history (movies, episodes), ratings, watchlist, with IMDb/TMDB ids"
    handles = ("watched-history*.json", "ratings-*.json", "lists-watchlist.json", "watchlist-*.json")

    def recognize(self, entry: Entry) -> float:
        name = entry.name.lower()
        if not any(p.match(name) for p in (_HISTORY, _RATINGS, _WATCHLIST, _TOTALS)):
            return 0.0
        head = entry.head(4096).strip()
        if head in (b"[]", b"[ ]"):
            return 0.8  # Trakt writes its empty members as two bytes
        if b'"ids"' in head and b'"trakt"' in head:
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        name = entry.name.lower()
        if _TOTALS.match(name):
            yield ImportProblem(
                "per-title totals of watched-history.json: the plays themselves are imported from there",
                entry.path,
                severity="skipped",
            )
            return
        for item in iter_json_items(entry, "item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            try:
                out = self._one(entry, name, index, obj)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                out = ImportProblem(
                    f"unreadable entry: {type(exc).__name__}: {exc}",
                    entry.path,
                    index=index,
                    excerpt=str(obj)[:200],
                )
            yield out

    def _one(self, entry: Entry, name: str, index: int, obj: Any) -> Record | ImportProblem:
        if not isinstance(obj, dict):
            return ImportProblem("entry is not an object", entry.path, index=index)
        if _HISTORY.match(name):
            action, stamp_key = "watched", "watched_at"
        elif _RATINGS.match(name):
            action, stamp_key = "rated", "rated_at"
        else:
            action, stamp_key = "wishlisted", "listed_at"
        item, extra = _item(obj)
        if item is None:
            return ImportProblem(
                f"entry of type {obj.get('type')!r} names no movie, show or episode",
                entry.path,
                index=index,
                excerpt=str(obj)[:200],
            )
        raw_stamp = obj.get(stamp_key)
        stamp = parse_iso(str(raw_stamp)) if raw_stamp else None
        if raw_stamp and stamp is None:
            return ImportProblem(f"unreadable {stamp_key} {raw_stamp!r}", entry.path, index=index)
        rating = obj.get("rating") if action == "rated" else None
        if action == "watched":
            if obj.get("action"):
                extra["how"] = obj["action"]  # scrobble (played), checkin or watch (marked by hand)
            if obj.get("id") is not None:
                extra["identity"] = f"history:{obj['id']}"
        if action == "wishlisted" and clean(obj.get("notes")):
            extra["notes"] = obj["notes"]
        return Record(
            platform=self.platform,
            action=action,
            item=item,
            **stamp_fields(stamp),
            rating=float(rating) if isinstance(rating, int | float) else None,
            rating_scale=10.0 if isinstance(rating, int | float) else None,
            extra=extra,
            raw=obj,
            provenance=prov(entry, index),
        )


def _ids(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    ids = obj.get("ids") or {}
    out = {}
    for key in _ID_KEYS:
        value = ids.get(key)
        if value not in (None, ""):
            out[prefix + key] = str(value)
    return out


def _item(obj: dict[str, Any]) -> tuple[Item | None, dict[str, Any]]:
    kind = obj.get("type") or next((k for k in ("movie", "episode", "show", "season") if k in obj), None)
    extra: dict[str, Any] = {}
    if kind == "movie" and isinstance(obj.get("movie"), dict):
        movie = obj["movie"]
        if movie.get("year"):
            extra["year"] = str(movie["year"])
        return Item(kind="movie", title=clean(movie.get("title")), ids=_ids(movie)), extra
    show = obj.get("show") if isinstance(obj.get("show"), dict) else None
    if kind == "show" and show:
        if show.get("year"):
            extra["year"] = str(show["year"])
        return Item(kind="series", title=clean(show.get("title")), ids=_ids(show)), extra
    if kind == "season" and show and isinstance(obj.get("season"), dict):
        number = obj["season"].get("number")
        extra.update({"series": show.get("title"), "season": number})
        return (
            Item(kind="series", title=f"{show.get('title')}: Season {number}", ids=_ids(show, "show_")),
            extra,
        )
    if kind == "episode" and isinstance(obj.get("episode"), dict):
        ep = obj["episode"]
        series = clean((show or {}).get("title"))
        season, number = ep.get("season"), ep.get("number")
        label = clean(ep.get("title")) or f"Episode {number}"
        extra.update({"series": series, "season": season, "episode": number})
        title = f"{series}: Season {season}: {label}" if series else label
        # the episode's own ids under their names, the show's with a prefix (its IMDb id is the series')
        ids = {**_ids(show or {}, "show_"), **{f"episode_{k}": v for k, v in _ids(ep).items()}}
        return Item(kind="episode", title=title, ids=ids), extra
    return None, extra
