"""The sample person imported once per test session; tests work on copies of that store."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from selfdex.ingest import import_path
from selfdex.store import Store


@functools.cache
def base_store(sample_exports: Path) -> Path:
    """One import job per bundle, as a person importing their downloads one by one."""
    path = sample_exports.parent / "sample-base.sqlite"
    with Store(path) as store:
        for bundle in sorted(sample_exports.iterdir()):
            import_path(store, bundle)
    return path  # closing checkpointed the WAL: the file alone is the whole store


def fresh_store(sample_exports: Path, folder: Path) -> Store:
    """A private, writable copy of the imported sample person in ``folder``."""
    target = folder / "store.sqlite"
    shutil.copy(base_store(sample_exports), target)
    return Store(target)
