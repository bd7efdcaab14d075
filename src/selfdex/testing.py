"""Helpers for testing importers (selfdex's own and plugins'): run one importer over a path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .archive import Entry, iter_entries
from .importers.base import Importer
from .importers.registry import load_importers
from .ingest import choose_importer
from .model import ImportProblem, Record

__all__ = ["count_parsed", "entries", "parse_path", "recognitions", "spawn_cli"]


def entries(path: str | Path) -> Iterator[Entry]:
    """Entries under ``path``; each is readable only until the iteration moves on (archives close)."""
    return (e for e in iter_entries(path) if isinstance(e, Entry))


def recognitions(path: str | Path) -> dict[str, str | None]:
    """member path → the importer the pipeline would pick for it (None: nobody)."""
    importers = load_importers()
    out: dict[str, str | None] = {}
    for entry in entries(path):
        imp, _ = choose_importer(entry, importers)
        out[entry.path] = imp.name if imp else None
    return out


def parse_path(importer: Importer, path: str | Path) -> tuple[list[Record], list[ImportProblem]]:
    """Parse every entry under ``path`` that ``importer`` recognises (score > 0), like the pipeline would."""
    records: list[Record] = []
    problems: list[ImportProblem] = []
    for entry in entries(path):
        if importer.recognize(entry) <= 0:
            continue
        for out in importer.parse(entry):
            (problems if isinstance(out, ImportProblem) else records).append(out)  # type: ignore[arg-type]
    return records, problems


def count_parsed(path: str | Path, importers: list[Importer] | None = None) -> dict[str, Any]:
    """Run the pipeline's importer choice and parse over ``path`` without a store, keeping only counts
    (bounded memory on any input): records, problems (unreadable entries included) and importers used."""
    importers = importers if importers is not None else load_importers()
    records = problems = 0
    names: set[str] = set()
    for entry in iter_entries(path):
        if not isinstance(entry, Entry):
            problems += 1
            continue
        importer, _ = choose_importer(entry, importers)
        if importer is None:
            continue
        names.add(importer.name)
        for out in importer.parse(entry):
            if isinstance(out, ImportProblem):
                problems += 1
            else:
                records += 1
    return {"records": records, "problems": problems, "importers": sorted(names)}


def spawn_cli(store: str | Path, *args: str) -> subprocess.Popen[str]:
    """``selfdex --store STORE ARGS…`` as a real child process (stdout and stderr piped, text)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from selfdex.cli.main import main; main()", "--store", str(store), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
