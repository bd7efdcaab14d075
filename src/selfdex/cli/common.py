"""Shared CLI plumbing: the store option, JSON output, friendly errors, Rich progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

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


class RichImportProgress:
    """Per-file byte progress plus a running record count."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.records = 0

    def file_started(self, entry: Entry, importer: Importer | None) -> None:
        label = entry.path if len(entry.path) < 60 else "…" + entry.path[-59:]
        who = importer.name if importer else "skipped"
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(f"[cyan]{who}[/] {escape(label)}", total=entry.size or None)

    def bytes_read(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def file_finished(self, result: FileResult) -> None:
        self.records += result.records_read
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        notes = [f"[yellow]{plural(result.problems, 'problem')}[/]"] if result.problems else []
        if result.skipped:
            notes.append(f"{result.skipped:,} skipped by design")
        tail = "".join(f", {n}" for n in notes)
        if result.status == "imported":
            self.progress.console.print(
                f"  [green]✓[/] {escape(result.member)}: {plural(result.records_read, 'record')}"
                f" ({result.records_new:,} new){tail}"
            )
        elif result.status == "failed":
            self.progress.console.print(
                f"  [red]✗ failed[/] {escape(result.member)}: {escape(result.reason or '')}"
            )


def make_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
