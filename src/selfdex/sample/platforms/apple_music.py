"""Apple Music, as Apple's privacy export hands it out: ``Apple Media Services information.zip`` with
``Apple_Media_Services/Apple Music Activity/Apple Music Play Activity.csv`` in the newer column set
(``Song Name`` / ``Album Name``, no track artist; ``Container Artist Name`` only when an album is playing),
one row per playback event (PLAY_END, some PLAY_START and LYRIC_DISPLAY rows), her plays until 2023-09."""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..person import Person, Play
from ._csv import write_csv

BUNDLE = "Apple Media Services information.zip"
CSV = "Apple_Media_Services/Apple Music Activity/Apple Music Play Activity.csv"
HEADER = (
    "Album Name",
    "Apple ID Number",
    "Apple Music Subscription",
    "Auto Play",
    "Build Version",
    "Client IP Address",
    "Container Album Name",
    "Container Artist Name",
    "Container Global Playlist ID",
    "Container ID",
    "Container Name",
    "Container Origin Type",
    "Container Type",
    "Device App Name",
    "Device Identifier",
    "Device OS Name",
    "Device OS Version",
    "Device Type",
    "End Position In Milliseconds",
    "End Reason Type",
    "Event End Timestamp",
    "Event ID",
    "Event Reason Hint Type",
    "Event Received Timestamp",
    "Event Start Timestamp",
    "Event Timestamp",
    "Event Type",
    "Feature Name",
    "Genre",
    "IP City",
    "IP Country Code",
    "IP Latitude",
    "IP Longitude",
    "Item Type",
    "Media Duration In Milliseconds",
    "Media Type",
    "Metrics Client ID",
    "Milliseconds Since Play",
    "Offline",
    "Play Duration Milliseconds",
    "Repeat Play",
    "Shuffle Play",
    "Song Name",
    "Source Type",
    "Start Position In Milliseconds",
    "Store Front Name",
    "UTC Offset In Seconds",
    "User’s Audio Quality",
    "User’s Playback Format",
)
_GENRES = {
    "Hans Zimmer": "Soundtrack",
    "Jóhann Jóhannsson": "Soundtrack",
    "Rachel Portman": "Soundtrack",
    "Max Richter": "Classical",
    "Nils Frahm": "Electronic",
    "Bonobo": "Electronic",
    "Radiohead": "Alternative",
    "Khruangbin": "Alternative",
    "Dua Lipa": "Pop",
    "Ed Sheeran": "Pop",
}


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _rows(person: Person, play: Play, rng: random.Random, n: int) -> list[dict[str, object]]:
    t = play.track
    start = play.when + timedelta(milliseconds=rng.randrange(0, 1000))
    end = start + timedelta(milliseconds=play.ms_played)
    offset = start.astimezone(person.tz).utcoffset()
    on_album = rng.random() < 0.6
    skipped = play.reason_end != "trackdone"
    base: dict[str, object] = {
        "Album Name": t.album,
        "Apple ID Number": "1234567890",
        "Apple Music Subscription": "True",
        "Auto Play": "",
        "Build Version": "Music/1.3.5 iPhone14,5/16.5",
        "Client IP Address": f"192.0.2.{rng.randrange(1, 255)}",
        "Container Album Name": t.album if on_album else "",
        "Container Artist Name": t.artist if on_album else "",
        "Container Global Playlist ID": "" if on_album else "pl.u-8aAVZAaIo1VJ4g",
        "Container ID": str(1_400_000_000 + zlib.crc32(t.album.encode()) % 99_999_999) if on_album else "",
        "Container Name": t.album if on_album else "Soundtracks for Reading",
        "Container Origin Type": "LIBRARY" if on_album else "USER_PLAYLIST",
        "Container Type": "ALBUM" if on_album else "PLAYLIST",
        "Device App Name": "Music",
        "Device Identifier": "0F3C9A1E-2B7D-4C55-9E1A-6D8B3F2A7C10",
        "Device OS Name": "iOS",
        "Device OS Version": "16.5",
        "Device Type": "iPhone",
        "End Position In Milliseconds": play.ms_played,
        "End Reason Type": "TRACK_SKIPPED_FORWARDS" if skipped else "NATURAL_END_OF_TRACK",
        "Event End Timestamp": _ts(end),
        "Event ID": f"{n:08d}-{rng.randrange(16**8):08x}",
        "Event Reason Hint Type": "NOT_SPECIFIED",
        "Event Received Timestamp": _ts(end + timedelta(seconds=rng.randrange(1, 90))),
        "Event Start Timestamp": _ts(start),
        "Event Timestamp": _ts(end),
        "Event Type": "PLAY_END",
        "Feature Name": rng.choice(("library / album-detail", "listen-now", "search / album-detail")),
        "Genre": _GENRES.get(t.artist, "Soundtrack"),
        "IP City": "Berlin",
        "IP Country Code": "DE",
        "IP Latitude": "52.52",
        "IP Longitude": "13.40",
        "Item Type": "ITUNES_STORE_CONTENT",
        "Media Duration In Milliseconds": f"{float(t.duration_ms)}",
        "Media Type": "AUDIO",
        "Metrics Client ID": "3z4Gk2Mz1Qz5Rz9Tz2Wz7Yz1Bz3Dz",
        "Milliseconds Since Play": rng.randrange(0, 3000),
        "Offline": "False",
        "Play Duration Milliseconds": play.ms_played,
        "Repeat Play": "",
        "Shuffle Play": "True" if rng.random() < 0.2 else "False",
        "Song Name": t.title,
        "Source Type": "ORIGINATING_DEVICE",
        "Start Position In Milliseconds": 0,
        "Store Front Name": "Germany",
        "UTC Offset In Seconds": f"{offset.total_seconds() if offset else 0.0}",
        "User’s Audio Quality": "HIGH_QUALITY",
        "User’s Playback Format": "STEREO",
    }
    rows = []
    if rng.random() < 0.15:  # some plays also log their start
        rows.append(
            {
                **base,
                "Event Type": "PLAY_START",
                "End Reason Type": "",
                "Play Duration Milliseconds": 0,
                "End Position In Milliseconds": 0,
                "Event End Timestamp": _ts(start),
                "Event Timestamp": _ts(start),
            }
        )
    rows.append(base)
    if not skipped and rng.random() < 0.04:
        rows.append(
            {
                **base,
                "Event Type": "LYRIC_DISPLAY",
                "End Reason Type": "",
                "Play Duration Milliseconds": 8000,
                "Event Start Timestamp": _ts(start + timedelta(seconds=30)),
                "Event End Timestamp": _ts(start + timedelta(seconds=38)),
            }
        )
    return rows


def write(person: Person, root: Path) -> None:
    rng = person.rand("apple_music")
    rows: list[dict[str, object]] = []
    for n, play in enumerate(p for p in person.plays() if p.platform == "apple_music"):
        rows.extend(_rows(person, play, rng, n))
    write_csv(root / CSV, HEADER, ([row[h] for h in HEADER] for row in rows))
