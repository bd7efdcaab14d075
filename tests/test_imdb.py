"""IMDb ratings.csv and list exports: three header generations, Title Type, the tt id."""

from __future__ import annotations

from pathlib import Path

from selfdex.importers.imdb import IMDbImporter
from selfdex.testing import parse_path, recognitions

_2017 = (
    "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
    'tt1160419,9,2023-07-20,Dune,https://www.imdb.com/title/tt1160419/,movie,8.0,155,2021,"Action, Adventure, Drama",800000,2021-09-03,Denis Villeneuve\n'
    "tt5753856,9,2025-02-11,Dark,https://www.imdb.com/title/tt5753856/,tvSeries,8.7,60,2017,Crime,400000,2017-12-01,\n"
    "x123,9,2025-02-11,Broken,,movie,,,,,,,\n"
)
_2024_LIST = (
    "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated\r\n"
    "1,tt0069293,2025-05-02,2025-05-02,,Solaris,Solyaris,https://www.imdb.com/title/tt0069293/,Movie,8.0,167,1972,Drama,98765,1972-03-20,Andrei Tarkovsky,,\r\n"
)
_LEGACY = (
    "position,const,created,modified,description,Title,Title type,Directors,You rated,IMDb Rating,Runtime (mins),Year,Genres,Num. Votes,Release Date (month/day/year),URL\n"
    '1,tt2543164,Sat Mar  5 00:00:00 2016,Sat Mar  5 00:00:00 2016,,Arrival,Feature Film,Denis Villeneuve,10,7.9,116,2016,"drama, sci_fi",600000,2016-11-11,http://www.imdb.com/title/tt2543164/\n'
)


def test_2017_ratings(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(_2017, encoding="utf-8")
    records, problems = parse_path(IMDbImporter(), tmp_path)
    dune, dark = records
    assert dune.action == "rated" and dune.rating == 9 and dune.rating_scale == 10
    assert dune.item.ids == {"imdb": "tt1160419"} and dune.item.creators == ("Denis Villeneuve",)
    assert dune.item.categories == ("Action", "Adventure", "Drama") and dune.extra["year"] == "2021"
    assert dune.when is not None and dune.when.date().isoformat() == "2023-07-20"
    assert dark.item.kind == "series" and dark.item.creators == ()
    assert len(problems) == 1 and problems[0].line == 4


def test_2024_watchlist_with_blank_ratings(tmp_path: Path) -> None:
    (tmp_path / "WATCHLIST.csv").write_text(_2024_LIST, encoding="utf-8")
    (record,) = parse_path(IMDbImporter(), tmp_path)[0]
    assert record.action == "wishlisted" and record.rating is None
    assert record.extra["original_title"] == "Solyaris" and record.extra["list"] == "WATCHLIST"


def test_legacy_lowercase_ratings(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(_LEGACY, encoding="utf-8")
    (record,) = parse_path(IMDbImporter(), tmp_path)[0]
    assert record.action == "rated" and record.rating == 10 and record.item.kind == "movie"
    assert record.when is not None and record.when.date().isoformat() == "2016-03-05"


def test_other_lists_are_saved_and_letterboxd_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "sci-fi favourites.csv").write_text(_2024_LIST, encoding="utf-8")
    (tmp_path / "watched.csv").write_text(
        "Date,Name,Year,Letterboxd URI\n2024-01-01,Dune,2021,https://boxd.it/x\n"
    )
    records, _ = parse_path(IMDbImporter(), tmp_path)
    assert [(r.action, r.extra["list"]) for r in records] == [("saved", "sci-fi favourites")]
    assert recognitions(tmp_path)["watched.csv"] == "letterboxd"


def test_sample_person(sample_exports: Path) -> None:
    records, problems = parse_path(IMDbImporter(), sample_exports / "imdb")
    assert problems == []
    assert {r.item.title for r in records if r.action == "wishlisted"} == {"Solaris", "Stalker"}
    rated = {r.item.title: r for r in records if r.action == "rated"}
    assert rated["Dune: Part Two"].rating == 10 and rated["Dune: Part Two"].item.ids == {"imdb": "tt15239678"}
    assert rated["Dark"].item.kind == "series"
