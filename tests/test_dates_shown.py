"""Times as the source knew them: a day-precision record shows its date only, an undated one says so,
and the web chart covers the whole range of the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from selfdex.cli.main import cli
from selfdex.ingest import import_path
from selfdex.store import Filters, Store
from selfdex.timeparse import shown_when
from selfdex.web import WebSettings, create_web_app
from selfdex.web.chart import monthly_counts, svg_chart

from .sample_store import fresh_store
from .test_web import login

BASE = "http://127.0.0.1"


def test_shown_when() -> None:
    assert shown_when("2026-02-17T00:00:00+00:00", "day") == "2026-02-17"
    assert shown_when("2026-02-01T00:00:00+00:00", "month") == "2026-02"
    assert shown_when("2026-01-01T00:00:00+00:00", "year") == "2026"
    assert shown_when("2026-02-17T21:14:03+00:00", "second") == "2026-02-17 21:14"
    assert shown_when("2026-02-17T21:14:03+00:00", "second", seconds=True) == "2026-02-17 21:14:03"
    assert shown_when(None, None) == "undated"


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


def test_cli_timeline_and_search_print_days_as_days(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELFDEX_STORE", str(store.path))
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    out = runner.invoke(cli, ["timeline", "--platform", "letterboxd", "--action", "watched"]).output
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", out) and "00:00" not in out
    out = runner.invoke(cli, ["search", "Spirited Away", "--mode", "fts"]).output
    assert "undated" in out  # the back-filled "seen" fact has no time, and says so
    out = runner.invoke(cli, ["timeline", "--platform", "lastfm", "--limit", "3"]).output
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", out)  # a scrobble keeps its clock time


def test_web_days_and_undated_citations(store: Store) -> None:
    app = create_web_app(store.path, settings=WebSettings(csrf_secret="test-secret", model="none"))
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        login(client, app)
        page = client.get("/timeline?platform=letterboxd").text
        rows = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td>letterboxd</td>", page)
        assert rows and all(re.fullmatch(r"\d{4}-\d\d-\d\d", r) for r in rows), rows[:5]
        profile = client.get("/profile").text
        assert not re.search(r"\(\w+, \)", profile)
    app.state.close()


def test_chart_shows_the_whole_range(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scrobbles.csv").write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        '"1751000000","27 Jun 2025, 04:53","A","","","","New",""\n'
        '"1180000000","24 May 2007, 09:46","B","","","","Old",""\n',
        encoding="utf-8",
    )
    with Store(tmp_path / "s.sqlite") as store:
        import_path(store, folder)
        counts = monthly_counts(store, Filters())
    assert counts.months[0] == "2007-05" and counts.months[-1] == "2025-06"
    assert "2007-05" in svg_chart(counts)
