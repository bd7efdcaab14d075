"""Last.fm scrobbles as lastfm.ghan.nl exports them (Last.fm itself has no export): a folder with
``scrobbles.csv``, newest first, every field quoted. She scrobbles from Spotify, so the rows mirror her
Spotify plays that Last.fm counts (longer than 30 s and played for half the track or 4 minutes)."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC
from pathlib import Path

from ..person import Person

BUNDLE = "lastfm-maralind"
HEADER = ("uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid")
# MusicBrainz knows these artists well; the rest have empty MBIDs, as is common in real exports.
_WELL_KNOWN = frozenset({"Hans Zimmer", "Radiohead", "Max Richter", "Nils Frahm", "Bonobo", "Khruangbin"})


def _mbid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "musicbrainz:" + "/".join(parts)))


def write(person: Person, root: Path) -> None:
    rows = []
    for play in person.plays():
        t = play.track
        if play.platform != "spotify" or t.duration_ms <= 30_000:
            continue
        if play.ms_played < min(t.duration_ms / 2, 240_000):
            continue
        known = t.artist in _WELL_KNOWN
        rows.append(
            (
                str(int(play.when.timestamp())),
                play.when.strftime("%d %b %Y, %H:%M"),
                t.artist,
                _mbid(t.artist) if known else "",
                t.album,
                _mbid(t.artist, t.album) if known else "",
                t.title,
                _mbid(t.artist, t.album, t.title) if known and len(t.title) % 3 else "",
            )
        )
    rows.reverse()  # newest first, as the exporter writes
    root.mkdir(parents=True, exist_ok=True)
    with (root / "scrobbles.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")  # the header is bare, every value quoted
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerows(rows)


PLAYED_AT_HEADER = ("artist", "album", "track", "played_at", "date")


def write_played_at(person: Person, root: Path) -> Path:
    """The same scrobbles as another exporter writes them: ``artist,album,track,played_at,date``, with the
    full ISO instant in ``played_at`` and the UTC day again in ``date``; a track played several times in
    one day has several rows with one ``date``. Not part of the bundle (it repeats ``scrobbles.csv``)."""
    rows = []
    for play in person.plays():
        t = play.track
        if play.platform != "spotify" or play.ms_played < min(t.duration_ms / 2, 240_000):
            continue
        when = play.when.astimezone(UTC)
        rows.append(
            (t.artist, t.album, t.title, when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.date().isoformat())
        )
    path = root / "lastfm_scrobbles.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(PLAYED_AT_HEADER)
        writer.writerows(reversed(rows))
    return path
