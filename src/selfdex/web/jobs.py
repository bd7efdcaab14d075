"""Imports started from the browser: uploaded archives are imported one job at a time by a
background thread, exactly as ``selfdex import`` does (``import_path`` per archive, then the profile
refresh), while the job page polls the progress kept here in memory."""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..owner.imports import Entry, FileResult, Importer, JobSummary, after_import, import_path
from ..owner.records import Store

__all__ = ["ImportRun", "ImportRuns"]


@dataclass
class ImportRun:
    """One upload: its archives, what happened to each file so far, and the jobs' summaries."""

    id: int
    names: list[str]
    paths: list[Path]
    state: str = "queued"  # queued | running | refreshing | done | failed
    current_archive: str | None = None
    current_file: str | None = None
    current_importer: str | None = None
    current_size: int | None = None
    current_bytes: int = 0
    files: list[tuple[str, FileResult]] = field(default_factory=list)  # (archive, result)
    summaries: list[JobSummary] = field(default_factory=list)
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    # -- the ImportProgress protocol ---------------------------------------------------------
    def file_started(self, entry: Entry, importer: Importer | None) -> None:
        self.current_file = entry.path
        self.current_importer = importer.name if importer else None
        self.current_size = entry.size
        self.current_bytes = 0

    def bytes_read(self, n: int) -> None:
        self.current_bytes += n

    def file_finished(self, result: FileResult) -> None:
        self.files.append((self.current_archive or "", result))
        self.current_file = None

    # -- for the templates ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state in ("queued", "running", "refreshing")

    @property
    def percent(self) -> int | None:
        if not self.current_size:
            return None
        return min(100, int(100 * self.current_bytes / self.current_size))

    @property
    def rows(self) -> list[tuple[str, FileResult]]:
        """Every file seen so far: the finished archives' full lists (refused members included),
        then the files of the archive being imported."""
        done = [(name, f) for name, s in zip(self.names, self.summaries, strict=False) for f in s.files]
        finished = set(self.names[: len(self.summaries)])
        current = [(a, f) for a, f in self.files if a not in finished]
        return done + current

    @property
    def status_counts(self) -> Counter[str]:
        return Counter(f.status for _, f in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "read": sum(s.records_read for s in self.summaries),
            "new": sum(s.records_new for s in self.summaries),
            "duplicate": sum(s.records_duplicate for s in self.summaries),
            "problems": sum(s.problems for s in self.summaries),
            "skipped": sum(s.skipped for s in self.summaries),
        }


class ImportRuns:
    """The runs of this process, newest first; one import writes to the store at a time."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._runs: dict[int, ImportRun] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()

    def get(self, run_id: int) -> ImportRun | None:
        return self._runs.get(run_id)

    def recent(self, n: int = 10) -> list[ImportRun]:
        return sorted(self._runs.values(), key=lambda r: r.id, reverse=True)[:n]

    def start(self, upload_dir: Path, names: list[str], paths: list[Path]) -> ImportRun:
        with self._lock:
            run = ImportRun(id=next(self._ids), names=names, paths=paths)
            self._runs[run.id] = run
        thread = threading.Thread(
            target=self._work, args=(run, upload_dir), name=f"selfdex-import-{run.id}", daemon=True
        )
        thread.start()
        return run

    def _work(self, run: ImportRun, upload_dir: Path) -> None:
        try:
            with self._one_at_a_time:
                run.state = "running"
                with Store(self.store_path) as store:
                    for name, path in zip(run.names, run.paths, strict=True):
                        run.current_archive = name
                        run.summaries.append(import_path(store, path, progress=run))
                    run.current_archive = None
                    run.state = "refreshing"
                    after_import(store)  # as `selfdex import` does
                run.state = "done"
        except Exception as exc:  # shown on the job page; the failed archive's job was rolled back
            run.state = "failed"
            run.error = f"{type(exc).__name__}: {exc}"
        finally:
            run.finished = time.time()
            shutil.rmtree(upload_dir, ignore_errors=True)
