"""Instagram "Download your information" (JSON): likes, saved posts, topics, posts/videos/ads seen,
link history and off-Meta activity, in both schema generations.

* 2024 ``string_list_data``: ``{"likes_media_likes": [{title, string_list_data: [{href, value,
  timestamp}]}]}``; saved posts and topics use ``string_map_data`` (``{"Saved on": {href, timestamp}}``).
  The top-level key says what the file holds.
* 2025/26 ``label_values``: a top-level array of ``{timestamp, label_values: [{label, value, href} |
  {label, timestamp_value} | {title, dict: […]}], fbid}``; the schema is generic, so the file name says
  what it holds.

Every string is **mojibake** (UTF-8 bytes written as Latin-1 escapes, ``\\u00e2\\u0080\\u0099`` for ``’``),
fixed with :func:`~selfdex.importers.facebook.fix_mojibake`. Timestamps are Unix seconds; 0 means none.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch
from ._util import clean, prov
from .base import Importer, ParseResult, load_small_json
from .facebook import demojibake

# 2024 top-level key → (action, kind, extra)
_KEYS_2024: dict[str, tuple[str, str, dict[str, Any]]] = {
    "likes_media_likes": ("liked", "post", {}),
    "likes_comment_likes": ("liked", "post", {"target": "comment"}),
    "saved_saved_media": ("saved", "post", {}),
    "saved_saved_collections": ("saved", "post", {}),
    "topics_your_topics": ("interested", "topic", {"source": "your topics"}),
    "impressions_history_posts_seen": ("viewed", "post", {}),
    "impressions_history_videos_watched": ("watched", "video", {}),
    "impressions_history_ads_seen": ("viewed", "post", {"ad": True}),
    "impressions_history_ads_clicked": ("visited", "post", {"ad": True}),
}
_NOT_ACTIVITY_2024 = {
    "ig_custom_audiences_all_types": "advertisers holding the account's data: not activity",
    "inferred_data_primary_location": "inferred location: not activity",
}
# 2026 file stem → (action, kind)
_STEMS_2026: dict[str, tuple[str, str]] = {
    "liked_posts": ("liked", "post"),
    "liked_comments": ("liked", "post"),
    "saved_posts": ("saved", "post"),
    "posts_viewed": ("viewed", "post"),
    "videos_watched": ("watched", "video"),
    "ads_viewed": ("viewed", "post"),
    "link_history": ("visited", "web_page"),
    "your_activity_off_meta_technologies": ("visited", "web_page"),
    "see_less_topics": ("disliked", "topic"),
    "see_more_topics": ("interested", "topic"),
    "your_topics": ("interested", "topic"),
}
_INSTAGRAM_FOLDERS = {
    "your_instagram_activity",
    "apps_and_websites_off_of_instagram",
    "logged_information",
    "preferences",
    "ads_information",
    "connections",
}


# 2024 file stems of the activity files (their names stayed when the schema changed)
_ACTIVITY_STEMS_2024 = frozenset(
    {"liked_posts", "liked_comments", "saved_posts", "saved_collections", "your_topics", "posts_viewed",
     "videos_watched", "ads_viewed", "ads_clicked"}
)  # fmt: skip


def _in_instagram_export(entry: Entry) -> bool:
    folders = [p.lower() for p in entry.parts[:-1]]
    return any("instagram" in f for f in folders) and not any("facebook" in f for f in folders)


def _human_time(text: str | None) -> datetime | None:
    """``May 07, 2026 7:26:55pm`` (no zone: only used for durations)."""
    if not text:
        return None
    try:
        return datetime.strptime(text.upper(), "%b %d, %Y %I:%M:%S%p")
    except ValueError:
        return None


def _labels(items: list[Any]) -> dict[str, Any]:
    """label_values → {label: value | timestamp | [nested dicts]} (nested "dict" lists keep their title)."""
    out: dict[str, Any] = {}
    for lv in items or ():
        if not isinstance(lv, dict):
            continue
        if "dict" in lv:
            out[lv.get("title") or ""] = [
                _labels(d.get("dict") or []) for d in lv["dict"] if isinstance(d, dict)
            ]
        elif "vec" in lv:
            out[lv.get("label") or ""] = [
                _labels(d.get("dict") or []) for d in lv["vec"] if isinstance(d, dict)
            ]
        elif "timestamp_value" in lv:
            out[lv.get("label") or ""] = lv["timestamp_value"]
        else:
            out[lv.get("label") or ""] = (
                lv.get("value") if lv.get("value") not in (None, "") else lv.get("href")
            )
    return out


class InstagramImporter(Importer):
    name = "instagram"
    platform = "instagram"
    version = "1"
    description = "Instagram JSON export (2024 string_list_data and 2025+ label_values schemas)"
    handles = (
        "your_instagram_activity/likes/liked_posts.json, liked_comments.json",
        "your_instagram_activity/saved/saved_posts.json",
        "preferences/your_topics/*.json",
        "ads_information/ads_and_topics/{posts_viewed,videos_watched,ads_viewed}.json",
        "logged_information/link_history/link_history.json",
        "apps_and_websites_off_of_instagram/apps_and_websites/your_activity_off_meta_technologies.json",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.text_head(1024).lstrip()
        m = re.match(r'\{\s*"([a-z_]+)"\s*:', head)
        if m and (m.group(1) in _KEYS_2024 or m.group(1) in _NOT_ACTIVITY_2024):
            return 0.9
        if head.startswith("[") and '"label_values"' in head:
            folders = {p.lower() for p in entry.parts}
            if "facebook" in " ".join(folders) and not folders & {"your_instagram_activity"}:
                return 0.0
            stem = entry.name.removesuffix(".json").lower()
            return 0.9 if stem in _STEMS_2026 or folders & _INSTAGRAM_FOLDERS else 0.6
        if head[:1] in ("{", "[") and _in_instagram_export(entry):
            return 0.3  # an Instagram export's JSON in a layout we do not know: parse() says which
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        data = demojibake(data)
        if isinstance(data, dict) and len(data) == 1:
            key, rows = next(iter(data.items()))
            if key in _NOT_ACTIVITY_2024:
                yield ImportProblem(_NOT_ACTIVITY_2024[key], entry.path, severity="skipped")
                return
            if key in _KEYS_2024 and isinstance(rows, list):
                yield from self._rows_2024(entry, rows, *_KEYS_2024[key])
                return
        if isinstance(data, list):
            stem = entry.name.removesuffix(".json").lower()
            if stem in _STEMS_2026:
                yield from self._rows_2026(entry, data, stem)
            else:
                yield ImportProblem(
                    f"Instagram {stem} (label_values schema) is not imported",
                    entry.path,
                    severity="skipped",
                )
            return
        stem = entry.name.removesuffix(".json").lower()
        shape = f"top-level keys {sorted(data)[:3]}" if isinstance(data, dict) else type(data).__name__
        if stem in _STEMS_2026 or stem in _ACTIVITY_STEMS_2024:
            yield ImportProblem(
                f"Instagram {stem}.json in a layout we do not know ({shape}): unsupported variant",
                entry.path,
                severity="unsupported",
            )
        else:
            yield ImportProblem(
                f"Instagram {stem}.json ({shape}) is account data, not activity we import",
                entry.path,
                severity="skipped",
            )

    def _record(
        self,
        entry: Entry,
        index: int,
        raw: Any,
        action: str,
        item: Item,
        ts: Any,
        extra: dict[str, Any],
        **fields: Any,
    ) -> Record:
        stamp = from_epoch(ts) if ts else None
        return Record(
            platform=self.platform,
            action=action,
            item=item,
            when=stamp.when if stamp else None,
            original_tz="UTC" if stamp else None,
            precision=stamp.precision if stamp else None,
            extra=extra,
            raw=raw,
            provenance=prov(entry, index),
            **fields,
        )

    def _rows_2024(
        self, entry: Entry, rows: list[Any], action: str, kind: str, extra: dict[str, Any]
    ) -> ParseResult:
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                yield ImportProblem("entry is not an object", entry.path, index=index, excerpt=str(row)[:200])
                continue
            title = clean(row.get("title"))
            href = ts = value = None
            for cell in row.get("string_list_data") or ():
                href, ts, value = (
                    cell.get("href") or href,
                    cell.get("timestamp") or ts,
                    cell.get("value") or value,
                )
            for label, cell in (row.get("string_map_data") or {}).items():
                href, ts = cell.get("href") or href, cell.get("timestamp") or ts
                if label in ("Name", "Author", "Username") and cell.get("value"):
                    value = cell["value"]
            if kind == "topic":
                if not value:
                    yield ImportProblem("topic without a name", entry.path, index=index)
                    continue
                item = Item(kind="topic", title=value)
            else:
                owner = title or (value if action in ("viewed", "watched") else None)
                item = Item(kind=kind, creators=(owner,) if owner else (), url=clean(href))
            if item.url is None and not item.creators and kind != "topic":
                yield ImportProblem("entry without a post or an author", entry.path, index=index)
                continue
            yield self._record(entry, index, row, action, item, ts, dict(extra))

    def _rows_2026(self, entry: Entry, rows: list[Any], stem: str) -> ParseResult:
        action, kind = _STEMS_2026[stem]
        index = 0
        for row in rows:
            if not isinstance(row, dict):
                yield ImportProblem("entry is not an object", entry.path, index=index, excerpt=str(row)[:200])
                index += 1
                continue
            labels = _labels(row.get("label_values") or [])
            if stem == "your_activity_off_meta_technologies":
                for event in labels.get("Events") or [{}]:
                    yield self._record(
                        entry,
                        index,
                        row,
                        "purchased" if event.get("Event") == "PURCHASE" else "visited",
                        Item(kind="web_page", title=clean(row.get("title"))),
                        event.get("Received on"),
                        {
                            "event": event.get("Event"),
                            "reported_by": "off-Meta activity",
                            "identity": event.get("ID"),
                        },
                    )
                    index += 1
                continue
            if kind == "topic":
                names = [t.get("Name") for t in labels.get("Topics") or [] if t.get("Name")]
                if not names:
                    yield ImportProblem(
                        "topic update without topics", entry.path, index=index, severity="skipped"
                    )
                    index += 1
                for name in names:
                    yield self._record(
                        entry, index, row, action, Item(kind="topic", title=name), row.get("timestamp"), {}
                    )
                    index += 1
                continue
            if stem == "link_history":
                start = _human_time(labels.get("Website session start time"))
                end = _human_time(labels.get("Website session end time"))
                yield self._record(
                    entry,
                    index,
                    row,
                    action,
                    Item(
                        kind="web_page",
                        title=clean(labels.get("Title of website page that you visited")),
                        url=clean(labels.get("Website link that you visited")),
                    ),
                    row.get("timestamp"),
                    {"via": "Instagram in-app browser"},
                    duration_s=(end - start).total_seconds() if start and end and end >= start else None,
                )
                index += 1
                continue
            owner = (labels.get("Owner") or [{}])[0]
            creator = (
                clean(owner.get("Username")) or clean(labels.get("Author")) or clean(labels.get("Username"))
            )
            hashtags = tuple(h["Name"] for h in labels.get("Hashtags") or [] if h.get("Name"))
            caption = clean(labels.get("Caption"))
            extra: dict[str, Any] = {"fbid": row["fbid"]} if row.get("fbid") else {}
            if owner.get("Name"):
                extra["owner_name"] = owner["Name"]
            yield self._record(
                entry,
                index,
                row,
                action,
                Item(
                    kind=kind,
                    title=clean(labels.get("Title")),
                    creators=(creator,) if creator else (),
                    categories=hashtags,
                    url=clean(labels.get("URL")),
                ),
                row.get("timestamp"),
                extra,
                text=caption,
            )
            index += 1
