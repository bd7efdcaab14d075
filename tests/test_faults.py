"""Fault injection with real processes: no import is lost to another import, a damaged file, a full
disk or a damaged store, and none of these commands prints a traceback.

Each test runs ``selfdex`` as a child process (as a user would) against generated inputs and then
reads the store with plain sqlite3.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from selfdex.testing import spawn_cli
from selfdex.timeparse import epoch_unit, from_epoch

RUN = "from selfdex.cli.main import main; main()"
# Runs the CLI and writes the child's own peak RSS (KiB) to the file named by SELFDEX_RSS_FILE.
# VmHWM, not getrusage's ru_maxrss: Linux carries the forking parent's high-water mark across
# exec into ru_maxrss, so a pytest grown to 700 MB by earlier tests made a 70 MB import read 707 MB.
RUN_MEASURED = (
    "import os\n"
    "from selfdex.cli.main import main\n"
    "try:\n    main()\n"
    "finally:\n"
    "    hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
    "    open(os.environ['SELFDEX_RSS_FILE'], 'w').write(hwm)\n"
)


def cli(store: Path, *args: str, timeout: float = 300, **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-c", RUN, "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,  # type: ignore[arg-type]
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    return proc


spawn = spawn_cli


def plays(path: Path, n: int, start: int = 0) -> Path:
    """A Spotify account-data StreamingHistory file with ``n`` distinct plays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "endTime": f"20{10 + i // 500_000 % 14:02d}-{1 + i // 40_000 % 12:02d}-{1 + i // 1440 % 28:02d} "
            f"{i // 60 % 24:02d}:{i % 60:02d}",
            "artistName": f"Artist {i % 997}",
            "trackName": f"Track {i}",
            "msPlayed": 30_000 + i % 200_000,
        }
        for i in range(start, start + n)
    ]
    path.write_text(json.dumps(rows))
    return path


def db(store: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(store)
    conn.row_factory = sqlite3.Row
    return conn


def count(store: Path) -> int:
    with db(store) as conn:
        return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])


def dupes(store: Path) -> int:
    with db(store) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM (SELECT id FROM records GROUP BY id HAVING count(*) > 1)"
            ).fetchone()[0]
        )


def summary(proc: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


# -- 1. writers take turns -------------------------------------------------------------------------


@pytest.mark.slow
def test_two_imports_started_together_both_complete(tmp_path: Path) -> None:
    a = plays(tmp_path / "a" / "StreamingHistory0.json", 60_000)
    b = plays(tmp_path / "b" / "StreamingHistory0.json", 20_000, start=50_000)  # 10,000 overlap a
    sequential = tmp_path / "seq.sqlite"
    summary(cli(sequential, "import", "--json", str(a)))
    summary(cli(sequential, "import", "--json", str(b)))

    store = tmp_path / "together.sqlite"
    first = spawn(store, "import", str(a))
    time.sleep(1.5)  # the first one holds the turn
    second = spawn(store, "import", str(b))
    _, err1 = first.communicate(timeout=600)
    _, err2 = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, (err1[-2000:], err2[-2000:])
    assert "Traceback" not in err1 + err2
    assert "waiting for import 1 to finish" in err2
    assert count(store) == count(sequential) == 70_000 and dupes(store) == 0
    with db(store) as conn:
        assert [r[0] for r in conn.execute("SELECT status FROM import_jobs ORDER BY id")] == ["complete"] * 2


def test_reads_never_take_the_write_lock(tmp_path: Path) -> None:
    """While an import holds the turn, a reader process answers at once."""
    store = tmp_path / "s.sqlite"
    summary(cli(store, "import", "--json", str(plays(tmp_path / "x" / "StreamingHistory0.json", 2000))))
    from selfdex.store.health import ImportTurn

    turn = ImportTurn(store)
    assert turn.try_acquire()
    try:
        started = time.monotonic()
        proc = cli(store, "sources", "--json", timeout=60)
        assert proc.returncode == 0 and time.monotonic() - started < 30
        listed = cli(store, "jobs", "list", "--json")
        assert json.loads(listed.stdout)[0]["status"] == "complete"
    finally:
        turn.release()


# -- 2. kill -9, then re-run -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [5_000, 20_000, 35_000])
def test_kill_9_leaves_an_interrupted_job_and_rerun_completes(tmp_path: Path, kill_after: int) -> None:
    big = plays(tmp_path / "big" / "StreamingHistory0.json", 50_000)
    clean = tmp_path / "clean.sqlite"
    summary(cli(clean, "import", "--json", str(big)))

    store = tmp_path / "s.sqlite"
    proc = spawn(store, "import", str(big))
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with db(store) as conn:
                row = conn.execute("SELECT records_read FROM import_jobs WHERE id = 1").fetchone()
            stored = row[0] if row else 0
        except sqlite3.Error:
            stored = 0
        if stored >= kill_after:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed; make the input bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with db(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    assert kill_after <= kept < 50_000  # the committed batches survived
    jobs = json.loads(cli(store, "jobs", "list", "--json").stdout)
    assert jobs[0]["status"] == "interrupted" and jobs[0]["records_read"] >= kill_after
    doctor = cli(store, "doctor")
    assert doctor.returncode == 1 and "interrupted import job" in doctor.stdout

    again = summary(cli(store, "import", "--json", str(big)))
    assert again[0]["records_new"] == 50_000 - kept
    assert count(store) == count(clean) == 50_000 and dupes(store) == 0
    with db(store) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM import_jobs ORDER BY id")]
    assert statuses == ["resumed", "complete"]


# -- 3. every error is a value, per member ---------------------------------------------------------

RATINGS_HEADER = "Date,Name,Year,Letterboxd URI,Rating\n"


def ratings_csv(n: int, tag: str = "") -> str:
    return RATINGS_HEADER + "".join(
        f"2024-01-{1 + i % 28:02d},Film {tag}{i},{1950 + i % 70},https://boxd.it/{tag}{i},{1 + i % 5}\n"
        for i in range(n)
    )


def _flip_in_member(archive: Path, name: str) -> None:
    """Corrupt one byte in ``name``'s compressed data (the CRC no longer matches)."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(name)
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize("stored", [True, False])
def test_a_damaged_small_member_fails_alone(tmp_path: Path, stored: bool) -> None:
    archive = tmp_path / "letterboxd.zip"
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(archive, "w", method) as zf:
        zf.writestr("a/ratings.csv", ratings_csv(40, "a"))  # small: read whole by entry.head()
        zf.writestr("b/ratings.csv", ratings_csv(30, "b"))
    _flip_in_member(archive, "a/ratings.csv")
    store = tmp_path / "s.sqlite"
    out = summary(cli(store, "import", "--json", str(archive)))[0]
    files = {f["member"]: f for f in out["files"]}  # type: ignore[union-attr]
    assert files["a/ratings.csv"]["status"] == "failed"
    assert "CRC" in files["a/ratings.csv"]["reason"] or "damaged" in files["a/ratings.csv"]["reason"]
    assert files["b/ratings.csv"]["status"] == "imported" and count(store) == 30


def test_a_damaged_large_member_keeps_none_of_its_rows(tmp_path: Path) -> None:
    archive = tmp_path / "letterboxd.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a/ratings.csv", ratings_csv(20_000, "a"))  # ~1 MB: read while parsing
        zf.writestr("b/ratings.csv", ratings_csv(30, "b"))
    _flip_in_member(archive, "a/ratings.csv")
    store = tmp_path / "s.sqlite"
    out = summary(cli(store, "import", "--json", str(archive)))[0]
    files = {f["member"]: f for f in out["files"]}  # type: ignore[union-attr]
    assert files["a/ratings.csv"]["status"] == "failed" and "CRC" in files["a/ratings.csv"]["reason"]
    assert count(store) == 30  # the corrupted member's rows are not stored
    with db(store) as conn:
        reason = conn.execute("SELECT reason FROM import_errors WHERE member = 'a/ratings.csv'").fetchone()[0]
    assert "at byte" in reason and "not kept" in reason


def test_a_value_nested_300_deep_is_one_reported_row(tmp_path: Path) -> None:
    path = plays(tmp_path / "x" / "StreamingHistory0.json", 50)
    rows = json.loads(path.read_text())
    deep: object = "bottom"
    for _ in range(300):
        deep = {"d": deep}
    rows[7]["deep"] = deep
    path.write_text(json.dumps(rows))
    store = tmp_path / "s.sqlite"
    out = summary(cli(store, "import", "--json", str(path)))[0]
    assert count(store) == 49 and out["files"][0]["status"] == "imported"  # type: ignore[index]
    with db(store) as conn:
        row = conn.execute("SELECT record_index, reason FROM import_errors").fetchone()
    assert row["record_index"] == 7 and "nested deeper than 254" in row["reason"]


def test_a_truncated_zip_salvages_what_it_can(tmp_path: Path) -> None:
    full = tmp_path / "full.zip"
    with zipfile.ZipFile(full, "w", zipfile.ZIP_DEFLATED) as zf:
        for tag in "abc":
            zf.writestr(f"{tag}/ratings.csv", ratings_csv(500, tag))
    with zipfile.ZipFile(full) as zf:
        cut_at = zf.getinfo("c/ratings.csv").header_offset + 200  # inside the third member's data
    cut = tmp_path / "download.zip"
    cut.write_bytes(full.read_bytes()[:cut_at])
    store = tmp_path / "s.sqlite"
    proc = cli(store, "import", str(cut))
    assert proc.returncode == 0
    assert "this archive looks incomplete (a download cut short?): 2 of 3 files read" in proc.stdout
    assert count(store) == 1000


def test_a_truncated_tarball_salvages_what_it_can(tmp_path: Path) -> None:
    full = tmp_path / "full.tar.gz"
    with tarfile.open(full, "w:gz") as tf:
        for tag in "abc":
            data = ratings_csv(3000, tag).encode()
            info = tarfile.TarInfo(f"{tag}/ratings.csv")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    cut = tmp_path / "download.tar.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    store = tmp_path / "s.sqlite"
    proc = cli(store, "import", str(cut))
    assert proc.returncode == 0
    assert "this archive looks incomplete (a download cut short?): 1 of 2 files read" in proc.stdout
    assert count(store) == 3000  # a/ whole; b/ was cut and keeps none of its rows


# -- 4. failures of the store itself ---------------------------------------------------------------


def test_file_size_limit_is_one_line_and_keeps_the_store_intact(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    summary(cli(store, "import", "--json", str(plays(tmp_path / "x" / "StreamingHistory0.json", 100))))
    before = count(store)
    big = plays(tmp_path / "big" / "StreamingHistory0.json", 40_000, start=1000)
    limit = store.stat().st_size + 2 * 2**20  # a few batches fit, then writes fail with EFBIG

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = cli(store, "import", str(big), preexec_fn=cap)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error")]
    assert len(lines) == 1 and "file-size limit" in lines[0] and str(store) in lines[0]
    assert "no transaction is active" not in proc.stderr and "FOREIGN KEY" not in proc.stderr
    with db(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] >= before
    again = summary(cli(store, "import", "--json", str(big)))  # with room again, it completes
    assert count(store) == 40_100 and dupes(store) == 0 and again[0]["records_read"] == 40_000


def _damage(store: Path) -> None:
    size = store.stat().st_size
    with store.open("r+b") as fh:
        fh.seek(size // 2 - 2048)
        fh.write(random.Random(7).randbytes(4096))


def test_a_damaged_store_is_named_with_what_to_do(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    export = plays(tmp_path / "x" / "StreamingHistory0.json", 20_000)
    summary(cli(store, "import", "--json", str(export)))
    backup = tmp_path / "backup.sqlite"
    made = cli(store, "backup", str(backup))
    assert made.returncode == 0 and backup.exists()
    with db(store) as conn:  # fold the WAL into the file, so the damage hits the pages SQLite reads
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(store)
    imp = cli(store, "import", str(export))
    assert imp.returncode == 1 and "damaged" in imp.stderr and "selfdex backup" in imp.stderr
    # The middle of the file may hold pages a given read never visits: damage the records table's root
    # page as well, which every read of a record goes through.
    with db(backup) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with store.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(random.Random(8).randbytes(page_size))
    reads = [
        cli(store, *args) for args in (("sources",), ("timeline", "--limit", "5000"), ("search", "Track"))
    ]
    failed = [r for r in reads if r.returncode != 0]
    assert failed, "the damage hit no page these reads use"
    for r in failed:  # one line, naming the damage and what to do
        assert (
            r.returncode == 1 and r.stderr.count("\n") == 1 and "damaged" in r.stderr and "backup" in r.stderr
        )
    doc = cli(store, "doctor")
    assert doc.returncode == 1 and "selfdex backup" in doc.stdout
    restored = cli(backup, "sources", "--json")
    assert restored.returncode == 0 and json.loads(restored.stdout)[0]["records"] == 20_000


def _without_root_override() -> list[str]:
    """As root, permissions do not bind: run the child without CAP_DAC_OVERRIDE (setpriv), so a
    read-only file or folder is read-only to it as it is to an ordinary user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to bind")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_store_or_folder_is_named(tmp_path: Path, what: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = home / "s.sqlite"
    summary(cli(store, "import", "--json", str(plays(tmp_path / "x" / "StreamingHistory0.json", 10))))
    with db(store) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for side in ("-wal", "-shm", ".import-lock"):
        Path(f"{store}{side}").unlink(missing_ok=True)
    export = tmp_path / "ratings.csv"
    export.write_text(ratings_csv(3))
    if what == "file":
        store.chmod(0o444)
    else:
        home.chmod(0o555)
    try:
        proc = subprocess.run(
            [
                *_without_root_override(),
                sys.executable,
                "-c",
                RUN,
                "--store",
                str(store),
                "import",
                str(export),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        home.chmod(0o755)
        store.chmod(0o644)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1, proc.stderr
    assert "not a selfdex store" not in proc.stderr
    assert ("file is read-only" if what == "file" else "folder") in proc.stderr and str(store) in proc.stderr


# -- 5. identity that survives re-export -----------------------------------------------------------

GOODREADS = (
    "Book Id,Title,Author,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,"
    "Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,"
    "Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n"
)


def goodreads(rating_of_dune: int, shelf: str = "read") -> str:
    return GOODREADS + "".join(
        f'{100 + i},Book {i},Author {i},,"=""""","=""""",{rating_of_dune if i == 0 else 4},4.1,P,Paperback,'
        f"300,2001,2001,2024/01/{1 + i:02d},2023/12/01,,{shelf if i == 0 else 'read'},,,,1,0\n"
        for i in range(12)
    )


def test_a_changed_goodreads_row_updates_its_record(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    (tmp_path / "v1" / "goodreads_library_export.csv").write_text(goodreads(3))
    (tmp_path / "v2" / "goodreads_library_export.csv").write_text(goodreads(5))
    summary(cli(store, "import", "--json", str(tmp_path / "v1")))
    again = summary(cli(store, "import", "--json", str(tmp_path / "v2")))[0]
    assert count(store) == 12
    assert again["records_updated"] == 1 and again["records_new"] == 0
    with db(store) as conn:
        rating = conn.execute("SELECT rating, job_id FROM records WHERE title = 'Book 0'").fetchone()
        hits = conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'Book'").fetchone()[0]
    assert rating["rating"] == 5.0 and rating["job_id"] == 2 and hits == 12
    same = summary(cli(store, "import", "--json", str(tmp_path / "v2")))[0]
    assert same["records_updated"] == 0 and same["records_duplicate"] == 12


def _vault(root: Path) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}")
    for i in range(9):
        folder = root / ("Daily" if i % 2 else "Notes")
        folder.mkdir(exist_ok=True)
        (folder / f"note {i}.md").write_text(f"---\ntags: [t{i}]\n---\nBody {i} with [[link {i}]]\n")
    return root


def test_a_vault_as_folder_and_as_tarball_is_one_set_of_notes(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "src" / "My Vault")
    tarball = tmp_path / "vault.tar.gz"
    with tarfile.open(tarball, "w:gz") as tf:
        tf.add(vault, arcname="My Vault")
    zipped = tmp_path / "vault.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in sorted(vault.rglob("*")):
            if f.is_file():
                zf.write(f, f"export/My Vault/{f.relative_to(vault)}")
    store = tmp_path / "s.sqlite"
    summary(cli(store, "import", "--json", str(vault)))
    assert count(store) == 9
    for archive in (tarball, zipped):
        out = summary(cli(store, "import", "--json", str(archive)))[0]
        assert out["records_new"] == 0 and count(store) == 9, archive
    (vault / "Notes" / "note 0.md").write_text("---\ntags: [t0]\n---\nEdited body\n")
    edited = summary(cli(store, "import", "--json", str(vault)))[0]
    assert edited["records_updated"] == 1 and count(store) == 9


# -- 6. bounded work per element --------------------------------------------------------------------


def _measured(store: Path, *args: str, timeout: float) -> tuple[subprocess.CompletedProcess[str], float, int]:
    rss_file = store.with_suffix(".rss")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", RUN_MEASURED, "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SELFDEX_RSS_FILE": str(rss_file)},
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    return proc, time.monotonic() - started, int(rss_file.read_text()) // 1024


def test_a_secondly_event_over_a_year_is_capped_while_iterating(tmp_path: Path) -> None:
    ics = tmp_path / "calendar.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:tick\r\nDTSTART:20240101T000000Z\r\n"
        "DTEND:20240101T000001Z\r\nDTSTAMP:20241231T000000Z\r\nRRULE:FREQ=SECONDLY;UNTIL=20241231T000000Z\r\n"
        "SUMMARY:tick\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    store = tmp_path / "s.sqlite"
    proc, seconds, rss_mb = _measured(store, "import", "--json", str(ics), timeout=120)
    out = summary(proc)[0]
    assert out["records_read"] == 5000 and seconds < 90 and rss_mb < 700, (seconds, rss_mb)
    with db(store) as conn:
        reason = conn.execute("SELECT reason FROM import_errors").fetchone()[0]
    assert "stopped after 5000 occurrences" in reason


@pytest.mark.slow
def test_a_million_exdates_cost_memory_linear_in_the_file(tmp_path: Path) -> None:
    ics = tmp_path / "calendar.ics"
    with ics.open("w") as fh:
        fh.write(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:h\r\nDTSTART:20000101T000000Z\r\n"
            "DTSTAMP:20010101T000000Z\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:hourly\r\n"
        )
        # every hour from the second one on is excluded, one value per line (~25 MB)
        t0 = 946684800
        for h in range(1, 1_000_000):
            fh.write(f"EXDATE:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(t0 + 3600 * h))}\r\n")
        fh.write("END:VEVENT\r\nEND:VCALENDAR\r\n")
    store = tmp_path / "s.sqlite"
    proc, seconds, rss_mb = _measured(store, "import", "--json", str(ics), timeout=300)
    out = summary(proc)[0]
    assert out["records_read"] == 1  # only the first hour is not excluded
    assert seconds < 150 and rss_mb < 900, (seconds, rss_mb)


# -- 7. text and time as the source meant them ------------------------------------------------------


def _import_csv(tmp_path: Path, data: bytes, name: str = "ratings.csv") -> tuple[Path, dict[str, object]]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    store = tmp_path / "s.sqlite"
    return store, summary(cli(store, "import", "--json", str(folder)))[0]


def _titles(store: Path) -> list[str]:
    with db(store) as conn:
        return [r[0] for r in conn.execute("SELECT title FROM records ORDER BY title")]


def _reasons(store: Path) -> str:
    with db(store) as conn:
        return " | ".join(r[0] for r in conn.execute("SELECT reason FROM import_errors"))


def test_latin1_csv_is_decoded_and_reported(tmp_path: Path) -> None:
    text = RATINGS_HEADER + "".join(
        f"2024-01-0{i + 1},{t},2001,https://boxd.it/l{i},4\n"
        for i, t in enumerate(["Amélie", "Le Fabuleux Destin d'Amélie Poulain", "Jeux d'enfants à Noël"])
    )
    store, _out = _import_csv(tmp_path, text.encode("latin-1"))
    assert "Amélie" in _titles(store) and not any("\ufffd" in t for t in _titles(store))
    assert "decoded as" in _reasons(store) and "charset-normalizer" in _reasons(store)


@pytest.mark.parametrize("bom", [True, False])
def test_utf16_csv_is_recognised(tmp_path: Path, bom: bool) -> None:
    text = ratings_csv(5) + "2024-02-01,Amélie,2001,https://boxd.it/u,5\n"
    store, out = _import_csv(tmp_path, text.encode("utf-16" if bom else "utf-16-le"))
    assert out["files"][0]["status"] == "imported"  # type: ignore[index]
    assert count(store) == 6 and "Amélie" in _titles(store)
    assert "utf-16" in _reasons(store)


def test_nul_bytes_are_removed_and_reported(tmp_path: Path) -> None:
    text = RATINGS_HEADER + "2024-01-01,Blade\x00 Runner,1982,https://boxd.it/n,5\n"
    store, _out = _import_csv(tmp_path, text.encode())
    assert _titles(store) == ["Blade Runner"]
    with db(store) as conn:
        assert (
            conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'runner'").fetchone()[0]
            == 1
        )
    assert "NUL" in _reasons(store)


@pytest.mark.parametrize("scale", [1, 1000, 1_000_000])
def test_epochs_in_s_ms_or_us_land_on_the_right_day(tmp_path: Path, scale: int) -> None:
    ts = 1_700_000_000 * scale  # 2023-11-14
    text = f"URL,Title,Selection,Folder,Timestamp\nhttps://example.org/a,A,,Unread,{ts}\n"
    store, _out = _import_csv(tmp_path, text.encode(), name="instapaper-export.csv")
    with db(store) as conn:
        assert conn.execute("SELECT occurred_at FROM records").fetchone()[0].startswith("2023-11-14")


def test_epoch_units_by_magnitude() -> None:
    assert [epoch_unit(1.7 * 10**e) for e in (9, 12, 15, 18)] == ["s", "ms", "us", "ns"]
    seconds_read_as_us = from_epoch(1_700_000_000, "us")  # would be 1970-01-01 00:28
    assert seconds_read_as_us is not None and seconds_read_as_us.when.year == 2023
    assert from_epoch(0) is None and from_epoch("nan") is None


def test_implausible_dates_are_reported(tmp_path: Path) -> None:
    text = "Date,Name,Year,Letterboxd URI,Rating\n1970-01-01,Zero,2001,https://boxd.it/z,4\n"
    store, _out = _import_csv(tmp_path, text.encode())
    assert count(store) == 1 and "implausible dates" in _reasons(store)


def test_hostile_xml_is_refused_quickly(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" * 1 * 10}">' for i in range(1, 10))
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE HealthData [<!ENTITY lol0 "lol">' + lol + "]>\n"
        '<HealthData locale="en"><Record type="HKQuantityTypeIdentifierStepCount" value="&lol9;"/>'
        "</HealthData>\n"
    )
    folder = tmp_path / "apple_health_export"
    folder.mkdir()
    (folder / "export.xml").write_text(xml)
    store = tmp_path / "s.sqlite"
    started = time.monotonic()
    out = summary(cli(store, "import", "--json", str(folder), timeout=60))[0]
    assert time.monotonic() - started < 30 and count(store) == 0
    assert out["problems"] >= 1 and "Traceback" not in _reasons(store)


# -- backup while writing --------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_while_an_import_writes_is_consistent(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    summary(cli(store, "import", "--json", str(plays(tmp_path / "a" / "StreamingHistory0.json", 1000))))
    proc = spawn(store, "import", str(plays(tmp_path / "b" / "StreamingHistory0.json", 40_000, start=5000)))
    time.sleep(2)
    copy = tmp_path / "copy.sqlite"
    made = cli(store, "backup", "--json", str(copy))
    proc.communicate(timeout=600)
    assert made.returncode == 0 and proc.returncode == 0
    with db(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        stored = conn.execute("SELECT sum(records_new) FROM import_jobs").fetchone()[0]
    assert n == json.loads(made.stdout)["records"] and 1000 <= n <= 41_000 and n == stored
