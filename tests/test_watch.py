"""``selfdex watch``: a new archive dropped into the folder is imported once, after it settles, with a log."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.cli.watch import Watcher
from selfdex.store import Store


def _jobs(store: Path) -> int:
    with Store(store) as s:
        return int(s.conn.execute("SELECT count(*) FROM import_jobs").fetchone()[0])


def _log(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_dropped_archive_is_imported_while_watching(sample_exports: Path, tmp_path: Path) -> None:
    folder, store, log = tmp_path / "Downloads", tmp_path / "store.sqlite", tmp_path / "watch.log"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    watcher = Watcher(store, folder, log)
    stop = threading.Event()
    events: list[dict] = []  # type: ignore[type-arg]
    thread = threading.Thread(target=lambda: events.extend(watcher.run(0.05, stop)), daemon=True)
    thread.start()
    try:
        time.sleep(0.3)
        # a download in progress is ignored; the finished file appears under its real name
        partial = folder / "letterboxd-maralind.zip.crdownload"
        shutil.copy(next(sample_exports.glob("letterboxd-*.zip")), partial)
        time.sleep(0.3)
        assert not any(e["event"] == "imported" for e in events)
        partial.rename(folder / "letterboxd-maralind.zip")
        deadline = time.monotonic() + 30
        while not any(e["event"] == "imported" for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # more scans: nothing is imported twice
    finally:
        stop.set()
        thread.join(timeout=30)
    imported = [e for e in events if e["event"] == "imported"]
    assert (
        len(imported) == 1 and imported[0]["platforms"] == ["letterboxd"] and imported[0]["records_new"] > 0
    )
    assert [e["event"] for e in events if e["path"].endswith("holiday.jpg")] == ["not an export"]
    assert _jobs(store) == 1
    assert [e["event"] for e in _log(log)] == [e["event"] for e in events]


def test_restart_and_a_copy_under_another_name_are_not_reimported(
    sample_exports: Path, tmp_path: Path
) -> None:
    folder, store, log = tmp_path / "in", tmp_path / "store.sqlite", tmp_path / "watch.log"
    folder.mkdir()
    shutil.copytree(sample_exports / "imdb", folder / "imdb")
    first = Watcher(store, folder, log, settle_scans=1)
    assert [e["event"] for e in first.scan()] == ["imported"]
    assert first.scan() == []
    again = Watcher(store, folder, log, settle_scans=1)  # a restart: the log remembers the folder
    assert again.scan() == []
    trakt = next(sample_exports.glob("trakt-export-*.zip"))
    shutil.copy(trakt, folder / "trakt.zip")
    shutil.copy(trakt, folder / "trakt (1).zip")  # the browser's second download of the same file
    assert sorted(e["event"] for e in again.scan()) == ["already imported", "imported"]
    assert _jobs(store) == 2
    # the folder changing (a newer export saved over it) makes it new again
    (folder / "imdb" / "ratings.csv").write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,"
        "Release Date,Directors\ntt0069293,8,2025-06-01,Solaris,,Movie,8.0,167,1972,Drama,1,1972-03-20,Tarkovsky\n",
        encoding="utf-8",
    )
    assert [e["event"] for e in again.scan()] == ["imported"]


def test_cli_once(sample_exports: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(sample_exports / "package.zip", folder / "package.zip")
    store = tmp_path / "s.sqlite"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--store", str(store), "watch", str(folder), "--once"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "discord" in result.output
    assert (tmp_path / "s.sqlite.watch.log").exists()
    again = runner.invoke(
        cli, ["--store", str(store), "watch", str(folder), "--once"], catch_exceptions=False
    )
    assert "Nothing new" in again.output and _jobs(store) == 1
    missing = runner.invoke(cli, ["--store", str(store), "watch", str(tmp_path / "nope"), "--once"])
    assert missing.exit_code != 0 and "no such folder" in missing.output
