"""Netflix: the GDPR report (``netflix-report.zip`` → ``CONTENT_INTERACTION/…``, ``PROFILES/…``) and the
simple ``NetflixViewingHistory.csv`` downloaded from the Viewing-activity page.

Quirks: every report table is per *profile* (a household shares one account), so the profile name goes
in ``extra`` and into the record identity. ``ViewingActivity.csv`` times are UTC; titles are in the
profile's language (``Fuller House: Temporada 5: … (Episódio 18)``) and rows with a
``Supplemental Video Type`` (trailers, hooks, recaps, bumpers…) are not viewing: they are reported as
skipped. Ratings, My List, search results and indicated preferences name a title without saying whether
it is a film or a show, so their item kind is the neutral ``video``. Empty tables come as a ``.txt``
placeholder. The simple history has one profile and a date in the account's locale (``10/21/20``,
``21/10/2020``, ``21.10.20``), read with one day/month order decided for the whole file; it writes some
episodes with no season label ("Scrubs: My Own Personal Jesus"), recognised from the file's other rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any, Literal

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, day_stamp, parse_iso
from ._netflix_titles import split_title, unlabelled_shows
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv

_PLACEHOLDER = "We found no information for this table"
# Top-level folders of the report; a placeholder .txt inside one of them is Netflix's.
_REPORT_DIRS = frozenset(
    [
        "CONTENT_INTERACTION",
        "PROFILES",
        "CLICKSTREAM",
        "DEVICES",
        "IP_ADDRESSES",
        "PAYMENT_AND_BILLING",
        "ACCOUNT",
        "CUSTOMER_SERVICE",
        "MESSAGES",
        "SOCIAL_MEDIA_CONNECTIONS",
        "SURVEYS",
        "GAMES",
    ]
)

# Which table a header is: the columns that identify it (all must be present).
_TABLES: tuple[tuple[str, frozenset[str]], ...] = (
    ("viewing", frozenset({"Profile Name", "Duration", "Title"})),
    ("ratings", frozenset({"Profile Name", "Title Name", "Rating Type"})),
    ("mylist", frozenset({"Profile Name", "Title Name", "Utc Title Add Date"})),
    ("search", frozenset({"Profile Name", "Query Typed", "Displayed Name"})),
    ("preferences", frozenset({"Profile Name", "Show", "Is Interested"})),
    ("interactive", frozenset({"Profile Name", "Title Desc", "Choice Segment Id"})),
    ("playback", frozenset({"Profile Name", "Playtraces"})),
    ("profiles", frozenset({"Profile Name", "Profile Creation Time"})),
)

_DIGITS = re.compile(r"\d+")
_THUMBS = {1: "down", 2: "up", 3: "love"}


def _hms(text: str | None) -> float | None:
    """ "01:47:52" → seconds; None for anything else."""
    parts = (text or "").strip().split(":")
    if len(parts) != 3:
        return None
    try:
        h, m, s = (int(p) for p in parts)
    except ValueError:
        return None
    return float(h * 3600 + m * 60 + s)


def _bool(text: str | None) -> bool | None:
    t = (text or "").strip().lower()
    if t in ("true", "yes", "1"):
        return True
    if t in ("false", "no", "0"):
        return False
    return None


def _table(header: list[str]) -> str | None:
    cols = set(header)
    if header == ["Title", "Date"]:
        return "simple"
    return next((name for name, need in _TABLES if need <= cols), None)


class NetflixImporter(Importer):
    name = "netflix"
    platform = "netflix"
    version = "1"
    description = (
        "Netflix account report (viewing, ratings, My List, searches) and the simple viewing history"
    )
    handles = (
        "CONTENT_INTERACTION/ViewingActivity.csv",
        "CONTENT_INTERACTION/Ratings.csv",
        "CONTENT_INTERACTION/MyList.csv",
        "CONTENT_INTERACTION/SearchHistory.csv",
        "CONTENT_INTERACTION/IndicatedPreferences.csv",
        "CONTENT_INTERACTION/InteractiveTitles.csv",
        "CONTENT_INTERACTION/PlaybackRelatedEvents.csv (skipped)",
        "PROFILES/Profiles.csv (skipped)",
        "*.txt empty-table placeholders (skipped)",
        "NetflixViewingHistory.csv",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix == ".txt":
            if entry.text_head(128).lstrip().startswith(_PLACEHOLDER):
                return 0.9 if _REPORT_DIRS & set(entry.parts) else 0.4
            return 0.0
        if entry.suffix != ".csv":
            return 0.0
        table = _table(csv_header(entry))
        if table is None:
            return 0.0
        if table == "simple":
            # "Title,Date" is generic; the file name makes it Netflix's.
            return 0.9 if "netflix" in entry.name.lower() else 0.5
        return 0.95

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix == ".txt":
            yield ImportProblem(
                "Netflix found no data for this table (placeholder file)", entry.path, severity="skipped"
            )
            return
        table = _table(csv_header(entry))
        if table == "playback":
            yield ImportProblem(
                "play/pause/seek traces are not imported: the viewing itself is in ViewingActivity.csv",
                entry.path,
                severity="skipped",
            )
            return
        if table == "profiles":
            yield ImportProblem("profile settings are not activity", entry.path, severity="skipped")
            return
        if table == "simple":
            yield from self._simple(entry)
            return
        if table == "search":
            yield from self._searches(entry)
            return
        handler = {
            "viewing": self._viewing,
            "ratings": self._rating,
            "mylist": self._mylist,
            "preferences": self._preference,
            "interactive": self._interactive,
        }.get(table or "")
        if handler is None:
            yield ImportProblem(
                "a Netflix table this importer does not know", entry.path, severity="unsupported"
            )
            return
        yield from self._rows(entry, handler)

    def _rows(
        self, entry: Entry, handler: Callable[[Entry, int, int, dict[str, str]], Record]
    ) -> ParseResult:
        """Each CSV row through ``handler``; a row it cannot read is reported, with its reason."""
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            try:
                yield handler(entry, index, line, r)
            except _RowError as exc:
                yield ImportProblem(
                    exc.reason,
                    entry.path,
                    index=index,
                    line=line,
                    excerpt=",".join(r.values())[:200],
                    severity=exc.severity,
                )

    # -- report tables ----------------------------------------------------------------------------
    def _record(
        self,
        entry: Entry,
        index: int,
        line: int,
        r: dict[str, str],
        *,
        action: str,
        item: Item,
        stamp: Stamp | None,
        extra: dict[str, Any],
        **values: Any,
    ) -> Record:
        if profile := clean(r.get("Profile Name")):
            # The profile is part of what happened: two household members can do the same thing at once.
            extra = {"profile": profile, **extra}
            extra.setdefault("identity", profile)
        return Record(
            platform=self.platform,
            action=action,
            item=item,
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
            **values,
        )

    def _viewing(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = clean(r.get("Title"))
        if title is None:
            raise _RowError("viewing row has no title")
        if supplemental := clean(r.get("Supplemental Video Type")):
            raise _RowError(
                f"supplemental video ({supplemental}) is not viewing: {title}", severity="skipped"
            )
        stamp = _utc(r.get("Start Time") or r.get("Start Time UTC"))
        kind, extra = split_title(title)
        extra.update(_clean_extra(r))
        if (bookmark := _hms(r.get("Bookmark"))) is not None:
            extra["bookmark_s"] = bookmark
        if (r.get("Latest Bookmark") or "").strip().lower() == "not latest view":
            extra["latest_view"] = False
        if attributes := clean(r.get("Attributes")):
            extra["attributes"] = attributes.rstrip("; ")
            if "Autoplayed" in attributes:
                extra["autoplayed"] = True
        return self._record(
            entry,
            index,
            line,
            r,
            action="watched",
            item=Item(kind=kind, title=title),
            stamp=stamp,
            extra=extra,
            duration_s=_hms(r.get("Duration")),
        )

    def _rating(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = _title(r, "Title Name")
        stamp = _utc(r.get("Event Utc Ts"))
        rating_type = (r.get("Rating Type") or "").strip().lower()
        extra = _clean_extra(r)
        if rating_type == "star":
            rating, scale = to_float(r.get("Star Value")), 5.0
        else:
            rating, scale = to_float(r.get("Thumbs Value")), 3.0  # 1 down, 2 up, 3 "love this" (2022+)
            if rating is not None:
                extra["thumbs"] = _THUMBS.get(int(rating), str(rating))
        if not rating:
            raise _RowError(f"rating of {title!r} was cleared (no value)", severity="skipped")
        return self._record(
            entry,
            index,
            line,
            r,
            action="rated",
            item=Item(kind="video", title=title),
            stamp=stamp,
            extra=extra,
            rating=rating,
            rating_scale=scale,
        )

    def _mylist(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = _title(r, "Title Name")
        return self._record(
            entry,
            index,
            line,
            r,
            action="saved",
            item=Item(kind="video", title=title),
            stamp=_day(r.get("Utc Title Add Date")),
            extra={"list": "My List", **_clean_extra(r)},
        )

    def _search(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        query = clean(r.get("Query Typed"))
        if query is None:
            raise _RowError("search row has no query", severity="skipped")
        extra = _clean_extra(r)
        shown = clean(r.get("Displayed Name"))
        for key, col in (("result", "Displayed Name"), ("result_action", "Action"), ("section", "Section")):
            if value := clean(r.get(col)):
                extra[key] = value
        if (kids := _bool(r.get("Is Kids"))) is not None:
            extra["kids"] = kids
        # Each row is one result the person acted on; several can share a query and a second.
        extra["identity"] = f"{r.get('Profile Name', '')}|{shown or ''}|{r.get('Action', '')}"
        return self._record(
            entry,
            index,
            line,
            r,
            action="searched",
            item=Item(kind="query", title=query),
            stamp=_utc(r.get("Utc Timestamp")),
            extra=extra,
        )

    def _searches(self, entry: Entry) -> ParseResult:
        """One record per search: the rows of one typed query a few minutes apart are the results the
        person opened and played from it ("view_video_info", then "play"), not searches of their own."""
        sessions: dict[tuple[str, str], list[tuple[datetime, Record]]] = {}
        found: list[Record] = []
        for record in self._rows(entry, self._search):
            if isinstance(record, ImportProblem):
                yield record
                continue
            if record.when is None:
                found.append(record)
            else:
                key = (str(record.extra.get("profile") or ""), record.item.title or "")
                sessions.setdefault(key, []).append((record.when, record))
        for rows in sessions.values():
            rows.sort(key=lambda x: x[0])
            group, last = [rows[0][1]], rows[0][0]
            for when, record in rows[1:]:
                if when - last > _SEARCH_SESSION:
                    found.append(_merge_search(group))
                    group = []
                group.append(record)
                last = when
            found.append(_merge_search(group))
        found.sort(key=lambda rec: rec.provenance.index if rec.provenance and rec.provenance.index else 0)
        yield from found

    def _preference(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = _title(r, "Show")
        interested = _bool(r.get("Is Interested"))
        extra: dict[str, Any] = {}
        if (watched := _bool(r.get("Has Watched"))) is not None:
            extra["has_watched"] = watched
        # Picked at profile set-up ("choose titles you like"): interest unless explicitly declined.
        return self._record(
            entry,
            index,
            line,
            r,
            action="disliked" if interested is False else "interested",
            item=Item(kind="video", title=title),
            stamp=_day(r.get("Event Date")),
            extra=extra,
        )

    def _interactive(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record:
        title = _title(r, "Title Desc")
        kind, extra = split_title(title)
        for key, col in (
            ("choice", "Choice Segment Id"),
            ("selection", "Selection Type"),
            ("source", "Source"),
        ):
            if value := clean(r.get(col)):
                extra[key] = value
        if (watched := _bool(r.get("Has Watched"))) is not None:
            extra["has_watched"] = watched
        extra["identity"] = f"{r.get('Profile Name', '')}|{r.get('Choice Segment Id', '')}"
        # A choice made inside an interactive title: a view of that branch, not a viewing of its own.
        return self._record(
            entry,
            index,
            line,
            r,
            action="viewed",
            item=Item(kind=kind, title=title),
            stamp=_utc(r.get("Utc Timestamp")),
            extra=extra,
        )

    # -- NetflixViewingHistory.csv ----------------------------------------------------------------
    def _simple(self, entry: Entry) -> ParseResult:
        rows: list[tuple[int, int, dict[str, str], tuple[str, ...]]] = []
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            rows.append((index, line, r, tuple(_DIGITS.findall(r.get("Date") or ""))))
        order = _date_order([parts for *_, parts in rows], _separator(rows))
        read: list[tuple[int, int, dict[str, str], str, date]] = []
        for index, line, r, parts in rows:
            title = clean(r.get("Title"))
            day = _read_date(parts, order) if order else None
            if title is None or day is None:
                yield ImportProblem(
                    "row has no title" if title is None else f"unreadable date {r.get('Date')!r}",
                    entry.path,
                    index=index,
                    line=line,
                    excerpt=",".join(r.values())[:200],
                )
                continue
            read.append((index, line, r, title, day))
        shows = unlabelled_shows([(title, day) for *_, title, day in read])
        for index, line, r, title, day in read:
            kind, extra = split_title(title)
            show, _, episode = title.rpartition(": ")
            if kind == "movie" and show in shows:
                kind, extra = "episode", {"series": show, "episode": episode, "episode_by": shows[show]}
            if order:
                extra["date_order"] = order
            stamp = day_stamp(day)
            yield Record(
                platform=self.platform,
                action="watched",
                item=Item(kind=kind, title=title),
                when=stamp.when,
                original_tz="local",  # the day as the account's locale and zone saw it
                precision="day",
                extra=extra,
                raw=r,
                provenance=prov(entry, index, line),
            )


_SEARCH_SESSION = timedelta(minutes=10)


def _merge_search(group: list[Record]) -> Record:
    """The first row of a search session, with every result it led to (oldest first)."""
    first = group[0]
    if len(group) > 1:
        first.extra["results"] = [
            {k: v for k, v in (("result", g.extra.get("result")), ("action", g.extra.get("result_action")),
             ("section", g.extra.get("section")), ("at", g.when.isoformat() if g.when else None)) if v}
            for g in group
        ]  # fmt: skip
        first.raw = [g.raw for g in group]
    return first


class _RowError(Exception):
    def __init__(self, reason: str, severity: Literal["error", "skipped"] = "error") -> None:
        super().__init__(reason)
        self.reason = reason
        self.severity = severity


def _title(r: dict[str, str], column: str) -> str:
    title = clean(r.get(column))
    if title is None:
        raise _RowError(f"row has no {column!r}")
    return title


def _utc(text: str | None) -> Stamp | None:
    """Report timestamps are UTC without a zone: "2021-05-14 01:41:15"."""
    if not (text or "").strip():
        return None
    stamp = parse_iso(text or "", "UTC")
    if stamp is None:
        raise _RowError(f"unreadable time {text!r}")
    return stamp


def _day(text: str | None) -> Stamp | None:
    if not (text or "").strip():
        return None
    stamp = parse_iso(text or "", "UTC")
    if stamp is None:
        raise _RowError(f"unreadable date {text!r}")
    return stamp


def _clean_extra(r: dict[str, str]) -> dict[str, Any]:
    """Device and country, the columns most tables share."""
    extra: dict[str, Any] = {}
    device = clean(r.get("Device Type") or r.get("Device Model") or r.get("Device"))
    if device:
        extra["device"] = device
    country = clean(r.get("Country") or r.get("Country Iso Code"))
    if country:
        # "BR (Brazil)" in viewing activity, "BR" in search history, "Brazil" in My List.
        extra["country"] = country.split(" (", 1)[0]
    return extra


# -- locale dates of the simple history ---------------------------------------------------------------
# The Viewing-activity page writes dates the way the account's locale does: "10/21/20" (US), "21/10/2020"
# (UK), "21.10.20" (DE), "2020/10/21" (JP). One file has one format, so the order is decided once for the
# whole file: (1) keep the readings (y-m-d, m-d-y, d-m-y) that read the most rows; a "21" in first or
# second place rules a reading out. (2) If several remain (every day ≤ 12), prefer the one that keeps the
# list sorted, as Netflix lists newest first. (3) Still tied: "/" with a two-digit year is the US
# m/d/yy, anything else is day first.


def _separator(rows: list[tuple[int, int, dict[str, str], tuple[str, ...]]]) -> str:
    for *_, r, _parts in rows:
        for c in r.get("Date") or "":
            if not c.isdigit() and not c.isspace():
                return c
    return "/"


def _read_date(parts: tuple[str, ...], order: str) -> date | None:
    if len(parts) != 3:
        return None
    if order == "ymd":
        y, m, d = parts
        if len(y) != 4:
            return None
    else:
        a, b, y = parts
        if len(y) not in (2, 4) or len(a) > 2 or len(b) > 2:
            return None
        m, d = (a, b) if order == "mdy" else (b, a)
    year = int(y) + (2000 if len(y) == 2 else 0)  # Netflix streaming began in 2007
    try:
        return date(year, int(m), int(d))
    except ValueError:
        return None


def _disorder(days: list[date]) -> int:
    down = sum(a < b for a, b in pairwise(days))
    up = sum(a > b for a, b in pairwise(days))
    return min(down, up)


def _date_order(all_parts: list[tuple[str, ...]], separator: str) -> str | None:
    readings: dict[str, list[date]] = {}
    for order in ("ymd", "mdy", "dmy"):
        days = [d for parts in all_parts if (d := _read_date(parts, order)) is not None]
        if days:
            readings[order] = days
    if not readings:
        return None
    most = max(len(days) for days in readings.values())
    best = [o for o, days in readings.items() if len(days) == most]
    if len(best) > 1:
        least = min(_disorder(readings[o]) for o in best)
        best = [o for o in best if _disorder(readings[o]) == least]
    if len(best) > 1:
        two_digit_year = any(len(p) == 3 and len(p[2]) == 2 for p in all_parts)
        return "mdy" if separator == "/" and two_digit_year and "mdy" in best else "dmy"
    return best[0]
