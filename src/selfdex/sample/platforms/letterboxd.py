"""Letterboxd export: ``letterboxd-<user>-<date>-utc.zip`` with diary, ratings, watched, reviews, watchlist,
likes/films.csv and lists/<slug>.csv (with the list preamble).

As in real exports, ``watched.csv`` holds one row per film *seen*, dated by when it was logged: the films
she saw before joining were back-filled on the day she joined (and are in no diary), and a film she
rewatched has two diary entries but one watched.csv row."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ..person import FILMS, Person
from ._csv import write_csv

BUNDLE = "letterboxd-maralind-2025-07-01-12-00-utc.zip"
JOINED = date(2022, 11, 3)
# Films seen years before she joined Letterboxd, logged in one go on the day she joined.
BACK_CATALOGUE = (
    ("Spirited Away", 2001, "https://boxd.it/1Z3e"),
    ("Children of the Sea", 2019, "https://boxd.it/jx4C"),
    ("Lost in Translation", 2003, "https://boxd.it/1Ujm"),
    ("Gattaca", 1997, "https://boxd.it/1QOI"),
)


def _stars(rating: float) -> str:
    return "" if not rating else (str(int(rating)) if rating == int(rating) else str(rating))


def write(person: Person, root: Path) -> None:
    rng = person.rand("letterboxd")
    logged = []
    for i, film in enumerate(FILMS):
        watched = person.film_watch(film).astimezone(person.tz).date()
        log_day = watched + timedelta(days=rng.choice((0, 0, 1, 2)))
        uri_entry = f"https://boxd.it/{'m' + format(1000 + i * 37, 'x')}Q"
        uri_film = f"https://boxd.it/{format(4000 + i * 53, 'x')}"
        logged.append((film, watched, log_day, uri_entry, uri_film))
    logged.sort(key=lambda x: x[2])
    # One rewatch: her favourite film again, some months later (a second diary entry, Rewatch = Yes).
    fav, first, _, _, fav_uri = max(logged, key=lambda x: (x[0].rating, x[0].title))
    again = first + timedelta(days=150)
    if again > date(2025, 6, 28):  # the export is from 2025-07-01
        again = first + timedelta(days=1)
    rewatch = (fav, again, again, f"https://boxd.it/r{format(again.toordinal(), 'x')}", fav_uri)
    diary = sorted([*logged, rewatch], key=lambda x: x[2])
    write_csv(
        root / "diary.csv",
        ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"],
        [
            (
                d.isoformat(),
                f.title,
                f.year,
                ue,
                _stars(f.rating),
                "Yes" if ue == rewatch[3] else "",
                ", ".join(g.lower() for g in f.genres[:1]),
                w.isoformat(),
            )
            for f, w, d, ue, _ in diary
        ],
    )
    write_csv(
        root / "ratings.csv",
        ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
        [(d.isoformat(), f.title, f.year, uf, _stars(f.rating)) for f, _, d, _, uf in logged if f.rating],
    )
    write_csv(
        root / "watched.csv",
        ["Date", "Name", "Year", "Letterboxd URI"],
        [(JOINED.isoformat(), title, year, uri) for title, year, uri in BACK_CATALOGUE]
        + [(d.isoformat(), f.title, f.year, uf) for f, _, d, _, uf in logged],
    )
    write_csv(
        root / "reviews.csv",
        ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"],
        [
            (d.isoformat(), f.title, f.year, ue, _stars(f.rating), "", f.review, "", w.isoformat())
            for f, w, d, ue, _ in logged
            if f.review
        ],
    )
    write_csv(
        root / "watchlist.csv",
        ["Date", "Name", "Year", "Letterboxd URI"],
        [
            ("2025-05-02", "Solaris", 1972, "https://boxd.it/2aHi"),
            ("2025-05-02", "Stalker", 1979, "https://boxd.it/2b8e"),
        ],
    )
    write_csv(
        root / "likes" / "films.csv",
        ["Date", "Name", "Year", "Letterboxd URI"],
        [(d.isoformat(), f.title, f.year, uf) for f, _, d, _, uf in logged if f.rating >= 4.5],
    )
    lines = [
        "Letterboxd list export v7",
        "Date,Name,Tags,URL,Description",
        '2024-04-01,Books I Saw,"adaptations, books",https://boxd.it/aBcD1,Films of books I read first.',
        "",
        "Position,Name,Year,URL,Description",
    ]
    for pos, film in enumerate((f for f in FILMS if f.adaptation_of), start=1):
        lines.append(
            f"{pos},{film.title if ',' not in film.title else chr(34) + film.title + chr(34)},{film.year},https://boxd.it/l{pos},"
        )
    (root / "lists").mkdir(exist_ok=True)
    (root / "lists" / "books-i-saw.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_csv(
        root / "profile.csv",
        [
            "Date Joined",
            "Username",
            "Given Name",
            "Family Name",
            "Email Address",
            "Location",
            "Website",
            "Bio",
            "Pronoun",
            "Favorite Films",
        ],
        [
            (
                JOINED.isoformat(),
                person.username,
                "Mara",
                "Lindqvist",
                person.email,
                "Berlin",
                "",
                "Books first, then the film.",
                "She / her",
                "https://boxd.it/l1, https://boxd.it/l3",
            )
        ],
    )
