"""The ``records`` table's columns, derived once from :class:`selfdex.model.Record`.

A column per stored field of the record, its nested item and location flattened in, in the record's
own field order; the names the table has always used where they differ from the field's. Everything
that lists record columns (the insert, the light reads, the gate's grantable fields) takes them from
here, and a test holds the table itself (migration 1, never rewritten) and ``record_row`` to it.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from ..model import Item, Location, Provenance, Record

__all__ = [
    "IDENTITY_COLUMNS",
    "JSON_COLUMNS",
    "LIGHT_COLUMNS",
    "PROVENANCE_COLUMNS",
    "RECORD_COLUMNS",
    "column_sources",
]

# Field path -> column, where the table's name is not the field's (stores already written keep theirs).
_RENAMED = {
    "item.ids": "external_ids",
    "when": "occurred_at",
    "original_tz": "occurred_tz",
    "precision": "time_precision",
    "location.name": "place",
    **{f"provenance.{f.name}": f"source_{f.name}" for f in fields(Provenance)},
}
# Fields the table does not keep: the dedup key only shapes the id; a place's accuracy is not stored.
_NOT_STORED = frozenset({"dedup_key", "location.accuracy_m"})
# Derived values stored beside the field they follow (properties, so not dataclass fields).
_DERIVED_AFTER = {"rating_scale": "rating_norm"}
_NESTED: dict[str, Any] = {"item": Item, "location": Location, "provenance": Provenance}


def _walk(cls: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for f in fields(cls):
        path = prefix + f.name
        if path in _NOT_STORED:
            continue
        nested = _NESTED.get(path)
        if nested is not None and is_dataclass(nested):
            out.extend(_walk(nested, path + "."))
            continue
        out.append((_RENAMED.get(path, f.name), path))
        if f.name in _DERIVED_AFTER:
            out.append((_DERIVED_AFTER[f.name], _DERIVED_AFTER[f.name]))
    return out


def column_sources() -> list[tuple[str, str]]:
    """(column, the ``Record`` attribute path it holds) in table order; ``job_id`` is the store's own.

    The id first; provenance last, after the import bookkeeping, as migration 1 created the table."""
    content = [c for c in _walk(Record) if not c[1].startswith("provenance.")]
    provenance = [c for c in _walk(Record) if c[1].startswith("provenance.")]
    return [("id", "id"), *content, ("job_id", "job_id"), *provenance]


RECORD_COLUMNS: tuple[str, ...] = tuple(c for c, _ in column_sources())
# What says what the record is: always disclosed with it, never a grantable field.
IDENTITY_COLUMNS: tuple[str, ...] = ("id", "platform", "action", "kind")
# Where and how it was imported: for the person's audit, never for a recipient.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "importer",
    "importer_version",
    "job_id",
    *(c for c in RECORD_COLUMNS if c.startswith("source_")),
)
JSON_COLUMNS: tuple[str, ...] = ("creators", "external_ids", "categories", "extra")
# A record as lists show it: everything but the heavy or internal columns.
LIGHT_COLUMNS: str = ", ".join(
    c for c in RECORD_COLUMNS if c not in ("address", "extra", "raw", "importer_version", "job_id")
)
