"""Reading what is left of a zip whose end is missing (a download cut short).

A zip's table of contents (the central directory) is at its end, so ``zipfile`` refuses a truncated
file outright. Each member is also preceded by a local header, though: walking those from the start
recovers every member written before the cut, each checked against its CRC, and one problem then says
"this archive looks incomplete (a download cut short?): N of M files read".
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, cast

from .model import ImportProblem

if TYPE_CHECKING:
    from .archive import Entry, _Walker

__all__ = ["salvage_zip"]

_LOCAL = b"PK\x03\x04"
_DESCRIPTOR = b"PK\x07\x08"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CHUNK = 1 << 20


class _Cut(Exception):
    """The member's data ends before it should: the file was cut here."""


def salvage_zip(
    walker: _Walker, fh: IO[bytes], member: str, prefix: str, depth: int, cause: BaseException
) -> Iterator[Entry | ImportProblem]:
    from .archive import _describe, _NonClosing, _safe_member_name, _skip_noise, incomplete_problem

    top = member or walker.top
    try:
        fh.seek(0)
        first = fh.read(4)
    except OSError as exc:
        yield ImportProblem(reason=f"not a readable zip archive: {_describe(exc)}", member=top)
        return
    if first != _LOCAL:
        yield ImportProblem(reason=f"not a readable zip archive: {_describe(cause)}", member=top)
        return
    fh.seek(0)
    read = seen = 0
    while True:
        header = fh.read(_HEADER.size)
        if len(header) < _HEADER.size or header[:4] != _LOCAL:
            break  # the central directory (intact members only) or the cut
        _sig, _ver, flags, method, _t, _d, crc, csize, _usize, nlen, xlen = _HEADER.unpack(header)
        raw_name = fh.read(nlen)
        fh.read(xlen)
        seen += 1
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        shown = prefix + (_safe_member_name(name) or name)
        spool = tempfile.SpooledTemporaryFile(max_size=walker.limits.spool_in_memory_bytes)
        try:
            try:
                _inflate(fh, flags, method, crc, csize, spool, walker.limits.max_member_bytes)
            except _Cut as exc:
                yield ImportProblem(reason=f"cut short: {exc}", member=shown)
                break
            except ValueError as exc:  # unsupported method, bad CRC: this member only, if we can go on
                yield ImportProblem(reason=f"damaged member, cannot be read: {exc}", member=shown)
                if flags & 0x8 and method != 8:
                    break  # no size to skip by
                continue
            if name.endswith("/"):
                seen -= 1  # a folder entry, not a file
                continue
            safe = _safe_member_name(name)
            if safe is None:
                yield ImportProblem(
                    reason="refused: path escapes the archive (zip-slip)", member=shown, severity="refused"
                )
                continue
            if _skip_noise(safe):
                seen -= 1
                continue
            size = spool.tell()
            if problem := walker._budget(shown, size):
                yield problem
                return
            read += 1

            held = cast(IO[bytes], spool)

            def opener(sp: IO[bytes] = held) -> IO[bytes]:
                sp.seek(0)
                return cast(IO[bytes], _NonClosing(sp))

            yield from walker._maybe_archive(shown, size, opener, depth + 1)
        finally:
            spool.close()
    yield incomplete_problem(top, read, max(seen, read), "no table of contents at its end")


def _inflate(fh: IO[bytes], flags: int, method: int, crc: int, csize: int, out: IO[bytes], cap: int) -> None:
    """Copy one member's data to ``out``, checked against its CRC; leaves ``fh`` after the member."""
    if flags & 0x1:
        if not flags & 0x8:
            fh.seek(csize, 1)
        raise ValueError("encrypted member: cannot read without the password")
    streamed = bool(flags & 0x8)  # sizes and CRC follow the data in a descriptor
    if csize == 0xFFFFFFFF:
        raise _Cut("ZIP64 member sizes are not salvaged")
    crc_now = 0
    written = 0
    if method == 0:
        if streamed:
            raise ValueError("stored member without sizes")
        left = csize
        while left:
            chunk = fh.read(min(left, _CHUNK))
            if not chunk:
                raise _Cut(f"{csize - left:,} of {csize:,} bytes present")
            crc_now = zlib.crc32(chunk, crc_now)
            out.write(chunk)
            left -= len(chunk)
        written = csize
    elif method == 8:
        inflater = zlib.decompressobj(-15)
        left = csize if not streamed else -1
        while not inflater.eof:
            want = _CHUNK if left < 0 else min(left, _CHUNK)
            chunk = fh.read(want) if want else b""
            if not chunk:
                raise _Cut(f"compressed stream ends after {written:,} bytes")
            if left > 0:
                left -= len(chunk)
            try:
                data = inflater.decompress(chunk)
            except zlib.error as exc:
                raise ValueError(f"corrupt compressed data ({exc})") from exc
            written += len(data)
            if written > cap:
                raise ValueError(f"member grew past the {cap:,}-byte cap")
            crc_now = zlib.crc32(data, crc_now)
            out.write(data)
        if inflater.unused_data:
            fh.seek(-len(inflater.unused_data), 1)
    else:
        if not streamed:
            fh.seek(csize, 1)
        raise ValueError(f"compression method {method} is not salvaged")
    if streamed:
        desc = fh.read(16)
        if len(desc) < 12:
            raise _Cut("data descriptor missing")
        if desc[:4] == _DESCRIPTOR:
            crc = struct.unpack("<I", desc[4:8])[0]
        else:
            crc = struct.unpack("<I", desc[:4])[0]
            fh.seek(-4, 1)
    if crc_now != crc:
        raise ValueError(f"bad CRC-32 (expected {crc:08x}, got {crc_now:08x})")
