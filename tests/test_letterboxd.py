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
