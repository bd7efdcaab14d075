"""Small export files in the platforms' real shapes, written by hand for one test's situation."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path


def write_scrobbles(folder: Path, plays: list[tuple[datetime, str, str]]) -> Path:
    """A lastfm.ghan.nl export of (when, artist, track): bare header, every value quoted, newest first."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "scrobbles.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n")
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for when, artist, track in sorted(plays, reverse=True):
            w.writerow(
                [str(int(when.timestamp())), when.strftime("%d %b %Y, %H:%M"), artist, "", "", "", track, ""]
            )
    return out


def write_netflix_simple(folder: Path, rows: list[tuple[str, str]]) -> Path:
    """Netflix's simple ``NetflixViewingHistory.csv`` of (title, date as the account writes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "NetflixViewingHistory.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Title,Date\n")
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return out
