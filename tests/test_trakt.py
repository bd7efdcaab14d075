"""Trakt export ZIP: history (paginated), ratings, watchlist, ids; empty members; totals skipped."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.trakt import TraktImporter
from selfdex.ingest import import_path
from selfdex.profile.entities import _COLUMNS, link_records
from selfdex.store import Store
from selfdex.testing import parse_path, recognitions

_DUNE = {
    "title": "Dune",
    "year": 2021,
    "ids": {"trakt": 1, "slug": "dune-2021", "imdb": "tt1160419", "tmdb": 438631},
}
_DARK = {
    "title": "Dark",
    "year": 2017,
    "ids": {"trakt": 2, "slug": "dark", "tvdb": 334824, "imdb": "tt5753856", "tmdb": 70523},
}


def test_history_movies_and_episodes_with_ids(tmp_path: Path) -> None:
    history = [
        {
            "id": 11,
            "watched_at": "2024-03-02T21:58:00.000Z",
            "action": "scrobble",
            "type": "movie",
            "movie": _DUNE,
        },
        {
            "id": 12,
            "watched_at": "2024-03-02T21:58:00.000Z",
            "action": "watch",
            "type": "movie",
            "movie": _DUNE,
        },
        {
            "id": 13,
            "watched_at": "2024-04-01T20:00:00.000Z",
            "action": "checkin",
            "type": "episode",
            "episode": {
                "season": 2,
                "number": 1,
                "title": "Beginnings and Endings",
                "ids": {"trakt": 9, "imdb": "tt8000001"},
            },
            "show": _DARK,
        },
        {"id": 14, "watched_at": "not a date", "type": "movie", "movie": _DUNE},
        {"id": 15, "watched_at": "2024-04-01T20:00:00.000Z", "type": "person"},
    ]
    (tmp_path / "watched-history-2.json").write_text(json.dumps(history), encoding="utf-8")
    (tmp_path / "collection-movies.json").write_text("[]", encoding="utf-8")
    (tmp_path / "watched-movies.json").write_text(
        json.dumps([{"plays": 2, "movie": _DUNE}]), encoding="utf-8"
    )
    records, problems = parse_path(TraktImporter(), tmp_path)
    dune = [r for r in records if r.item.kind == "movie"]
    # two plays at the same minute are two plays (their history ids differ)
    assert len(dune) == 2 and len({r.id for r in dune}) == 2
    assert dune[0].item.ids == {"imdb": "tt1160419", "tmdb": "438631", "trakt": "1", "slug": "dune-2021"}
    assert dune[0].extra["year"] == "2021" and dune[0].extra["how"] == "scrobble"
    ep = next(r for r in records if r.item.kind == "episode")
    assert ep.item.title == "Dark: Season 2: Beginnings and Endings"
    assert ep.extra["series"] == "Dark" and ep.item.ids["show_imdb"] == "tt5753856"
    assert "imdb" not in ep.item.ids  # the episode's own IMDb id is not the show's
    assert sorted((p.severity, p.index) for p in problems) == [("error", 3), ("error", 4), ("skipped", None)]


def test_ratings_and_watchlist(tmp_path: Path) -> None:
    (tmp_path / "ratings-shows.json").write_text(
        json.dumps([{"rated_at": "2025-02-11T21:04:10.000Z", "rating": 9, "type": "show", "show": _DARK}]),
        encoding="utf-8",
    )
    (tmp_path / "lists-watchlist.json").write_text(
        json.dumps(
            [
                {
                    "rank": 1,
                    "id": 5,
                    "listed_at": "2025-05-02T18:30:00.000Z",
                    "notes": "soon",
                    "type": "movie",
                    "movie": _DUNE,
                }
            ]
        ),
        encoding="utf-8",
    )
    records, problems = parse_path(TraktImporter(), tmp_path)
    assert problems == []
    rated = next(r for r in records if r.action == "rated")
    assert rated.item.kind == "series" and rated.rating == 9 and rated.rating_norm == 0.9
    wish = next(r for r in records if r.action == "wishlisted")
    assert wish.extra["notes"] == "soon" and wish.rating is None


def test_user_settings_are_not_claimed(sample_exports: Path) -> None:
    seen = recognitions(next(sample_exports.glob("trakt-export-*.zip")))
    assert seen["user-settings.json"] is None and seen["watched-history-1.json"] == "trakt"


def test_sample_person_links_to_letterboxd_and_imdb(sample_exports: Path, store: Store) -> None:
    bundle = next(sample_exports.glob("trakt-export-*.zip"))
    records, problems = parse_path(TraktImporter(), bundle)
    assert [p.severity for p in problems] == ["skipped"]  # watched-movies.json totals
    assert {r.action for r in records} == {"watched", "rated", "wishlisted"}
    for name in ("trakt-export-*.zip", "letterboxd-*.zip", "imdb"):
        import_path(store, next(sample_exports.glob(name)))
    linking = link_records(dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records"))
    by_key = {e.key: e for e in linking.entities}
    assert {"trakt", "letterboxd", "imdb"} <= set(by_key["film:dune part two|2024"].platforms)
    solaris = [e for e in linking.entities if e.key.startswith("film:solaris")]
    assert len(solaris) == 1 and {"trakt", "imdb", "letterboxd"} <= set(solaris[0].platforms)


def test_the_imdb_id_joins_titles_that_differ(tmp_path: Path, store: Store) -> None:
    """Trakt writes the English title, an IMDb list the original one: the tt id says they are one film."""
    movie = {"title": "Solaris", "year": 1972, "ids": {"trakt": 7, "imdb": "tt0069293"}}
    (tmp_path / "lists-watchlist.json").write_text(
        json.dumps([{"listed_at": "2025-05-02T18:30:00.000Z", "type": "movie", "movie": movie}]),
        encoding="utf-8",
    )
    (tmp_path / "ratings.csv").write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
        "tt0069293,8,2025-06-01,Solyaris,,Movie,8.0,167,1972,Drama,1,1972-03-20,Andrei Tarkovsky\n",
        encoding="utf-8",
    )
    import_path(store, tmp_path)
    linking = link_records(dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records"))
    ids = {r["platform"]: r["id"] for r in store.conn.execute("SELECT id, platform FROM records")}
    assert linking.entity_of(ids["trakt"]) == linking.entity_of(ids["imdb"])
