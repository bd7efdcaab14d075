"""Looking at what is in the store: sources, import jobs, the timeline, one record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..store import Filters, Store, owner_queries
from ..store.queries import import_errors, job_files, jobs, sources, timeline

__all__ = [
    "PROVENANCE",
    "Filters",
    "JobDetail",
    "RecordDetail",
    "Store",
    "find_record",
    "job",
    "jobs",
    "monthly_counts",
    "record_detail",
    "sources",
    "timeline",
    "titles_of",
]

# Where a record came from, shown apart from what it says.
PROVENANCE = (
    "source_archive",
    "source_member",
    "source_index",
    "source_line",
    "source_offset",
    "importer",
    "job_id",
)


@dataclass(slots=True)
class JobDetail:
    job: dict[str, Any]
    files: list[dict[str, Any]]
    errors: list[dict[str, Any]]


@dataclass(slots=True)
class RecordDetail:
    fields: dict[str, Any]  # what the record says (empty values left out)
    provenance: dict[str, Any]  # where it came from (PROVENANCE)
    raw: str  # the source's own item, pretty-printed when it is JSON
    hidden: list[str]  # the forget rules hiding it from recipients


def job(store: Store, job_id: int, *, error_limit: int = 500) -> JobDetail | None:
    """One import job with its files and (the first ``error_limit``) problems, or None."""
    found = next((j for j in jobs(store, limit=100_000) if j["id"] == job_id), None)
    if found is None:
        return None
    return JobDetail(found, job_files(store, job_id), import_errors(store, job_id, limit=error_limit))


def find_record(store: Store, record_id: str) -> dict[str, Any] | None:
    """The record with this id, or with this id's first characters (six at least, as tables show
    them) when exactly one record has them."""
    row = store.get(record_id)
    if row is None and len(record_id) >= 6:
        full = owner_queries.record_by_prefix(store, record_id)
        row = store.get(full) if full else None
    return row


def record_detail(store: Store, record_id: str) -> RecordDetail | None:
    row = find_record(store, record_id)
    if row is None:
        return None
    raw = row.pop("raw", None)
    try:
        raw_text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False) if raw else ""
    except (TypeError, ValueError):
        raw_text = str(raw)
    hidden = owner_queries.hidden_reasons(store, row["id"])
    provenance = {k: row.pop(k, None) for k in PROVENANCE}
    fields = {k: v for k, v in row.items() if v not in (None, "", [], {})}
    return RecordDetail(fields, provenance, raw_text, hidden)


def monthly_counts(store: Store, filters: Filters) -> list[tuple[str, str, int]]:
    """(YYYY-MM, platform, records) for the dated records ``filters`` select."""
    return owner_queries.monthly_platform_counts(store, filters)


def titles_of(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> title, platform and date, for a page citing these records."""
    return owner_queries.record_titles(store, list(ids))
