from __future__ import annotations

from pathlib import Path

from selfdex.importers.letterboxd import LetterboxdImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    records, problems = parse_path(LetterboxdImporter(), formats_dir / "letterboxd")
    assert [p for p in problems if p.severity != "skipped"] == []
    by_action = {r.action for r in records}
    assert {"watched", "rated", "reviewed", "wishlisted", "liked", "saved", "commented"} <= by_action
    # diary: the viewing day is "Watched Date", not the logging day
    christine = next(
        r
        for r in records
        if r.item.title == "Christine"
        and r.action == "watched"
        and r.extra.get("year") == "1983"
        and "letterboxd_entry" in r.item.ids
    )
    assert christine.when is not None and christine.when.date().isoformat() == "2017-09-30"
    assert christine.rating == 5 and christine.rating_norm == 1.0
    # list preamble is skipped and list rows are read
    lst = [r for r in records if r.action == "saved"]
    assert lst and lst[0].item.title == "BBS: The Documentary" and lst[0].extra["list"] == "Software History"
    # reviews are HTML: tags stripped
    lost = next(r for r in records if r.action == "reviewed" and r.item.title == "The Lost Boys")
    assert lost.text == "KIEFO LOL"


def test_deleted_entries_are_reported_not_imported(formats_dir: Path) -> None:
    records, problems = parse_path(LetterboxdImporter(), formats_dir / "letterboxd")
    assert not any(r.provenance and "deleted/" in r.provenance.member for r in records)
    assert [p.member for p in problems if p.severity == "skipped"] == ["deleted/diary.csv"]


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("letterboxd-*.zip"))
    assert {name for member, name in recognitions(bundle).items() if member != "profile.csv"} == {
        "letterboxd"
    }
    records, problems = parse_path(LetterboxdImporter(), bundle)
    assert problems == []
    titles = {r.item.title for r in records if r.action == "rated"}
    assert {"Dune", "Arrival", "Love Actually"} <= titles


def test_watched_csv_is_one_seen_fact_per_film_not_a_viewing(formats_dir: Path) -> None:
    """Real export: watched.csv's Date is the day the film was logged (most on the join day)."""
    records, _ = parse_path(LetterboxdImporter(), formats_dir / "letterboxd")
    from_watched = [r for r in records if r.provenance and r.provenance.member == "watched.csv"]
    rows = (formats_dir / "letterboxd" / "watched.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(from_watched) == len(rows)
    assert {r.action for r in from_watched} == {"seen"}
    assert all(r.when is None and r.precision is None for r in from_watched)
    la_la = next(r for r in from_watched if r.item.title == "La La Land")
    assert la_la.extra["logged"] == "2017-12-15"
    assert la_la.item.ids == {"letterboxd": "https://boxd.it/a5fa"}  # the film, as ratings.csv names it
    # the viewings are the diary's (and reviews') entries, dated by Watched Date
    viewings = [r for r in records if r.action == "watched"]
    assert viewings and all(r.provenance and r.provenance.member == "diary.csv" for r in viewings)


def test_sample_person_viewings_are_the_diary(sample_exports: Path, tmp_path: Path) -> None:
    from selfdex.ingest import import_path
    from selfdex.sample.platforms.letterboxd import BACK_CATALOGUE, JOINED
    from selfdex.store import Filters, Store, queries

    bundle = next(sample_exports.glob("letterboxd-*.zip"))
    records, _ = parse_path(LetterboxdImporter(), bundle)
    watched = [r for r in records if r.action == "watched"]
    seen = [r for r in records if r.action == "seen"]
    films = {r.item.title for r in seen}
    # one "seen" per film in watched.csv: the diary's films plus the back-filled catalogue
    assert len(seen) == len(films) == len({r.item.title for r in watched}) + len(BACK_CATALOGUE)
    # one viewing per diary entry: a rewatch is two viewings of one film
    rewatched = [r for r in watched if r.extra.get("rewatch")]
    assert len(rewatched) == 1
    assert len(watched) == len({r.item.title for r in watched}) + 1
    with Store(tmp_path / "s.sqlite") as store:
        summary = import_path(store, bundle)
        assert summary.records_duplicate == 0
        # no fake spike: nothing is dated on the day the catalogue was back-filled
        day = Filters(since=JOINED.isoformat(), until=(JOINED.replace(day=JOINED.day + 1)).isoformat())
        assert queries.timeline(store, day, limit=100) == []
        n_watched = store.conn.execute(
            "SELECT count(*) FROM records WHERE platform = 'letterboxd' AND action = 'watched'"
        ).fetchone()[0]
        assert n_watched == len(watched)
