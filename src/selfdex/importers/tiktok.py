"""TikTok "Download your data" in JSON: ``user_data_tiktok.json`` (2024+) or ``user_data.json`` (older).

One big JSON object whose section names drift between versions: ``Activity`` became ``Your Activity``,
``Video Browsing History`` became ``Watch History``, likes moved to ``Likes and Favorites``, and newer files
write ``date``/``link`` in lower case. So we do not hard-code paths: one streaming pass finds every array in
the document, and each is classified by the names of its section and list (``Like List.ItemFavoriteList``,
``Search History.SearchList``, ``Chat History with <user>:``…). Each array is then streamed on its own,
so memory stays bounded on a 100 MB file. Times are UTC (``2024-03-05 19:22:41``). Watched and liked videos
have no title in the export, only a link; the video id is kept.

The TXT variant (``Activity/Video Browsing History.txt``, ``Searches.txt``…) writes blocks of ``Label: value``
lines whose labels follow the account's language (``Datum:``, ``Fecha:``); each block opens with its date,
so blocks are read by position and by what the values look like, not by label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import ijson

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, iter_json_items

_FILES = ("user_data_tiktok.json", "user_data.json")
# The TXT export (one file per list, "Date: …" blocks); the labels inside follow the account's language
# ("Datum:", "Fecha:"), so blocks are read by what the values look like, not by their labels.
_TXT_FILES: dict[str, tuple[str, str]] = {
    "video browsing history.txt": ("watched", "video"),
    "browsing history.txt": ("watched", "video"),
    "watch history.txt": ("watched", "video"),
    "like list.txt": ("liked", "video"),
    "favorite videos.txt": ("saved", "video"),
    "searches.txt": ("searched", "query"),
    "search history.txt": ("searched", "query"),
    "following.txt": ("followed", "channel"),
    "comments.txt": ("commented", "post"),
}
_TXT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_VIDEO_ID = re.compile(r"/(?:video|v)/(\d{8,})")
# (section name, list name) → (action, kind); names compared lower-case, the list name may be "*".
_LISTS: dict[tuple[str, str], tuple[str, str]] = {
    ("video browsing history", "videolist"): ("watched", "video"),
    ("watch history", "videolist"): ("watched", "video"),
    ("like list", "itemfavoritelist"): ("liked", "video"),
    ("favorite videos", "favoritevideolist"): ("saved", "video"),
    ("favorite videos", "itemfavoritelist"): ("saved", "video"),
    ("search history", "searchlist"): ("searched", "query"),
    ("searches", "searchlist"): ("searched", "query"),
    ("following list", "following"): ("followed", "channel"),
    ("following", "following"): ("followed", "channel"),
    ("comments", "commentslist"): ("commented", "post"),
    ("videos", "videolist"): ("posted", "video"),
    ("posts", "videolist"): ("posted", "video"),
    ("favorite hashtags", "favoritehashtaglist"): ("interested", "topic"),
    ("favorite sounds", "favoritesoundlist"): ("saved", "track"),
}


def _field(obj: dict[str, Any], *names: str) -> Any:
    """A value by any of its spellings ("Date", "date"; "Link", "link", "VideoLink"…)."""
    lowered = {k.lower(): v for k, v in obj.items()}
    for name in names:
        if name in lowered and lowered[name] not in (None, ""):
            return lowered[name]
    return None


def _arrays(entry: Entry) -> Iterator[str]:
    """ijson prefixes of every array of objects nested at most six levels deep."""
    with entry.open() as fh:
        for prefix, event, _ in ijson.parse(fh):
            if event == "start_array" and prefix and prefix.count(".") <= 5:
                yield prefix


def _classify(prefix: str) -> tuple[str, str] | None:
    if ".chat history with " in prefix.lower():  # the user name after it may hold dots
        return "messaged", "message"
    parts = [p.lower() for p in prefix.split(".")]
    if len(parts) >= 2 and (parts[-2], parts[-1]) in _LISTS:
        return _LISTS[(parts[-2], parts[-1])]
    return None


class TikTokImporter(Importer):
    name = "tiktok"
    platform = "tiktok"
    version = "1"
    description = "TikTok JSON export: watch history, likes, favourites, searches, comments, posts, DMs"
    handles = (*_FILES, "Activity/Video Browsing History.txt …")

    def recognize(self, entry: Entry) -> float:
        if entry.name.lower() in _TXT_FILES:
            first = entry.text_head(512).lstrip().split("\n", 1)[0]
            label, _, value = first.partition(":")
            return 0.85 if label and _TXT_DATE.match(value.strip()) else 0.0
        if entry.name.lower() not in _FILES:
            return 0.0
        head = entry.head(8192)
        if any(
            k in head for k in (b'"Activity"', b'"Your Activity"', b'"Profile"', b'"Video"', b'"Comment"')
        ):
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.name.lower() in _TXT_FILES:
            yield from self._txt(entry, *_TXT_FILES[entry.name.lower()])
            return
        try:
            prefixes = list(dict.fromkeys(_arrays(entry)))
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
            yield ImportProblem(f"invalid JSON: {str(exc).splitlines()[0][:200]}", entry.path)
            prefixes = []  # arrays found before the break are lost with it; report once
        for prefix in prefixes:
            cls = _classify(prefix)
            if cls is None:
                continue
            action, kind = cls
            section = (
                "Chat History"
                if kind == "message"
                else prefix.rsplit(".", 2)[-2]
                if "." in prefix
                else prefix
            )
            for item in iter_json_items(entry, prefix + ".item"):
                if isinstance(item, ImportProblem):
                    yield item
                    continue
                index, obj = item
                out = self._record(entry, prefix, section, index, obj, action, kind)
                if out is not None:
                    yield out

    def _record(
        self, entry: Entry, prefix: str, section: str, index: int, obj: Any, action: str, kind: str
    ) -> Record | ImportProblem | None:
        if not isinstance(obj, dict):
            return ImportProblem(
                f"{section} entry is not an object", entry.path, index=index, excerpt=str(obj)[:200]
            )
        date_text = _field(obj, "date", "time", "createtime")
        stamp = parse_iso(str(date_text), "UTC") if date_text else None
        if date_text and stamp is None:
            return ImportProblem(f"unreadable date {date_text!r} in {section}", entry.path, index=index)
        link = clean(_field(obj, "link", "videolink", "url"))
        ids: dict[str, str] = {}
        if link and (m := _VIDEO_ID.search(link)):
            ids["tiktok"] = m.group(1)
        text = None
        title: str | None = None
        creators: tuple[str, ...] = ()
        extra: dict[str, Any] = {"section": section}
        if kind == "query":
            title = clean(_field(obj, "searchterm", "search term"))
            if not title:
                return None
        elif kind == "channel":
            title = clean(_field(obj, "username", "user name"))
            if not title:
                return None
            link = link or f"https://www.tiktok.com/@{title}"
        elif kind == "post":
            text = clean(_field(obj, "comment", "comments"))
            if not text:
                return None
        elif kind == "message":
            sender = clean(_field(obj, "from"))
            creators = (sender,) if sender else ()
            text = clean(_field(obj, "content"))
            at = prefix.lower().find(".chat history with ")
            title = prefix[at + len(".chat history with ") :].rstrip(":") or None
            extra["chat"] = title
        elif kind == "topic":
            title = clean(_field(obj, "hashtagname", "hashtag name", "link"))
        elif kind == "track":
            title = clean(_field(obj, "link"))
        elif action == "posted":
            text = clean(_field(obj, "title", "caption", "desc"))
            if likes := _field(obj, "likes"):
                extra["likes"] = likes
        return Record(
            platform=self.platform,
            action=action,
            item=Item(kind=kind, title=title, creators=creators, ids=ids, url=link),
            **stamp_fields(stamp),
            text=text,
            extra=extra,
            raw=obj,
            provenance=prov(entry, index),
        )

    def _txt(self, entry: Entry, action: str, kind: str) -> ParseResult:
        """Blank-line separated blocks of ``Label: value`` lines, the first one the date."""
        section = entry.name.rsplit(".", 1)[0]
        block: dict[str, str] = {}
        start = index = 0
        with entry.open_text() as fh:
            for number, raw in enumerate([*fh, ""], start=1):
                line = raw.strip()
                if line and ":" in line:
                    label, _, value = line.partition(":")
                    if not block:
                        start = number
                    block[label.strip().lower()] = value.strip()
                    continue
                if not block:
                    continue
                # every block opens with its date, whatever the label is called
                date_text, *values = list(block.values())
                link = next((v for v in values if v.startswith("http")), None)
                other = next((v for v in values if v != link), None)
                obj: dict[str, Any] = {"date": date_text, "link": link, "raw": dict(block)}
                if kind == "query":
                    obj["searchterm"] = other
                elif kind == "channel":
                    obj["username"] = other
                elif kind == "post":
                    obj["comment"] = other
                out = self._record(entry, section, section, index, obj, action, kind)
                if isinstance(out, Record) and out.provenance is not None:
                    out.provenance.line = start
                if isinstance(out, ImportProblem):
                    out.line = start
                if out is not None:
                    yield out
                index += 1
                block = {}
