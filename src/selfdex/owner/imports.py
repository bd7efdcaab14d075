"""Importing exports: one archive or folder at a time into the store, then what every import
needs afterwards (entity links, the person's forget rules over the new records, the profile)."""

from __future__ import annotations

from ..archive import Entry
from ..importers.base import Importer
from ..ingest import FileResult, JobSummary, import_path
from ..store import Store

__all__ = ["Entry", "FileResult", "Importer", "JobSummary", "after_import", "import_path"]


def after_import(store: Store) -> None:
    """New records may link to entities on other platforms, and the forget rules must also cover
    records that arrived just now; the profile is computed once here, then served from the store."""
    # numpy and the profile load only for an import, not for `sources` or `jobs`.
    from ..profile import build_profile, refresh

    refresh(store)
    build_profile(store)
