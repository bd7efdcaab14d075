from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers._takeout_activity import parse_html_date
from selfdex.importers.google_my_activity import GoogleMyActivityImporter
from selfdex.importers.youtube_history import YouTubeHistoryImporter
from selfdex.testing import parse_path, recognitions

IMP = GoogleMyActivityImporter()


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "google_takeout" / "my_activity"
    assert set(recognitions(folder).values()) == {"google_my_activity"}
    records, problems = parse_path(IMP, folder)
    assert problems == []
    assert len(records) == 8 and {r.platform for r in records} == {"google"}

    # 2019 JSON: Gson escapes in URLs, Google redirect wrappers unwrapped, verbs mapped to actions
    visited = next(r for r in records if r.item.title and r.item.title.startswith("data liberation"))
    assert visited.action == "visited" and visited.item.kind == "web_page"
    assert visited.item.url == (
        "https://webapps.stackexchange.com/questions/95560/how-to-download-google-search-history"
    )
    query = next(r for r in records if r.item.title == '"myactivity" google export')
    assert query.action == "searched" and query.item.kind == "query" and query.item.categories == ("Search",)
    assert query.when == datetime(2019, 5, 30, 15, 37, 14, 947000, tzinfo=UTC) and query.precision == "ms"
    # locationInfos: where she was ("From your places (Home)"), not what she searched for
    assert query.location is not None and (query.location.lat, query.location.lon) == (37.773692, -122.429737)
    assert query.extra["location_source"] == "From your places (Home)"

    maps = [r for r in records if r.item.categories == ("Maps",)]
    assert {(r.action, r.item.kind, r.item.title) for r in maps} == {
        ("viewed", "place", "area around Pheba"),
        ("searched", "query", "Oktibbeha County Lake, Mississippi, USA"),
    }
    books = next(r for r in records if r.item.categories == ("Google Play Books",))
    assert (books.action, books.item.title) == ("visited", "Play Books App")

    # HTML (en-US, no zone written): wall clock kept, flagged local; &amp; in hrefs; "Locations:" caption
    html = [r for r in records if r.provenance and r.provenance.member.endswith(".html")]
    assert len(html) == 3 and all(r.original_tz == "local" and r.precision == "second" for r in html)
    assert html[0].when == datetime(2018, 1, 31, 22, 54, 50, tzinfo=UTC)
    assert html[0].item.url == "https://productforums.google.com/forum/"
    assert html[1].item.url == "http://www.adobe.com/creativecloud.html"
    adobe = html[2]
    assert (adobe.action, adobe.item.title) == ("searched", "adobe creative cloud")
    assert adobe.location is not None and (adobe.location.lat, adobe.location.lon) == (25.800819, -80.18631)
    assert adobe.extra["location_source"] == "From your home"
    assert all(r.provenance and r.provenance.offset for r in html)  # byte offsets into the one-line file


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("takeout-*-001.zip"))
    member = "Takeout/My Activity/Search/MyActivity.json"
    assert recognitions(bundle)[member] == "google_my_activity"
    records, problems = parse_path(IMP, bundle)
    records = [r for r in records if r.provenance and r.provenance.member == member]
    assert problems == []
    queries = {r.item.title for r in records if r.action == "searched"}
    assert {"frank herbert dune reading order", "how to make dashi from kombu"} <= queries
    pages = {r.item.url for r in records if r.action == "visited"}
    assert "https://en.wikipedia.org/wiki/Dune_(novel)" in pages  # unwrapped from google.com/url?q=
    located = [r for r in records if r.location]
    assert located and all(round(r.location.lat or 0) == 53 for r in located if r.location)  # Berlin


def _entry(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "header": "Search",
        "title": "Searched for dune",
        "titleUrl": "https://www.google.com/search?q\u003ddune",
        "time": "2024-03-01T10:00:00.123Z",
        "products": ["Search"],
    }
    base.update(fields)
    return base


def test_malformed_json(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "My Activity" / "Search"
    folder.mkdir(parents=True)
    entries = [
        _entry(),
        _entry(time="yesterday"),
        "not an object",
        _entry(title="Searched for arrival", time="2024-03-02T10:00:00Z"),
        _entry(title="Hat etwas gemacht", titleUrl="https://example.com/x"),  # a verb we do not know
    ]
    text = json.dumps(entries)
    (folder / "MyActivity.json").write_text(text[: text.rindex("}")])  # truncated download
    records, problems = parse_path(IMP, tmp_path)
    assert [r.item.title for r in records] == ["dune", "arrival"]
    assert records[1].precision == "second"
    bad_time, not_object, truncated = problems
    assert bad_time.index == 1 and "unreadable time" in bad_time.reason
    assert not_object.index == 2 and "not a JSON object" in not_object.reason
    assert truncated.index == 4 and "invalid JSON" in truncated.reason

    (folder / "MyActivity.json").write_text(json.dumps([entries[0], entries[4]]))
    records, problems = parse_path(IMP, tmp_path)
    unknown = records[1]
    assert problems == [] and unknown.item.title == "Hat etwas gemacht" and unknown.extra["verb"] is None


def test_localized_folder_and_garbage(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "Meine Aktivitäten" / "Suche"
    folder.mkdir(parents=True)
    (folder / "MeineAktivitäten.json").write_text(json.dumps([_entry()]), encoding="utf-8")
    (folder / "Bild.json").write_bytes(b"\x00\xff garbage")
    assert recognitions(tmp_path) == {
        "Takeout/Meine Aktivitäten/Suche/MeineAktivitäten.json": "google_my_activity",
        "Takeout/Meine Aktivitäten/Suche/Bild.json": None,
    }


def _cell(body: str, caption: str = "<b>Products:</b><br>&emsp;Search<br>") -> str:
    return (
        '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
        '<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">Search<br></p></div>'
        f'<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">{body}</div>'
        '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 mdl-typography--text-right"></div>'
        f'<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption">{caption}</div></div></div>'
    )


def test_html_bad_cells(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "My Activity" / "Search"
    folder.mkdir(parents=True)
    cells = [
        _cell(
            'Searched for&nbsp;<a href="https://www.google.com/search?q=dune">dune</a><br>01.09.2022, 21:08:12 MESZ'
        ),
        _cell('Searched for&nbsp;<a href="https://www.google.com/search?q=x">x</a><br>not a date'),
        _cell(
            'Visited&nbsp;<a href="https://www.google.com/url?q=https://example.org/&amp;usg=x">Ex</a><br>'
            "Sep 1, 2022, 9:08:12\u202fPM EDT"
        ),
    ]
    page = '<html><head><title>My Activity History</title><style>.mdl-cell{}</style></head><body><div class="mdl-grid">'
    (folder / "MyActivity.html").write_text(page + "".join(cells) + "</div></body></html>", encoding="utf-8")
    records, problems = parse_path(IMP, tmp_path)
    assert [(r.action, r.item.title, r.original_tz) for r in records] == [
        ("searched", "dune", "+02:00"),
        ("visited", "Ex", "-04:00"),
    ]
    assert records[0].when == datetime(2022, 9, 1, 19, 8, 12, tzinfo=UTC)
    assert (
        records[1].when == datetime(2022, 9, 2, 1, 8, 12, tzinfo=UTC)
        and records[1].item.url == "https://example.org/"
    )
    (problem,) = problems
    assert problem.index == 1 and problem.offset and "unreadable date" in problem.reason

    (folder / "MyActivity.html").write_text(page + "<p>nothing here</p></div></body></html>")
    _, problems = parse_path(IMP, tmp_path)
    assert [p.severity for p in problems] == ["unsupported"]


@pytest.mark.parametrize(
    ("text", "iso", "tz"),
    [
        ("20 Apr 2021, 18:44:53 AEDT", "2021-04-20T07:44:53+00:00", "+11:00"),
        ("Jan 31, 2018, 10:54:50 PM", "2018-01-31T22:54:50+00:00", "local"),
        ("01.09.2022, 21:08:12", "2022-09-01T21:08:12+00:00", "local"),
        ("1 de sept. de 2022, 21:08:12 CEST", "2022-09-01T19:08:12+00:00", "+02:00"),
        ("2022/09/01 21:08:12 JST", "2022-09-01T12:08:12+00:00", "+09:00"),
        ("Jan 15, 2021, 12:04:12 AM GMT", "2021-01-15T00:04:12+00:00", "UTC"),
        ("31/12/2021, 23:59:59 GMT-05:00", "2022-01-01T04:59:59+00:00", "-05:00"),
        ("12 Mar 2020, 12:00:00 XYZT", "2020-03-12T12:00:00+00:00", "local"),
    ],
)
def test_html_dates(text: str, iso: str, tz: str) -> None:
    stamp = parse_html_date(text)
    assert stamp is not None and stamp.when.isoformat() == iso and stamp.tz == tz


@pytest.mark.parametrize("text", ["garbage", "Feb 30, 2020, 1:00:00 PM", "13:00:00 PM", ""])
def test_html_dates_unreadable(text: str) -> None:
    assert parse_html_date(text) is None


def test_youtube_entries_are_left_to_youtube_history(tmp_path: Path) -> None:
    """My Activity/YouTube has the same schema: youtube_history claims it, and whichever importer reads
    a YouTube entry, the record is the same (so the store keeps one)."""
    folder = tmp_path / "Takeout" / "My Activity" / "YouTube"
    folder.mkdir(parents=True)
    watch = _entry(
        header="YouTube",
        title="Watched Dune: Part Two – Official Trailer 3",
        titleUrl="https://www.youtube.com/watch?v=U2Qp5pL3ovA",
        subtitles=[
            {
                "name": "Warner Bros. Pictures",
                "url": "https://www.youtube.com/channel/UCjmJDM5pRKbUlVIzDYYWb6g",
            }
        ],
        products=["YouTube"],
    )
    (folder / "MyActivity.json").write_text(json.dumps([watch]))
    assert recognitions(tmp_path) == {"Takeout/My Activity/YouTube/MyActivity.json": "youtube_history"}
    via_google, _ = parse_path(IMP, tmp_path)
    via_youtube, _ = parse_path(YouTubeHistoryImporter(), tmp_path)
    assert via_google[0].platform == "youtube" and via_google[0].id == via_youtube[0].id
    assert via_google[0].item.ids == {"youtube": "U2Qp5pL3ovA"}
