"""Spotify "Download your data": Account data (``my_spotify_data.zip`` → ``Spotify Account Data/``, older
``MyData/``) and the Extended streaming history (``Spotify Extended Streaming History/``).

Quirks:

* Account-data ``StreamingHistory*.json``: ``endTime`` is ``YYYY-MM-DD HH:MM`` in UTC, minute precision, the
  *end* of playback. Since 2023 music, podcasts and audiobooks come in separate files
  (``StreamingHistory_music_N.json`` …); before, podcasts were mixed into ``StreamingHistoryN.json`` with the
  show in ``artistName``, indistinguishable from music (imported as tracks).
* Extended history (``endsong_N.json`` ≤ 2022, ``Streaming_History_Audio_*.json`` / ``…Video_*.json`` 2023+):
  ``ts`` is ISO-8601 UTC, the *end* of the stream; files overlap and are not sorted. ``skipped`` is null in
  old files. IP addresses, user agent and username are dropped from ``raw``: sensitive, and no use here.
  ``when`` is always the timestamp Spotify wrote (the end of playback), so it matches ``raw``.
* ``SearchQueries.json``: ``searchTime`` is ``2024-07-09T00:58:09.683Z[UTC]`` (Java ZonedDateTime), and the
  search box logs every pause while typing, so prefixes of one query come as separate searches.
* ``YourLibrary.json`` and ``Inferences.json`` carry no dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ._util import clean, prov
from .base import SMALL_JSON_BYTES, Importer, ParseResult, iter_json_items, load_small_json

# A play shorter than this counts as a skip, whatever the ``skipped`` flag says (Last.fm's scrobble rule).
SKIP_MS = 30_000
_DROP_FROM_RAW = ("ip_addr", "ip_addr_decrypted", "user_agent_decrypted", "username")
# YourLibrary.json sections: section → (action, kind); unknown sections are read by their URIs.
_LIBRARY = {
    "tracks": ("saved", "track"),
    "albums": ("saved", "album"),
    "artists": ("followed", "artist"),
    "shows": ("followed", "podcast"),
    "episodes": ("saved", "podcast"),
    "audiobooks": ("saved", "audiobook"),
    "bannedTracks": ("disliked", "track"),
    "bannedArtists": ("disliked", "artist"),
}
_URI_KINDS = {
    "track": "track",
    "album": "album",
    "artist": "artist",
    "show": "podcast",
    "episode": "podcast",
    "audiobook": "audiobook",
    "playlist": "list",
    "local": "track",
}


def _json_items(entry: Entry) -> Iterator[tuple[int, Any] | ImportProblem]:
    """The elements of a top-level JSON array: parsed whole when small (Spotify splits real histories into
    ~12 MB files, and ``json.loads`` is about twice as fast as streaming), streamed when large or broken."""
    if entry.size is not None and entry.size <= SMALL_JSON_BYTES:
        data = load_small_json(entry)
        if isinstance(data, list):
            yield from enumerate(data)
            return
        if not isinstance(data, ImportProblem):
            yield ImportProblem("expected a JSON array", entry.path, excerpt=_excerpt(data))
            return
    # Large, or broken: stream, which keeps every element before the damage and says where it broke.
    yield from iter_json_items(entry)


def _excerpt(obj: Any) -> str:
    return repr(obj)[:200]


def _search_stamp(text: str) -> tuple[datetime, str]:
    """``2024-07-09T00:58:09.683Z[UTC]`` → (UTC instant, zone label)."""
    zone = "UTC"
    if text.endswith("]") and "[" in text:
        text, _, name = text[:-1].partition("[")
        zone = name or zone
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC), zone


def _uri_kind(uri: str | None) -> str | None:
    parts = (uri or "").split(":")
    return _URI_KINDS.get(parts[1]) if len(parts) > 2 and parts[0] == "spotify" else None


def _inference_label(text: str) -> tuple[str, str | None]:
    """``1P_Custom_Car_Mode_Streamers [Advertiser-Specific]`` → ("Car Mode Streamers", "Advertiser-Specific")."""
    scope = None
    if text.endswith("]") and " [" in text:
        text, _, scope = text[:-1].partition(" [")
    head, sep, rest = text.partition("_")
    if sep and len(head) == 2 and head[0].isdigit() and head[1] == "P":  # 1P_/2P_/3P_: first/third party
        text = rest
    text = text.removeprefix("Custom_")
    return text.replace("_", " ").strip() or text, scope


# Extended-history fields kept in `extra` when set: field → key; the flags are kept as True.
_STREAM_TEXT = (
    ("reason_start", "reason_start"),
    ("reason_end", "reason_end"),
    ("platform", "device"),
    ("conn_country", "country"),
)
_STREAM_FLAGS = (("shuffle", "shuffle"), ("offline", "offline"), ("incognito_mode", "incognito"))


def _stream_item(obj: dict[str, Any], video: bool, extra: dict[str, Any]) -> Item | None:
    """What an extended-history stream played (its album, show or chapter go in ``extra``): a track, an
    episode, an audiobook, else whatever its URI names; None when Spotify left every name and URI empty."""
    if title := obj.get("master_metadata_track_name"):
        uri = obj.get("spotify_track_uri")
        artist = obj.get("master_metadata_album_artist_name")
        if album := obj.get("master_metadata_album_album_name"):
            extra["album"] = album
        return Item("track", title, (artist,) if artist else (), {"spotify": uri} if uri else {})
    if title := obj.get("episode_name"):
        uri = obj.get("spotify_episode_uri")
        show = obj.get("episode_show_name")
        if show:
            extra["show"] = show
        kind = "video" if video else "podcast"
        return Item(kind, title, (show,) if show else (), {"spotify": uri} if uri else {})
    if title := obj.get("audiobook_title"):
        uri = obj.get("audiobook_uri")
        if chapter := obj.get("audiobook_chapter_title"):
            extra["chapter"] = chapter
        if chapter_uri := obj.get("audiobook_chapter_uri"):
            extra["chapter_uri"] = chapter_uri
        return Item("audiobook", title, (), {"spotify": uri} if uri else {})
    if uri := obj.get("spotify_track_uri") or obj.get("spotify_episode_uri") or obj.get("audiobook_uri"):
        return Item(_uri_kind(uri) or "track", None, (), {"spotify": uri})
    return None


class SpotifyImporter(Importer):
    name = "spotify"
    platform = "spotify"
    version = "1"
    description = "Spotify account data and extended streaming history (plays, searches, library, inferences)"
    handles = (
        "Spotify Account Data/StreamingHistory*.json (music, podcast, audiobook; older StreamingHistoryN.json)",
        "Spotify Extended Streaming History/endsong_N.json, Streaming_History_Audio_*.json, Streaming_History_Video_*.json",
        "SearchQueries.json",
        "YourLibrary.json",
        "Inferences.json",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.text_head(2048)
        if '"ms_played"' in head and '"ts"' in head:
            return 1.0
        if '"msPlayed"' in head and '"endTime"' in head:
            return 1.0
        if '"searchQuery"' in head and '"searchTime"' in head:
            return 0.95
        start = head.lstrip()[:200]
        if start.startswith("{") and '"inferences"' in start:
            return 0.9
        if entry.name.lower() == "yourlibrary.json" or (
            start.startswith("{") and '"tracks"' in start and "spotify:" in head
        ):
            return 0.9
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        head = entry.text_head(2048)
        if '"ms_played"' in head:
            yield from self._extended(entry)
        elif '"msPlayed"' in head:
            yield from self._account_streams(entry)
        elif '"searchQuery"' in head:
            yield from self._searches(entry)
        else:
            yield from self._small_document(entry)

    # -- extended streaming history (the big files: keep the per-record path lean) -----------------
    def _extended(self, entry: Entry) -> ParseResult:
        video = "video" in entry.name.lower()
        path = entry.path
        for item in _json_items(entry):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            try:
                out = self._stream(obj, video, path, index)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                out = ImportProblem(
                    f"unreadable stream: {type(exc).__name__}: {exc}",
                    path,
                    index=index,
                    excerpt=_excerpt(obj),
                )
            if isinstance(out, Record):
                out.provenance = prov(entry, index)
            yield out

    def _stream(self, obj: dict[str, Any], video: bool, path: str, index: int) -> Record | ImportProblem:
        when = datetime.fromisoformat(obj["ts"])
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        for key in _DROP_FROM_RAW:
            obj.pop(key, None)
        ms = obj.get("ms_played")
        extra: dict[str, Any] = {}
        item = _stream_item(obj, video, extra)
        if item is None:
            return ImportProblem(
                "stream without track, episode or audiobook (Spotify left every name and URI empty)",
                path,
                index=index,
                excerpt=_excerpt(obj),
                severity="skipped",
            )
        if obj.get("skipped") or (ms is not None and ms < SKIP_MS):
            extra["skipped"] = True
        for field, key in _STREAM_TEXT:
            if value := obj.get(field):
                extra[key] = value
        for field, key in _STREAM_FLAGS:
            if obj.get(field):
                extra[key] = True
        return Record(
            platform="spotify",
            action="listened",
            item=item,
            when=when,
            dedup_key=_stream_key(item, when, ms),
            original_tz="UTC",
            precision="second",
            duration_s=ms / 1000 if ms is not None else None,
            extra=extra,
            raw=obj,
        )

    # -- account data --------------------------------------------------------------------------------
    def _account_streams(self, entry: Entry) -> ParseResult:
        for item in _json_items(entry):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            try:
                out = self._account_stream(obj, entry, index)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                out = ImportProblem(
                    f"unreadable stream: {type(exc).__name__}: {exc}",
                    entry.path,
                    index=index,
                    excerpt=_excerpt(obj),
                )
            yield out

    def _account_stream(self, obj: dict[str, Any], entry: Entry, index: int) -> Record | ImportProblem:
        when = datetime.fromisoformat(obj["endTime"]).replace(tzinfo=UTC)
        ms = obj.get("msPlayed")
        extra: dict[str, Any] = {}
        if title := clean(obj.get("chapterName")) or clean(obj.get("audiobookName")):
            book = clean(obj.get("audiobookName")) or title
            authors = tuple(a.strip() for a in (obj.get("authorName") or "").split(", ") if a.strip())
            item = Item("audiobook", book, authors)
            if title != book:
                extra["chapter"] = title
        elif title := clean(obj.get("episodeName")) or clean(obj.get("podcastName")):
            show = clean(obj.get("podcastName"))
            item = Item("podcast", title, (show,) if show else ())
            if show:
                extra["show"] = show
        elif title := clean(obj.get("trackName")):
            artist = clean(obj.get("artistName"))
            item = Item("track", title, (artist,) if artist else ())
        else:
            return ImportProblem(
                "stream names no track, episode or audiobook", entry.path, index=index, excerpt=_excerpt(obj)
            )
        if ms is not None and ms < SKIP_MS:
            extra["skipped"] = True
        return Record(
            platform=self.platform,
            action="listened",
            item=item,
            when=when,
            dedup_key=_stream_key(item, when, ms),
            original_tz="UTC",
            precision="minute",
            duration_s=ms / 1000 if ms is not None else None,
            extra=extra,
            raw=obj,
            provenance=prov(entry, index),
        )

    def _searches(self, entry: Entry) -> ParseResult:
        for item in _json_items(entry):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            try:
                query = clean(obj.get("searchQuery"))
                if query is None:
                    yield ImportProblem(
                        "empty search query",
                        entry.path,
                        index=index,
                        excerpt=_excerpt(obj),
                        severity="skipped",
                    )
                    continue
                when, zone = _search_stamp(obj["searchTime"])
                extra: dict[str, Any] = {}
                if device := clean(obj.get("platform")):
                    extra["device"] = device
                if uris := obj.get("searchInteractionURIs"):
                    extra["clicked"] = list(uris)
                yield Record(
                    platform=self.platform,
                    action="searched",
                    item=Item("query", query),
                    when=when,
                    original_tz=zone,
                    precision="ms",
                    extra=extra,
                    raw=obj,
                    provenance=prov(entry, index),
                )
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                yield ImportProblem(
                    f"unreadable search: {type(exc).__name__}: {exc}",
                    entry.path,
                    index=index,
                    excerpt=_excerpt(obj),
                )

    def _small_document(self, entry: Entry) -> ParseResult:
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        if isinstance(data, dict) and isinstance(data.get("inferences"), list):
            yield from self._inferences(entry, data["inferences"])
        elif isinstance(data, dict):
            yield from self._library(entry, data)
        else:
            yield ImportProblem(
                "not a Spotify library or inferences document", entry.path, severity="unsupported"
            )

    def _library(self, entry: Entry, data: dict[str, Any]) -> Iterator[Record | ImportProblem]:
        index = 0
        for section, items in data.items():
            if not isinstance(items, list):
                continue
            action, kind = _LIBRARY.get(section, ("saved", ""))
            for obj in items:
                try:
                    yield self._library_item(entry, index, section, action, kind, obj)
                except (TypeError, ValueError, AttributeError) as exc:
                    yield ImportProblem(
                        f"unreadable {section} entry: {exc}", entry.path, index=index, excerpt=_excerpt(obj)
                    )
                index += 1

    def _library_item(
        self, entry: Entry, index: int, section: str, action: str, kind: str, obj: dict[str, Any]
    ) -> Record | ImportProblem:
        uri = clean(obj.get("uri"))
        kind = kind or _uri_kind(uri) or ""
        if not kind:
            return ImportProblem(
                f"{section} entry of unknown kind", entry.path, index=index, excerpt=_excerpt(obj)
            )
        extra: dict[str, Any] = {"section": section}
        creator: str | None
        if kind == "track":
            title, creator = clean(obj.get("track")) or clean(obj.get("name")), clean(obj.get("artist"))
            if album := clean(obj.get("album")):
                extra["album"] = album
        elif kind == "album":
            title, creator = clean(obj.get("album")) or clean(obj.get("name")), clean(obj.get("artist"))
        elif kind == "podcast" and section != "shows":
            title, creator = clean(obj.get("name")), clean(obj.get("show"))
        else:
            title = clean(obj.get("name"))
            creator = clean(obj.get("publisher")) or clean(obj.get("author")) or clean(obj.get("artist"))
        if title is None and uri is None:
            return ImportProblem(
                f"{section} entry has no name", entry.path, index=index, excerpt=_excerpt(obj)
            )
        return Record(
            platform=self.platform,
            action=action,
            item=Item(kind, title, (creator,) if creator else (), {"spotify": uri} if uri else {}),
            extra=extra,
            raw=obj,
            provenance=prov(entry, index),
        )

    def _inferences(self, entry: Entry, items: list[Any]) -> Iterator[Record | ImportProblem]:
        for index, text in enumerate(items):
            if not isinstance(text, str) or not text.strip():
                yield ImportProblem("inference is not text", entry.path, index=index, excerpt=_excerpt(text))
                continue
            label, scope = _inference_label(text.strip())
            yield Record(
                platform=self.platform,
                action="interested",
                item=Item("topic", label, ids={"spotify_inference": text.strip()}),
                extra={"scope": scope} if scope else {},
                raw=text,
                provenance=prov(entry, index),
            )


def _stream_key(item: Item, when: datetime, ms: int | None) -> str:
    """The same stream appears in the account-data history (end time to the minute) and the extended
    history (to the second, with URIs): name it by what both files agree on so it is stored once."""
    creator = item.creators[0] if item.creators else ""
    return f"stream|{item.kind}|{item.title}|{creator}|{when:%Y-%m-%dT%H:%M}|{ms}"
