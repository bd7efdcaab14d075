"""The importer contract and the small helpers most importers share.

An importer is pure: it reads one :class:`~selfdex.archive.Entry` and yields records or problems. It
never touches the store, never unzips, and never lets one bad record abort the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, ClassVar

import ijson

from ..archive import Entry
from ..model import ImportProblem, Record

__all__ = ["Importer", "ParseResult", "csv_header", "iter_csv", "iter_json_items", "load_small_json"]

ParseResult = Iterator[Record | ImportProblem]

# Larger JSON documents are streamed; below this they are parsed whole (faster, and still bounded).
SMALL_JSON_BYTES = 16 * 2**20


class Importer:
    """Base class for importers. Subclasses set the class attributes and implement both methods."""

    name: ClassVar[str]
    platform: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    # Human-readable list of what the importer understands, shown by `selfdex importers`.
    handles: ClassVar[tuple[str, ...]] = ()
    # True when the export is the platform's *current state* (a library, a vault) and records carry
    # the source's own id (``Record.dedup_key``): a re-exported row that changed (a new rating, an
    # edited note) replaces the stored record instead of being stored beside it.
    snapshot: ClassVar[bool] = False

    def recognize(self, entry: Entry) -> float:
        """0 when the entry is not ours; up to 1 when we are sure. Must be cheap: names and ``entry.head()``."""
        raise NotImplementedError

    def parse(self, entry: Entry) -> ParseResult:
        raise NotImplementedError


def csv_header(entry: Entry, delimiter: str = ",") -> list[str]:
    """The first CSV row of the entry (BOM stripped), for recognition; [] if unreadable."""
    text = entry.text_head(4096)
    try:
        first = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return []
    return [h.strip() for h in first]


def iter_csv(
    entry: Entry,
    *,
    delimiter: str = ",",
    encoding: str | None = None,
    skip_lines: int = 0,
    header: list[str] | None = None,
) -> Iterator[tuple[int, int, dict[str, str]] | ImportProblem]:
    """Rows as dicts with (0-based record index, 1-based starting line). Rows whose width does not match
    the header become problems; the rest keep flowing. Duplicate column names get ``name#2`` keys.

    ``encoding=None`` detects it (:mod:`selfdex.textcodec`); a file that is not UTF-8 gets a note saying
    how it was decoded. NUL bytes (which cut strings for SQLite's C functions) are removed and counted."""
    if encoding is None:
        encoding, how = entry.encoding()
        if how != "utf-8":
            yield ImportProblem(reason=f"text decoded as {how}", member=entry.path, severity="skipped")
    nuls = _NulCount()
    yield from _rows(entry, delimiter, encoding, skip_lines, header, nuls)
    if nuls.cells:
        yield ImportProblem(
            reason=f"{nuls.cells:,} field(s) held NUL bytes, removed (first on line {nuls.first_line})",
            member=entry.path,
            line=nuls.first_line,
            severity="skipped",
        )


class _NulCount:
    cells = 0
    first_line = 0

    def clean(self, row: list[str], line: int) -> list[str]:
        if not any("\x00" in c for c in row):
            return row
        self.cells += sum("\x00" in c for c in row)
        self.first_line = self.first_line or line
        return [c.replace("\x00", "") for c in row]


def _rows(
    entry: Entry, delimiter: str, encoding: str, skip_lines: int, header: list[str] | None, nuls: _NulCount
) -> Iterator[tuple[int, int, dict[str, str]] | ImportProblem]:
    with entry.open_text(encoding=encoding) as fh:
        for _ in range(skip_lines):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter)
        line = skip_lines + 1
        try:
            if header is None:
                header = next(reader)
                line = reader.line_num + skip_lines + 1
        except StopIteration:
            return
        except csv.Error as exc:
            yield ImportProblem(reason=f"unreadable CSV header: {exc}", member=entry.path, line=line)
            return
        keys = _dedupe_header(header)
        index = 0
        while True:
            start_line = line
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield ImportProblem(
                    reason=f"malformed CSV: {exc}", member=entry.path, index=index, line=start_line
                )
                line = reader.line_num + skip_lines + 1
                index += 1
                continue
            line = reader.line_num + skip_lines + 1
            if not row or all(not c.strip() for c in row):
                continue
            row = nuls.clean(row, start_line)
            if len(row) != len(keys):
                yield ImportProblem(
                    reason=f"row has {len(row)} fields, header has {len(keys)}",
                    member=entry.path,
                    index=index,
                    line=start_line,
                    excerpt=delimiter.join(row)[:200],
                )
                index += 1
                continue
            yield index, start_line, dict(zip(keys, row, strict=True))
            index += 1


def _dedupe_header(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    keys = []
    for raw in header:
        key = raw.strip().lstrip("\ufeff")
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def load_small_json(entry: Entry) -> Any | ImportProblem:
    """Parse a whole (small) JSON member, or say precisely why it is not JSON."""
    with entry.open() as fh:
        data = fh.read()
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return ImportProblem(reason=f"not UTF-8 text: {exc.reason}", member=entry.path, offset=exc.start)
    except json.JSONDecodeError as exc:
        return ImportProblem(
            reason=f"invalid JSON: {exc.msg}",
            member=entry.path,
            line=exc.lineno,
            offset=exc.pos,
            excerpt=data[max(0, exc.pos - 60) : exc.pos + 60].decode("utf-8", "replace"),
        )


def iter_json_items(entry: Entry, prefix: str = "item") -> Iterator[tuple[int, Any] | ImportProblem]:
    """Stream the elements of a JSON array at ``prefix`` (ijson syntax: "item" for a top-level array,
    "Browser History.item" for a key). Memory stays bounded whatever the file size. On a syntax error
    (truncated download, garbage) the elements before it are kept and one problem says where it broke."""
    index = 0
    with entry.open() as fh:
        head = fh.peek(3)[:3] if hasattr(fh, "peek") else b""
        if head.startswith(b"\xef\xbb\xbf"):
            fh.read(3)
        try:
            for obj in ijson.items(fh, prefix, use_float=True):
                yield index, obj
                index += 1
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
            yield ImportProblem(
                reason=f"invalid JSON after {index} records: {str(exc).splitlines()[0][:200]}",
                member=entry.path,
                index=index,
            )
