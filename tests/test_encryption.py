"""Encryption at rest: an encrypted store does everything a plain one does, and its files hold no
title in plain text."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from selfdex.cli.main import cli
from selfdex.store import Store, StoreError, crypto

from .gate_support import free_port
from .sample_store import fresh_store

pytest.importorskip("sqlcipher3")

PASS = "correct horse battery staple"
# Titles the sample person certainly has (a film, a book, a product, a line of her own text).
KNOWN = (b"Dune", b"Klara and the Sun", b"Shun Classic", b"Kastanienallee")


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(crypto.ENV_PASSPHRASE, PASS)
    yield
    crypto.set_prompt(None)


def _run(*args: str, ok: bool = True, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


def _plain_text_in(files: list[Path]) -> list[tuple[str, bytes]]:
    found = []
    for f in files:
        data = f.read_bytes()
        found += [(f.name, t) for t in (*KNOWN, b"SQLite format 3") if t in data]
    return found


def _store_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"selfdex serve exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("selfdex serve did not start")


@pytest.mark.slow
def test_the_demo_end_to_end_on_an_encrypted_store(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _run("--store", str(path), "init", "--encrypt")
    assert crypto.is_encrypted(path)
    demo = json.loads(_run("--store", str(path), "demo", "--json").stdout)
    assert demo["examples"]["search 'dune'"]  # import and full-text search
    assert "Dune" in _run("--store", str(path), "search", "dune", "--json").output
    assert "Dune" in _run("--store", str(path), "timeline", "--kind", "movie", "--json").output
    assert _run("--store", str(path), "profile", "show", "--json").output.strip()
    assert "Dune" in _run("--store", str(path), "ask", "--model", "none", "which films did I watch?").output
    candidates = tmp_path / "candidates.csv"
    candidates.write_text("title\nDune: Part Two\nShun Classic Chef's Knife\n")
    ranked = json.loads(
        _run("--store", str(path), "recommend", str(candidates), "--platform", "netflix", "--json").stdout
    )
    assert ranked["items"][0]["title"] == "Dune: Part Two"
    token = _run(
        "--store", str(path), "grant", "add", "films", "--level", "raw", "--platform", "*", "--purpose", "t"
    ).output.split()[-1]
    # A real server, in its own process, with the passphrase only in its environment.
    port = free_port()
    exe = Path(sys.executable).parent / "selfdex"
    env = {**os.environ, crypto.ENV_PASSPHRASE: PASS}
    proc = subprocess.Popen(
        [str(exe), "--store", str(path), "serve", "--no-mcp", "--no-web", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/v1/grant", proc)
        got = httpx.post(
            f"{base}/v1/search",
            json={"query": "dune"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert got.status_code == 200 and any("Dune" in r.get("title", "") for r in got.json()["records"])
        # The server holds the store open: its WAL and SHM exist now, and are greped too.
        files = _store_files(path)
        assert len(files) >= 2
        assert _plain_text_in(files) == []
    finally:
        proc.terminate()
        proc.wait(20)
    assert "intact" in _run("--store", str(path), "audit", "verify").output
    assert _plain_text_in(_store_files(path)) == []
    # A backup stays encrypted, opens under the same passphrase, and says how many records it holds.
    copy = tmp_path / "copy.sqlite"
    made = json.loads(_run("--store", str(path), "backup", "--json", str(copy)).stdout)
    assert crypto.is_encrypted(copy) and _plain_text_in([copy]) == []
    per_platform = json.loads(_run("--store", str(copy), "sources", "--json").stdout)
    assert made["records"] == sum(p["records"] for p in per_platform) > 0
    # The same import into a plain store does show the titles: the grep can fail.
    plain = tmp_path / "plain.sqlite"
    _run("--store", str(plain), "demo", "--json")
    assert _plain_text_in([plain])


def test_encrypt_then_decrypt_an_existing_store(sample_exports: Path, tmp_path: Path) -> None:
    with fresh_store(sample_exports, tmp_path) as store:
        path, n = store.path, store.count()
        hits = store.conn.execute(
            "SELECT count(*) FROM records_fts WHERE records_fts MATCH 'dune'"
        ).fetchone()[0]
    _run("--store", str(path), "encrypt")
    assert crypto.is_encrypted(path) and _plain_text_in(_store_files(path)) == []
    with Store(path, create=False) as store:
        assert store.count() == n
        assert (
            store.conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'dune'").fetchone()[
                0
            ]
            == hits
        )
    # A standard SQLCipher 4 file: any SQLCipher tool opens it with the passphrase alone.
    from sqlcipher3 import dbapi2

    other = dbapi2.connect(str(path))
    other.execute(f"PRAGMA key = '{PASS}'")
    assert other.execute("SELECT count(*) FROM records").fetchone()[0] == n
    other.close()
    # A plain copy for Datasette & co.; the store itself stays encrypted.
    copy = tmp_path / "copy.sqlite"
    _run("--store", str(path), "decrypt", "--output", str(copy))
    assert crypto.is_encrypted(path) and not crypto.is_encrypted(copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == n
    _run("--store", str(path), "decrypt")
    assert not crypto.is_encrypted(path)
    with Store(path, create=False) as store:
        assert store.count() == n


def test_wrong_or_missing_passphrase_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.sqlite"
    _run("--store", str(path), "init", "--encrypt")
    crypto.forget_key(path)
    wrong = _run("--store", str(path), "sources", ok=False, env={crypto.ENV_PASSPHRASE: "not it"})
    assert "wrong passphrase" in wrong.output and "Traceback" not in wrong.output
    crypto.forget_key(path)
    monkeypatch.delenv(crypto.ENV_PASSPHRASE)
    missing = _run("--store", str(path), "sources", ok=False)
    assert "is encrypted" in missing.output and crypto.ENV_PASSPHRASE in missing.output
    with pytest.raises(StoreError, match="encrypted"):
        Store(path)
    _run("--store", str(path), "init", "--encrypt", ok=False, env={crypto.ENV_PASSPHRASE: PASS})  # exists


def test_the_passphrase_from_the_os_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        values: dict[tuple[str, str], str] = {}  # noqa: RUF012

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        path = tmp_path / "store.sqlite"
        _run("--store", str(path), "init", "--encrypt", "--keyring")
        assert Memory.values == {("selfdex", str(path.resolve())): PASS}
        crypto.forget_key(path)
        monkeypatch.delenv(crypto.ENV_PASSPHRASE)
        with Store(path, create=False) as store:
            assert store.count() == 0
    finally:
        keyring.set_keyring(previous)


def test_a_decrypted_copy_is_private(sample_exports: Path, tmp_path: Path) -> None:
    with fresh_store(sample_exports, tmp_path) as store:
        path = store.path
    os.chmod(path, 0o600)
    _run("--store", str(path), "encrypt")
    assert path.stat().st_mode & 0o777 == 0o600  # in place: the store keeps its mode
    copy = tmp_path / "copy.sqlite"
    _run("--store", str(path), "decrypt", "--output", str(copy))
    assert copy.stat().st_mode & 0o777 == 0o600


def test_opening_a_store_again_keeps_the_process_locks_so_no_one_deletes_its_wal(tmp_path: Path) -> None:
    """Telling plain from encrypted must not read the file beside a live connection: closing that read
    would drop the process's POSIX locks, and another process closing the store then deletes the WAL
    under it (a serving `selfdex serve` got "disk I/O error" and stale grants after a `selfdex grant add`)."""
    path = tmp_path / "s.sqlite"
    first = Store(path)
    first.conn.execute("CREATE TABLE t (x)")
    Store(path).close()  # what each web request does while the gate keeps its own connection
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3; c = sqlite3.connect({str(path)!r}); c.execute('SELECT count(*) FROM sqlite_master'); c.close()",
        ],
        check=True,
    )
    assert Path(f"{path}-wal").exists()
    first.conn.execute("INSERT INTO t VALUES (1)")
    with Store(path) as again:
        assert again.conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    first.close()
