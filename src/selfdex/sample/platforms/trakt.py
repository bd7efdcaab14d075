"""Trakt export ZIP: raw API responses, one JSON array per member — ``watched-history.json`` (split into
``watched-history-1.json``/``-2.json`` the way a large library is), ``ratings-movies.json`` and
``ratings-shows.json`` (1–10), ``lists-watchlist.json``, the per-title totals ``watched-movies.json``, members
that are just ``[]``, and ``user-settings.json`` with her e-mail. Every object carries the ``ids`` block with
the real IMDb and TMDB ids, so her Trakt films meet her Letterboxd diary and IMDb ratings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..person import FILMS, SHOWS, Film, Person
from ._ids import FILM_IDS, SHOW_IDS

BUNDLE = "trakt-export-maralind-2025-07-01.zip"


def _ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _slug(title: str, year: int) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split()) + f"-{year}"


def movie_obj(title: str, year: int, trakt_id: int) -> dict[str, Any]:
    imdb, tmdb = FILM_IDS[title]
    return {
        "title": title,
        "year": year,
        "ids": {"trakt": trakt_id, "slug": _slug(title, year), "imdb": imdb, "tmdb": tmdb},
    }


def _show_obj(title: str, n: int) -> dict[str, Any]:
    imdb, tmdb, tvdb = SHOW_IDS[title]
    year = {"Salt Fat Acid Heat": 2018, "Midnight Diner: Tokyo Stories": 2016, "Dark": 2017}[title]
    return {
        "title": title,
        "year": year,
        "ids": {"trakt": 150_000 + n, "slug": _slug(title, year), "tvdb": tvdb, "imdb": imdb, "tmdb": tmdb},
    }


def _films() -> list[tuple[int, Film]]:
    """She tracks her shows on Trakt; of films, only the ones she cares about most (the Villeneuve ones
    she read first), so Trakt adds depth to her themes rather than a fourth copy of every film."""
    return [(i, f) for i, f in enumerate(FILMS) if f.theme in ("dune", "arrival")]


def write(person: Person, root: Path) -> None:
    rng = person.rand("trakt")
    history: list[dict[str, Any]] = []
    for i, film in _films():
        when = person.film_watch(film) + timedelta(minutes=film.year % 50 + 90)  # scrobbled at the credits
        history.append(
            {
                "id": 0,
                "watched_at": _ts(when),
                "action": "scrobble" if film.on_netflix else "watch",
                "type": "movie",
                "movie": movie_obj(film.title, film.year, 10_000 + i),
            }
        )
    for n, show in enumerate(SHOWS):
        day = person.day(rng, datetime(2024, 1, 1).date(), datetime(2025, 5, 1).date())
        for season, titles in show.seasons:
            for number, title in enumerate(titles, start=1):
                when = person.evening(rng, day)
                history.append(
                    {
                        "id": 0,
                        "watched_at": _ts(when),
                        "action": "scrobble",
                        "type": "episode",
                        "episode": {
                            "season": season,
                            "number": number,
                            "title": title,
                            "ids": {
                                "trakt": 900_000 + n * 100 + season * 10 + number,
                                "tvdb": None,
                                "imdb": None,
                                "tmdb": None,
                            },
                        },
                        "show": _show_obj(show.title, n),
                    }
                )
                day += timedelta(days=rng.choice((0, 1, 1, 2)))
    history.sort(key=lambda h: h["watched_at"], reverse=True)  # newest first, as the API pages them
    for k, h in enumerate(history):
        h["id"] = 9_876_543_000 + len(history) - k
    half = len(history) // 2
    (root / "watched-history-1.json").write_text(json.dumps(history[:half], indent=2), encoding="utf-8")
    (root / "watched-history-2.json").write_text(json.dumps(history[half:], indent=2), encoding="utf-8")
    ratings = [
        {
            "rated_at": _ts(person.film_watch(f) + timedelta(hours=3)),
            "rating": round(f.rating * 2),
            "type": "movie",
            "movie": movie_obj(f.title, f.year, 10_000 + i),
        }
        for i, f in _films()
        if f.rating
    ]
    (root / "ratings-movies.json").write_text(json.dumps(ratings, indent=2), encoding="utf-8")
    (root / "ratings-shows.json").write_text(
        json.dumps(
            [
                {
                    "rated_at": "2025-02-11T21:04:10.000Z",
                    "rating": 9,
                    "type": "show",
                    "show": _show_obj("Dark", 2),
                }
            ],
            indent=2,
        ),
        encoding="utf-8",
    )
    watchlist = [
        {
            "rank": r,
            "id": 555_000 + r,
            "listed_at": "2025-05-02T18:30:00.000Z",
            "notes": "Tarkovsky, after Arrival" if r == 1 else None,
            "type": "movie",
            "movie": {
                "title": t,
                "year": y,
                "ids": {"trakt": 7000 + r, "slug": _slug(t, y), "imdb": imdb, "tmdb": tmdb},
            },
        }
        for r, (t, y, imdb, tmdb) in enumerate(
            (("Solaris", 1972, "tt0069293", 593), ("Stalker", 1979, "tt0079944", 1398)), start=1
        )
    ]
    (root / "lists-watchlist.json").write_text(json.dumps(watchlist, indent=2), encoding="utf-8")
    totals = [
        {
            "plays": 1,
            "last_watched_at": h["watched_at"],
            "last_updated_at": h["watched_at"],
            "movie": h["movie"],
        }
        for h in history
        if h["type"] == "movie"
    ]
    (root / "watched-movies.json").write_text(json.dumps(totals, indent=2), encoding="utf-8")
    for empty in (
        "collection-movies.json",
        "comments-movies.json",
        "likes-comments.json",
        "ratings-episodes.json",
    ):
        (root / empty).write_text("[]", encoding="utf-8")
    (root / "user-settings.json").write_text(
        json.dumps(
            {"user": {"username": person.username, "private": False}, "account": {"email": person.email}}
        ),
        encoding="utf-8",
    )
