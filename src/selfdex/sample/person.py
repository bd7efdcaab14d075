"""The made-up person whose exports the tests and the demo use: Mara Lindqvist, Berlin.

Her tastes show across platforms, the way a real life does: she reads Frank Herbert on Goodreads and
Kindle, watches the Dune films on Netflix and logs them on Letterboxd, plays Hans Zimmer's soundtrack on
Spotify (scrobbled to Last.fm), buys a deluxe edition on Amazon and watches explainer videos on YouTube.
:data:`THEMES` is the generator's ground truth, used to check the profile and entity linking.

Everything is derived from one seed, so a given seed always writes byte-identical exports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .catalogue import (
    BOOKS,
    DISLIKES,
    FILMS,
    PODCASTS,
    PRODUCTS,
    SEARCHES,
    SHOWS,
    SKIPPED_ARTISTS,
    THEMES,
    TRACKS,
    VIDEOS,
    WEB_PAGES,
    Book,
    Film,
    Podcast,
    Product,
    Show,
    Track,
    Video,
    WebPage,
)

# The catalogue is re-exported: the platform writers and the linking evaluation read it from here.
__all__ = [
    "BOOKS",
    "DISLIKES",
    "END",
    "FILMS",
    "PODCASTS",
    "PRODUCTS",
    "SEARCHES",
    "SHOWS",
    "SKIPPED_ARTISTS",
    "START",
    "THEMES",
    "TRACKS",
    "TZ",
    "VIDEOS",
    "WEB_PAGES",
    "Book",
    "Film",
    "Person",
    "Play",
    "Podcast",
    "Product",
    "Show",
    "Track",
    "Video",
    "WebPage",
]

TZ = ZoneInfo("Europe/Berlin")
START = date(2023, 1, 1)
END = date(2025, 6, 30)


_FILM_YEARS = {f.title: f.year for f in FILMS}


@dataclass
class Play:
    when: datetime  # UTC
    track: Track
    ms_played: int
    platform: str  # spotify | apple_music
    reason_end: str


@dataclass
class Person:
    """Derives all of Mara's dated activity from one seed."""

    seed: int = 7
    scale: int = 1  # multiplies the volume of high-frequency activity (plays, views, searches)
    name: str = "Mara Lindqvist"
    email: str = "mara.lindqvist@example.com"
    username: str = "maralind"
    country: str = "DE"
    tz: ZoneInfo = TZ
    start: date = START
    end: date = END
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def rand(self, salt: str) -> random.Random:
        """An independent generator per platform, so adding one platform never changes another's output."""
        return random.Random(f"{self.seed}:{salt}")

    def local(self, d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        """Her wall-clock time in Berlin on day d, as an aware UTC instant."""
        return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=self.tz).astimezone(UTC)

    def day(self, rng: random.Random, start: date | None = None, end: date | None = None) -> date:
        a, b = start or self.start, end or self.end
        return a + timedelta(days=rng.randrange((b - a).days + 1))

    def evening(self, rng: random.Random, d: date) -> datetime:
        return self.local(d, rng.choice((19, 20, 21, 22)), rng.randrange(60), rng.randrange(60))

    # -- derived activity ----------------------------------------------------------------------
    def book_dates(self, book: Book) -> tuple[date | None, date | None]:
        """(started, finished) for a book; finished is None unless read."""
        rng = self.rand(f"book:{book.title}")
        if book.status == "to-read":
            return None, None
        started = self.day(rng, self.start, self.end - timedelta(days=60))
        if book.status in ("currently-reading", "abandoned"):
            return started, None
        return started, started + timedelta(days=rng.randrange(7, 45))

    def film_watch(self, film: Film) -> datetime:
        """When she watched a film: adaptations come after finishing the book they adapt."""
        rng = self.rand(f"film:{film.title}:{film.year}")
        earliest = self.start
        if film.adaptation_of:
            book = next(b for b in BOOKS if b.title == film.adaptation_of)
            _, finished = self.book_dates(book)
            if finished:
                earliest = min(finished + timedelta(days=3), self.end - timedelta(days=10))
        if film.year == 2024:
            earliest = max(earliest, date(2024, 3, 2))
        return self.evening(rng, self.day(rng, earliest, self.end))

    def plays(self) -> list[Play]:
        """Her listening: Apple Music until 2023-09, then Spotify (scrobbled to Last.fm)."""
        rng = self.rand("plays")
        switch = date(2023, 9, 1)
        out: list[Play] = []
        weights = [(6 if t.theme in ("dune", "arrival") else 4 if t.theme else 1) for t in TRACKS]
        d = self.start
        while d <= self.end:
            for _ in range(rng.randrange(2, 7) * self.scale):
                track = rng.choices(TRACKS, weights)[0]
                if track.soundtrack_of and _FILM_YEARS[track.soundtrack_of] > d.year:
                    continue  # no soundtrack before its film came out
                morning = rng.random() < 0.4
                when = self.local(
                    d,
                    rng.choice((7, 8)) if morning else rng.choice((18, 19, 20, 21, 22, 23)),
                    rng.randrange(60),
                    rng.randrange(60),
                )
                skipped = track.artist in SKIPPED_ARTISTS or rng.random() < 0.05
                ms = rng.randrange(1500, 12000) if skipped else track.duration_ms - rng.randrange(0, 4000)
                out.append(
                    Play(
                        when,
                        track,
                        ms,
                        "apple_music" if d < switch else "spotify",
                        "fwdbtn" if skipped else "trackdone",
                    )
                )
            d += timedelta(days=rng.choice((1, 1, 2)))
        out.sort(key=lambda p: p.when)
        return out

    def dated(
        self, salt: str, items: tuple, per_item: tuple[int, int] = (1, 3)
    ) -> list[tuple[datetime, object]]:
        """Each item seen a few times at random evenings; the building block of views and searches."""
        rng = self.rand(salt)
        out: list[tuple[datetime, object]] = []
        for item in items:
            for _ in range(rng.randrange(*per_item) * self.scale):
                out.append((self.evening(rng, self.day(rng)), item))
        out.sort(key=lambda x: x[0])
        return out
