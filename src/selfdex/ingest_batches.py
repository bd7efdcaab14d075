"""What one import job produced, and how it reaches the store: in bounded batches.

Parsing runs outside any transaction; :class:`BatchWriter` commits what was parsed when a batch is full
(:data:`BATCH` rows) or a second has passed, so SQLite's write lock is held for a fraction of a second at
a time. Each commit also updates the job's counts, so a job killed half-way shows what it stored.
"""

from __future__ import annotations

import lzma
import tarfile
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from .model import ImportProblem, Record
from .store import Store
from .store.columns import RECORD_COLUMNS
from .store.db import record_row

__all__ = ["BATCH", "DAMAGE", "BatchWriter", "FileResult", "JobSummary", "PlausibleDates", "row_or_problem"]

BATCH = 5000
COMMIT_EVERY_S = 1.0  # many small files: commit at least this often, not once per file
PROBLEM_SAMPLES = 200  # kept in memory for the summary; all of them go to the store
# Errors that mean a member's bytes are damaged (bad CRC, truncated or corrupt compressed stream, a
# member larger than it declared), as opposed to a bug in an importer.
DAMAGE: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    lzma.LZMAError,
    tarfile.TarError,
    OSError,
)


@dataclass(slots=True)
class FileResult:
    member: str
    size_bytes: int | None
    importer: str | None
    status: str  # imported | skipped | refused | unsupported | failed
    reason: str | None = None
    records_read: int = 0
    records_new: int = 0
    problems: int = 0  # could not be read (error, refused, unsupported)
    platform: str | None = None
    skipped: int = 0  # deliberately not imported (trailers, markers, superseded copies), with the reason
    records_updated: int = 0  # snapshot exports: stored rows whose content changed (a new rating)


@dataclass
class JobSummary:
    job_id: int
    source: str
    files: list[FileResult] = field(default_factory=list)
    records_read: int = 0
    records_new: int = 0
    problems: int = 0  # could not be read
    problem_samples: list[ImportProblem] = field(default_factory=list)
    by_platform: Counter[str] = field(default_factory=Counter)  # records read per platform
    skipped: int = 0  # skipped by design: not problems
    records_updated: int = 0

    @property
    def records_duplicate(self) -> int:
        return self.records_read - self.records_new - self.records_updated

    def to_dict(self) -> dict[str, Any]:
        files = [asdict(f) for f in self.files]
        return {
            "job_id": self.job_id,
            "source": self.source,
            "records_read": self.records_read,
            "records_new": self.records_new,
            "records_updated": self.records_updated,
            "records_duplicate": self.records_duplicate,
            "problems": self.problems,
            "skipped": self.skipped,
            "by_platform": dict(self.by_platform),
            "files": files,
            "problem_samples": [asdict(p) for p in self.problem_samples],
        }


# Plain-text columns of record_row (the JSON ones are written by orjson, which escapes NUL as \u0000).
_TEXT_COLUMNS = frozenset(RECORD_COLUMNS.index(c) for c in ("title", "url", "text", "place", "address"))


def row_or_problem(record: Record, job_id: int, index: int) -> tuple[Any, ...] | ImportProblem:
    """The record as a store row, or the reason it cannot be stored (that record only)."""
    try:
        row = record_row(record, job_id)
    except orjson.JSONEncodeError as exc:
        reason = (
            "a value nested deeper than 254 levels cannot be stored"
            if "recursion" in str(exc).lower()
            else f"record cannot be stored as JSON: {exc}"
        )
        return _row_problem(record, index, reason)
    except (TypeError, ValueError, OverflowError) as exc:
        return _row_problem(record, index, f"record cannot be stored: {type(exc).__name__}: {exc}")
    if any(isinstance(row[i], str) and "\x00" in row[i] for i in _TEXT_COLUMNS):
        # NUL cuts strings for SQLite's C functions (FTS, LIKE): drop it rather than keep half a title
        row = tuple(
            v.replace("\x00", "") if isinstance(v, str) and i in _TEXT_COLUMNS else v
            for i, v in enumerate(row)
        )
    return row


def _row_problem(record: Record, index: int, reason: str) -> ImportProblem:
    prov = record.provenance
    return ImportProblem(
        reason=reason,
        member=prov.member if prov else None,
        index=prov.index if prov and prov.index is not None else index,
        line=prov.line if prov else None,
        excerpt=(record.item.title or "")[:200] or None,
    )


class PlausibleDates:
    """Counts records dated in January 1970 or far in the future: the marks of an epoch read in the
    wrong unit (seconds as microseconds, nanoseconds as milliseconds) or of a placeholder date."""

    _EPOCH_MONTH_END = datetime(1970, 2, 1, tzinfo=UTC)

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple[int, datetime] | None = None
        self._future = datetime.now(UTC) + timedelta(days=5 * 366)

    def see(self, record: Record, index: int) -> None:
        when = record.when
        if when is not None and (when < self._EPOCH_MONTH_END or when > self._future):
            self.count += 1
            if self.first is None:
                self.first = (index, when)

    def problem(self, member: str) -> ImportProblem | None:
        if not self.count or self.first is None:
            return None
        index, when = self.first
        return ImportProblem(
            reason=f"{self.count:,} record(s) have implausible dates (first: {when:%Y-%m-%d %H:%M}); "
            "a timestamp in the wrong unit (s, ms, µs) or a placeholder date? They were stored as read",
            member=member,
            index=index,
        )


class BatchWriter:
    """Collects one job's rows, problems and file results and commits them in bounded transactions."""

    def __init__(
        self, store: Store, summary: JobSummary, on_committed: Callable[[FileResult], None] | None = None
    ) -> None:
        self.store = store
        self.on_committed = on_committed  # told about each file once its rows are committed (counts final)
        self.summary = summary
        self.job_id = summary.job_id
        # Rows past this rowid were inserted by this job (used to take back a damaged member's rows).
        self.first_rowid = store.max_rowid()
        self._rows: dict[int, tuple[FileResult, list[tuple[Any, ...]], bool]] = {}
        self._problems: list[tuple[list[ImportProblem], str | None]] = []
        self._files: list[tuple[FileResult, str | None, bool]] = []
        self._pending = 0
        self._committed = {"read": 0, "problems": 0}
        self._last = time.monotonic()
        # Checkpoint the WAL every ~64 MB instead of every 4 MB: with a commit per batch the hot index and
        # FTS pages would otherwise be copied into the file again after every few batches.
        store.checkpoint_every(16384)

    def add_row(self, result: FileResult, row: tuple[Any, ...], replace: bool) -> None:
        group = self._rows.get(id(result))
        if group is None:
            group = self._rows[id(result)] = (result, [], replace)
        group[1].append(row)
        self._pending += 1
        if self._pending >= BATCH:
            self.commit()

    def add_problems(self, problems: list[ImportProblem], importer: str | None) -> None:
        if not problems:
            return
        self._problems.append((problems, importer))
        self._pending += len(problems)
        summary = self.summary
        skipped = sum(p.severity == "skipped" for p in problems)
        summary.skipped += skipped
        summary.problems += len(problems) - skipped
        room = PROBLEM_SAMPLES - len(summary.problem_samples)
        if room > 0:
            summary.problem_samples.extend(problems[:room])

    def file_done(self, result: FileResult, importer_version: str | None, *, tell: bool = True) -> None:
        self.summary.files.append(result)
        self._files.append((result, importer_version, tell))
        if self._pending >= BATCH or time.monotonic() - self._last >= COMMIT_EVERY_S:
            self.commit()

    def forget(self, result: FileResult) -> int:
        """Take back every row of a member found damaged half-way; returns how many had been read."""
        dropped = len(self._rows.pop(id(result), (result, [], False))[1])
        self._pending -= dropped
        if result.records_new:
            with self.store.transaction():
                self.store.forget_member(self.job_id, result.member, after_rowid=self.first_rowid)
        read = result.records_read
        summary = self.summary
        summary.records_read -= read
        summary.records_new -= result.records_new
        summary.records_updated -= result.records_updated
        if result.platform:
            summary.by_platform[result.platform] -= read
            if summary.by_platform[result.platform] <= 0:
                del summary.by_platform[result.platform]
        self._committed["read"] -= read - dropped  # the committed ones are gone too
        result.records_read = result.records_new = result.records_updated = 0
        return read

    def commit(self) -> None:
        if not (self._rows or self._problems or self._files):
            return
        store, summary = self.store, self.summary
        with store.transaction():
            for result, rows, replace in self._rows.values():
                new, updated = store.insert_rows(rows, replace=replace)
                result.records_new += new
                result.records_updated += updated
                summary.records_new += new
                summary.records_updated += updated
                self._committed["read"] += len(rows)
            for problems, importer in self._problems:
                store.insert_problems(problems, self.job_id, importer)
                self._committed["problems"] += sum(p.severity != "skipped" for p in problems)
            for result, version, _tell in self._files:
                store.insert_file(
                    self.job_id,
                    member=result.member,
                    size_bytes=result.size_bytes,
                    importer=result.importer,
                    importer_version=version,
                    status=result.status,
                    reason=result.reason,
                    records_read=result.records_read,
                    records_new=result.records_new,
                    problems=result.problems,
                )
            store.job_progress(
                self.job_id,
                records_read=max(self._committed["read"], 0),
                records_new=summary.records_new,
                problems=self._committed["problems"],
                files_imported=sum(f.status == "imported" for f in summary.files),
            )
        told = [f for f, _v, tell in self._files if tell]
        self._rows.clear()
        self._problems.clear()
        self._files.clear()
        self._pending = 0
        self._last = time.monotonic()
        if self.on_committed is not None:
            for result in told:
                self.on_committed(result)

    def finish(self) -> None:
        self.commit()
        s = self.summary
        with self.store.transaction():
            self.store.finish_job(
                self.job_id,
                "complete",
                records_read=s.records_read,
                records_new=s.records_new,
                records_duplicate=s.records_duplicate,
                problems=s.problems,
                files_imported=sum(f.status == "imported" for f in s.files),
                files_skipped=sum(f.status != "imported" for f in s.files),
            )
            self.store.mark_resumed(s.source)

    def abandon(self, status: str) -> None:
        """Record how the job ended when it cannot finish; the store may itself be failing, so best effort."""
        try:
            with self.store.transaction(wait_s=5.0):
                self.store.finish_job(self.job_id, status, records_read=max(self._committed["read"], 0))
        except Exception:
            pass
