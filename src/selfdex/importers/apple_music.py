"""Apple Music, from Apple's privacy export (``Apple Media Services information.zip`` →
``Apple_Media_Services/Apple Music Activity/Apple Music Play Activity.csv``).

Quirks: one row per playback *event*, not per play: ``PLAY_END`` rows (or, in older exports, rows with an
empty ``Event Type``) carry a listen; ``PLAY_START`` and ``LYRIC_DISPLAY`` rows are reported as skipped.
The column set changed over the years: older exports name the track in ``Content Name`` with an
``Artist Name``; newer ones use ``Song Name`` / ``Album Name`` and have no track artist at all, only the
``Container Artist Name`` of an album being played. Timestamps are ISO-8601 UTC with milliseconds, the
local clock is a separate ``UTC Offset In Seconds``; numbers are often written as floats (``186000.0``);
durations can be negative (a scrub back). The header has a curly apostrophe (``User’s Audio Quality``).
IP address, IP geolocation, Apple ID and device identifiers are dropped from ``raw``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Precision, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult, csv_header, iter_csv
from .csv_map import ColumnTable, read_columns, text, word_flag

SKIP_MS = 30_000  # shorter plays count as skips, as on the other music platforms
_PLAY_EVENTS = frozenset({"", "PLAY_END"})
_NOT_PLAYS = {
    "PLAY_START": "playback start marker; its PLAY_END row carries the listen",
    "LYRIC_DISPLAY": "lyrics shown, not a play",
}
_SENSITIVE = frozenset(
    {
        "Apple Id Number",
        "Apple ID Number",
        "Client IP Address",
        "IP Address",
        "IP City",
        "IP Latitude",
        "IP Longitude",
        "IP Network",
        "IP Network Type",
        "IP Region Code",
        "Device Identifier",
        "Metrics Client Id",
        "Metrics Client ID",
        "House ID",
    }
)
_TIME_COLUMNS = (
    "Event Start Timestamp",
    "Event End Timestamp",
    "Event Timestamp",
    "Event Received Timestamp",
)


def _offset_label(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    minutes = round(seconds / 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _stamp(text: str) -> tuple[datetime, Precision]:
    when = datetime.fromisoformat(text)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when, ("ms" if "." in text else "second")


def _not_a_play(r: dict[str, str]) -> str | None:
    """Why the row is skipped (a marker event, a play without a title), or None for a play."""
    event = (r.get("Event Type") or "").strip()
    if event not in _PLAY_EVENTS:
        return _NOT_PLAYS.get(event, f"{event} event, not a play")
    if clean(r.get("Song Name")) or clean(r.get("Content Name")):
        return None
    if r.get("Item Type") == "AGGREGATE_NON_CATALOG_PLAY_TIME":
        return "aggregated play time of music outside the Apple Music catalogue, with no title"
    return "play event names no song"


def _media_seconds(cell: str | None) -> float | None:
    ms = to_float(cell)
    return ms / 1000 if ms is not None else None


# Optional columns kept in `extra` after the album, container, end reason and skip; the first of
# the two country columns that is filled wins.
_EXTRA: ColumnTable = (
    ("Media Duration In Milliseconds", "media_duration_s", _media_seconds),
    ("Feature Name", "feature", text),
    ("Source Type", "source", text),
    ("Device Type", "device", text),
    ("Store Country Name", "country", text),
    ("IP Country Code", "country", text),
    ("Offline", "offline", word_flag("true")),
    ("Shuffle Play", "shuffle", word_flag("true")),
)


def _extra(r: dict[str, str], ms: float | None) -> dict[str, Any]:
    end_reason = clean(r.get("End Reason Type"))
    extra: dict[str, Any] = {}
    if album := clean(r.get("Album Name")) or clean(r.get("Container Album Name")):
        extra["album"] = album
    if container := clean(r.get("Container Name")):
        extra["container"] = container
        if ctype := clean(r.get("Container Type")):
            extra["container_type"] = ctype
    if end_reason:
        extra["end_reason"] = end_reason
    if (end_reason or "").startswith("TRACK_SKIPPED") or (
        ms is not None and ms < SKIP_MS and end_reason != "NATURAL_END_OF_TRACK"
    ):
        extra["skipped"] = True
    return read_columns(r, _EXTRA, extra)


class AppleMusicImporter(Importer):
    name = "apple_music"
    platform = "apple_music"
    version = "1"
    description = "Apple Music play activity from Apple's privacy export"
    handles = (
        "Apple Music Activity/Apple Music Play Activity.csv (old Content Name/Artist Name and new Song Name columns)",
        "Apple Music - Play History Daily Tracks.csv and similar per-day summaries (reported, not imported)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        cols = set(csv_header(entry))
        has_time = "Event Start Timestamp" in cols or "Event End Timestamp" in cols
        if has_time and "Play Duration Milliseconds" in cols and cols & {"Song Name", "Content Name"}:
            return 1.0 if entry.name.lower().startswith("apple music play activity") else 0.95
        if entry.name.lower().startswith("apple music - ") and "Track Description" in cols:
            return 0.6
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if "Track Description" in csv_header(entry):
            yield ImportProblem(
                "per-day play summary: the same listens are imported from Apple Music Play Activity.csv",
                entry.path,
                severity="skipped",
            )
            return
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            try:
                yield self._row(entry, index, line, r)
            except (TypeError, ValueError, OverflowError) as exc:
                yield ImportProblem(
                    f"unreadable play: {exc}", entry.path, index=index, line=line, excerpt=str(r)[:200]
                )

    def _row(self, entry: Entry, index: int, line: int, r: dict[str, str]) -> Record | ImportProblem:
        if (skip := _not_a_play(r)) is not None:
            return ImportProblem(skip, entry.path, index=index, line=line, severity="skipped")
        title = clean(r.get("Song Name")) or clean(r.get("Content Name"))
        assert title is not None  # _not_a_play said so
        stamp_text = next((t for c in _TIME_COLUMNS if (t := (r.get(c) or "").strip())), None)
        if stamp_text is None:
            return ImportProblem("play event has no timestamp", entry.path, index=index, line=line)
        when, precision = _stamp(stamp_text)
        artist = clean(r.get("Artist Name")) or clean(r.get("Container Artist Name"))
        video = r.get("Media Type") == "VIDEO" or "video" in (r.get("Content Specific Type") or "").lower()
        ms = to_float(r.get("Play Duration Milliseconds"))
        if ms is not None and ms < 0:  # a scrub backwards, not a duration
            ms = None
        extra = _extra(r, ms)
        genre = clean(r.get("Genre"))
        return Record(
            platform=self.platform,
            action="listened",
            item=Item(
                "video" if video else "track",
                title,
                (artist,) if artist else (),
                categories=(genre,) if genre else (),
            ),
            when=when,
            original_tz=_offset_label(to_float(r.get("UTC Offset In Seconds"))) or "UTC",
            precision=precision,
            duration_s=ms / 1000 if ms is not None else None,
            extra=extra,
            raw={k: v for k, v in r.items() if v and k not in _SENSITIVE},
            provenance=prov(entry, index, line),
        )
