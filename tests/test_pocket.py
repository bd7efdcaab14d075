from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.pocket import PocketImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "pocket"
    assert recognitions(folder) == {"part_000000.csv": "pocket", "ril_export.html": "pocket"}
    records, problems = parse_path(PocketImporter(), folder)
    assert problems == []
    assert {r.action for r in records} == {"saved"} and {r.item.kind for r in records} == {"web_page"}
    csv_rows = [r for r in records if r.provenance and r.provenance.member == "part_000000.csv"]
    html_rows = [r for r in records if r.provenance and r.provenance.member == "ril_export.html"]
    assert len(csv_rows) == 11 and len(html_rows) == 8
    # CSV: time_added in Unix seconds, '|'-separated tags, quoted titles with commas
    clipart = next(r for r in csv_rows if r.item.url == "https://openclipart.org/")
    assert clipart.item.categories == ("art", "resource") and clipart.extra["status"] == "unread"
    assert clipart.when == datetime.fromtimestamp(1526485708, tz=UTC) and clipart.precision == "second"
    assert any(r.item.title == "Scratch | Home | imagine, program, share" for r in csv_rows)
    # a title that only repeats the URL is no title
    assert next(r for r in csv_rows if r.item.url == "https://waxy.org/").item.title is None
    # HTML: entities decoded, section → status, line of the link kept
    hardest = next(r for r in html_rows if r.item.url and "stuffwithstuff" in r.item.url)
    assert hardest.item.title == "The Hardest Program I've Ever Written – journal.stuffwithstuff.com"
    assert hardest.extra["status"] == "unread" and hardest.provenance and hardest.provenance.line == 17
    assert html_rows[0].when == datetime.fromtimestamp(1585881748, tz=UTC)


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "pocket.zip"
    assert set(recognitions(bundle).values()) == {"pocket"}
    records, problems = parse_path(PocketImporter(), bundle)
    assert problems == []
    urls = {r.item.url for r in records}
    assert "https://en.wikipedia.org/wiki/Dune_(novel)" in urls
    assert "https://www.seriouseats.com/how-to-make-dashi" in urls
    assert any("cooking" in r.item.categories for r in records)


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "part_000000.csv"
    path.write_text(
        "title,url,time_added,tags,status\n"
        "Good,https://a.example/,1585881748,x|y,archive\n"
        "No url,,1585881748,,unread\n"
        "Bad time,https://b.example/,yesterday,,unread\n"
        "Too,many,columns,here,now,extra\n"
        "Also good,https://c.example/,1585881749,,unread\n"
    )
    records, problems = parse_path(PocketImporter(), path)
    assert [r.item.title for r in records] == ["Good", "Also good"]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (3, 5)]
    html = tmp_path / "ril_export.html"
    html.write_text(
        '<title>Pocket Export</title><h1>Read Archive</h1><ul><li><a href="https://d.example/" '
        'time_added="1585881748" tags="a,b">D</a></li><li><a href="https://e.example/" time_added="x">E'
    )
    records, problems = parse_path(PocketImporter(), html)
    assert [r.item.categories for r in records] == [("a", "b")] and records[0].extra["status"] == "archive"
    # the file is cut off inside the second link: it is still read, and its bad time reported
    assert [(p.index, p.reason) for p in problems] == [(1, "unreadable time_added 'x'")]
