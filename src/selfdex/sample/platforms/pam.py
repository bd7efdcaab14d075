"""Her ChatGPT memories converted to Portable AI Memory v1.0 by a third-party tool (``memory-store.json``):
the spec's root, memories with types, confidence, validity, provenance and normalised content hashes, one
retracted memory, and a relation."""

from __future__ import annotations

import json
from pathlib import Path

from ...importers.pam import content_hash
from ..person import Person

BUNDLE = "pam-chatgpt-memories"

_MEMORIES = (
    ("preference", "Prefers metric units and 24-hour times.", "active", 1.0),
    (
        "project",
        "Is reading Frank Herbert's Dune series in order; currently Children of Dune.",
        "active",
        0.9,
    ),
    ("goal", "Training for a 30 km trail race in the Grunewald.", "active", 0.85),
    ("preference", "Likes Japanese home cooking, especially onigiri.", "active", 0.8),
    ("fact", "Lives in Hamburg.", "retracted", 0.4),  # wrong, and she said so
)


def write(person: Person, root: Path) -> None:
    memories = []
    for n, (kind, content, status, confidence) in enumerate(_MEMORIES, start=1):
        memories.append(
            {
                "id": f"mem-{n:03d}",
                "type": kind,
                "custom_type": None,
                "status": status,
                "content": content,
                "content_hash": content_hash(content),
                "tags": ["chatgpt-memory"],
                "confidence": {"initial": confidence, "current": confidence, "decay_model": "none"},
                "temporal": {
                    "created_at": f"2025-0{n}-10T09:00:00Z",
                    "valid_from": None,
                    "valid_until": None,
                },
                "provenance": {
                    "platform": "chatgpt",
                    "extraction_method": "browser_extraction",
                    "extractor": "pam-converter/1.0.0",
                },
            }
        )
    doc = {
        "schema": "portable-ai-memory",
        "schema_version": "1.0",
        "spec_uri": "https://portable-ai-memory.org/spec/v1.0",
        "exported_by": "pam-converter/1.0.0",
        "export_date": "2025-06-30T20:00:00Z",
        "owner": {"id": person.username},
        "memories": memories,
        "relations": [
            {"id": "rel-001", "from": "mem-003", "to": "mem-001", "type": "related_to", "confidence": 0.5}
        ],
    }
    (root / "memory-store.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
