"""The CLI as a user meets it: JSON output, clear errors without tracebacks, doctor, path, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.cli.main import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SELFDEX_STORE", str(tmp_path / "store.sqlite"))
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def test_path_honours_env_and_flag(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("path").output.strip() == str(tmp_path / "store.sqlite")
    assert run("--store", str(tmp_path / "x.sqlite"), "path").output.strip() == str(tmp_path / "x.sqlite")
    assert json.loads(run("path", "--json").stdout) == {
        "store": str(tmp_path / "store.sqlite"),
        "exists": False,
    }


def test_import_then_browse(run, sample_exports: Path) -> None:  # type: ignore[no-untyped-def]
    summaries = json.loads(run("import", "--json", str(sample_exports)).stdout)
    assert summaries[0]["records_new"] > 0
    sources = json.loads(run("sources", "--json").stdout)
    assert {s["platform"] for s in sources} >= {"letterboxd"}
    hits = json.loads(run("search", "dune", "--json").stdout)
    assert hits and all(
        "dune" in " ".join([h["title"] or "", h["text"] or "", *h["creators"]]).lower() for h in hits
    )
    films = json.loads(
        run("timeline", "--kind", "movie", "--since", "2024-01-01", "--json", "--limit", "500").stdout
    )
    assert films and all(f["kind"] == "movie" and f["occurred_at"] >= "2024-01-01" for f in films)
    record = json.loads(run("record", hits[0]["id"], "--json").stdout)
    assert record["source_member"] and record["raw"]
    jobs = json.loads(run("jobs", "list", "--json").stdout)
    assert jobs[0]["status"] == "complete"
    detail = json.loads(run("jobs", "show", str(jobs[0]["id"]), "--json").stdout)
    assert detail["files"]
    assert "records" in run("sources").output


def test_user_mistakes_are_one_clear_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run("import", str(tmp_path / "nope.zip"), ok=False)
    assert (
        missing.exit_code == 1
        and "no such file or folder" in missing.output
        and "Traceback" not in missing.output
    )
    empty = run("sources", ok=False)
    assert empty.exit_code == 1 and "no store" in empty.output
    (tmp_path / "bad.sqlite").write_bytes(b"garbage" * 500)
    bad = run("--store", str(tmp_path / "bad.sqlite"), "sources", ok=False)
    assert bad.exit_code == 1 and "not a selfdex store" in bad.output
    assert run("record", "0000000000", ok=False).exit_code == 1


def test_doctor_and_importers(run, sample_exports: Path) -> None:  # type: ignore[no-untyped-def]
    report = json.loads(run("doctor", "--json", ok=False).stdout)
    assert {c["check"] for c in report["checks"]} >= {"python", "sqlite", "fts5", "importers", "store"}
    run("import", str(sample_exports))
    report = json.loads(run("doctor", "--json", ok=False).stdout)
    assert next(c for c in report["checks"] if c["check"] == "store")["ok"]
    optional = {c["check"]: c for c in report["checks"] if c.get("optional")}
    assert set(optional) == {"embeddings", "model", "serve"}
    assert all(c["present"] for c in optional.values())  # the test install has every extra


def test_doctor_flags_a_misconfigured_model(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SELFDEX_MODEL", "no-such-model")
    report = json.loads(run("doctor", "--json", ok=False).stdout)
    model = next(c for c in report["checks"] if c["check"] == "model")
    assert not model["ok"] and "no-such-model" in model["detail"] and not report["ok"]
    listing = json.loads(run("importers", "--json").stdout)
    assert "letterboxd" in {i["name"] for i in listing["importers"]}


def test_demo_runs_offline_on_a_temporary_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SELFDEX_STORE", raising=False)
    result = CliRunner().invoke(
        cli, ["demo", "--json", "--keep", str(tmp_path / "exports")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sources"] and data["examples"]["search 'dune'"]
    assert any((tmp_path / "exports").iterdir())


def test_imported_text_is_printed_as_text(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Rich markup and emoji codes in a title are data: printed as written, never styled or crashing."""
    hostile = "[/]Broken [bold]Markup :book: Film"
    folder = tmp_path / "letterboxd-[export]"
    folder.mkdir()
    (folder / "diary.csv").write_text(  # a viewing, so it is on the timeline
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        f'2024-01-02,"{hostile}",2020,https://boxd.it/abc,,,,2024-01-01\n'
    )
    run("import", str(folder))
    table = run("timeline").output  # a narrow table may cut the title, never interpret it
    assert "[/]Broken" in table and ":book:" in table and "📖" not in table
    (rid,) = [r["id"] for r in json.loads(run("search", "Markup", "--mode", "fts", "--json").stdout)]
    assert hostile in run("record", rid).output
    run("sources")
