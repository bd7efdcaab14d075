"""Importing exports: one archive or folder at a time into the store, then what every import
needs afterwards (entity links, the person's forget rules over the new records, the profile)."""

from __future__ import annotations

from collections.abc import Callable

from ..archive import Entry
from ..importers.base import Importer
from ..ingest import FileResult, JobSummary, import_path
from ..store import Store

__all__ = ["Entry", "FileResult", "Importer", "JobSummary", "after_import", "import_path"]


def after_import(store: Store, progress: Callable[[str, int, int | None], None] | None = None) -> None:
    """New records may link to entities on other platforms, and the forget rules must also cover
    records that arrived just now; the profile is computed once here, then served from the store.

    ``progress(step, done, total)`` hears each step (``total`` None where it is not known)."""
    # numpy and the profile load only for an import, not for `sources` or `jobs`.
    from ..profile import build_profile
    from ..profile.corrections import apply_corrections
    from ..profile.linking import update_entities

    say = progress or (lambda _step, _done, _total: None)
    update_entities(store, on_phase=lambda text: say(f"profile: {text}", 0, None))
    say("profile: applying your corrections", 0, None)
    apply_corrections(store)
    build_profile(store, progress=say)
    say("profile: up to date", 1, 1)
