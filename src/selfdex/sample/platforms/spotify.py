"""Spotify export: ``my_spotify_data.zip`` with ``Spotify Account Data/`` (last year's streaming history in
the Jackson ``"key" : value`` layout, searches, library, inferences) and ``Spotify Extended Streaming
History/`` (every Spotify play since she switched from Apple Music, in the 2023+ field set).

:func:`write_extended_history` writes an arbitrarily large extended-history file for benchmarks, streaming.
"""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..person import PODCASTS, TRACKS, Person, Play

BUNDLE = "my_spotify_data.zip"
ACCOUNT = "Spotify Account Data"
EXTENDED = "Spotify Extended Streaming History"
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DEVICES = ("ios", "ios", "osx", "android")


def spotify_id(*parts: str) -> str:
    """A stable 22-character base-62 id, like Spotify's, derived from a name."""
    n = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:17], "big")
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(out)


def _pretty(value: Any, level: int = 0, sep: str = " : ") -> str:
    """Spotify's account-data layout: two-space indent, every array element on its own line, empty arrays
    opened and closed on two lines; ``sep`` is ``" : "`` (streaming history, searches) or ``": "``."""
    pad = "  " * level
    inner = pad + "  "
    if isinstance(value, dict):
        body = ",\n".join(
            f"{inner}{json.dumps(k, ensure_ascii=False)}{sep}{_pretty(v, level + 1, sep)}"
            for k, v in value.items()
        )
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[\n" + pad + "]"
        return "[\n" + ",\n".join(inner + _pretty(v, level + 1, sep) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def _minute(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _null_fields() -> dict[str, Any]:
    return {
        "master_metadata_track_name": None,
        "master_metadata_album_artist_name": None,
        "master_metadata_album_album_name": None,
        "spotify_track_uri": None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
    }


def _stream(
    end: datetime,
    ms: int,
    fields: dict[str, Any],
    rng: random.Random,
    reason_start: str,
    reason_end: str,
    skipped: bool,
) -> dict[str, Any]:
    """One extended-history entry, in the 2023+ key order."""
    return {
        "ts": _iso(end),
        "platform": rng.choice(_DEVICES),
        "ms_played": ms,
        "conn_country": "DE",
        "ip_addr": f"192.0.2.{rng.randrange(1, 255)}",
        **_null_fields(),
        **fields,
        "reason_start": reason_start,
        "reason_end": reason_end,
        "shuffle": rng.random() < 0.3,
        "skipped": skipped,
        "offline": False,
        "offline_timestamp": int(end.timestamp()) - ms // 1000,  # seconds in 2023+ files
        "incognito_mode": False,
    }


def _podcast_plays(person: Person) -> list[tuple[datetime, str, str, int]]:
    """(end, show, episode, ms) for her podcast listening on Spotify."""
    rng = person.rand("spotify:podcasts")
    out = []
    for podcast in PODCASTS:
        for episode in podcast.episodes:
            for _ in range(rng.choice((1, 1, 2))):
                start = person.evening(rng, person.day(rng, date(2023, 9, 1), person.end))
                ms = rng.randrange(20, 70) * 60_000 + rng.randrange(60_000)
                out.append((start + timedelta(milliseconds=ms), podcast.show, episode, ms))
    out.sort()
    return out


def write(person: Person, root: Path) -> None:
    rng = person.rand("spotify")
    plays: list[Play] = [p for p in person.plays() if p.platform == "spotify"]
    podcasts = _podcast_plays(person)
    account = root / ACCOUNT
    account.mkdir(parents=True, exist_ok=True)
    # Account data covers only about the last year.
    since = datetime.combine(person.end - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    music = [
        {
            "endTime": _minute(p.when + timedelta(milliseconds=p.ms_played)),
            "artistName": p.track.artist,
            "trackName": p.track.title,
            "msPlayed": p.ms_played,
        }
        for p in plays
        if p.when >= since
    ]
    (account / "StreamingHistory_music_0.json").write_text(_pretty(music), encoding="utf-8")
    pods = [
        {"endTime": _minute(end), "podcastName": show, "episodeName": ep, "msPlayed": ms}
        for end, show, ep, ms in podcasts
        if end >= since
    ]
    (account / "StreamingHistory_podcast_0.json").write_text(_pretty(pods), encoding="utf-8")
    _write_searches(person, rng, account / "SearchQueries.json")
    _write_library(account / "YourLibrary.json")
    inferences = [
        "1P_Custom_Soundtrack_Streamers",
        "1P_Custom_Film_Score_Listeners",
        "1P_Custom_Running_Playlist_Streamers",
        "1P_Custom_Food_Podcast_Listeners",
        "1P_Custom_Classical_Modern_Composers_Streamers",
        "1P_Custom_Sneaker_Intenders [Advertiser-Specific]",
        "1P_Custom_Apple_Device_Users [Advertiser-Restricted]",
        "3P_Interest_Cooking",
        "3P_Interest_Outdoor_Sports",
        "Podcast Listeners",
    ]
    (account / "Inferences.json").write_text(_pretty({"inferences": inferences}, sep=": "), encoding="utf-8")

    streams: list[tuple[datetime, dict[str, Any]]] = []
    for p in plays:
        t = p.track
        fields = {
            "master_metadata_track_name": t.title,
            "master_metadata_album_artist_name": t.artist,
            "master_metadata_album_album_name": t.album,
            "spotify_track_uri": t.uri,
        }
        end = p.when + timedelta(milliseconds=p.ms_played)
        skipped = p.reason_end != "trackdone"
        start_reason = rng.choice(("trackdone", "trackdone", "clickrow", "playbtn"))
        streams.append((end, _stream(end, p.ms_played, fields, rng, start_reason, p.reason_end, skipped)))
    for end, show, episode, ms in podcasts:
        fields = {
            "episode_name": episode,
            "episode_show_name": show,
            "spotify_episode_uri": f"spotify:episode:{spotify_id(show, episode)}",
        }
        streams.append((end, _stream(end, ms, fields, rng, "clickrow", "endplay", False)))
    streams.sort(key=lambda s: s[0])
    extended = root / EXTENDED
    extended.mkdir(parents=True, exist_ok=True)
    (extended / "Streaming_History_Audio_2023-2025_0.json").write_text(
        json.dumps([s for _, s in streams], indent=2, ensure_ascii=False), encoding="utf-8"
    )


def _write_searches(person: Person, rng: random.Random, path: Path) -> None:
    # The search box logs each pause while typing: prefixes come first, the last one led to a click.
    wanted = (
        ("hans zimmer dune", TRACKS[0].uri),
        ("heptapod b", TRACKS[4].uri),
        ("max richter", "spotify:artist:" + spotify_id("Max Richter")),
        ("nils frahm says", TRACKS[10].uri),
        ("trail runner nation", "spotify:show:" + spotify_id("Trail Runner Nation")),
        ("khruangbin", "spotify:artist:" + spotify_id("Khruangbin")),
    )
    entries = []
    for query, uri in wanted:
        when = person.evening(rng, person.day(rng, person.end - timedelta(days=300), person.end))
        when += timedelta(milliseconds=rng.randrange(1000))
        cut = rng.randrange(3, len(query) - 2)
        for i, text in enumerate((query[:cut], query)):
            stamp = when + timedelta(milliseconds=i * rng.randrange(400, 1500))
            entries.append(
                {
                    "platform": "IPHONE" if i else "",
                    "searchTime": stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{stamp.microsecond // 1000:03d}Z[UTC]",
                    "searchQuery": text,
                    "searchInteractionURIs": [uri] if i else [],
                }
            )
    entries.sort(key=lambda e: e["searchTime"])
    path.write_text(_pretty(entries), encoding="utf-8")


def _write_library(path: Path) -> None:
    liked = [t for t in TRACKS if t.theme in ("dune", "arrival", "ishiguro", "music")]
    albums: dict[str, str] = {}
    for t in liked:
        albums.setdefault(t.album, t.artist)
    artists = ("Hans Zimmer", "Jóhann Jóhannsson", "Max Richter", "Radiohead", "Nils Frahm", "Khruangbin")
    publishers = {
        "Trail Runner Nation": "Trail Runner Nation",
        "Home Cooking": "Samin Nosrat & Hrishikesh Hirway",
    }
    banned = [t for t in TRACKS if t.title == "Shape of You"]
    library = {
        "tracks": [{"artist": t.artist, "album": t.album, "track": t.title, "uri": t.uri} for t in liked],
        "albums": [
            {"artist": artist, "album": album, "uri": f"spotify:album:{spotify_id(artist, album)}"}
            for album, artist in albums.items()
        ],
        "shows": [
            {
                "name": p.show,
                "publisher": publishers.get(p.show, p.show),
                "uri": f"spotify:show:{spotify_id(p.show)}",
            }
            for p in PODCASTS
        ],
        "episodes": [],
        "bannedTracks": [
            {"artist": t.artist, "album": t.album, "track": t.title, "uri": t.uri} for t in banned
        ],
        "artists": [{"name": a, "uri": f"spotify:artist:{spotify_id(a)}"} for a in artists],
        "bannedArtists": [],
        "other": [],
    }
    path.write_text(_pretty(library, sep=": "), encoding="utf-8")


# -- benchmark-sized extended history -------------------------------------------------------------

_SYLLABLES = ("ka", "lo", "mi", "ra", "su", "ten", "vo", "ne", "bri", "al", "dor", "fen", "gu", "is", "mar")
_WORDS = (
    "Night",
    "River",
    "Glass",
    "Echo",
    "Summer",
    "Paper",
    "Silver",
    "Ghost",
    "Signal",
    "Garden",
    "Static",
)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _catalogue(rng: random.Random) -> list[str]:
    """Pre-rendered metadata blocks (the 11 name/URI fields) of a few thousand tracks, episodes and books."""
    blocks: list[dict[str, Any]] = []
    for t in TRACKS:
        blocks.append(
            {
                "master_metadata_track_name": t.title,
                "master_metadata_album_artist_name": t.artist,
                "master_metadata_album_album_name": t.album,
                "spotify_track_uri": t.uri,
            }
        )
    for a in range(400):
        artist = f"{_name(rng, 2)} {_name(rng, 3)}" if a % 3 else _name(rng, 3)
        for al in range(rng.randrange(1, 4)):
            album = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}" + (" (Deluxe)" if al == 2 else "")
            for _ in range(rng.randrange(3, 9)):
                title = f"{rng.choice(_WORDS)} {_name(rng, 2)}"
                blocks.append(
                    {
                        "master_metadata_track_name": title,
                        "master_metadata_album_artist_name": artist,
                        "master_metadata_album_album_name": album,
                        "spotify_track_uri": f"spotify:track:{spotify_id(artist, album, title)}",
                    }
                )
    n_tracks = len(blocks)
    for p in PODCASTS:
        for ep in p.episodes:
            blocks.append(
                {
                    "episode_name": ep,
                    "episode_show_name": p.show,
                    "spotify_episode_uri": f"spotify:episode:{spotify_id(p.show, ep)}",
                }
            )
    for s in range(40):
        show = f"The {rng.choice(_WORDS)} {_name(rng, 2)} Podcast"
        for e in range(1, 30):
            ep = f"Ep. {e}: {rng.choice(_WORDS)} and {rng.choice(_WORDS).lower()}"
            blocks.append(
                {
                    "episode_name": ep,
                    "episode_show_name": show,
                    "spotify_episode_uri": f"spotify:episode:{spotify_id(show, ep, str(s))}",
                }
            )
    book = "The Remains of the Day"
    for ch in range(1, 13):
        blocks.append(
            {
                "audiobook_title": book,
                "audiobook_uri": f"spotify:show:{spotify_id(book)}",
                "audiobook_chapter_uri": f"spotify:episode:{spotify_id(book, str(ch))}",
                "audiobook_chapter_title": f"Chapter {ch}",
            }
        )
    blocks.append({})  # Spotify sometimes leaves every name empty
    rendered = []
    for b in blocks:
        fields = {**_null_fields(), **b}
        rendered.append(
            "".join(f'    "{k}": {json.dumps(v, ensure_ascii=False)},\n' for k, v in fields.items())
        )
    # Tracks dominate real histories; weight them so ~90 % of streams are music.
    return rendered[:n_tracks] * 9 + rendered[n_tracks:]


def write_extended_history(path: str | Path, n_records: int, seed: int = 7) -> Path:
    """Write a realistic ``Streaming_History_Audio_*.json`` of ``n_records`` streams to ``path``, one record
    at a time (memory stays flat), in the 2023+ layout and field set. Returns the path."""
    rng = random.Random(f"{seed}:spotify-extended")
    blocks = _catalogue(rng)
    cum = list(accumulate(1.0 / (i % 997 + 1) ** 0.7 for i in range(len(blocks))))  # favourites + long tail
    total = cum[-1]
    rand = rng.random  # the hot loop below runs millions of times: plain floats, no randrange/strftime
    reasons = ("trackdone", "trackdone", "trackdone", "fwdbtn", "endplay", "backbtn")
    starts = ("trackdone", "trackdone", "clickrow", "playbtn", "fwdbtn")
    t = int(datetime(2016, 1, 1, 7, 0, tzinfo=UTC).timestamp())
    day_cache: tuple[int, str] = (-1, "")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n")
        for i in range(n_records):
            block = blocks[min(bisect(cum, rand() * total), len(blocks) - 1)]
            end_reason = reasons[int(rand() * 6)]
            skipped = end_reason != "trackdone"
            ms = int(rand() * 30_000) if skipped and rand() < 0.7 else 90_000 + int(rand() * 330_000)
            t += ms // 1000 + (int(rand() * 20_000) if rand() < 0.01 else int(rand() * 5))
            day, secs = divmod(t, 86_400)
            if day != day_cache[0]:
                day_cache = (day, datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d"))
            hh, rest = divmod(secs, 3600)
            ts = f"{day_cache[1]}T{hh:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
            fh.write(
                ("  {\n" if i == 0 else ",\n  {\n")
                + f'    "ts": "{ts}",\n'
                + f'    "platform": "{_DEVICES[int(rand() * 4)]}",\n'
                + f'    "ms_played": {ms},\n'
                + '    "conn_country": "DE",\n'
                + f'    "ip_addr": "192.0.2.{1 + int(rand() * 254)}",\n'
                + block
                + f'    "reason_start": "{starts[int(rand() * 5)]}",\n'
                + f'    "reason_end": "{end_reason}",\n'
                + f'    "shuffle": {"true" if rand() < 0.3 else "false"},\n'
                + f'    "skipped": {"true" if skipped else "false"},\n'
                + '    "offline": false,\n'
                + f'    "offline_timestamp": {t - ms // 1000},\n'
                + '    "incognito_mode": false\n'
                + "  }"
            )
        fh.write("\n]")
    return path
