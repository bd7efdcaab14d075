"""A portable profile to take to any assistant: Portable AI Memory (PAM v1.0) or a paste-ready text block.

Both are made from the gate's answer to a profile request under a grant, so they hold exactly what that
recipient may see (its platforms, its level, redaction), and a real export is audited like any other
disclosure; a preview (by grant name) shows the same content and discloses nothing. The PAM file follows
spec v1.0 (``memory-store.json``): one memory per profile fact, with its confidence (the fact's score over the strongest shared one's),
validity (until the grant expires: after that the recipient should not keep it), provenance and the
spec's normalised content hash; at the ``raw`` level each memory also carries the record ids it cites,
which ``selfdex import`` keeps when the file comes back.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from typing import Any

import orjson

from .. import __version__
from ..gate import Disclosure, Grant
from ..importers.pam import content_hash

SPEC_URI = "https://portable-ai-memory.org/spec/v1.0"
EXPORTER = f"selfdex/{__version__}"
# Fact kinds → PAM's closed taxonomy; anything else is a "preference" (a taste seen in the data).
_TYPES = {"routine": "context", "pinned": "instruction", "note": "instruction"}
_TAG = re.compile(r"[^a-z0-9_-]+")


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _tag(text: str) -> str | None:
    tag = _TAG.sub("-", text.lower()).strip("-_")
    return tag or None


def to_pam(disclosure: Disclosure, grant: Grant, now: datetime) -> dict[str, Any]:
    facts = disclosure.payload.get("facts") or []
    # PAM confidence is 0–1; a fact's score is unbounded evidence, so it is scaled by the strongest shared
    strongest = max((float(f.get("score") or 0.0) for f in facts), default=0.0) or 1.0
    memories = []
    for fact in facts:
        label = str(fact["label"])
        metadata: dict[str, Any] = {
            "domain": fact.get("domain"),
            "selfdex_key": fact["key"],
            "selfdex_kind": fact.get("kind"),
            "selfdex_score": fact.get("score"),
            "platforms": list(fact.get("platforms") or []),
            "selfdex_grant": {
                "name": grant.name,
                "level": grant.scope.level,
                "audit_seq": disclosure.audit_seq,
            },
        }
        if fact.get("citations") is not None:
            metadata["citations"] = list(fact["citations"])
        memories.append(
            {
                "id": "selfdex-" + hashlib.sha256(str(fact["key"]).encode()).hexdigest()[:24],
                "type": _TYPES.get(str(fact.get("kind")), "preference"),
                "custom_type": None,
                "status": "active",
                "content": label,
                "content_hash": content_hash(label),
                "summary": None,
                "tags": sorted({t for p in fact.get("platforms") or [] if (t := _tag(str(p)))}),
                "confidence": {
                    "initial": round(float(fact.get("score") or 0.0) / strongest, 4),
                    "current": round(float(fact.get("score") or 0.0) / strongest, 4),
                    "decay_model": "none",
                    "last_reinforced": None,
                },
                "temporal": {
                    "created_at": _iso(now),
                    "updated_at": None,
                    "valid_from": None,
                    "valid_until": grant.expires_at,
                    "superseded_by": None,
                },
                "provenance": {
                    "platform": "selfdex",
                    "platform_user_id": None,
                    "conversation_ref": None,
                    "message_ref": None,
                    "extraction_method": "api_export",
                    "extracted_at": _iso(now),
                    "extractor": EXPORTER,
                },
                "access": {
                    "visibility": "shared",
                    "exportable": True,
                    "shared_with": [{"entity": grant.name, "permissions": ["read"]}],
                },
                "metadata": metadata,
            }
        )
    canonical = orjson.dumps(memories, option=orjson.OPT_SORT_KEYS)
    return {
        "schema": "portable-ai-memory",
        "schema_version": "1.0",
        "spec_uri": SPEC_URI,
        "export_id": str(uuid.uuid4()),
        "exported_by": EXPORTER,
        "export_date": _iso(now),
        "owner": {"id": f"selfdex:{grant.name}"},
        "memories": memories,
        "export_type": "full",
        "integrity": {
            # orjson's sorted, compact output: RFC 8785 for the strings, ints and plain floats written here
            "canonicalization": "RFC8785",
            "checksum": "sha256:" + hashlib.sha256(canonical).hexdigest(),
            "total_memories": len(memories),
        },
    }


def to_text(disclosure: Disclosure, grant: Grant, now: datetime) -> str:
    """A block to paste into an assistant's "memory" or "custom instructions" box."""
    facts = disclosure.payload.get("facts") or []
    lines = [
        f"What I'd like you to know about me (from my own data exports, shared with {grant.name} on "
        f"{now:%Y-%m-%d}; please forget it after {grant.expires_at[:10]}):",
    ]
    for fact in facts:
        platforms = ", ".join(fact.get("platforms") or [])
        lines.append(f"- {fact['label']}" + (f" (seen on {platforms})" if platforms else ""))
    if len(lines) == 1:
        lines.append("- (nothing this grant lets through)")
    return "\n".join(lines) + "\n"
