"""Import pipeline: entries → the most confident importer → records and problems → the store.

One job per imported path, in one transaction: Ctrl-C or ``kill -9`` mid-import leaves the store
exactly as it was before the job, and re-running it completes with no duplicates (record ids are
content hashes). Every input record is either stored, counted as a duplicate, or reported.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import __version__
from .archive import ArchiveLimits, Entry, iter_entries
from .importers.base import Importer
from .importers.registry import load_importers
from .model import ImportProblem, Provenance, Record
from .store import Store

__all__ = ["FileResult", "ImportProgress", "JobSummary", "choose_importer", "import_path", "plural"]

BATCH = 5000
PROBLEM_SAMPLES = 200  # kept in memory for the summary; all of them go to the store


class ImportProgress(Protocol):
    def file_started(self, entry: Entry, importer: Importer | None) -> None: ...
    def bytes_read(self, n: int) -> None: ...
    def file_finished(self, result: FileResult) -> None: ...


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

    @property
    def records_duplicate(self) -> int:
        return self.records_read - self.records_new

    def to_dict(self) -> dict[str, Any]:
        files = [asdict(f) for f in self.files]
        return {
            "job_id": self.job_id,
            "source": self.source,
            "records_read": self.records_read,
            "records_new": self.records_new,
            "records_duplicate": self.records_duplicate,
            "problems": self.problems,
            "skipped": self.skipped,
            "by_platform": dict(self.by_platform),
            "files": files,
            "problem_samples": [asdict(p) for p in self.problem_samples],
        }


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


def import_path(
    store: Store,
    path: str | Path,
    *,
    importers: Sequence[Importer] | None = None,
    progress: ImportProgress | None = None,
    limits: ArchiveLimits | None = None,
) -> JobSummary:
    """Import everything under ``path`` as one atomic job and return what happened."""
    importers = list(importers) if importers is not None else load_importers()
    source = str(Path(path))
    sha = _sha256(Path(path))
    # Importing a folder that holds the store itself must not read the store back in.
    own_files = {Path(f"{store.path}{suffix}").resolve() for suffix in ("", "-wal", "-shm", "-journal")}
    with store.transaction():
        job_id = store.start_job(source, sha, __version__)
        summary = JobSummary(job_id=job_id, source=source)
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
                _note_problems(store, summary, [item], job_id, None)
            elif (Path(source) / item.path).resolve() in own_files:
                continue
            else:
                result = _import_entry(store, summary, item, importers, job_id, progress)
            summary.files.append(result)
            store.insert_file(
                job_id,
                member=result.member,
                size_bytes=result.size_bytes,
                importer=result.importer,
                importer_version=None if result.importer is None else _version(importers, result.importer),
                status=result.status,
                reason=result.reason,
                records_read=result.records_read,
                records_new=result.records_new,
                problems=result.problems,
            )
            if progress is not None and not isinstance(item, ImportProblem):
                progress.file_finished(result)
        store.finish_job(
            job_id,
            "complete",
            records_read=summary.records_read,
            records_new=summary.records_new,
            records_duplicate=summary.records_duplicate,
            problems=summary.problems,
            files_imported=sum(f.status == "imported" for f in summary.files),
            files_skipped=sum(f.status != "imported" for f in summary.files),
        )
    return summary


def plural(n: int, word: str) -> str:
    """``1 problem``, ``3 problems``, ``1,200 records``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _version(importers: Sequence[Importer], name: str) -> str | None:
    return next((i.version for i in importers if i.name == name), None)


def _note_problems(
    store: Store, summary: JobSummary, problems: list[ImportProblem], job_id: int, importer: str | None
) -> None:
    if not problems:
        return
    store.insert_problems(problems, job_id, importer)
    skipped = sum(p.severity == "skipped" for p in problems)
    summary.skipped += skipped
    summary.problems += len(problems) - skipped
    room = PROBLEM_SAMPLES - len(summary.problem_samples)
    if room > 0:
        summary.problem_samples.extend(problems[:room])


def _import_entry(
    store: Store,
    summary: JobSummary,
    entry: Entry,
    importers: Sequence[Importer],
    job_id: int,
    progress: ImportProgress | None,
) -> FileResult:
    importer, _score = choose_importer(entry, importers)
    if progress is not None:
        progress.file_started(entry, importer)
        entry.on_read = progress.bytes_read
    if importer is None:
        return FileResult(entry.path, entry.size, None, "skipped", "no importer recognises this file")
    result = FileResult(entry.path, entry.size, importer.name, "imported", platform=importer.platform)
    batch: list[Record] = []
    problems: list[ImportProblem] = []

    def flush() -> None:
        new = store.insert_records(batch, job_id)
        result.records_new += new
        summary.records_new += new
        batch.clear()

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
            batch.append(out)
            result.records_read += 1
            summary.records_read += 1
            summary.by_platform[out.platform] += 1
            if len(batch) >= BATCH:
                flush()
    except Exception as exc:  # an importer bug or unreadable stream: keep what was read, report the rest
        result.status = "failed"
        result.reason = f"{type(exc).__name__}: {exc}"
        problems.append(
            ImportProblem(
                reason=f"importer {importer.name} stopped after {result.records_read} records: {result.reason}",
                member=entry.path,
                index=result.records_read,
            )
        )
    flush()
    result.skipped = sum(p.severity == "skipped" for p in problems)
    result.problems = len(problems) - result.skipped
    if result.status == "imported" and result.records_read == 0 and problems:
        if result.problems == 0:
            result.status, result.reason = "skipped", problems[0].reason
        else:  # nothing came out of the file but problems: it failed, whatever the importer's score
            first = next(p for p in problems if p.severity != "skipped")
            result.status = "failed"
            result.reason = f"no records, {plural(result.problems, 'problem')}; first: {first.reason}"
    _note_problems(store, summary, problems, job_id, importer.name)
    return result
