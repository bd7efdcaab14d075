"""One interface over whatever the user hands us: a folder, a file, a zip (zips inside zips, multi-part
Takeout zips), a tar or a .tgz. Importers only ever see :class:`Entry` objects and never unzip to disk.

Unsafe content is refused member by member, with an :class:`ImportProblem` saying why, while the rest
of the archive still imports: paths that escape the archive (zip-slip), symlinks and hard links,
members whose declared size or compression ratio look like a zip bomb, and nesting that is too deep.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

from .model import ImportProblem
from .salvage import salvage_zip
from .textcodec import TEXT_SNIFF_BYTES, bom_or_utf16, detect_encoding

__all__ = ["ArchiveLimits", "Entry", "is_archive_name", "iter_entries"]

HEAD_BYTES = 8192
NESTED_SEP = "!/"
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_NOISE_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps that turn a zip bomb into a clear refusal instead of a full disk or memory."""

    max_member_bytes: int = 32 * 2**30  # Takeout location files reach several GB; 32 GiB is absurd
    max_total_bytes: int = 256 * 2**30
    max_ratio: float = 250.0  # JSON compresses 10–30×; bombs compress 1000×+
    ratio_floor_bytes: int = 4 * 2**20  # small members may compress well without being suspect
    max_depth: int = 4
    max_members: int = 2_000_000
    spool_in_memory_bytes: int = 32 * 2**20


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


def _sniff_archive(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b") or head.startswith(b"BZh") or head.startswith(b"\xfd7zXZ\x00"):
        return "tar"  # compressed tar; a bare .gz of one file is handled by tarfile failing → problem
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    return None


class _CountingReader(io.RawIOBase):
    """Wraps a member stream: reports bytes read (for progress) and enforces the size cap while reading,
    because declared sizes in a hostile archive can lie."""

    def __init__(self, raw: IO[bytes], cap: int, on_read: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._cap = cap
        self._on_read = on_read
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        if self.bytes_read > self._cap:
            raise ArchiveLimitError(f"member grew past the {self._cap:,}-byte cap while reading")
        if self._on_read is not None and n:
            self._on_read(n)
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class ArchiveLimitError(OSError):
    pass


@dataclass(eq=False)
class Entry:
    """One file inside whatever was imported. Valid until the iterator that yielded it moves on."""

    archive: str  # what the user imported
    path: str  # member path inside it; nested archives joined with "!/"
    size: int | None
    _opener: Callable[[], IO[bytes]]
    _limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    _head: bytes | None = None
    on_read: Callable[[int], None] | None = None  # progress hook, set by the ingest pipeline
    _reader: _CountingReader | None = None
    _encoding: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return posixpath.basename(self.path.rsplit(NESTED_SEP, 1)[-1])

    @property
    def inner_path(self) -> str:
        """The path inside the innermost archive (what a platform named the file)."""
        return self.path.rsplit(NESTED_SEP, 1)[-1]

    @property
    def parts(self) -> tuple[str, ...]:
        """Every folder and file name along the path, for recognising by location."""
        return tuple(p for seg in self.path.split(NESTED_SEP) for p in seg.split("/") if p)

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1].lower()

    def open(self) -> BinaryIO:
        """A fresh binary stream over the member (size-capped, progress-counted)."""
        raw = self._opener()
        cap = self._limits.max_member_bytes
        self._reader = _CountingReader(raw, cap, self.on_read)
        return io.BufferedReader(self._reader, buffer_size=1 << 16)

    @property
    def bytes_read(self) -> int:
        """How far the latest stream over the member got (the position of a read error)."""
        return self._reader.bytes_read if self._reader is not None else 0

    def encoding(self) -> tuple[str, str]:
        """(codec, how it was found) for the member's text: see :func:`selfdex.textcodec.detect`."""
        if self._encoding is None:
            self._encoding = detect_encoding(self.head(TEXT_SNIFF_BYTES), complete=self._is_whole())
        return self._encoding

    def _is_whole(self) -> bool:
        return self.size is not None and self.size <= TEXT_SNIFF_BYTES

    def open_text(self, encoding: str | None = None, errors: str = "replace") -> io.TextIOWrapper:
        """Text stream in ``encoding``, or the detected one (BOM, UTF-16, UTF-8, else a legacy code page
        by charset-normalizer); undecodable bytes become U+FFFD rather than aborting."""
        codec = encoding or self.encoding()[0]
        return io.TextIOWrapper(self.open(), encoding=codec, errors=errors, newline="")

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first bytes of the member (cached), for cheap recognition."""
        if self._head is None or (len(self._head) < n and (self.size is None or len(self._head) < self.size)):
            raw = self._opener()
            try:
                self._head = raw.read(max(n, HEAD_BYTES))
            finally:
                raw.close()
        return self._head[:n]

    def text_head(self, n: int = HEAD_BYTES) -> str:
        """The first characters, for recognition: a BOM or UTF-16 is honoured (cheap: no detector)."""
        data = self.head(n)
        codec = bom_or_utf16(data)
        if codec is None:
            return data.decode("utf-8", errors="replace")
        return data.decode(codec, errors="replace").lstrip("\ufeff")


def _safe_member_name(name: str) -> str | None:
    """The normalised member path, or None when it would escape the archive."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm == ".." or norm.startswith("../") or "/../" in f"/{norm}/":
        return None
    return norm


class _Walker:
    def __init__(self, top: str, limits: ArchiveLimits) -> None:
        self.top = top
        self.limits = limits
        self.members = 0
        self.total_bytes = 0

    def _problem(self, member: str, reason: str) -> ImportProblem:
        return ImportProblem(reason=reason, member=member, severity="refused")

    def _budget(self, member: str, size: int) -> ImportProblem | None:
        self.members += 1
        self.total_bytes += size
        if self.members > self.limits.max_members:
            return self._problem(
                member, f"refused: more than {self.limits.max_members:,} files in the archive"
            )
        if self.total_bytes > self.limits.max_total_bytes:
            return self._problem(
                member,
                f"refused: archive expands past {self.limits.max_total_bytes:,} bytes in total (zip bomb?)",
            )
        return None

    def file(self, path: Path, member: str, depth: int) -> Iterator[Entry | ImportProblem]:
        try:
            size = path.stat().st_size
        except OSError as exc:
            yield ImportProblem(reason=f"cannot read file: {exc.strerror}", member=member)
            return
        opener = lambda: path.open("rb")  # noqa: E731
        yield from self._maybe_archive(member, size, opener, depth, seekable_path=path)

    def _maybe_archive(
        self,
        member: str,
        size: int | None,
        opener: Callable[[], IO[bytes]],
        depth: int,
        seekable_path: Path | None = None,
    ) -> Iterator[Entry | ImportProblem]:
        entry = Entry(archive=self.top, path=member, size=size, _opener=opener, _limits=self.limits)
        try:
            # A member under HEAD_BYTES is read whole here, so a bad CRC or a truncated stream surfaces
            # now (zipfile.BadZipFile, zlib.error, EOFError…): that member fails, the archive goes on.
            kind = _sniff_archive(entry.head(512))
        except Exception as exc:
            yield ImportProblem(reason=f"damaged member, cannot be read: {_describe(exc)}", member=member)
            return
        if kind is None:
            yield entry
            return
        if depth >= self.limits.max_depth:
            yield self._problem(member, f"refused: archives nested more than {self.limits.max_depth} deep")
            return
        prefix = member + NESTED_SEP if member else ""
        if seekable_path is not None:
            yield from self._archive_stream(kind, member, prefix, lambda: seekable_path.open("rb"), depth)
            return
        # A nested archive needs random access; spool it (in memory when small) rather than re-inflate.
        with tempfile.SpooledTemporaryFile(max_size=self.limits.spool_in_memory_bytes) as spool:
            try:
                with entry.open() as src:
                    while chunk := src.read(1 << 20):
                        spool.write(chunk)
            except Exception as exc:
                yield ImportProblem(reason=f"damaged nested archive: {_describe(exc)}", member=member)
                return
            spool.seek(0)
            yield from self._archive_stream(
                kind, member, prefix, lambda: cast(IO[bytes], _NonClosing(spool)), depth
            )

    def _archive_stream(
        self, kind: str, member: str, prefix: str, opener: Callable[[], IO[bytes]], depth: int
    ) -> Iterator[Entry | ImportProblem]:
        fh = opener()
        try:
            if kind == "zip":
                yield from self._zip(fh, member, prefix, depth)
            else:
                yield from self._tar(fh, member, prefix, depth)
        finally:
            fh.close()

    def _zip(self, fh: IO[bytes], member: str, prefix: str, depth: int) -> Iterator[Entry | ImportProblem]:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            # No central directory (it sits at the end): most often a download cut short. The members
            # before the cut are still readable from their local headers.
            yield from salvage_zip(self, fh, member, prefix, depth, exc)
            return
        with zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = _safe_member_name(info.filename)
                shown = prefix + (name or info.filename)
                if name is None:
                    yield self._problem(shown, "refused: path escapes the archive (zip-slip)")
                    continue
                if _skip_noise(name):
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    yield self._problem(shown, "refused: symbolic link inside the archive")
                    continue
                if info.flag_bits & 0x1:
                    yield ImportProblem(
                        reason="encrypted member: cannot read without the password", member=shown
                    )
                    continue
                if problem := self._bomb_check(shown, info.file_size, info.compress_size):
                    yield problem
                    continue
                if problem := self._budget(shown, info.file_size):
                    yield problem
                    return
                opener = _zip_opener(zf, info)
                yield from self._maybe_archive(shown, info.file_size, opener, depth + 1)

    def _tar(self, fh: IO[bytes], member: str, prefix: str, depth: int) -> Iterator[Entry | ImportProblem]:
        try:
            tf = tarfile.open(fileobj=fh, mode="r:*")
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield ImportProblem(reason=f"not a readable tar archive: {exc}", member=member or self.top)
            return
        with tf:
            incomplete: str | None = None
            try:
                members = tf.getmembers()
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                members = tf.members  # type: ignore[attr-defined]  # whatever was read before the damage
                incomplete = _describe(exc)
            read = 0
            for info in members:
                if info.isdir():
                    continue
                name = _safe_member_name(info.name)
                shown = prefix + (name or info.name)
                if name is None:
                    yield self._problem(shown, "refused: path escapes the archive (tar path traversal)")
                    continue
                if info.issym() or info.islnk():
                    yield self._problem(shown, "refused: link inside the archive")
                    continue
                if not info.isfile():
                    yield self._problem(shown, "refused: device, fifo or other special file")
                    continue
                if _skip_noise(name):
                    continue
                if problem := self._budget(shown, info.size):
                    yield problem
                    return
                opener = _tar_opener(tf, info)
                for out in self._maybe_archive(shown, info.size, opener, depth + 1):
                    read += not isinstance(out, ImportProblem)
                    yield out
            if incomplete is not None:
                # The stream broke while reading past the last listed member, so that member is cut too.
                yield incomplete_problem(
                    member or self.top, max(read - 1, 0), max(len(members), 1), incomplete
                )

    def _bomb_check(self, member: str, size: int, compressed: int) -> ImportProblem | None:
        if size > self.limits.max_member_bytes:
            return self._problem(
                member, f"refused: declares {size:,} bytes, over the {self.limits.max_member_bytes:,} cap"
            )
        if size > self.limits.ratio_floor_bytes and size > self.limits.max_ratio * max(compressed, 1):
            ratio = size / max(compressed, 1)
            return self._problem(member, f"refused: compression ratio {ratio:,.0f}:1 looks like a zip bomb")
        return None


class _NonClosing(io.RawIOBase):
    """Lets zipfile/tarfile 'close' a spooled file we still own."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()


def _zip_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: zf.open(info)


def _tar_opener(tf: tarfile.TarFile, info: tarfile.TarInfo) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        fh = tf.extractfile(info)
        if fh is None:
            raise OSError(f"cannot open {info.name}")
        return fh

    return opener


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def incomplete_problem(member: str, read: int, seen: int, cause: str) -> ImportProblem:
    return ImportProblem(
        reason=f"this archive looks incomplete (a download cut short?): {read} of {seen} files read ({cause})",
        member=member,
    )


def _skip_noise(name: str) -> bool:
    base = posixpath.basename(name)
    return base in _NOISE_NAMES or name.startswith("__MACOSX/") or base.startswith("._")


def iter_entries(
    path: str | os.PathLike[str], limits: ArchiveLimits | None = None
) -> Iterator[Entry | ImportProblem]:
    """Every readable file under ``path`` (a folder, file or archive), archives opened recursively."""
    limits = limits or ArchiveLimits()
    root = Path(path)
    top = str(root)
    walker = _Walker(top, limits)
    if not root.exists():
        yield ImportProblem(reason="no such file or folder", member=top)
        return
    if root.is_file():
        yield from walker.file(root, "" if _sniff_archive_path(root) else root.name, 0)
        return
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for d in list(dirnames):
            full = Path(dirpath) / d
            if full.is_symlink():
                dirnames.remove(d)
                yield ImportProblem(
                    reason="refused: symbolic link to a folder (not followed)",
                    member=_join(rel_dir, d),
                    severity="refused",
                )
        for fname in sorted(filenames):
            member = _join(rel_dir, fname)
            full = Path(dirpath) / fname
            if _skip_noise(member):
                continue
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(real_root):
                    yield ImportProblem(
                        reason="refused: symbolic link points outside the folder",
                        member=member,
                        severity="refused",
                    )
                    continue
            if not full.is_file():
                continue
            yield from walker.file(full, member, 0)


def _sniff_archive_path(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return _sniff_archive(fh.read(512)) is not None
    except OSError:
        return False


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir in ("", ".") else f"{rel_dir}/{name}"
