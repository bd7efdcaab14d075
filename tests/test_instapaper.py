from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.instapaper import InstapaperImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "instapaper"
    assert set(recognitions(folder).values()) == {"instapaper"}
    records, problems = parse_path(InstapaperImporter(), folder)
    assert problems == []
    old = [r for r in records if r.provenance and "2018" in r.provenance.member]
    new = [r for r in records if r.provenance and "2018" not in r.provenance.member]
    # the 2018 export has no Timestamp column: no dates, nothing invented
    assert old and all(r.when is None for r in old)
    assert new and all(r.when is not None and r.precision == "second" for r in new)
    landings = next(r for r in new if r.item.url == "https://landings.dev/")
    assert (
        landings.when == datetime.fromtimestamp(1692762914, tz=UTC) and landings.extra["folder"] == "Unread"
    )
    # quoted titles with commas, custom folders, Starred → liked with the selection as text
    assert any(r.item.title == "and I still welcome you home,,,," for r in new)
    assert next(r for r in old if r.item.url == "http://kk.org").item.title == "The Technium: 1,000 True Fans"
    xkcd = next(r for r in old if r.item.url == "https://xkcd.com/2044/")
    assert xkcd.action == "liked" and xkcd.text == "Sandboxing Cycle http://bit.ly/2O8Js6K"
    assert {r.extra["folder"] for r in old} >= {"Tim Ferris", "Programming", "Archive", "Starred"}


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "instapaper-export.csv"
    path.write_text(
        "URL,Title,Selection,Folder,Timestamp\n"
        "https://a.example/,A,,Unread,1692762914\n"
        ",No URL,,Unread,1692762914\n"
        "https://b.example/,B,,Unread,not-a-time\n"
        "https://c.example/,C,,Unread\n"
        "https://d.example/,D,,Archive,1692762915\n"
    )
    records, problems = parse_path(InstapaperImporter(), path)
    assert [r.item.title for r in records] == ["A", "D"]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (3, 5)]


def test_html_export(tmp_path: Path) -> None:
    path = tmp_path / "instapaper-export.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Instapaper: Export</title></head><body>"
        '<h1>Unread</h1><ol><li><a href="https://a.example/">A &amp; B</a></li></ol>'
        '<h1>Starred</h1><ol><li><a href="https://s.example/">S</a></li></ol></body></html>'
    )
    records, problems = parse_path(InstapaperImporter(), path)
    assert problems == []
    assert [(r.item.title, r.action) for r in records] == [("A & B", "saved"), ("S", "liked")]


def test_sample_person(sample_exports: Path) -> None:
    folder = sample_exports / "instapaper-export"
    assert set(recognitions(folder).values()) == {"instapaper"}
    records, problems = parse_path(InstapaperImporter(), folder)
    assert problems == []
    assert all(r.when is not None and r.when.year == 2025 for r in records)
    arrakis = next(r for r in records if r.item.title == "The Ecology of Arrakis")
    assert arrakis.action == "liked" and arrakis.text and "water" in arrakis.text
    assert any(r.item.url == "https://en.wikipedia.org/wiki/Dune_(novel)" for r in records)


def test_variant_without_url_column(tmp_path: Path) -> None:
    path = tmp_path / "instapaper-export.csv"
    path.write_text("Link,Name,Folder\nhttps://example.org,A,Unread\n")
    records, problems = parse_path(InstapaperImporter(), path)
    assert records == [] and [p.severity for p in problems] == ["unsupported"]
    # a header that has the needed columns in another order/subset is read
    path.write_text("URL,Title,Folder\nhttps://example.org,A,Starred\n")
    (record,), problems = parse_path(InstapaperImporter(), path)
    assert problems == [] and record.action == "liked"
