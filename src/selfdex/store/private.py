"""The person's files stay theirs: private modes whatever the umask, and the per-store owner secret.

Every file selfdex writes about the person (the store and SQLite's ``-wal``/``-shm`` beside it, the
audit head, the owner secret, settings) is created 0600, and a folder selfdex creates for them 0700,
as ssh and gpg insist for keys. SQLite gives ``-wal`` and ``-shm`` the mode of the database file,
so creating that file 0600 before the first connect covers all three.

The owner secret (32 random bytes, ``STORE.owner-secret``, 0600) is what makes the owner the owner:
the web console's login link and session cookies are derived from it, and it keys the audit chain
(an HMAC), so whoever can rewrite the store file but not read this one cannot forge the audit.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shlex
import stat
from pathlib import Path

__all__ = [
    "OwnerSecret",
    "exposed",
    "fix_command",
    "owner_secret",
    "private_dir",
    "private_file",
    "secret_path",
]

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) 0700. A folder that already exists is left as it is:
    it may be the person's home or a shared temp folder, which is not selfdex's to change."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, DIR_MODE)  # mkdir's mode is filtered by the umask


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (O_EXCL: no race with a reader)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)  # the umask could only remove bits; this states the intent
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a 0600 file atomically (a temp file in the same folder, then rename)."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def secret_path(store_path: Path) -> Path:
    return Path(f"{store_path}.owner-secret")


class OwnerSecret:
    """The owner secret of one store, and the keys derived from it (one per purpose). The login
    link and session cookies also depend on a *login epoch*: ``new_login`` gives a new link and
    logs every browser out without touching the audit key."""

    def __init__(self, raw: bytes, path: Path, *, created: bool = False, epoch: int = 0) -> None:
        self._raw = raw
        self.path = path
        self.created = created  # made just now: a store with history then has lost its key
        self.epoch = epoch

    def key(self, purpose: str) -> bytes:
        return hmac.new(self._raw, b"selfdex/" + purpose.encode(), hashlib.sha256).digest()

    @property
    def login_token(self) -> str:
        """The token of the owner's login link (stable until ``new_login``)."""
        return self.key(f"login/{self.epoch}").hex()[:43]

    @property
    def session_key(self) -> bytes:
        return self.key(f"web-session/{self.epoch}")

    def new_login(self) -> None:
        """A new login link; the old one and every session cookie stop working."""
        self.epoch += 1
        self._save()

    def _save(self) -> None:
        write_private(self.path, f"{self._raw.hex()}\nlogin {self.epoch}\n".encode())


def owner_secret(store_path: Path, *, create: bool = True) -> OwnerSecret:
    """The store's owner secret, created 0600 on first use."""
    path = secret_path(Path(store_path))
    try:
        words = path.read_text().split()
        raw = bytes.fromhex(words[0])
        epoch = int(words[2]) if len(words) >= 3 and words[1] == "login" else 0
        if len(raw) >= 32:
            return OwnerSecret(raw, path, epoch=epoch)
    except FileNotFoundError:
        if not create:
            raise
    except (ValueError, IndexError):
        pass  # unreadable content: refuse to guess, make a new one below (old audit then fails)
    if not create:
        raise FileNotFoundError(path)
    secret = OwnerSecret(secrets.token_bytes(32), path, created=True)
    secret._save()
    return secret


def _siblings(store_path: Path) -> list[Path]:
    names = ("", "-wal", "-shm", ".audit-head", ".owner-secret")
    return [p for p in (Path(f"{store_path}{n}") for n in names) if p.exists()]


def exposed(store_path: Path) -> list[Path]:
    """The store's files that other accounts can read or write."""
    return [p for p in _siblings(store_path) if stat.S_IMODE(p.stat().st_mode) & 0o077]


def fix_command(paths: list[Path]) -> str:
    """The one command that makes ``paths`` private again."""
    return "chmod 600 " + " ".join(shlex.quote(str(p)) for p in paths)
