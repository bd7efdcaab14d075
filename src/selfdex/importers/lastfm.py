"""Last.fm scrobbles. Last.fm has no first-party export, so this reads what the common third-party tools write:

* lastfm.ghan.nl (``scrobbles.csv``): header ``uts,utc_time,artist,artist_mbid,album,album_mbid,track,
  track_mbid``, every field quoted; ``uts`` is Unix seconds, ``utc_time`` the same instant as
  ``"11 Jul 2024, 09:07"``; empty MBIDs are common (the track's goes to ``ids["mbid_track"]``, the
  artist's and album's to ``extra``). Loved-track exports (``loved*.csv``) become likes.
* benjaminbenben.com/lastfm-to-csv: no header, ``artist,album,track,date`` with ``date`` like
  ``"22 Mar 2021 16:55"`` (UTC, minute precision).
* Other headered CSVs with ``artist`` and ``track``/``title`` plus a ``uts``/``timestamp``/``date`` column.

A scrobble's time is when the track *started* playing. When a row gives its time in several columns
(``uts`` and ``utc_time``; ``played_at`` and ``date``; ``date`` and ``time`` apart), the most precise
reading wins: a day alone would give every play of a track that day one record id. Rows without a time
(a "now playing" entry) are reported as skipped.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..archive import Entry
from ..model import PRECISIONS, ImportProblem, Item, Record
from ..timeparse import Stamp, from_epoch, parse_iso
from ._util import clean, prov
from .base import Importer, ParseResult, csv_header, iter_csv

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_GHAN = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]
_HEADERLESS = ["artist", "album", "track", "date"]
_TITLE_COLS = ("track", "title", "name", "track_name")
_ARTIST_COLS = ("artist", "artist_name")
_EPOCH_COLS = ("uts", "timestamp", "date_uts", "unix_timestamp")
_TEXT_TIME_COLS = ("utc_time", "played_at", "datetime", "date", "time")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _human_time(text: str) -> Stamp | None:
    """``11 Jul 2024, 09:07`` or ``22 Mar 2021 16:55`` (English month names, UTC) → minute stamp."""
    parts = text.replace(",", " ").split()
    if len(parts) != 4 or ":" not in parts[3]:
        return None
    day, month, year, clock = parts
    hh, _, mm = clock.partition(":")
    mon = _MONTHS.get(month[:3].lower())
    if mon is None or not (day.isdigit() and year.isdigit() and hh.isdigit() and mm[:2].isdigit()):
        return None
    try:
        when = datetime(int(year), mon, int(day), int(hh), int(mm[:2]), tzinfo=UTC)
    except ValueError:
        return None
    return Stamp(when, "UTC", "minute")


def _headerless(entry: Entry) -> bool:
    """benjaminbenben's layout: four fields per line, the last a human date (at least in most lines)."""
    lines = [line for line in entry.text_head(2048).splitlines()[:5] if line.strip()]
    rows = list(csv.reader(lines[:4]))
    dated = [len(r) == 4 and _human_time(r[3]) is not None for r in rows]
    return bool(dated) and dated[0] and all(len(r) == 4 for r in rows) and sum(dated) * 2 > len(dated)


def _most_precise(r: dict[str, str]) -> tuple[Stamp | None, str | None]:
    """The most precise time the row gives, and a time text that could not be read (if any)."""
    stamps: list[Stamp] = []
    unreadable: str | None = None
    if (epoch := _pick(r, _EPOCH_COLS)) and (s := from_epoch(epoch)) is not None:
        stamps.append(s)
    clock = None
    for col in _TEXT_TIME_COLS:
        if (text := clean(r.get(col))) is None:
            continue
        if col == "time" and (clock := _CLOCK.fullmatch(text)):
            continue  # a time of day, joined with the day below
        if (s := _human_time(text) or parse_iso(text, "UTC")) is not None:
            stamps.append(s)
        elif unreadable is None:
            unreadable = text
    day = next((s for s in stamps if s.precision == "day"), None)
    if day is not None and clock is not None:
        hh, mm, ss = (int(g) if g else 0 for g in clock.groups())
        if hh < 24 and mm < 60 and ss < 60:
            at = day.when + timedelta(hours=hh, minutes=mm, seconds=ss)
            stamps.append(Stamp(at, day.tz, "second" if clock.group(3) else "minute"))
    if not stamps:
        return None, unreadable
    return max(stamps, key=lambda s: PRECISIONS.index(s.precision)), unreadable


def _pick(r: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if value := clean(r.get(name)):
            return value
    return None


class LastfmImporter(Importer):
    name = "lastfm"
    platform = "lastfm"
    version = "1"
    description = "Last.fm scrobbles exported by lastfm.ghan.nl, lastfm-to-csv and similar tools"
    handles = (
        "scrobbles.csv (lastfm.ghan.nl: uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid)",
        "<user>.csv (benjaminbenben lastfm-to-csv: artist,album,track,date with no header)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        header = [h.lower() for h in csv_header(entry)]
        if header[:3] == _GHAN[:3] and "artist" in header:
            return 0.95
        cols = set(header)
        if (
            cols & set(_ARTIST_COLS)
            and cols & set(_TITLE_COLS)
            and (
                cols & {"uts", "artist_mbid", "track_mbid"}
                or "lastfm" in entry.name.lower()
                or "scrobble" in entry.name.lower()
            )
        ):
            return 0.8
        if _headerless(entry):
            return 0.5
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        header = [h.lower() for h in csv_header(entry)]
        loved = "loved" in entry.name.lower()
        if set(header) & set(_ARTIST_COLS):
            rows = iter_csv(entry)
            lower = True
        else:
            rows = iter_csv(entry, header=_HEADERLESS)
            lower = False
        for row in rows:
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            if lower:
                r = {k.lower(): v for k, v in r.items()}
            try:
                yield self._row(entry, index, line, r, loved)
            except (TypeError, ValueError, OverflowError) as exc:
                yield ImportProblem(
                    f"unreadable scrobble: {exc}", entry.path, index=index, line=line, excerpt=str(r)[:200]
                )

    def _row(
        self, entry: Entry, index: int, line: int, r: dict[str, str], loved: bool
    ) -> Record | ImportProblem:
        title = _pick(r, _TITLE_COLS)
        if title is None:
            return ImportProblem(
                "scrobble names no track", entry.path, index=index, line=line, excerpt=str(r)[:200]
            )
        stamp, unreadable = _most_precise(r)
        if stamp is None and unreadable is not None:
            return ImportProblem(f"unreadable date {unreadable!r}", entry.path, index=index, line=line)
        if stamp is None:
            return ImportProblem(
                "no scrobble time (a 'now playing' entry)",
                entry.path,
                index=index,
                line=line,
                severity="skipped",
            )
        artist = _pick(r, _ARTIST_COLS)
        # Only the recording's MBID identifies the track; artist and album MBIDs would make every track
        # of an album share an id, so they go to extra.
        mbid = clean(r.get("track_mbid"))
        extra: dict[str, Any] = {}
        if album := clean(r.get("album")):
            extra["album"] = album
        for kind in ("artist", "album"):
            if value := clean(r.get(f"{kind}_mbid")):
                extra[f"mbid_{kind}"] = value
        return Record(
            platform=self.platform,
            action="liked" if loved else "listened",
            item=Item("track", title, (artist,) if artist else (), {"mbid_track": mbid} if mbid else {}),
            when=stamp.when,
            original_tz=stamp.tz,
            precision=stamp.precision,
            extra=extra,
            raw=r,
            provenance=prov(entry, index, line),
        )
