"""Gemini Apps activity in Google Takeout: ``Takeout/My Activity/Gemini Apps/MyActivity.json`` (Bard's, before
2024, has the header "Bard").

It is a My Activity log, but its entries are conversations: ``title`` is "Prompted <what she typed>" and
``safeHtmlItem`` holds Gemini's answer as HTML. Each prompt becomes "messaged" and each answer "received",
as with the ChatGPT and Claude exports; the generic My Activity importer would file them as "viewed". Entries
that are not prompts (feedback, settings, "Used an Assistant feature") are counted in one skipped problem.
Streamed.
"""

from __future__ import annotations

from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, html_to_text, prov, stamp_fields
from .base import Importer, ParseResult, iter_json_items

_HEADERS = (b'"Gemini Apps"', b'"Bard"')
_PROMPTED = ("Prompted ", "Prompted\u00a0")


class GeminiImporter(Importer):
    name = "gemini"
    platform = "gemini"
    version = "1"
    description = "Gemini Apps (and Bard) activity in Google Takeout: your prompts and Gemini's answers"
    handles = ("My Activity/Gemini Apps/MyActivity.json",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.head(4096)
        if b'"header"' in head and any(h in head for h in _HEADERS) and b'"title"' in head:
            return 0.95  # above the generic My Activity importer's 0.85
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        other = 0
        for item in iter_json_items(entry, "item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            if not isinstance(obj, dict):
                yield ImportProblem("activity entry is not an object", entry.path, index=index)
                continue
            title = str(obj.get("title") or "")
            prompt = next((title[len(p) :] for p in _PROMPTED if title.startswith(p)), None)
            if not clean(prompt):
                other += 1
                continue
            stamp = parse_iso(str(obj.get("time") or ""))
            if stamp is None:
                yield ImportProblem(f"unreadable time {obj.get('time')!r}", entry.path, index=index)
                continue
            answer = html_to_text(
                "\n".join(h.get("html") or "" for h in obj.get("safeHtmlItem") or [] if isinstance(h, dict))
            )
            extra: dict[str, Any] = {"product": obj.get("header")}
            if files := [f for f in obj.get("attachedFiles") or [] if isinstance(f, str)]:
                extra["attachments"] = files[:20]
            for action, text in (("messaged", clean(prompt)), ("received", answer)):
                if not text:
                    continue
                yield Record(
                    platform=self.platform,
                    action=action,
                    item=Item(kind="message", title=(clean(prompt) or "")[:120]),
                    **stamp_fields(stamp),
                    text=text,
                    extra={**extra, "role": "user" if action == "messaged" else "assistant"},
                    raw=obj,
                    provenance=prov(entry, index),
                )
        if other:
            yield ImportProblem(
                f"{other} Gemini activity entries that are not prompts (feedback, settings, features): not imported",
                entry.path,
                severity="skipped",
            )
