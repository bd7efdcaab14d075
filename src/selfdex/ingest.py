"""Import pipeline: entries → the most confident importer → records and problems → the store.

One job per imported path, written in bounded batches (see :mod:`selfdex.ingest_batches`): parsing runs
outside any transaction and each batch holds SQLite's write lock for a fraction of a second, so the web
app, the API and other readers never wait, and importers take turns through a lock file beside the
store (the second one says for whom it waits). A job killed half-way (Ctrl-C, ``kill -9``, a full disk)
keeps the batches it committed and is marked ``interrupted``; re-running the import completes it with
no duplicates (record ids come from what a record says, or from the source's own id).

Every error is a value: an exception from one member (a bad CRC, a truncated stream, a decoding
error, a value nested too deep to store) fails that file with its reason and position, and the rest
of the archive imports. Only a failure of the store itself (disk full, I/O error) stops the job.
Every input record is either stored, counted as a duplicate or an update, or reported.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import __version__
from .archive import ArchiveLimits, Entry, iter_entries
from .importers.base import Importer
from .importers.registry import load_importers
from .ingest_batches import (
    BATCH,
    DAMAGE,
    BatchWriter,
    FileResult,
    JobSummary,
    PlausibleDates,
    row_or_problem,
)
from .model import ImportProblem, Provenance
from .store import Store, StoreError, crypto
from .store.health import ImportTurn

__all__ = [
    "BATCH",
    "FileResult",
    "ImportProgress",
    "JobSummary",
    "Waiting",
    "choose_importer",
    "import_path",
    "plural",
    "taking_turns",
]


class ImportProgress(Protocol):
    def file_started(self, entry: Entry, importer: Importer | None) -> None: ...
    def bytes_read(self, n: int) -> None: ...
    def file_finished(self, result: FileResult) -> None: ...


@dataclass(frozen=True, slots=True)
class Waiting:
    """Another import holds the store's write turn: which job, how far it got, how long we waited."""

    job_id: int | None
    source: str | None
    records_read: int
    waited_s: float


def choose_importer(entry: Entry, importers: Sequence[Importer]) -> tuple[Importer | None, float]:
    best: Importer | None = None
    best_score = 0.0
    for imp in importers:
        try:
            score = float(imp.recognize(entry))
        except Exception:  # a recogniser that chokes on odd bytes simply does not claim the file
            score = 0.0
        if score > best_score:
            best, best_score = imp, score
    return best, best_score


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def taking_turns(store: Store, on_wait: Callable[[Waiting], None] | None = None) -> Iterator[None]:
    """Hold the store's import turn (re-entrant per Store object); wait, reporting, while another
    process imports. Jobs a dead process left ``running`` are marked ``interrupted`` once we hold it."""
    if getattr(store, "_turn_depth", 0):
        store._turn_depth += 1  # type: ignore[attr-defined]
        try:
            yield
        finally:
            store._turn_depth -= 1  # type: ignore[attr-defined]
        return
    turn = ImportTurn(store.path)

    def report(waited: float) -> None:
        if on_wait is None:
            return
        job = store.running_job()
        on_wait(Waiting(job[0] if job else None, job[1] if job else None, job[2] if job else 0, waited))

    turn.acquire(report)
    store._turn_depth = 1  # type: ignore[attr-defined]
    try:
        store.mark_interrupted()
        yield
    finally:
        store._turn_depth = 0  # type: ignore[attr-defined]
        turn.release()


def import_path(
    store: Store,
    path: str | Path,
    *,
    importers: Sequence[Importer] | None = None,
    progress: ImportProgress | None = None,
    limits: ArchiveLimits | None = None,
    on_wait: Callable[[Waiting], None] | None = None,
) -> JobSummary:
    """Import everything under ``path`` as one job (committed in batches) and return what happened."""
    importers = list(importers) if importers is not None else load_importers()
    source = str(Path(path))
    sha = _sha256(Path(path))
    # Importing a folder that holds the store itself must not read the store back in.
    own_files = {
        Path(f"{store.path}{suffix}").resolve() for suffix in ("", "-wal", "-shm", "-journal", ".import-lock")
    }
    with taking_turns(store, on_wait):
        store.check()
        with store.transaction():
            job_id = store.start_job(source, sha, __version__)
        summary = JobSummary(job_id=job_id, source=source)
        writer = BatchWriter(store, summary, progress.file_finished if progress is not None else None)
        try:
            for item in iter_entries(path, limits):
                if isinstance(item, ImportProblem):
                    result = FileResult(
                        member=item.member or source,
                        size_bytes=None,
                        importer=None,
                        status="refused" if item.severity == "refused" else "failed",
                        reason=item.reason,
                        problems=1,
                    )
                    writer.add_problems([item], None)
                    writer.file_done(result, None, tell=False)
                    continue
                if (Path(source) / item.path).resolve() in own_files:
                    continue
                result = _import_entry(writer, item, importers, progress)
                writer.file_done(result, _version(importers, result.importer) if result.importer else None)
            writer.finish()
        except BaseException as exc:
            # Ctrl-C, a full disk: keep what was committed, and say so in the job's status (a kill -9
            # cannot; the next import marks such a job interrupted).
            writer.abandon("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
            raise
    return summary


# The store's own failures (SQLCipher's errors are not sqlite3's subclasses): they stop the job.
_STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, StoreError, *crypto.database_errors())


def plural(n: int, word: str) -> str:
    """``1 problem``, ``3 problems``, ``1,200 records``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _version(importers: Sequence[Importer], name: str) -> str | None:
    return next((i.version for i in importers if i.name == name), None)


def _import_entry(
    writer: BatchWriter,
    entry: Entry,
    importers: Sequence[Importer],
    progress: ImportProgress | None,
) -> FileResult:
    importer, _score = choose_importer(entry, importers)
    if progress is not None:
        progress.file_started(entry, importer)
        entry.on_read = progress.bytes_read
    if importer is None:
        return FileResult(entry.path, entry.size, None, "skipped", "no importer recognises this file")
    result = FileResult(entry.path, entry.size, importer.name, "imported", platform=importer.platform)
    summary = writer.summary
    replace = importer.snapshot
    problems: list[ImportProblem] = []
    dates = PlausibleDates()
    try:
        for out in importer.parse(entry):
            if isinstance(out, ImportProblem):
                out.member = out.member or entry.path
                problems.append(out)
                if out.severity == "unsupported":
                    result.status, result.reason = "unsupported", out.reason
                continue
            out.importer, out.importer_version = importer.name, importer.version
            if out.provenance is None:
                out.provenance = Provenance(archive=entry.archive, member=entry.path)
            else:
                out.provenance.archive, out.provenance.member = entry.archive, entry.path
            row = row_or_problem(out, summary.job_id, result.records_read)
            if isinstance(row, ImportProblem):  # e.g. a value nested too deep to store: that row only
                problems.append(row)
                continue
            dates.see(out, result.records_read)
            writer.add_row(result, row, replace)
            result.records_read += 1
            summary.records_read += 1
            summary.by_platform[out.platform] += 1
            if len(problems) >= BATCH:
                _count(result, problems)
                writer.add_problems(problems, importer.name)
                problems = []
    except _STORE_ERRORS:
        raise  # the store itself failed: the job stops, with one line saying why
    except DAMAGE as exc:  # the member's bytes are damaged (bad CRC, cut short): none of its rows are kept
        lost = writer.forget(result)
        result.status = "failed"
        result.reason = f"damaged member ({type(exc).__name__}: {exc})"
        problems.append(
            ImportProblem(
                reason=f"{result.reason} after {lost} records, at byte {entry.bytes_read:,}; "
                "its records were not kept",
                member=entry.path,
                index=lost,
                offset=entry.bytes_read,
            )
        )
    except Exception as exc:  # an importer bug: keep what was read, report the rest
        result.status = "failed"
        result.reason = f"{type(exc).__name__}: {exc}"
        problems.append(
            ImportProblem(
                reason=f"importer {importer.name} stopped after {result.records_read} records: {result.reason}",
                member=entry.path,
                index=result.records_read,
                offset=entry.bytes_read,
            )
        )
    if note := dates.problem(entry.path):
        problems.append(note)
    _count(result, problems)
    if result.status == "imported" and result.records_read == 0 and problems:
        if result.problems == 0:
            result.status, result.reason = "skipped", problems[0].reason
        else:  # nothing came out of the file but problems: it failed, whatever the importer's score
            first = next((p for p in problems if p.severity != "skipped"), problems[0])
            result.status = "failed"
            result.reason = f"no records, {plural(result.problems, 'problem')}; first: {first.reason}"
    writer.add_problems(problems, importer.name)
    return result


def _count(result: FileResult, problems: list[ImportProblem]) -> None:
    skipped = sum(p.severity == "skipped" for p in problems)
    result.skipped += skipped
    result.problems += len(problems) - skipped
