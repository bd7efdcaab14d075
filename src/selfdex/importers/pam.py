"""Portable AI Memory (PAM v1.0) files: ``memory-store.json`` from any assistant or converter, and selfdex's
own ``selfdex profile export --format pam``.

Each memory becomes a "note" with its words as text, on the platform its provenance names (ChatGPT, Claude,
selfdex…), keeping its PAM type, confidence, validity, tags and — for selfdex's own exports — the record ids
it cites. The memory's ``content_hash`` is checked against the spec's normalisation: a memory whose content
no longer matches its hash was altered after export and is reported, not imported. Retracted memories (the
person invalidated them) are skipped. The same memory imported twice (same platform, same content hash) is
stored once. Memories are streamed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, iter_json_items

_HEAD = re.compile(rb'"schema"\s*:\s*"portable-ai-memory"')
_PLATFORM = re.compile(r"^[a-z0-9_][a-z0-9_.-]*$")


def content_hash(content: str) -> str:
    """PAM §6: trim, lower-case, NFC, collapse runs of spaces, then SHA-256 of the UTF-8."""
    normal = re.sub(r" {2,}", " ", unicodedata.normalize("NFC", content.strip().lower()))
    return "sha256:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()


class PamImporter(Importer):
    name = "pam"
    platform = "pam"
    version = "1"
    description = "Portable AI Memory v1.0 (memory-store.json): memories with provenance, from any assistant"
    handles = ("memory-store.json", "*.json with schema portable-ai-memory")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        return 0.95 if _HEAD.search(entry.head(4096)) else 0.0

    def parse(self, entry: Entry) -> ParseResult:
        for item in iter_json_items(entry, "memories.item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, mem = item
            if not isinstance(mem, dict) or not clean(mem.get("content")):
                yield ImportProblem("memory has no content", entry.path, index=index, excerpt=str(mem)[:200])
                continue
            content = str(mem["content"])
            digest = content_hash(content)
            if mem.get("content_hash") and mem["content_hash"] != digest:
                yield ImportProblem(
                    "content does not match its content_hash: the memory was changed after export",
                    entry.path,
                    index=index,
                    excerpt=content[:200],
                )
                continue
            if mem.get("status") == "retracted":
                yield ImportProblem(
                    "retracted memory: not imported", entry.path, index=index, severity="skipped"
                )
                continue
            provenance = mem.get("provenance") or {}
            temporal = mem.get("temporal") or {}
            confidence = mem.get("confidence") or {}
            metadata = mem.get("metadata") or {}
            platform = str(provenance.get("platform") or "pam").lower()
            if not _PLATFORM.match(platform):
                platform = "pam"
            stamp = parse_iso(str(temporal.get("created_at") or ""))
            extra: dict[str, Any] = {
                "pam_id": mem.get("id"),
                "pam_type": mem.get("custom_type") if mem.get("type") == "custom" else mem.get("type"),
                "content_hash": digest,
                "status": mem.get("status") or "active",
                "confidence": confidence.get("current", confidence.get("initial")),
                "valid_from": temporal.get("valid_from"),
                "valid_until": temporal.get("valid_until"),
                "tags": list(mem.get("tags") or []),
                "provenance": {k: v for k, v in provenance.items() if v is not None},
            }
            if isinstance(metadata.get("citations"), list):
                extra["citations"] = [str(c) for c in metadata["citations"]]
            if metadata.get("selfdex_key"):
                extra["fact_key"] = metadata["selfdex_key"]
            title = clean(mem.get("summary")) or (content if len(content) <= 120 else content[:117] + "…")
            yield Record(
                platform=platform,
                action="noted",
                item=Item(kind="note", title=title, categories=tuple(str(t) for t in mem.get("tags") or ())),
                **stamp_fields(stamp),
                text=content,
                extra={k: v for k, v in extra.items() if v not in (None, [], {})},
                raw=mem,
                provenance=prov(entry, index),
                dedup_key=f"pam:{digest}",
            )
