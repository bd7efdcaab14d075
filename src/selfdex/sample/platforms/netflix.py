"""Netflix: ``netflix-report.zip`` laid out like the GDPR report (``CONTENT_INTERACTION/…``,
``PROFILES/Profiles.csv``, ``.txt`` placeholders for empty tables), shared with a second household
profile, with a few trailers and a recap among the viewing.

:func:`write_simple` writes the separate ``NetflixViewingHistory.csv`` download (one profile, German
``31.01.24`` dates). It is not part of the bundle, because it repeats the report's viewing at day
precision; the tests use it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..person import FILMS, SHOWS, Person
from ._csv import write_csv

BUNDLE = "netflix-report.zip"

PROFILE = "Mara"
PARTNER = "Jonas"
_TV = "LG 2021 webOS OLED TV Smart TV"
_PHONE = "Apple iPhone 13 Pro"
_LAPTOP = "Chrome PC (Cadmium)"
_COUNTRY = "DE (Germany)"
_PLACEHOLDER = "We found no information for this table."
_AUTOPLAY = "Autoplayed: user action: None; "


@dataclass(frozen=True)
class _View:
    profile: str
    start: datetime  # UTC
    seconds: int
    title: str
    device: str
    supplemental: str = ""
    attributes: str = ""
    latest: bool = True


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _utc(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _views(person: Person) -> list[_View]:
    rng = person.rand("netflix")
    views: list[_View] = []
    for film in FILMS:
        if not film.on_netflix:
            continue
        start = person.film_watch(film)
        runtime = rng.randrange(95 * 60, 165 * 60)
        device = _TV if rng.random() < 0.8 else _LAPTOP
        if film.title == "Dune":
            # Started the evening before, stopped after 40 minutes, watched it properly the next day.
            views.append(
                _View(PROFILE, start - timedelta(days=1), 40 * 60 + 12, film.title, _PHONE, latest=False)
            )
        if film.title == "Dune: Part Two":
            trailer_at = start - timedelta(days=3, minutes=7)
            views.append(_View(PROFILE, trailer_at, 151, "Dune: Part Two (Trailer)", _TV, "TRAILER"))
        views.append(_View(PROFILE, start, runtime, film.title, device))
    for show in SHOWS:
        day = person.day(rng, person.start, person.end - timedelta(days=30))
        for season, episodes in show.seasons:
            if season > 1:
                day += timedelta(days=rng.randrange(20, 60))
                views.append(
                    _View(
                        PROFILE,
                        person.local(day, 20, 2),
                        163,
                        f"Season {season} (Recap): {show.title}",
                        _TV,
                        "RECAP",
                        _AUTOPLAY,
                    )
                )
            clock = person.local(day, 20, 5)
            for number, episode in enumerate(episodes, start=1):
                binge = number > 1 and rng.random() < 0.5  # the next episode right away, autoplayed
                if number > 1 and not binge:
                    day += timedelta(days=1)
                    clock = person.local(day, 20, 5)
                seconds = rng.randrange(22, 55) * 60 + rng.randrange(60)
                views.append(
                    _View(
                        PROFILE,
                        clock,
                        seconds,
                        f"{show.title}: Season {season}: {episode}",
                        _TV,
                        attributes=_AUTOPLAY if binge else "",
                    )
                )
                clock += timedelta(seconds=seconds + 20)
    hook_day = person.day(rng)
    views.append(
        _View(
            PROFILE,
            person.local(hook_day, 21, 14),
            83,
            "Annihilation_hook_primary_16x9",
            _TV,
            "HOOK",
            _AUTOPLAY,
        )
    )
    # The other household profile: same account, not Mara's taste.
    day = person.day(rng, person.start, person.end - timedelta(days=10))
    for number, episode in enumerate(("Cliffhanger", "The Pressure Cooker", "Raising the Bar"), start=1):
        start = person.local(day + timedelta(days=number), 21, 30)
        views.append(
            _View(PARTNER, start, 41 * 60 + number, f"Formula 1: Drive to Survive: Season 5: {episode}", _TV)
        )
    views.append(
        _View(PARTNER, person.local(day + timedelta(days=9), 20, 45), 122 * 60, "The Gray Man", _PHONE)
    )
    # Real files: profiles in alphabetical order, newest first within each.
    views.sort(key=lambda v: (v.profile, -v.start.timestamp()))
    return views


def _thumbs(rating: float) -> int:
    return 3 if rating >= 4.5 else 2 if rating >= 3 else 1


def write(person: Person, root: Path) -> None:
    rng = person.rand("netflix:report")
    views = _views(person)
    ci = root / "CONTENT_INTERACTION"
    write_csv(
        ci / "ViewingActivity.csv",
        [
            "Profile Name",
            "Start Time",
            "Duration",
            "Attributes",
            "Title",
            "Supplemental Video Type",
            "Device Type",
            "Bookmark",
            "Latest Bookmark",
            "Country",
        ],
        [
            (
                v.profile,
                _utc(v.start),
                _hms(v.seconds),
                v.attributes,
                v.title,
                v.supplemental,
                v.device,
                _hms(v.seconds + 31),
                _hms(v.seconds + 31) if v.latest else "Not latest view",
                _COUNTRY,
            )
            for v in views
        ],
    )

    ratings: list[tuple[datetime, str, int]] = []
    for film in FILMS:
        if film.on_netflix and film.rating:
            ratings.append(
                (person.film_watch(film) + timedelta(hours=2, minutes=31), film.title, _thumbs(film.rating))
            )
    for show, thumbs in (("Dark", 3), ("Salt Fat Acid Heat", 2), ("Midnight Diner: Tokyo Stories", 2)):
        last = max(v.start for v in views if v.title.startswith(f"{show}: Season"))
        ratings.append((last + timedelta(hours=1), show, thumbs))
    ratings.sort(reverse=True)
    write_csv(
        ci / "Ratings.csv",
        [
            "Profile Name",
            "Title Name",
            "Rating Type",
            "Star Value",
            "Thumbs Value",
            "Device Model",
            "Event Utc Ts",
            "Region View Date",
        ],
        [
            (PROFILE, title, "thumb", "", thumbs, "Smart TV", _utc(when), "")
            for when, title, thumbs in ratings
        ],
    )

    saved = []
    for title in ("Arrival", "Annihilation", "Dark", "Midnight Diner: Tokyo Stories"):
        first = min(v.start for v in views if v.title == title or v.title.startswith(f"{title}: Season"))
        saved.append((first - timedelta(days=rng.randrange(3, 40)), title))
    saved.sort(reverse=True)
    write_csv(
        ci / "MyList.csv",
        ["Profile Name", "Title Name", "Country", "Utc Title Add Date"],
        [(PROFILE, title, "Germany", when.date().isoformat()) for when, title in saved],
    )

    searches = []
    for typed, shown in (
        ("dune", "Dune"),
        ("salt", "Salt Fat Acid Heat"),
        ("midnight", "Midnight Diner: Tokyo Stories"),
    ):
        first = min(v.start for v in views if v.title == shown or v.title.startswith(f"{shown}: Season"))
        searches.append((first - timedelta(seconds=40), typed, shown, "view_video_info", "title_results"))
        searches.append((first - timedelta(seconds=12), typed, shown, "play", "video_info"))
    searches.sort(reverse=True)
    write_csv(
        ci / "SearchHistory.csv",
        [
            "Profile Name",
            "Country Iso Code",
            "Device",
            "Is Kids",
            "Query Typed",
            "Displayed Name",
            "Action",
            "Section",
            "Utc Timestamp",
        ],
        [
            (PROFILE, "DE", "Smart TV", 0, typed, shown, action, section, _utc(when))
            for when, typed, shown, action, section in searches
        ],
    )

    onboarding = person.start - timedelta(days=4)
    write_csv(
        ci / "IndicatedPreferences.csv",
        ["Profile Name", "Show", "Has Watched", "Is Interested", "Event Date"],
        [(PROFILE, title, "", "", onboarding.isoformat()) for title in ("Arrival", "Dark", "Chef's Table")],
    )
    for empty in ("InteractiveTitles.txt", "PlaybackRelatedEvents.txt"):
        (ci / empty).write_text(_PLACEHOLDER, encoding="utf-8")

    profiles = root / "PROFILES" / "Profiles.csv"
    profiles.parent.mkdir(parents=True, exist_ok=True)
    with profiles.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(
            [
                "Profile Name",
                "Email Address",
                "Profile Creation Time",
                "Maturity Level",
                "Primary Lang",
                "Has Auto Playback",
                "Max Stream Quality",
                "Profile Lock Enabled",
            ]
        )
        writer.writerow(
            [
                PROFILE,
                person.email,
                f"{onboarding.isoformat()}T19:02:11Z",
                "1000000",
                "en",
                "true",
                "UNSPECIFIED",
                "false",
            ]
        )
        writer.writerow(
            [
                PARTNER,
                "",
                f"{onboarding.isoformat()}T19:05:40Z",
                "1000000",
                "de-DE",
                "true",
                "UNSPECIFIED",
                "false",
            ]
        )


_UNLABELLED = frozenset({"Dark: Season 2: Beginnings and Endings"})


def write_simple(person: Person, root: Path) -> Path:
    """The Viewing-activity page's "Download all": Mara's titles, one row per title and day, newest first,
    dates as a German account writes them (``31.01.24``), one episode without its season label."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for view in _views(person):
        if view.profile != PROFILE or view.supplemental:
            continue
        day = view.start.astimezone(person.tz).strftime("%d.%m.%y")
        # Netflix writes the odd episode with no season label, as it did "Scrubs: My Own Personal Jesus".
        title = view.title.replace(": Season 2: ", ": ") if view.title in _UNLABELLED else view.title
        if (title, day) not in seen:
            seen.add((title, day))
            rows.append((title, day))
    path = root / "NetflixViewingHistory.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Title,Date\n")  # the header is bare, every value quoted
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return path
