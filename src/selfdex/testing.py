"""Helpers for testing importers (selfdex's own and plugins'): run one importer over a path."""

from __future__ import annotations

from pathlib import Path

from .archive import Entry, iter_entries
from .importers.base import Importer
from .ingest import choose_importer
from .importers.registry import load_importers
from .model import ImportProblem, Record

__all__ = ["entries", "parse_path", "recognized_by"]


def entries(path: str | Path) -> list[Entry]:
    return [e for e in iter_entries(path) if isinstance(e, Entry)]


def recognized_by(entry: Entry) -> str | None:
    """Name of the importer the pipeline would pick for this entry (None: nobody)."""
    imp, _ = choose_importer(entry, load_importers())
    return imp.name if imp else None


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
