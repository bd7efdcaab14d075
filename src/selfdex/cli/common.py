"""Shared CLI plumbing: the store option, JSON output, friendly errors, progress of long steps."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.filesize import decimal
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from ..archive import Entry
from ..importers.base import Importer
from ..ingest import FileResult, plural
from ..store import Store, StoreError, default_store_path

# What the store holds is untrusted text: `out` (data, stdout) never reads markup or emoji codes in it
# ("[/]" in a title would crash Rich, ":book:" would become an emoji). Styled lines opt in with
# markup=True and pass data through esc().
console = Console(stderr=True, emoji=False)
out = Console(soft_wrap=True, markup=False, emoji=False)
esc = escape

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An error the user can fix: printed as one clear line, no traceback."""


def store_path(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    path = obj.get("store")
    return Path(path).expanduser() if path else default_store_path()


def open_store(ctx: click.Context, *, create: bool = False) -> Store:
    try:
        return Store(store_path(ctx), create=create)
    except StoreError as exc:
        raise UserError(str(exc)) from exc


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def friendly_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StoreError as exc:
            raise UserError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


# -- progress of long steps -------------------------------------------------------------------------

# What the lower layers call (they never import rich or cli/): ``progress(step, done, total)``, total
# None where it is not known, a new ``step`` text a new phase (Reporter.step); eval's
# ``progress(description, total) -> advance(n)`` (Reporter.task).
PLAIN_INTERVAL = 5.0  # seconds between two plain progress lines of one phase
PLAIN_SLOW = 2.0  # an uncounted phase this long still gets its closing line


@dataclass(slots=True)
class _Phase:
    label: str
    total: int | None
    unit: str
    closing: bool  # a closing plain line when it ends (else only after progress lines of its own)
    started: float
    said: float  # when its last plain line was written (its start until then)
    done: int = 0
    lines: int = 0
    ended: bool = False
    task: TaskID | None = field(default=None)

    @property
    def counted(self) -> bool:
        return self.total is not None and self.total > 1

    def amount(self, n: int) -> str:
        return decimal(n) if self.unit == "bytes" else f"{n:,}{' ' + self.unit if self.unit else ''}"

    def count(self) -> str:
        if self.counted and self.total:
            shown = decimal(self.done) if self.unit == "bytes" else f"{self.done:,}"
            return f"{shown}/{self.amount(self.total)}"
        return self.amount(self.done) if self.done > 1 else ""

    def line(self) -> str:
        """``indexing records by item: 12,000/41,000 (29%)``"""
        if self.counted and self.total:
            return f"{self.label}: {self.count()} ({self.done * 100 // self.total}%)"
        return f"{self.label}: {self.count()}" if self.count() else f"{self.label}…"

    def closing_line(self, now: float) -> str:
        """``indexing records by item: 41,000/41,000 in 12.3 s``"""
        return f"{self.label}: {self.count() or 'done'} in {now - self.started:.1f} s"


class _CountColumn(ProgressColumn):
    """``12,000/41,000`` (or bytes, or a running count when the total is not known)."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done = int(task.completed)
        if unit == "bytes":
            shown = decimal(done) + (f"/{decimal(int(task.total))}" if task.total else "")
        elif task.total is not None and task.total > 1:
            shown = f"{done:,}/{int(task.total):,}"
        else:
            shown = f"{done:,}" if done else ""
        return Text(shown, style="progress.download")


class Reporter:
    """Progress of the long steps, always on stderr (stdout stays the command's output, JSON included).

    On a terminal: a Rich bar per phase (transient unless ``keep``). Elsewhere (a log, a pipe, CI):
    a plain line at most every ``interval`` seconds while a phase runs (``indexing records by item:
    12,000/41,000 (29%)``), and a closing line when a counted phase ends (or an uncounted one took
    ``slow`` seconds or more), so a log shows what ran and how long it took.

    The lower layers' callbacks: :meth:`step` (``progress(step, done, total)``), :meth:`task`
    (``progress(description, total) -> advance(n)``, eval's) and :meth:`phase` (the same with a unit).
    Callbacks may come from another thread (the gate's model thread)."""

    def __init__(
        self,
        con: Console | None = None,
        *,
        plain: bool | None = None,
        keep: bool = False,
        interval: float = PLAIN_INTERVAL,
        slow: float = PLAIN_SLOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = con or console
        self.plain = not self.console.is_terminal if plain is None else plain
        self.keep, self.interval, self.slow, self.clock = keep, interval, slow, clock
        self._lock = threading.RLock()
        self._current: _Phase | None = None
        self._bar: Progress | None = None
        if not self.plain:
            self._bar = Progress(
                # a long step name gives way (ellipsis) before the counts do
                TextColumn(
                    "{task.description}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")
                ),
                BarColumn(bar_width=24),
                _CountColumn(table_column=Column(no_wrap=True)),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=not keep,
            )

    def __enter__(self) -> Reporter:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the running phase and take the bar away (idempotent)."""
        with self._lock:
            self.end()
            if self._bar is not None:
                self._bar.stop()

    def phase(
        self, label: str, total: int | None = None, *, unit: str = "", closing: bool = True
    ) -> Callable[[int], None]:
        """Start a phase (ending the one before); returns its ``advance(n)``."""
        with self._lock:
            self.end()
            now = self.clock()
            ph = self._current = _Phase(label, total, unit, closing, started=now, said=now)
            if self._bar is not None:
                ph.task = self._bar.add_task(escape(label), total=total, unit=unit)
        return lambda n: self._advance(ph, n)

    def task(self, description: str, total: int) -> Callable[[int], None]:
        return self.phase(description, total)

    def step(self, label: str, done: int, total: int | None) -> None:
        """``progress(step, done, total)``: the same ``step`` again moves it on, a new one starts."""
        with self._lock:
            ph = self._current
            if ph is None or ph.ended or ph.label != label or ph.total != total:
                self.phase(label, total)
                ph = self._current
            assert ph is not None
            self._advance(ph, done - ph.done)

    def end(self) -> None:
        """End the running phase: on a terminal its bar goes; elsewhere its closing line."""
        with self._lock:
            ph, self._current = self._current, None
            if ph is None or ph.ended:
                return
            ph.ended = True
            now = self.clock()
            if self._bar is not None and ph.task is not None:
                if self.keep:  # eval's record of what ran: an open-ended bar stops pulsing
                    if ph.total is None:
                        self._bar.update(ph.task, total=max(ph.done, 1), completed=max(ph.done, 1))
                else:
                    self._bar.remove_task(ph.task)
            elif self.plain and (ph.lines or (ph.closing and (ph.counted or now - ph.started >= self.slow))):
                self._write(ph.closing_line(now))

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """A line of its own on stderr (above the bar on a terminal)."""
        with self._lock:
            self.console.print(*objects, **kwargs)

    def _advance(self, ph: _Phase, n: int) -> None:
        with self._lock:
            if ph.ended and not (self._bar is not None and self.keep):
                return  # a late advance of a phase that has ended (its bar may be gone)
            ph.done += n
            if self._bar is not None and ph.task is not None:
                self._bar.advance(ph.task, n)
                return
            now = self.clock()
            if self.plain and now - ph.said >= self.interval:
                ph.said = now
                ph.lines += 1
                self._write(ph.line())

    def _write(self, line: str) -> None:
        f = self.console.file
        f.write(line + "\n")
        f.flush()


class ImportProgress:
    """An import's files (``selfdex.ingest.ImportProgress``): a byte bar per file, a line per file
    imported or failed (``quiet``: no such lines, as for --json; the bar or plain lines stay)."""

    def __init__(self, reporter: Reporter, *, quiet: bool = False) -> None:
        self.reporter = reporter
        self.quiet = quiet
        self.records = 0
        self._advance: Callable[[int], None] | None = None

    def file_started(self, entry: Entry, importer: Importer | None) -> None:
        label = entry.path if len(entry.path) < 60 else "…" + entry.path[-59:]
        who = importer.name if importer else "skipped"
        self._advance = self.reporter.phase(f"{who} {label}", entry.size or None, unit="bytes", closing=False)

    def bytes_read(self, n: int) -> None:
        if self._advance is not None:
            self._advance(n)

    def file_finished(self, result: FileResult) -> None:
        self.records += result.records_read
        self.reporter.end()
        self._advance = None
        if self.quiet:
            return
        notes = [f"[yellow]{plural(result.problems, 'problem')}[/]"] if result.problems else []
        if result.skipped:
            notes.append(f"{result.skipped:,} skipped by design")
        tail = "".join(f", {n}" for n in notes)
        if result.status == "imported":
            self.reporter.print(
                f"  [green]✓[/] {escape(result.member)}: {plural(result.records_read, 'record')}"
                f" ({result.records_new:,} new){tail}"
            )
        elif result.status == "failed":
            self.reporter.print(f"  [red]✗ failed[/] {escape(result.member)}: {escape(result.reason or '')}")
