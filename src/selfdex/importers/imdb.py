"""IMDb CSV exports: ``ratings.csv`` (Your Ratings → Export) and lists, the watchlist among them (``WATCHLIST.csv``).

Three header generations, told apart by the header, never by column position:

- 2017–2023: ``Const,Your Rating,Date Rated,Title,URL,Title Type,…,Directors``; lists open with
  ``Position,Const,Created,Modified,Description,…``;
- 2024+: the same with ``Original Title`` after ``Title``, and lists gain ``Your Rating,Date Rated`` at the end
  (often blank);
- up to 2016: lower-case ``position,const,created,modified,description,Title,Title type,Directors,You rated,…``
  with ``created`` written like ``Sat Mar  5 00:00:00 2016``.

``Const`` is the IMDb id (``tt…``) on every row: it is kept as the ``imdb`` id, so the same film from Trakt
or a rating and a watchlist entry meet as one entity. ``Title Type`` decides what kind of thing a row is.
"""

from __future__ import annotations

from datetime import datetime

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, day_stamp, parse_date
from ._util import clean, prov, split_names, to_float
from .base import Importer, ParseResult, csv_header, iter_csv

_KINDS = {
    "movie": "movie",
    "feature": "movie",
    "tv movie": "movie",
    "tvmovie": "movie",
    "video": "movie",
    "short": "movie",
    "tv short": "movie",
    "tv special": "movie",
    "tv series": "series",
    "tvseries": "series",
    "tv mini series": "series",
    "tv mini-series": "series",
    "tvminiseries": "series",
    "tv episode": "episode",
    "tvepisode": "episode",
    "video game": "game",
    "podcast series": "podcast",
    "podcast episode": "podcast",
    "music video": "video",
}


def _get(row: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in row:
            return clean(row[name])
    return None


class IMDbImporter(Importer):
    name = "imdb"
    platform = "imdb"
    version = "1"
    description = "IMDb ratings.csv and list exports (watchlist), all three header generations"
    handles = ("ratings.csv", "WATCHLIST.csv", "<list>.csv")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        cols = {h.lower() for h in csv_header(entry)}
        if {"const", "title"} <= cols and ({"your rating", "date rated"} <= cols or "created" in cols):
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        cols = set(csv_header(entry))
        list_name = entry.name.rsplit(".", 1)[0]
        watchlist = list_name.lower() == "watchlist"
        # ≤2016 ratings came out list-shaped (position, created… "You rated"); they are still ratings
        legacy_ratings = "You rated" in cols and not watchlist
        is_list = ("Position" in cols or "position" in cols) and not legacy_ratings
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            const = _get(r, "Const", "const")
            title = _get(r, "Title")
            if not const or not const.startswith(("tt", "nm")) or not title:
                yield ImportProblem(
                    "row has no IMDb id (Const) or title",
                    entry.path,
                    index=index,
                    line=line,
                    excerpt=str(r)[:200],
                )
                continue
            type_text = (_get(r, "Title Type", "Title type") or "").lower()
            kind = _KINDS.get(type_text, "movie")
            rating = to_float(_get(r, "Your Rating", "You rated"))
            date_text = (
                _get(r, "Date Rated") or _get(r, "Created", "created")
                if not is_list
                else _get(r, "Created", "created")
            )
            stamp = _date(date_text) if date_text else None
            if date_text and stamp is None:
                yield ImportProblem(f"unreadable date {date_text!r}", entry.path, index=index, line=line)
                continue
            extra: dict[str, object] = {}
            if year := _get(r, "Year"):
                extra["year"] = year
            if (original := _get(r, "Original Title")) and original != title:
                extra["original_title"] = original
            if runtime := to_float(_get(r, "Runtime (mins)")):
                extra["runtime_min"] = runtime
            if imdb_rating := to_float(_get(r, "IMDb Rating")):
                extra["imdb_rating"] = imdb_rating
            if type_text:
                extra["title_type"] = type_text
            if is_list:
                action = "wishlisted" if watchlist else "saved"
                extra["list"] = list_name
                extra["identity"] = list_name
                if note := _get(r, "Description", "description"):
                    extra["note"] = note
            else:
                action = "rated"
            yield Record(
                platform=self.platform,
                action=action,
                item=Item(
                    kind=kind,
                    title=title,
                    creators=split_names(_get(r, "Directors"), r","),
                    ids={"imdb": const},
                    categories=split_names(_get(r, "Genres"), r","),
                    url=_get(r, "URL") or f"https://www.imdb.com/title/{const}/",
                ),
                when=stamp.when if stamp else None,
                precision=stamp.precision if stamp else None,
                rating=rating if action == "rated" else None,
                rating_scale=10.0 if rating is not None and action == "rated" else None,
                extra=extra,
                raw=r,
                provenance=prov(entry, index, line),
            )


def _date(text: str) -> Stamp | None:
    stamp = parse_date(text)
    if stamp is not None:
        return stamp
    try:  # legacy lists: "Sat Mar  5 00:00:00 2016"
        return day_stamp(datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").date())
    except ValueError:
        return None
