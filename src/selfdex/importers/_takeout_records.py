"""My Activity entries as records, for both importers that read My Activity files.

Entries whose product is YouTube become ``youtube`` records whichever importer reads them (the YouTube
watch history or My Activity/YouTube), so the two never disagree; every other entry is a ``google``
record of its product.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from ..archive import Entry
from ..model import ImportProblem, Item, Location, Provenance, Record
from ._takeout_activity import (
    YOUTUBE_HEADERS,
    Activity,
    iter_activity_html,
    iter_activity_json,
    query_from_url,
    unwrap_google_url,
)
from ._util import prov, to_float
from .base import ParseResult

# ---- activity → record ----------------------------------------------------------------------------

_COORDS = re.compile(r"(?:center=|q=|@)(-?\d{1,3}\.\d+),\s*(-?\d{1,3}\.\d+)")


def activity_location(act: Activity) -> tuple[Location | None, dict[str, str]]:
    """Where the person was (``locationInfos``), not the place the activity was about."""
    for info in act.locations:
        url = info.get("url")
        m = _COORDS.search(unquote_plus(url)) if isinstance(url, str) else None
        if m:
            extra = {k: info[k] for k in ("name", "source") if isinstance(info.get(k), str)}
            return Location(lat=to_float(m[1]), lon=to_float(m[2])), extra
    return None, {}


def is_youtube(act: Activity) -> bool:
    if act.header is not None:
        return act.header in YOUTUBE_HEADERS
    return "YouTube" in act.products


# verb → action, and the item kind by product (default under None)
_GOOGLE_ACTIONS: dict[str, tuple[str, dict[str | None, str]]] = {
    "searched": ("searched", {None: "query"}),
    "directions": ("searched", {None: "place"}),
    "visited": ("visited", {None: "web_page"}),
    "viewed": ("viewed", {None: "web_page", "Maps": "place", "Google Play Books": "book"}),
    "watched": ("watched", {None: "video", "Google Play Movies & TV": "movie"}),
    "used": ("viewed", {None: "app"}),
    "listened": ("listened", {None: "track", "Podcasts": "podcast", "Google Podcasts": "podcast"}),
    "read": ("read", {None: "web_page", "Google Play Books": "book"}),
    "liked": ("liked", {None: "web_page"}),
    "disliked": ("disliked", {None: "web_page"}),
    "subscribed": ("subscribed", {None: "channel"}),
    "saved": ("saved", {None: "web_page", "Maps": "place"}),
    "commented": ("commented", {None: "post"}),
}


def google_record(act: Activity, provenance: Provenance) -> Record:
    product = act.header or (act.products[0] if act.products else None)
    if product is None and act.title.startswith("Visited view-source:"):
        product = "Chrome"  # some pre-2021 Chrome entries have no header
    url = unwrap_google_url(act.url)
    extra: dict[str, Any] = {}
    if act.verb in _GOOGLE_ACTIONS:
        action, kinds = _GOOGLE_ACTIONS[act.verb]
        kind = kinds.get(product, kinds[None])
        title = act.subject
        if act.verb == "used":
            extra["verb"] = "used"
    else:  # a verb we do not know (or a localized one): keep the whole title
        action, kind, title = ("visited", "web_page", act.title) if url else ("viewed", "topic", act.title)
        extra["verb"] = None
    if action == "searched" and not title:
        title = query_from_url(url)
    if len(act.products) > 1 or (act.products and act.products[0] != product):
        extra["products"] = act.products
    if act.details:
        extra["details"] = act.details
    if act.description:
        extra["description"] = act.description
    if act.subtitles:
        extra["subtitles"] = [name for name, _ in act.subtitles]
    location, where = activity_location(act)
    if where:
        extra["location_source"] = where.get("source") or where.get("name")
    stamp = act.stamp
    return Record(
        platform="google",
        action=action,
        item=Item(kind=kind, title=title, categories=(product,) if product else (), url=url),
        when=stamp.when if stamp else None,
        original_tz=stamp.tz if stamp else None,
        precision=stamp.precision if stamp else None,
        location=location,
        extra=extra,
        raw=act.raw,
        provenance=provenance,
    )


_ADS = "From Google Ads"

_VIDEO_ID = re.compile(r"(?:[?&]v=|youtu\.be/|/shorts/)([\w-]+)")


def video_id(url: str | None) -> str | None:
    """The id in a YouTube watch URL (``watch?v=…``, ``youtu.be/…``, ``/shorts/…``)."""
    m = _VIDEO_ID.search(url) if url and "youtu" in url else None
    return m[1] if m else None


def _channel(subtitles: list[tuple[str, str | None]], music: bool, extra: dict[str, Any]) -> tuple[str, ...]:
    """The video's channel as its creator; the channel id goes into ``extra``."""
    if not subtitles:
        return ()
    name, url = subtitles[0]
    if music:
        name = name.removesuffix(" - Topic")  # auto-generated artist channels
    if url and "/channel/" in url:
        extra["channel_id"] = url.rsplit("/channel/", 1)[1].split("/", 1)[0]
    return (name,) if name else ()


# What one YouTube entry stands for: (action, item, text) or None when it names nothing to keep.
_YouTubeReading = tuple[str, Item, str | None] | None


def _youtube_search(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    item = Item("query", act.subject if act.verb else query_from_url(act.url) or act.subject, url=act.url)
    return "searched", item, None


def _youtube_video(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    url, verb, vid = act.url, act.verb, video_id(act.url)
    title = act.subject
    if not url:  # "Watched a video that has been removed"
        title = None
        extra["removed"] = True
    elif title is not None and title.startswith(("http://", "https://")):
        title = None  # gone private or deleted since: the export shows the link instead of a title
        extra["unavailable"] = True
    creators = _channel(act.subtitles, music, extra)
    action = verb if verb in ("liked", "disliked", "saved") else "listened" if music else "watched"
    ids = {"youtube": vid} if vid else {}
    categories = ("YouTube Music",) if music else ()
    return action, Item("track" if music else "video", title, creators, ids, categories, url), None


def _youtube_post(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    post = (act.subject or "").strip()
    first = next((line.strip() for line in post.splitlines() if line.strip()), None)
    item = Item("post", first, _channel(act.subtitles, music, extra), url=act.url)
    return "viewed", item, post if post and post != first else None


def _youtube_subscription(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    return "subscribed", Item("channel", act.subject, url=act.url), None


def _youtube_page(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    if act.verb is None:
        extra["verb"] = None
    action = "visited" if act.verb in (None, "visited") else "viewed"
    return action, Item("web_page", act.subject, url=unwrap_google_url(act.url)), None


def _youtube_nothing(act: Activity, music: bool, extra: dict[str, Any]) -> _YouTubeReading:
    return None


def _youtube_reader(act: Activity) -> Callable[[Activity, bool, dict[str, Any]], _YouTubeReading]:
    """Which reading an entry gets, by its verb and link (first match wins)."""
    url, verb = act.url, act.verb
    if verb == "searched" or (verb is None and url and "search_query=" in url):
        return _youtube_search
    if (video_id(url) and verb in (None, "watched", "liked", "disliked", "saved")) or (
        verb == "watched" and not url
    ):
        return _youtube_video
    if url and "/post/" in url:
        return _youtube_post
    if verb == "subscribed":
        return _youtube_subscription
    return _youtube_page if url else _youtube_nothing


def youtube_record(act: Activity, provenance: Provenance) -> Record | ImportProblem:
    """A record for a YouTube My Activity entry (watch or search history, or My Activity/YouTube)."""
    url = act.url
    music = act.header == "YouTube Music" or (url is not None and "music.youtube.com" in url)
    extra: dict[str, Any] = {}
    if act.details and _ADS in act.details:
        extra["ad"] = True
    reading = _youtube_reader(act)(act, music, extra)
    if reading is None:
        return ImportProblem(
            f"YouTube activity with no video or link is not imported: {act.title[:80]!r}",
            provenance.member,
            index=provenance.index,
            offset=provenance.offset,
            severity="skipped",
        )
    action, item, text = reading
    stamp = act.stamp
    return Record(
        platform="youtube",
        action=action,
        item=item,
        when=stamp.when if stamp else None,
        original_tz=stamp.tz if stamp else None,
        precision=stamp.precision if stamp else None,
        text=text,
        extra=extra,
        raw=act.raw,
        provenance=provenance,
    )


def activity_record(act: Activity, provenance: Provenance) -> Record | ImportProblem:
    """The record for any My Activity entry: YouTube's own entries go through the YouTube reading."""
    if is_youtube(act):
        return youtube_record(act, provenance)
    return google_record(act, provenance)


def parse_activity_file(entry: Entry) -> ParseResult:
    """Records for a My Activity JSON or HTML file (shared with the YouTube importer)."""
    if entry.suffix == ".html":
        for item in iter_activity_html(entry):
            if isinstance(item, ImportProblem):
                yield item
            else:
                index, offset, act = item
                yield activity_record(act, prov(entry, index, offset=offset))
        return
    for jitem in iter_activity_json(entry):
        if isinstance(jitem, ImportProblem):
            yield jitem
        else:
            index, act = jitem
            yield activity_record(act, prov(entry, index))
