"""What can go wrong with the store file itself, said in one line, and turn-taking between importers.

* :func:`explain` maps SQLite's errors (disk full, file-size limit, I/O error, read-only file or folder,
  a damaged file) to one sentence naming the cause, the store path and what to do.
* :class:`ImportTurn` is a lock file beside the store: one import writes at a time, the next one waits
  its turn (and can say for whom) instead of failing after SQLite's busy timeout. The kernel drops the
  lock when its holder dies, ``kill -9`` included, so a dead import never blocks the next.
* :func:`backup` copies the store with SQLite's online backup API: one read transaction, so it is a
  consistent snapshot even while imports and the web app write (WAL readers never block writers).
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process turn-taking, SQLite's busy wait only
    fcntl = None  # type: ignore[assignment]

__all__ = ["ImportTurn", "backup", "explain", "is_damage"]

_RESTORE = "restore your latest backup (made with: selfdex backup PATH) or move the file aside and re-import"


def is_damage(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith("SQLITE_CORRUPT") or "malformed" in text


def _write_failure(path: Path) -> str:
    """Why a write failed, as precisely as the process can tell (SQLite only says "disk I/O error")."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        return f"a file-size limit was hit (ulimit -f: {soft:,} bytes)"
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if free is not None and free < 64 * 2**20:
        return f"the disk is full ({free:,} bytes free)"
    return "the disk could not be written (I/O error)"


def explain(exc: BaseException, path: Path) -> str | None:
    """One line for an error of the store file itself, or None when ``exc`` is something else."""
    from . import crypto

    if not isinstance(exc, (sqlite3.Error, *crypto.database_errors())):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if is_damage(exc):
        return f"the store at {path} is damaged (SQLite: {exc}); {_RESTORE}"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return (
            f"cannot write the store at {path}: {_write_failure(path)}; the last batch was not kept "
            "(what was committed before it is intact): free space and re-run the import"
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return (
            f"cannot write the store at {path}: {_write_failure(path)} (SQLite: {exc}); the last batch was "
            "not kept: fix the cause and re-run the import"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return f"cannot write the store at {path}: {readonly_cause(path)}"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"cannot open the store at {path}: {readonly_cause(path)}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return f"the store at {path} is busy (another program holds its write lock too long): try again"
    return None


def readonly_cause(path: Path) -> str:
    """Which of the file, its -wal/-shm companions or its folder cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        return f"its folder {folder} does not exist"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only (its permissions do not let you write it)"
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists() and not os.access(side, os.W_OK):
            return f"{side.name} beside it is read-only"
    if not os.access(folder, os.W_OK):
        return (
            f"its folder {folder} is read-only (SQLite creates {path.name}-wal and -shm beside the store): "
            "make the folder writable or point --store elsewhere"
        )
    return "SQLite could not open it for writing (permissions or a read-only file system)"


class ImportTurn:
    """An exclusive lock on ``<store>.import-lock``: importers take turns, readers never touch it."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(f"{store_path}.import-lock")
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if fcntl is None:
            return True
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return True  # a read-only folder: the store's own write then fails with the real cause
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self, on_wait: Callable[[float], None] | None = None, poll_s: float = 0.25) -> None:
        """Block until it is our turn; ``on_wait(seconds_waited)`` is called while waiting."""
        started = time.monotonic()
        while not self.try_acquire():
            if on_wait is not None:
                on_wait(time.monotonic() - started)
            time.sleep(poll_s)

    def held_elsewhere(self) -> bool:
        """Whether another process is importing right now (probes without keeping the lock)."""
        if fcntl is None or not self.path.exists():
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops the probe's lock
        return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


def backup(
    source: sqlite3.Connection,
    dest: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    encrypted: bool = False,
) -> tuple[int, int]:
    """Copy the store to ``dest`` (atomically: a temporary file renamed into place).

    Returns the copy's size in bytes and the records it holds, counted in the copy itself: the live
    store may have grown since the snapshot was taken (an import writing beside the backup).

    An encrypted store is copied with ``VACUUM INTO`` on its SQLCipher connection (one read transaction
    too), so the copy stays encrypted under the same key; a plain one with the online backup API."""
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    if encrypted:
        try:
            source.execute("VACUUM INTO ?", (str(tmp),))
            tmp.chmod(0o600)
            # ATTACH with no KEY takes the main database's key, the one VACUUM INTO wrote the copy under
            source.execute("ATTACH DATABASE ? AS copied", (str(tmp),))
            try:
                records = int(source.execute("SELECT count(*) FROM copied.records").fetchone()[0])
            finally:
                source.execute("DETACH DATABASE copied")
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return dest.stat().st_size, records
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the copy is as private as the store
    os.close(fd)
    try:
        target = sqlite3.connect(tmp)
        try:
            # pages=-1: one step, one read transaction → a consistent snapshot that writers never restart
            source.backup(target, pages=-1, progress=None if progress is None else _pages(progress))
            check = target.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"the copy failed its integrity check: {check}")
            records = int(target.execute("SELECT count(*) FROM records").fetchone()[0])
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal to carry along
        finally:
            target.close()
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest.stat().st_size, records


def _pages(progress: Callable[[int, int], None]) -> Callable[[int, int, int], None]:
    return lambda _status, remaining, total: progress(total - remaining, total)
