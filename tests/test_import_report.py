"""What an import says about itself: deliberate skips are not problems, counts agree in number, a file
that gave nothing but problems failed. Checked in the summary object, the CLI and `jobs show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.ingest import import_path
from selfdex.store import Store

from .test_web import login

UBER_HEADER = (
    "City,Product Type,Trip or Order Status,Request Time,Begin Trip Time,Dropoff Time,"
    "Distance (miles),Fare Amount,Fare Currency\n"
)
VIEWING_HEADER = (
    "Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device Type,Bookmark,"
    "Latest Bookmark,Country\n"
)


def _exports(root: Path) -> Path:
    """One file that reads, one with only deliberate skips, one whose every row is broken."""
    uber = root / "Uber Data" / "Rider"
    uber.mkdir(parents=True)
    (uber / "trips_data.csv").write_text(
        UBER_HEADER + "".join(f"Berlin,UberX,COMPLETED,soon {i},later,never,1,1,EUR\n" for i in range(3)),
        encoding="utf-8",
    )
    ci = root / "CONTENT_INTERACTION"
    ci.mkdir()
    (ci / "ViewingActivity.csv").write_text(
        VIEWING_HEADER
        + "Mara,2024-01-02 20:00:00,00:02:10,,Dune: Part Two (Trailer),TRAILER,TV,00:02:10,00:02:10,DE (Germany)\n"
        + "Mara,2024-01-03 20:00:00,00:01:10,,Dark_hook_primary_16x9,HOOK,TV,00:01:10,00:01:10,DE (Germany)\n",
        encoding="utf-8",
    )
    (ci / "Ratings.csv").write_text(
        "Profile Name,Title Name,Rating Type,Star Value,Thumbs Value,Device Model,Event Utc Ts,Region View Date\n"
        "Mara,Dune,thumb,,3,TV,2024-01-02 21:00:00,2024-01-02\n"
        "Mara,Arrival,thumb,,2,TV,not a time,2024-01-03\n",
        encoding="utf-8",
    )
    return root


def test_summary_separates_skips_from_problems(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        summary = import_path(store, _exports(tmp_path / "in"))
    files = {f.member: f for f in summary.files}
    trips = files["Uber Data/Rider/trips_data.csv"]
    assert (trips.records_read, trips.problems, trips.skipped, trips.status) == (0, 3, 0, "failed")
    assert "3 problems" in (trips.reason or "") and "soon 0" in (trips.reason or "")
    viewing = files["CONTENT_INTERACTION/ViewingActivity.csv"]
    assert (viewing.records_read, viewing.problems, viewing.skipped, viewing.status) == (0, 0, 2, "skipped")
    ratings = files["CONTENT_INTERACTION/Ratings.csv"]
    assert (ratings.records_read, ratings.problems, ratings.status) == (1, 1, "imported")
    assert (summary.problems, summary.skipped) == (4, 2)
    assert summary.to_dict()["skipped"] == 2


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SELFDEX_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout if "--json" in args else result.output

    return invoke


def test_cli_words(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _exports(tmp_path / "in")
    output = run("import", str(root))
    lines = output.splitlines()
    trips = next(line for line in lines if "trips_data.csv" in line)
    assert "✓" not in trips and "failed" in trips
    assert not any("✓" in line and "ViewingActivity" in line for line in lines)
    ratings = next(line for line in lines if "Ratings.csv:" in line)
    assert "✓" in ratings and "1 problem" in ratings and "1 problems" not in ratings
    total = next(line for line in lines if line.startswith(f"{root}: "))
    assert "4 problems" in total and "2 skipped by design" in total
    assert "1 record read" in total  # singular
    assert "problems" not in next(line for line in lines if "ViewingActivity" in line and "skipped" in line)


def test_jobs_show_counts_skips_apart(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(_exports(tmp_path / "in")))
    shown = json.loads(run("jobs", "show", "1", "--json"))
    files = {f["member"]: f for f in shown["files"]}
    assert (
        files["CONTENT_INTERACTION/ViewingActivity.csv"]["problems"],
        files["CONTENT_INTERACTION/ViewingActivity.csv"]["skipped"],
    ) == (0, 2)
    assert files["Uber Data/Rider/trips_data.csv"]["status"] == "failed"
    text = run("jobs", "show", "1")
    assert "[skipped by design]" in text and "[skipped]" not in text
    listed = json.loads(run("jobs", "list", "--json"))
    assert (listed[0]["problems"], listed[0]["skipped"]) == (4, 2)


def test_sample_apple_music_skips_are_not_problems(sample_exports: Path, tmp_path: Path) -> None:
    """The demo's first file: play-start and lyric markers are deliberate skips."""
    with Store(tmp_path / "s.sqlite") as store:
        summary = import_path(store, sample_exports / "Apple Media Services information.zip")
    assert summary.problems == 0 and summary.skipped > 100


def test_web_job_page_counts_skips_apart(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from selfdex.web import WebSettings, create_web_app

    with Store(tmp_path / "s.sqlite") as store:
        import_path(store, _exports(tmp_path / "in"))
    app = create_web_app(tmp_path / "s.sqlite", settings=WebSettings(csrf_secret="t", model="none"))
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        login(client, app)
        page = client.get("/import/jobs/1").text
        listing = client.get("/import").text
    app.state.close()
    assert "4 problems, 2 skipped by design" in page
    assert "<td>skipped by design</td>" in page and "<td>skipped</td><td" not in page.split("Where each")[1]
    assert "Skipped by design" in listing


def test_demo_shows_no_fake_problems_and_no_duplicate_rows(run) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(run("demo", "--json"))
    assert sum(s["problems"] for s in shown["imports"]) == 0  # every skip there is deliberate
    assert sum(s["skipped"] for s in shown["imports"]) > 100
    for label, rows in shown["examples"].items():
        lines = [(str(r["occurred_at"])[:10], r["platform"], r["action"], r["title"]) for r in rows]
        assert len(lines) == len(set(lines)), (label, lines)
