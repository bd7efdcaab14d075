"""Facebook "Download your information" (JSON): inferred topics, ad interests, page likes, reactions,
searches, ad clicks and off-Meta activity.

Files are recognised by their top-level key, not their name or folder (both change between export
generations; the keys gain ``_v2`` suffixes, which are ignored). Quirks: every string is **mojibake** —
Meta writes the UTF-8 bytes of ``ä`` as the two characters ``\\u00c3\\u00a4`` — undone with
:func:`fix_mojibake`; titles are sentences in the account language (``"… gefällt Pavel Kroegers Link."``)
and are kept as written; times are Unix seconds. Topics and interests have no date.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch
from ._util import clean, prov
from .base import Importer, ParseResult, load_small_json

_VERSION_SUFFIX = re.compile(r"_v\d+$")
# normalised top-level key → what it holds
_KEYS = {
    "topics": "ads_interests",
    "inferred_topics": "topics",
    "page_likes": "page_likes",
    "pages_liked": "page_likes",
    "searches": "searches",
    "off_facebook_activity": "off_meta",
    "history": "ad_clicks",
    "reactions": "reactions",
    "bcts": "ad_categories",
}
# file stems of the activity files above: one of these with an unknown key is a new variant, not noise
_ACTIVITY_STEMS = frozenset(
    {
        "ads_interests",
        "your_topics",
        "pages_you've_liked",
        "likes_and_reactions",
        "your_search_history",
        "your_activity_off_meta_technologies",
        "your_off-facebook_activity",
        "advertisers_you've_interacted_with",
        "other_categories_used_to_reach_you",
    }
)
_NUMBERED = re.compile(r"_\d+$")
_SKIPPED = {
    "ad_categories": "categories advertisers used to reach the account describe the account, not activity",
}


def fix_mojibake(text: str) -> str:
    """Undo Meta's export encoding bug (UTF-8 bytes written as Latin-1 code points); leave other text."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def demojibake(obj: Any) -> Any:
    """:func:`fix_mojibake` applied to every string (keys too) of a parsed JSON document."""
    if isinstance(obj, str):
        return fix_mojibake(obj)
    if isinstance(obj, list):
        return [demojibake(v) for v in obj]
    if isinstance(obj, dict):
        return {fix_mojibake(k): demojibake(v) for k, v in obj.items()}
    return obj


def _top_key(data: Any) -> str | None:
    if isinstance(data, dict) and len(data) == 1:
        return _VERSION_SUFFIX.sub("", next(iter(data)))
    if isinstance(data, list) and data and isinstance(data[0], dict) and "data" in data[0]:
        first = data[0]["data"]
        if isinstance(first, list) and first and isinstance(first[0], dict) and "reaction" in first[0]:
            return "reactions"
    return None


class FacebookImporter(Importer):
    name = "facebook"
    platform = "facebook"
    version = "1"
    description = (
        "Facebook JSON export: topics, ad interests, page likes, reactions, searches, off-Meta activity"
    )
    handles = (
        "logged_information/your_topics/your_topics.json (inferred_topics_v2)",
        "logged_information/other_logged_information/ads_interests.json (topics_v2)",
        "…/pages/pages_you've_liked.json (page_likes_v2)",
        "…/comments_and_reactions/likes_and_reactions_N.json",
        "logged_information/search/your_search_history.json (searches_v2)",
        "apps_and_websites_off_of_facebook/your_activity_off_meta_technologies.json",
        "ads_information/advertisers_you've_interacted_with.json (history_v2)",
        "ads_information/other_categories_used_to_reach_you.json (skipped: not activity)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.text_head(1024).lstrip()
        m = re.match(r'\{\s*"([a-z_]+?)(?:_v\d+)?"\s*:', head)
        if m and m.group(1) in _KEYS:
            return 0.9
        if head.startswith("[") and '"reaction"' in head and '"actor"' in head:
            return 0.9
        if head[:1] in ("{", "[") and any("facebook" in p.lower() for p in entry.parts[:-1]):
            return 0.3  # a Facebook export's JSON in a layout we do not know: parse() says which
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        key = _top_key(data)
        kind = _KEYS.get(key or "")
        if kind is None:
            stem = _NUMBERED.sub("", entry.name.removesuffix(".json").lower())
            shape = f"top-level keys {sorted(data)[:3]}" if isinstance(data, dict) else type(data).__name__
            if stem in _ACTIVITY_STEMS:
                yield ImportProblem(
                    f"Facebook {entry.name} in a layout we do not know ({shape}): unsupported variant",
                    entry.path,
                    severity="unsupported",
                )
            else:
                yield ImportProblem(
                    f"Facebook {entry.name} ({shape}) is account data, not activity we import",
                    entry.path,
                    severity="skipped",
                )
            return
        if kind in _SKIPPED:
            yield ImportProblem(_SKIPPED[kind], entry.path, severity="skipped")
            return
        rows = data if isinstance(data, list) else next(iter(data.values()))
        if not isinstance(rows, list):
            yield ImportProblem(f"{key} is not a list", entry.path, severity="unsupported")
            return
        index = 0
        for row in rows:
            row = demojibake(row)
            try:
                made = list(getattr(self, f"_{kind}")(entry, index, row))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                made = [
                    ImportProblem(
                        f"unexpected {kind} entry: {type(exc).__name__}: {exc}",
                        entry.path,
                        index=index,
                        excerpt=str(row)[:200],
                    )
                ]
            for out in made:
                yield out
                index += 1

    def _record(self, entry: Entry, index: int, raw: Any, **fields: Any) -> Record:
        ts = fields.pop("timestamp", None)
        stamp = from_epoch(ts) if ts is not None else None
        return Record(
            platform=self.platform,
            when=stamp.when if stamp else None,
            original_tz="UTC" if stamp else None,
            precision=stamp.precision if stamp else None,
            raw=raw,
            provenance=prov(entry, index),
            **fields,
        )

    def _topic(self, entry: Entry, index: int, row: Any, source: str) -> ParseResult:
        name = clean(row if isinstance(row, str) else row.get("name"))
        if name is None:
            yield ImportProblem("empty topic", entry.path, index=index)
            return
        yield self._record(
            entry,
            index,
            row,
            action="interested",
            item=Item(kind="topic", title=name),
            extra={"source": source},
        )

    def _ads_interests(self, entry: Entry, index: int, row: Any) -> ParseResult:
        yield from self._topic(entry, index, row, "ads interests")

    def _topics(self, entry: Entry, index: int, row: Any) -> ParseResult:
        yield from self._topic(entry, index, row, "inferred topics")

    def _page_likes(self, entry: Entry, index: int, row: dict[str, Any]) -> ParseResult:
        yield self._record(
            entry,
            index,
            row,
            action="liked",
            item=Item(kind="channel", title=row["name"], categories=("facebook page",), url=row.get("url")),
            timestamp=row.get("timestamp"),
        )

    def _reactions(self, entry: Entry, index: int, row: dict[str, Any]) -> ParseResult:
        reaction: dict[str, Any] = next((d["reaction"] for d in row.get("data") or () if "reaction" in d), {})
        yield self._record(
            entry,
            index,
            row,
            action="liked",
            item=Item(kind="post", title=clean(row.get("title"))),
            timestamp=row["timestamp"],
            extra={"reaction": reaction.get("reaction")} if reaction.get("reaction") else {},
        )

    def _searches(self, entry: Entry, index: int, row: dict[str, Any]) -> ParseResult:
        query = next((clean(d.get("text")) for d in row.get("data") or () if clean(d.get("text"))), None)
        if query is None:
            yield ImportProblem("search without query text", entry.path, index=index, severity="skipped")
            return
        yield self._record(
            entry,
            index,
            row,
            action="searched",
            item=Item(kind="query", title=query),
            timestamp=row["timestamp"],
            extra={"title": row["title"]} if row.get("title") else {},
        )

    def _ad_clicks(self, entry: Entry, index: int, row: dict[str, Any]) -> ParseResult:
        title = clean(row.get("title"))
        yield self._record(
            entry,
            index,
            row,
            action="visited",
            item=Item(
                kind="web_page",
                title=title,
                url=title if title and title.startswith("http") else None,
                categories=("ad",),
            ),
            timestamp=row["timestamp"],
            extra={"via": row.get("action")} if row.get("action") else {},
        )

    def _off_meta(self, entry: Entry, index: int, row: dict[str, Any]) -> ParseResult:
        name = row["name"]
        for event in row.get("events") or ():
            kind = str(event.get("type") or "")
            yield self._record(
                entry,
                index,
                row if len(row.get("events") or ()) == 1 else {"name": name, "event": event},
                action="purchased" if kind == "PURCHASE" else "visited",
                item=Item(kind="web_page", title=name),
                timestamp=event.get("timestamp"),
                extra={"event": kind, "reported_by": "off-Meta activity", "identity": str(event.get("id"))},
            )
            index += 1
