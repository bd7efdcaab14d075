"""IMDb exports as downloaded from "Your Ratings" and the Watchlist: ``ratings.csv`` in the 2024+ header
(``Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,…``) and ``WATCHLIST.csv`` in the list
header (``Position,Const,Created,Modified,Description,…,Your Rating,Date Rated`` with the ratings blank).
She rates only now and then (the Dune films and Dark); ratings are IMDb's 1–10, her Letterboxd stars doubled
(and rounded up)."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

from ..person import FILMS, Person
from ._csv import write_csv
from ._ids import FILM_IDS, SHOW_IDS

BUNDLE = "imdb"

_RUNTIME = {
    "Dune": 155,
    "Dune: Part Two": 166,
    "Arrival": 116,
    "Blade Runner 2049": 164,
    "Love Actually": 135,
}
# the columns both exports share, in IMDb's order
_COMMON = ["Title", "Original Title", "URL", "Title Type", "IMDb Rating", "Runtime (mins)", "Year", "Genres"]
_COMMON += ["Num Votes", "Release Date", "Directors"]
_ORIGINAL = {
    "The Remains of the Day": "The Remains of the Day",
    "Jiro Dreams of Sushi": "Jiro Dreams of Sushi",
}


def write(person: Person, root: Path) -> None:
    rows = []
    for film in FILMS:
        # she rates on IMDb now and then: the Dune films (and Dark, below)
        if not film.rating or film.title not in FILM_IDS or film.theme != "dune":
            continue
        const = FILM_IDS[film.title][0]
        rated = (person.film_watch(film) + timedelta(days=1)).astimezone(person.tz).date()
        rows.append(
            (
                const,
                math.ceil(film.rating * 2),
                rated.isoformat(),
                film.title,
                _ORIGINAL.get(film.title, film.title),
                f"https://www.imdb.com/title/{const}/",
                "Movie",
                "7.9",
                _RUNTIME.get(film.title, 110),
                film.year,
                ", ".join(film.genres),
                "812345",
                f"{film.year}-09-15",
                film.director,
            )
        )
    imdb, _, _ = SHOW_IDS["Dark"]
    rows.append(
        (
            imdb,
            9,
            "2025-02-11",
            "Dark",
            "Dark",
            f"https://www.imdb.com/title/{imdb}/",
            "TV Series",
            "8.7",
            60,
            2017,
            "Crime, Drama, Mystery",
            "498765",
            "2017-12-01",
            "",
        )
    )
    write_csv(
        root / "ratings.csv",
        ["Const", "Your Rating", "Date Rated", *_COMMON],
        rows,
    )
    write_csv(
        root / "WATCHLIST.csv",
        ["Position", "Const", "Created", "Modified", "Description", *_COMMON, "Your Rating", "Date Rated"],
        [
            (
                1,
                "tt0069293",
                "2025-05-02",
                "2025-05-02",
                "",
                "Solaris",
                "Solyaris",
                "https://www.imdb.com/title/tt0069293/",
                "Movie",
                "8.0",
                167,
                1972,
                "Drama, Mystery, Sci-Fi",
                "98765",
                "1972-03-20",
                "Andrei Tarkovsky",
                "",
                "",
            ),
            (
                2,
                "tt0079944",
                "2025-05-02",
                "2025-05-02",
                "after Solaris",
                "Stalker",
                "Stalker",
                "https://www.imdb.com/title/tt0079944/",
                "Movie",
                "8.0",
                162,
                1979,
                "Drama, Sci-Fi",
                "150000",
                "1979-05-25",
                "Andrei Tarkovsky",
                "",
                "",
            ),
        ],
        lineterminator="\r\n",
    )
