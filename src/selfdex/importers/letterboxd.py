"""Letterboxd export (``letterboxd-<user>-<date>-utc.zip``): diary, ratings, watched, reviews, watchlist,
likes, lists and comments.

Quirks: dates are days with no time; ``Watched Date`` (diary/reviews) is the viewing day while ``Date``
is when it was logged; the ``Letterboxd URI`` of diary/reviews points to the log entry, that of
watched/ratings to the film; list CSVs open with a preamble before their table; reviews are HTML.

``watched.csv`` is the person's catalogue of films seen, one row per film, dated by when the film was
*logged* (a back-filled catalogue logs hundreds on one day). It is no viewing: each row becomes one
undated ``seen`` fact with the logging day in ``extra["logged"]``; the viewings are the diary's entries.
"""

from __future__ import annotations

import csv

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_date
from ._util import clean, html_to_text, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv
from .csv_map import ColumnTable, read_columns, text, word_flag

_FILM_FILES = {
    # file name → (action, which date column is "when"; None: undated, the Date is the logging day)
    "diary.csv": ("watched", "Watched Date"),
    "reviews.csv": ("reviewed", "Watched Date"),
    "ratings.csv": ("rated", "Date"),
    "watched.csv": ("seen", None),
    "watchlist.csv": ("wishlisted", "Date"),
}

_EXTRA: ColumnTable = (("Year", "year", text), ("Rewatch", "rewatch", word_flag("yes")))


class LetterboxdImporter(Importer):
    name = "letterboxd"
    platform = "letterboxd"
    version = "1"
    description = "Letterboxd account export (diary viewings, films seen, rated, reviewed, liked, listed)"
    handles = (
        "diary.csv",
        "ratings.csv",
        "watched.csv",
        "reviews.csv",
        "watchlist.csv",
        "likes/films.csv",
        "lists/*.csv",
        "comments.csv",
        "deleted/*",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = csv_header(entry)
        if entry.text_head(64).startswith("Letterboxd list export"):
            return 1.0
        film_cols = {"Date", "Name", "Year", "Letterboxd URI"}
        if film_cols <= set(header):
            return 0.95
        if header == ["Date", "Content", "Comment"] and "boxd.it" in entry.text_head(2048):
            return 0.9
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        parts = [p.lower() for p in entry.parts]
        if "deleted" in parts or "orphaned" in parts:
            yield ImportProblem(
                reason="entries the user deleted on Letterboxd are not imported",
                member=entry.path,
                severity="skipped",
            )
            return
        if entry.text_head(64).startswith("Letterboxd list export"):
            yield from self._list(entry)
            return
        if csv_header(entry) == ["Date", "Content", "Comment"]:
            yield from self._comments(entry)
            return
        is_like = len(parts) >= 2 and parts[-2] == "likes"
        action, date_col = (
            ("liked", "Date") if is_like else _FILM_FILES.get(entry.name.lower(), ("watched", "Date"))
        )
        if action == "watched" and "Watched Date" not in csv_header(entry):
            # A film table without viewing days (watched.csv under another name): a catalogue, not a diary.
            action, date_col = "seen", None
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            yield self._film(entry, index, line, r, action, date_col)

    def _film(
        self, entry: Entry, index: int, line: int, r: dict[str, str], action: str, date_col: str | None
    ) -> Record | ImportProblem:
        logged = parse_date(r.get("Date") or "")
        stamp = logged if date_col is None else parse_date(r.get(date_col) or "") or logged
        title = clean(r.get("Name"))
        if title is None:
            return ImportProblem(
                "row has no film name", entry.path, index=index, line=line, excerpt=str(r)[:200]
            )
        uri = clean(r.get("Letterboxd URI"))
        rating = to_float(r.get("Rating"))
        ids = {}
        if uri:
            # diary/review URIs name the log entry, not the film; keep them apart
            diary = action in ("watched", "reviewed") and "Watched Date" in r
            ids["letterboxd_entry" if diary else "letterboxd"] = uri
        extra = read_columns(r, _EXTRA, {})
        tags = tuple(t.strip() for t in (r.get("Tags") or "").split(",") if t.strip())
        if date_col is None:
            if logged is not None:
                extra["logged"] = logged.when.date().isoformat()
            stamp = None  # seen at some unknown time; the logging day is not a viewing
        elif stamp is None and (r.get(date_col) or r.get("Date")):
            return ImportProblem(
                f"unreadable date {r.get(date_col) or r.get('Date')!r}", entry.path, index=index, line=line
            )
        return Record(
            platform=self.platform,
            action=action,
            item=Item(kind="movie", title=title, ids=ids, categories=tags),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            rating=rating,
            rating_scale=5.0 if rating is not None else None,
            text=html_to_text(r.get("Review")),
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )

    def _comments(self, entry: Entry) -> ParseResult:
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            stamp = parse_date(r.get("Date") or "")
            yield Record(
                platform=self.platform,
                action="commented",
                item=Item(kind="post", url=clean(r.get("Content"))),
                when=stamp.when if stamp else None,
                precision=stamp.precision if stamp else None,
                text=html_to_text(r.get("Comment")),
                raw=r,
                provenance=prov(entry, index, line),
            )

    def _list(self, entry: Entry) -> ParseResult:
        # Preamble: "Letterboxd list export vN", a one-row metadata table, a blank line, then the films.
        with entry.open_text() as fh:
            lines = [fh.readline() for _ in range(4)]
        meta_line = lines[2] if len(lines) > 2 else ""
        meta = next(csv.reader([meta_line]), [])
        list_name = meta[1] if len(meta) > 1 else entry.name.removesuffix(".csv")
        list_date = parse_date(meta[0]) if meta else None
        skip = 4  # version line, metadata header, metadata row, blank line
        for row in iter_csv(entry, skip_lines=skip):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            title = clean(r.get("Name"))
            if title is None:
                yield ImportProblem("list row has no film name", entry.path, index=index, line=line)
                continue
            yield Record(
                platform=self.platform,
                action="saved",
                item=Item(kind="movie", title=title, ids={"letterboxd": r["URL"]} if r.get("URL") else {}),
                when=list_date.when if list_date else None,
                precision=list_date.precision if list_date else None,
                text=html_to_text(r.get("Description")),
                extra={
                    "list": list_name,
                    "position": r.get("Position"),
                    "year": clean(r.get("Year")),
                    "identity": list_name,
                },
                raw=r,
                provenance=prov(entry, index, line),
            )
