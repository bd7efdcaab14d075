"""Import pipeline and store: idempotent re-import, incremental newer exports, atomic jobs, provenance."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from selfdex.ingest import import_path
from selfdex.store import Store, StoreError
from selfdex.store.schema import SCHEMA_VERSION

HEADER = "Date,Name,Year,Letterboxd URI,Rating\n"


def _ratings(path: Path, rows: range) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fh.write(HEADER)
        for i in rows:
            fh.write(f"2024-01-{1 + i % 28:02d},Film {i},{1950 + i % 70},https://boxd.it/f{i},{1 + i % 5}\n")
    return path


def test_reimport_adds_nothing(store: Store, sample_exports: Path) -> None:
    first = import_path(store, sample_exports)
    assert first.records_new > 0 and first.records_new == store.count()
    again = import_path(store, sample_exports)
    assert again.records_read == first.records_read
    assert again.records_new == 0 and store.count() == first.records_new


def test_newer_export_adds_only_new(store: Store, tmp_path: Path) -> None:
    import_path(store, _ratings(tmp_path / "old" / "ratings.csv", range(100)))
    newer = import_path(store, _ratings(tmp_path / "new" / "ratings.csv", range(150)))
    assert (newer.records_read, newer.records_new) == (150, 50)
    assert store.count() == 150


def test_bad_rows_reported_good_rows_land(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(
        HEADER + "2024-01-01,Good,2000,https://boxd.it/a,4\n2024-01-02,Too,Many,Fields,1,2,3\n"
        "not-a-date,Bad Date,2000,https://boxd.it/b,3\n2024-01-03,Also Good,2001,https://boxd.it/c,\n"
    )
    summary = import_path(store, path)
    assert summary.records_new == 2 and summary.problems == 2
    rows = store.conn.execute(
        "SELECT member, line, record_index, reason FROM import_errors ORDER BY line"
    ).fetchall()
    assert [(r["member"], r["line"]) for r in rows] == [("ratings.csv", 3), ("ratings.csv", 4)]
    assert "fields" in rows[0]["reason"] and "date" in rows[1]["reason"]


def test_provenance_points_back_to_file_and_line(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "letterboxd.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "ratings.csv",
            HEADER + "2024-01-01,A,2000,https://boxd.it/a,4\n2024-01-02,B,2000,https://boxd.it/b,5\n",
        )
    import_path(store, archive)
    row = store.conn.execute("SELECT * FROM records WHERE title = 'B'").fetchone()
    assert (row["source_archive"], row["source_member"], row["source_index"], row["source_line"]) == (
        str(archive),
        "ratings.csv",
        1,
        3,
    )
    assert row["importer"] == "letterboxd" and row["job_id"] == 1
    assert row["rating_norm"] == 1.0 and row["occurred_at"] == "2024-01-02T00:00:00Z"


def test_unknown_files_are_listed_as_skipped(store: Store, tmp_path: Path) -> None:
    _ratings(tmp_path / "ratings.csv", range(3))
    (tmp_path / "mystery.bin").write_bytes(os.urandom(100))
    summary = import_path(store, tmp_path)
    statuses = {f.member: f.status for f in summary.files}
    assert statuses == {"mystery.bin": "skipped", "ratings.csv": "imported"}
    stored = {r["member"]: r["status"] for r in store.conn.execute("SELECT member, status FROM import_files")}
    assert stored == statuses


def test_store_opens_in_sqlite_utils(store: Store, sample_exports: Path) -> None:
    import_path(store, sample_exports)
    db = sqlite_utils.Database(store.path)
    assert {"records", "import_jobs", "import_files", "import_errors"} <= set(db.table_names())
    assert db["records"].count == store.count()
    assert "title" in db["records"].columns_dict and db.journal_mode == "wal"


def test_schema_newer_than_code_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    (tmp_path / "not.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a selfdex store"):
        Store(tmp_path / "not.sqlite")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from selfdex.cli.main import main; main()", *args]


@pytest.mark.slow
def test_kill_9_mid_import_leaves_store_consistent(tmp_path: Path) -> None:
    store_path = tmp_path / "store.sqlite"
    small = _ratings(tmp_path / "small" / "ratings.csv", range(10))
    big = _ratings(tmp_path / "big" / "ratings.csv", range(200_000))
    subprocess.run(_cli("--store", str(store_path), "import", str(small)), check=True, capture_output=True)

    proc = subprocess.Popen(
        _cli("--store", str(store_path), "import", str(big)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = Path(str(store_path) + "-wal")
    deadline = time.monotonic() + 120
    # Kill once the job has written uncommitted pages (the WAL grows as SQLite spills its cache).
    while (
        time.monotonic() < deadline
        and proc.poll() is None
        and (not wal.exists() or wal.stat().st_size < 2**21)
    ):
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed; make the input bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with Store(store_path) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = s.count()  # the batches committed before the kill (see tests/test_faults.py)
        assert 10 <= kept < 200_000
        # a dead process cannot say so: the job is still 'running' until the next import marks it
        assert [r["status"] for r in s.conn.execute("SELECT status FROM import_jobs")] == [
            "complete",
            "running",
        ]
    done = subprocess.run(
        _cli("--store", str(store_path), "import", "--json", str(big)), check=True, capture_output=True
    )
    assert f'"records_new": {200_000 - kept}'.encode() in done.stdout
    with Store(store_path) as s:
        assert s.count() == 200_000
        dupes = s.conn.execute(
            "SELECT count(*) FROM (SELECT id FROM records GROUP BY id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0


def test_component_migrations_are_versioned_and_idempotent(store: Store) -> None:
    steps = ["CREATE TABLE widgets (id INTEGER PRIMARY KEY)", "ALTER TABLE widgets ADD COLUMN name TEXT"]
    store.ensure_schema("widgets", steps[:1])
    store.ensure_schema("widgets", steps)
    store.ensure_schema("widgets", steps)
    assert [r[1] for r in store.conn.execute("PRAGMA table_info(widgets)")] == ["id", "name"]
    with pytest.raises(StoreError, match="newer"):
        store.ensure_schema("widgets", steps[:1])
