"""Small parsing helpers shared by importers (numbers, names, provenance)."""

from __future__ import annotations

import html
import re
from typing import Any

from ..archive import Entry
from ..model import Provenance
from ..timeparse import Stamp

_NUM_CLEAN = re.compile(r"[^\d,.\-+eE]")


def prov(
    entry: Entry, index: int | None = None, line: int | None = None, offset: int | None = None
) -> Provenance:
    return Provenance(archive=entry.archive, member=entry.path, index=index, line=line, offset=offset)


def to_float(text: str | float | int | None, *, decimal_comma: bool = False) -> float | None:
    """'1,234.50', '1.234,50' (decimal_comma), '$12.00', '12 €' → float; '' / 'N/A' → None."""
    if text is None:
        return None
    if isinstance(text, int | float):
        return float(text)
    cleaned = _NUM_CLEAN.sub("", text.replace("\u00a0", "").replace("\u2212", "-"))
    if not cleaned or cleaned in "-+.,":
        return None
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def clean(text: str | None) -> str | None:
    """Strip whitespace; empty strings become None."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def split_names(text: str | None, seps: str = r",|;| & ") -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(n.strip() for n in re.split(seps, text) if n.strip())


_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)


def html_to_text(text: str | None) -> str | None:
    """A review written as HTML (``<br/>`` line breaks, entities) as plain text; None when empty."""
    if not text:
        return None
    plain = html.unescape(_TAG.sub("", _BR.sub("\n", text)))
    lines = [line.strip() for line in plain.replace("\r\n", "\n").split("\n")]
    return clean(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)))


def stamp_fields(stamp: Stamp | None) -> dict[str, Any]:
    """``when``, ``original_tz`` and ``precision`` of a Record from a parsed stamp (all None without one)."""
    if stamp is None:
        return {"when": None, "original_tz": None, "precision": None}
    return {"when": stamp.when, "original_tz": stamp.tz, "precision": stamp.precision}
