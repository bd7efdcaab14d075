"""Hard negatives for entity linking: the sample person's films with one-word titles, beside tech videos,
tweets, songs and books that use the same words.

Kept apart from the main catalogue (:mod:`.person`) so that adding them changes nothing another test or
benchmark counts: :func:`write_hard_negatives` writes extra exports, in the platforms' real formats, next
to what :func:`selfdex.sample.generate` wrote. Every item carries its truth (``gold``: which work a record
is about, ``None`` when it is about none of them), and :data:`RELATED` lists the true relations, so a
benchmark can label every pair:

* films *Drive* (2011), *Her* (2013), *Up* (2009), *Traffic* (2000), *Signs* (2002), *Titanic* (1997),
  logged on Letterboxd (with year) and watched on Netflix (without);
* their soundtracks (related), the novel *Drive* by James Sallis that the film adapts (related);
* songs called "Drive", "Her", "Up!", "Traffic", "Signs", "Titanic" by other artists (none);
* "Drive: The Surprising Truth About What Motivates Us" (a different book), YouTube tech videos about hard
  drives, traffic shaping and failing SSDs, tweets that "drive traffic" (none); two trailers and a tweet
  that are about a film (mention).
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from .generate import zip_folder
from .person import Person
from .platforms._csv import write_csv
from .platforms.goodreads import HEADER as GOODREADS_HEADER

__all__ = ["FILMS", "RELATED", "TEXTS", "TRACKS", "VIDEOS", "Item", "write_hard_negatives"]


@dataclass(frozen=True)
class Item:
    title: str
    gold: str | None  # the work this is (or is about); None: about nothing in this catalogue
    creator: str = ""
    year: int | None = None
    album: str = ""
    ident: str = ""  # a YouTube video id, a Letterboxd film URI


FILMS = (
    Item("Drive", "film:Drive", "Nicolas Winding Refn", 2011, ident="https://boxd.it/29Xi"),
    Item("Her", "film:Her", "Spike Jonze", 2013, ident="https://boxd.it/4nLe"),
    Item("Up", "film:Up", "Pete Docter", 2009, ident="https://boxd.it/1nRy"),
    Item("Traffic", "film:Traffic", "Steven Soderbergh", 2000, ident="https://boxd.it/1yTw"),
    Item("Signs", "film:Signs", "M. Night Shyamalan", 2002, ident="https://boxd.it/1V6m"),
    Item("Titanic", "film:Titanic", "James Cameron", 1997, ident="https://boxd.it/1fQe"),
)
# Netflix's simple history writes no year: the linker must find the one film each title can be.
NETFLIX = ("Drive", "Her", "Up", "Signs", "Titanic")
TRACKS = (
    Item("Nightcall", "track:Nightcall", "Kavinsky", album="Drive (Original Motion Picture Soundtrack)"),
    Item("A Real Hero", "track:A Real Hero", "College", album="Drive (Original Motion Picture Soundtrack)"),
    Item(
        "Married Life",
        "track:Married Life",
        "Michael Giacchino",
        album="Up (Original Motion Picture Soundtrack)",
    ),
    Item(
        "My Heart Will Go On",
        "track:My Heart Will Go On",
        "Céline Dion",
        album="Titanic (Music from the Motion Picture)",
    ),
    Item("Drive", "track:Drive|Incubus", "Incubus", album="Make Yourself"),
    Item("Drive", "track:Drive|The Cars", "The Cars", album="Heartbeat City"),
    Item("Her", "track:Her|Megan Thee Stallion", "Megan Thee Stallion", album="Traumazine"),
    Item("Up!", "track:Up!|Shania Twain", "Shania Twain", album="Up!"),
    Item("Traffic", "track:Traffic|Tiësto", "Tiësto", album="Traffic"),
    Item("Signs", "track:Signs|Snoop Dogg", "Snoop Dogg", album="R&G (Rhythm & Gangsta): The Masterpiece"),
    Item("Titanic", "track:Titanic|Sabaton", "Sabaton", album="The Last Stand"),
)
BOOKS = (
    Item("Drive", "book:Drive|James Sallis", "James Sallis", 2005),
    Item(
        "Drive: The Surprising Truth About What Motivates Us",
        "book:Drive|Daniel H. Pink",
        "Daniel H. Pink",
        2009,
    ),
)
VIDEOS = (
    Item("How to Clone a Hard Drive to an SSD (Free)", None, "TechQuickie", ident="hdClone0001"),
    Item("5 Signs Your Hard Drive Is Failing", None, "Linus Tech Tips", ident="hdFail00002"),
    Item("Traffic Shaping Explained in 5 Minutes", None, "NetworkChuck", ident="trafShape03"),
    Item("Up and Running with Docker Compose", None, "TechWorld with Nana", ident="upDocker004"),
    Item("Titanic: The Sinking in Real Time", None, "Oceanliner Designs", ident="titanicRT05"),
    Item("Drive (2011) Official Trailer", "film:Drive", "Movieclips Trailers", ident="driveTrl006"),
    Item("Signs (2002) - Official Trailer", "film:Signs", "Touchstone Pictures", ident="signsTrl007"),
)
TEXTS = (
    Item("Five ways to drive traffic to your wiki, without ads", None),
    Item("Traffic on the A100 again. Taking the S-Bahn tomorrow.", None),
    Item("Signs of spring in Tiergarten at last", None),
    Item("Her talk on search engines at the meetup was great", None),
    Item("A titanic effort by the whole team to ship this release", None),
    Item("Up early for the long run", None),
    Item("Rewatched Drive: that soundtrack, that elevator scene. Refn at his best.", "film:Drive"),
    Item("Best SSD drive of 2024 for a home NAS? Asking for a friend", None),  # a year, not the film's
    Item("Titanic wreck dive footage from 2023 is unreal", None),
    Item("Titanic (1997) on the big screen again, and the soundtrack still gets me", "film:Titanic"),
    Item("Married Life from Up still makes me cry", "film:Up"),  # a name with no word of its own: missed
)
# True relations between the catalogue's works (everything else across two golds is unrelated).
RELATED = frozenset(
    {
        frozenset(("film:Drive", "book:Drive|James Sallis")),
        frozenset(("film:Drive", "track:Nightcall")),
        frozenset(("film:Drive", "track:A Real Hero")),
        frozenset(("film:Up", "track:Married Life")),
        frozenset(("film:Titanic", "track:My Heart Will Go On")),
    }
)
_DAYS = [date(2024, 2, 3), date(2024, 5, 11), date(2024, 8, 24), date(2024, 11, 9), date(2025, 2, 15)]


def _when(person: Person, n: int) -> datetime:
    return person.local(_DAYS[n % len(_DAYS)], 20 + n % 3, (n * 7) % 60, (n * 13) % 60)


def write_hard_negatives(dest: str | Path, *, seed: int = 7) -> list[Path]:
    """Write the hard-negative exports into ``dest`` (beside the person's other exports); returns them."""
    person = Person(seed=seed)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="selfdex-collisions-") as tmp:
        root = Path(tmp)
        bundles = {
            "letterboxd-maralind-2025-07-02-12-00-utc.zip": _letterboxd,
            "netflix-collisions": _netflix,
            "my_spotify_data-collisions.zip": _spotify,
            "takeout-20250702T120000Z-001.zip": _youtube,
            "twitter-2025-07-02-collisions.zip": _twitter,
            "goodreads-collisions": _goodreads,
        }
        for name, writer in bundles.items():
            folder = root / name
            folder.mkdir()
            writer(person, folder)
            target = dest / name
            if name.endswith(".zip"):
                zip_folder(folder, target)
            else:
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(folder, target)
            written.append(target)
    return written


def _letterboxd(person: Person, root: Path) -> None:
    rows = [(_when(person, i).date().isoformat(), f.title, f.year, f.ident) for i, f in enumerate(FILMS)]
    write_csv(root / "watched.csv", ["Date", "Name", "Year", "Letterboxd URI"], rows)
    write_csv(
        root / "ratings.csv",
        ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
        [(*row, "4") for row in rows],
    )


def _netflix(person: Person, root: Path) -> None:
    with (root / "NetflixViewingHistory.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("Title,Date\n")
        rows = [(t, _when(person, i + 2).strftime("%d.%m.%y")) for i, t in enumerate(NETFLIX)]
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


def _spotify(person: Person, root: Path) -> None:
    entries = []
    for i, t in enumerate(TRACKS):
        for k in range(3):
            end = _when(person, i * 3 + k)
            entries.append(
                {
                    "ts": end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "platform": "android",
                    "ms_played": 200_000 + i * 1000,
                    "conn_country": "DE",
                    "master_metadata_track_name": t.title,
                    "master_metadata_album_artist_name": t.creator,
                    "master_metadata_album_album_name": t.album,
                    "spotify_track_uri": f"spotify:track:collision{i:02d}xxxxxxxxxxxx",
                    "episode_name": None,
                    "episode_show_name": None,
                    "spotify_episode_uri": None,
                    "reason_start": "trackdone",
                    "reason_end": "trackdone",
                    "shuffle": False,
                    "skipped": False,
                    "offline": False,
                    "offline_timestamp": int(end.timestamp()) - 200,
                    "incognito_mode": False,
                }
            )
    folder = root / "Spotify Extended Streaming History"
    folder.mkdir(parents=True)
    (folder / "Streaming_History_Audio_2024-2025_1.json").write_text(json.dumps(entries, indent=2))


def _youtube(person: Person, root: Path) -> None:
    entries = [
        {
            "header": "YouTube",
            "title": f"Watched {v.title}",
            "titleUrl": f"https://www.youtube.com/watch?v={v.ident}",
            "subtitles": [
                {"name": v.creator, "url": f"https://www.youtube.com/@{v.creator.replace(' ', '')}"}
            ],
            "time": _when(person, i).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "products": ["YouTube"],
            "activityControls": ["YouTube watch history"],
        }
        for i, v in enumerate(VIDEOS)
    ]
    folder = root / "Takeout" / "YouTube and YouTube Music" / "history"
    folder.mkdir(parents=True)
    (folder / "watch-history.json").write_text(json.dumps(entries, indent=2, ensure_ascii=False))


def _twitter(person: Person, root: Path) -> None:
    tweets = []
    for i, t in enumerate(TEXTS):
        tid = str(1_800_000_000_000_000_000 + i * 1_000_003)
        tweets.append(
            {
                "tweet": {
                    "id_str": tid,
                    "id": tid,
                    "created_at": _when(person, i).astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y"),
                    "full_text": t.title,
                    "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                    "favorite_count": "0",
                    "retweet_count": "0",
                    "lang": "en",
                }
            }
        )
    data = root / "data"
    data.mkdir()
    (data / "tweets.js").write_text(
        "window.YTD.tweets.part0 = " + json.dumps(tweets, indent=2), encoding="utf-8"
    )


def _goodreads(person: Person, root: Path) -> None:
    rows = []
    for i, b in enumerate(BOOKS):
        first, _, last = b.creator.rpartition(" ")
        added = _when(person, i).date().strftime("%Y/%m/%d")
        row = dict.fromkeys(GOODREADS_HEADER, "")
        row.update(
            {
                "Book Id": str(90_000 + i),
                "Title": b.title,
                "Author": b.creator,
                "Author l-f": f"{last}, {first}",
                "ISBN": '=""',
                "ISBN13": '=""',
                "My Rating": "4",
                "Year Published": str(b.year),
                "Original Publication Year": str(b.year),
                "Date Read": added,
                "Date Added": added,
                "Exclusive Shelf": "read",
                "Read Count": "1",
                "Owned Copies": "0",
            }
        )
        rows.append([row[h] for h in GOODREADS_HEADER])
    write_csv(root / "goodreads_library_export.csv", GOODREADS_HEADER, rows)
