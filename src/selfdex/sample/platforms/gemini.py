"""Gemini Apps activity in her Google Takeout (the same ``takeout-…-001.zip``):
``Takeout/My Activity/Gemini Apps/MyActivity.json`` — "Prompted …" titles, Gemini's answers as HTML in
``safeHtmlItem``, and entries that are not prompts (feedback, a feature used)."""

from __future__ import annotations

import json
from pathlib import Path

from ..person import Person

BUNDLE = "takeout-20250701T120000Z-001.zip"

_ENTRIES = (
    (
        "2025-03-02T09:14:03.512Z",
        "Prompted translate 'Lisan al-Gaib' and where it comes from",
        "<p>It is Fremen for <b>the voice from the outer world</b>, Herbert&#39;s borrowing from Arabic.</p>",
    ),
    (
        "2025-04-18T06:40:27.001Z",
        "Prompted onigiri that keep without a fridge on a long run",
        "<p>Umeboshi or salted salmon; wrap the nori separately.</p>",
    ),
    ("2025-04-18T06:41:00.000Z", "Gave feedback: Good response", None),
)


def write(person: Person, root: Path) -> None:
    items = []
    for when, title, html in _ENTRIES:
        item: dict[str, object] = {
            "header": "Gemini Apps",
            "title": title,
            "time": when,
            "products": ["Gemini Apps"],
            "activityControls": ["Gemini Apps Activity"],
        }
        if html:
            item["safeHtmlItem"] = [{"html": html}]
        items.append(item)
    path = root / "Takeout" / "My Activity" / "Gemini Apps" / "MyActivity.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Gson's writer: two-space indent, '=' and '&' and "'" escaped
    text = json.dumps(items, indent=2, ensure_ascii=False)
    path.write_text(
        text.replace("'", "\\u0027").replace("&", "\\u0026").replace("=", "\\u003d"), encoding="utf-8"
    )
