"""Encryption at rest (opt-in): a store may be a SQLCipher 4 file instead of a plain SQLite one.

Whether a store is encrypted is read from the file itself: a plain SQLite file starts with the
16 bytes ``SQLite format 3\\0``, a SQLCipher file with a random salt. The key is the person's
passphrase, taken from (in this order) this process's memory, ``SELFDEX_PASSPHRASE``, the OS
keyring (``keyring``, optional) or a prompt that the CLI installs when it runs on a terminal.

The passphrase is stretched once per process, exactly as SQLCipher 4 does it (PBKDF2-HMAC-SHA512,
256,000 iterations, over the salt at the head of the file), and every connection then opens with
the raw key: the web app opens a connection per request, and 0.1 s of key derivation each time would
be most of its latency. The file stays a standard SQLCipher 4 database: any SQLCipher tool opens it
with ``PRAGMA key = 'passphrase'``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..settings import ENV, settings

__all__ = [
    "ENV_PASSPHRASE",
    "KEYRING_SERVICE",
    "CryptoError",
    "connect",
    "database_errors",
    "decrypt_store",
    "encrypt_store",
    "forget_key",
    "init_encrypted",
    "is_encrypted",
    "operational_errors",
    "remember_passphrase",
    "set_prompt",
]

ENV_PASSPHRASE = ENV["passphrase"]
KEYRING_SERVICE = "selfdex"
_PLAIN_HEADER = b"SQLite format 3\x00"
# SQLCipher 4's defaults (what PRAGMA key = 'passphrase' does), so a raw key we derive opens the same file.
_KDF_ITER = 256_000
_KEY_BYTES = 32
_SALT_BYTES = 16

_lock = threading.Lock()
_passphrases: dict[Path, str] = {}
_keys: dict[tuple[Path, bytes], bytes] = {}  # (file, salt) -> derived key: a re-encrypted file has a new salt
_prompt: Callable[[Path], str | None] | None = None


class CryptoError(Exception):
    """The store is encrypted and cannot be opened (no driver, no key, wrong key)."""


def _driver() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError as exc:
        raise CryptoError(
            "encrypted stores need SQLCipher: pip install 'selfdex[encrypt]' (the sqlcipher3-binary wheel)"
        ) from exc
    return dbapi2


def database_errors() -> tuple[type[Exception], ...]:
    """sqlite3's DatabaseError and, where the driver is installed, SQLCipher's (not a subclass)."""
    try:
        return (sqlite3.DatabaseError, _driver().DatabaseError)
    except CryptoError:
        return (sqlite3.DatabaseError,)


def operational_errors() -> tuple[type[Exception], ...]:
    """sqlite3's OperationalError (busy, read-only…) and SQLCipher's, which is not a subclass of it."""
    try:
        return (sqlite3.OperationalError, _driver().OperationalError)
    except CryptoError:
        return (sqlite3.OperationalError,)


# Which files (device, inode) this process already knows to be plain or encrypted. Reading a file that
# this process also has open through SQLite, then closing it, would cancel every POSIX lock the process
# holds on it (SQLite's "how to corrupt" 2.2): another process would then delete the WAL under a live
# server. So the header is read once per file, before any connection of ours holds it.
_KNOWN: dict[tuple[str, int, int], bool] = {}


def _identity(p: Path) -> tuple[str, int, int]:
    st = p.stat()  # no file descriptor: no lock is touched
    return str(p.absolute()), st.st_dev, st.st_ino


def remember(path: str | os.PathLike[str], encrypted: bool) -> None:
    """Record what a connection just opened (a new store gets its header only once SQLite writes it)."""
    p = Path(path)
    if str(path) != ":memory:" and p.is_file():
        _KNOWN[_identity(p)] = encrypted


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """True for an existing, non-empty file that is not plain SQLite (read from its first 16 bytes)."""
    p = Path(path)
    if str(path) == ":memory:" or not p.is_file():
        return False
    key = _identity(p)
    if key in _KNOWN:
        return _KNOWN[key]
    with p.open("rb") as fh:
        head = fh.read(len(_PLAIN_HEADER))
    if len(head) < len(_PLAIN_HEADER):
        return False  # empty: a store being created, plain unless created through SQLCipher
    _KNOWN[key] = head != _PLAIN_HEADER
    return _KNOWN[key]


def set_prompt(prompt: Callable[[Path], str | None] | None) -> None:
    """Install how to ask the person for a passphrase (the CLI does, on a terminal); None: never ask."""
    global _prompt
    _prompt = prompt


def remember_passphrase(path: str | os.PathLike[str], passphrase: str) -> None:
    with _lock:
        _passphrases[Path(path).resolve()] = passphrase


def forget_key(path: str | os.PathLike[str]) -> None:
    resolved = Path(path).resolve()
    with _lock:
        _passphrases.pop(resolved, None)
        for k in [k for k in _keys if k[0] == resolved]:
            del _keys[k]


def _keyring_passphrase(path: Path) -> str | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, str(path))
    except Exception:  # no usable backend (a headless box): the keyring is only one of the sources
        return None
    return str(value) if value else None


def passphrase_for(path: str | os.PathLike[str]) -> str:
    resolved = Path(path).resolve()
    with _lock:
        known = _passphrases.get(resolved)
    if known is not None:
        return known
    found = settings().passphrase or _keyring_passphrase(resolved)
    if not found and _prompt is not None:
        found = _prompt(resolved)
    if not found:
        # A file that is not plain SQLite is an encrypted store or no store at all: say both.
        raise CryptoError(
            f"{resolved} is encrypted, or not a selfdex store: if it is an encrypted store, give its "
            f"passphrase ({ENV_PASSPHRASE}=…, the OS keyring '{KEYRING_SERVICE}' entry for this path, "
            "or run on a terminal to be asked)"
        )
    return found


def _raw_key(path: Path, passphrase: str) -> bytes:
    with path.open("rb") as fh:
        salt = fh.read(_SALT_BYTES)
    with _lock:
        cached = _keys.get((path, salt))
    if cached is None:
        cached = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), salt, _KDF_ITER, _KEY_BYTES)
        with _lock:
            _keys[(path, salt)] = cached
    return cached


def _open(target: str, key_pragma: str | None, **kwargs: Any) -> Any:
    conn = _driver().connect(target, **kwargs)
    # SQLCipher logs a wrong key to stderr on its own; the error we raise says it once, clearly.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key_pragma is not None:
        conn.execute(key_pragma)
    return conn


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def connect(path: str | os.PathLike[str], **kwargs: Any) -> sqlite3.Connection:
    """An open connection to the encrypted store at ``path`` (its row factory set to the driver's Row).

    Typed as ``sqlite3.Connection``: sqlcipher3 is the same DB-API module built against SQLCipher."""
    resolved = Path(path).resolve()
    passphrase = passphrase_for(resolved)
    key = _raw_key(resolved, passphrase)
    driver = _driver()
    conn = _open(str(resolved), f"PRAGMA key = \"x'{key.hex()}'\"", **kwargs)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver.DatabaseError as exc:
        conn.close()
        forget_key(resolved)
        raise CryptoError(f"{resolved}: wrong passphrase, or not a selfdex store ({exc})") from exc
    conn.row_factory = driver.Row
    return conn


def init_encrypted(path: str | os.PathLike[str], passphrase: str) -> None:
    """Create an empty encrypted database at ``path`` (the store's tables come when it is opened)."""
    p = Path(path)
    if p.exists() and p.stat().st_size:
        raise CryptoError(f"{p} already exists; to encrypt an existing store: selfdex encrypt")
    if not passphrase:
        raise CryptoError("an empty passphrase would encrypt nothing")
    p.parent.mkdir(parents=True, exist_ok=True)
    conn = _open(str(p), f"PRAGMA key = {_quote(passphrase)}")
    try:
        # Setting WAL writes page 1, which gives the file its salt and its encrypted header.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE _selfdex_init (x)")
        conn.execute("DROP TABLE _selfdex_init")
        conn.commit()
    finally:
        conn.close()
    remember_passphrase(p, passphrase)


def _export(source: Any, target: Path, target_key: str) -> None:
    """Copy every table (FTS5 included) of ``source`` into a new file with ``target_key`` ('' = plain)."""
    version = int(source.execute("PRAGMA user_version").fetchone()[0])
    source.execute(f"ATTACH DATABASE {_quote(str(target))} AS target KEY {_quote(target_key)}")
    try:
        source.execute("SELECT sqlcipher_export('target')")
        source.execute(f"PRAGMA target.user_version = {version}")  # sqlcipher_export leaves it at 0
    finally:
        source.execute("DETACH DATABASE target")


def _swap(path: Path, tmp: Path) -> None:
    os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))  # the store keeps its own (private) mode
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _checkpointed_copy(path: Path, source: Any, target_key: str, output: Path | None) -> Path:
    # The store's last writes may still be in its WAL: fold them into the file before copying it.
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    dest = output if output is not None else path.with_name(path.name + ".selfdex-tmp")
    if dest.exists():
        if output is not None:
            raise CryptoError(f"{dest} already exists")
        dest.unlink()
    try:
        _export(source, dest, target_key)
        os.chmod(dest, 0o600)  # a copy of the person's whole store: theirs only
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return dest


def encrypt_store(path: str | os.PathLike[str], passphrase: str, *, output: Path | None = None) -> Path:
    """Encrypt the plain store at ``path`` in place (or into ``output``); returns the encrypted file."""
    p = Path(path)
    if not p.is_file():
        raise CryptoError(f"no store at {p}")
    if is_encrypted(p):
        raise CryptoError(f"{p} is already encrypted")
    if not passphrase:
        raise CryptoError("an empty passphrase would encrypt nothing")
    dest = _checkpointed_copy(p, _open(str(p), None), passphrase, output)
    if output is None:
        forget_key(p)
        _swap(p, dest)
        dest = p
    remember(dest, encrypted=True)
    remember_passphrase(dest, passphrase)
    return dest


def decrypt_store(path: str | os.PathLike[str], *, output: Path | None = None) -> Path:
    """Write a plain copy of the encrypted store at ``path`` to ``output`` (or replace it in place)."""
    p = Path(path)
    if not is_encrypted(p):
        raise CryptoError(f"{p} is not an encrypted store")
    conn = connect(p)
    conn.row_factory = None
    dest = _checkpointed_copy(p, conn, "", output)
    if output is None:
        forget_key(p)
        _swap(p, dest)
        dest = p
    remember(dest, encrypted=False)
    return dest
