"""Google Takeout YouTube: ``YouTube and YouTube Music/history/watch-history.{json,html}`` and
``search-history.{json,html}``, ``subscriptions/subscriptions.csv`` and ``playlists/*.csv``
(folder names are localized: ``YouTube und YouTube Music/Verlauf/…``).

Quirks: 2019+ history JSON is the My Activity schema (read by :mod:`._takeout_activity`); ≤2018 JSON
was a list of YouTube-API ``playlistItem`` resources whose ``snippet.channelTitle`` is the *account*,
not the video's channel; ads are ordinary entries marked ``details: [{"name": "From Google Ads"}]``;
removed videos have no ``titleUrl`` (and videos gone private show their URL as the title); the
subscriptions header changed case in 2022; playlist CSVs open with a metadata table and a blank line
before ``Video Id,Time Added`` (2022), and from 2023 are ``playlists.csv`` + ``<title>-videos.csv``.
"""

from __future__ import annotations

import csv
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._takeout_activity import (
    looks_like_activity_html,
    looks_like_activity_json,
    my_activity_product,
    youtube_head,
)
from ._takeout_records import parse_activity_file
from ._util import clean, prov
from .base import Importer, ParseResult, csv_header, iter_csv, iter_json_items

_HISTORY_NAMES = ("watch-history", "search-history")
_SUBSCRIPTION_COLS = {"channel id", "channel url", "channel title"}
_PLAYLIST_ACTIONS = {"HL": "watched", "LL": "liked", "LM": "liked", "WL": "wishlisted", "FL": "liked"}
_UNAVAILABLE = {"Deleted video", "Private video"}


def _is_playlist_items(entry: Entry) -> bool:
    # the first resource's description can be long: look further than the usual head
    return '"youtube#playlistItem"' in entry.text_head(32768).replace(" ", "")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class YouTubeHistoryImporter(Importer):
    name = "youtube_history"
    platform = "youtube"
    version = "1"
    description = "Google Takeout YouTube: watch and search history, subscriptions, playlists"
    handles = (
        "YouTube and YouTube Music/history/watch-history.json|.html",
        "YouTube and YouTube Music/history/search-history.json|.html",
        "watch-history.json in the ≤2018 playlistItem format",
        "My Activity/YouTube/MyActivity.json|.html",
        "YouTube and YouTube Music/subscriptions/subscriptions.csv",
        "YouTube and YouTube Music/playlists/*.csv (2022 layout) and *-videos.csv (2023+)",
    )

    def recognize(self, entry: Entry) -> float:
        suffix = entry.suffix
        stem = entry.name.lower().rsplit(".", 1)[0]
        if suffix == ".csv":
            return self._recognize_csv(entry)
        if suffix not in (".json", ".html"):
            return 0.0
        named = stem.startswith(_HISTORY_NAMES)
        in_youtube = any(p.startswith("YouTube") for p in entry.parts[:-1])
        if suffix == ".html":
            if not looks_like_activity_html(entry):
                return 0.0
            if named or my_activity_product(entry) == "YouTube":
                return 0.95
            return 0.9 if in_youtube else 0.0
        if not entry.text_head(64).lstrip().startswith("["):
            return 0.0
        if _is_playlist_items(entry) or (looks_like_activity_json(entry) and youtube_head(entry)):
            return 0.95
        return 0.9 if named else 0.0

    def _recognize_csv(self, entry: Entry) -> float:
        header = [h.lower() for h in csv_header(entry)]
        if set(header) >= _SUBSCRIPTION_COLS:
            return 0.95
        if header[:2] == ["playlist id", "channel id"] and "time created" in header:
            return 0.95  # 2022 playlist file: metadata table, then the videos
        if header[:1] == ["video id"] and any("timestamp" in h or "time added" in h for h in header):
            return 0.9  # 2023+ <title>-videos.csv
        if header[:1] == ["playlist id"] and any(h.startswith("add new videos to top") for h in header):
            return 0.9  # 2023+ playlists.csv (metadata only)
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix == ".csv":
            yield from self._parse_csv(entry)
        elif entry.suffix == ".json" and _is_playlist_items(entry):
            yield from self._playlist_items(entry)
        else:
            yield from parse_activity_file(entry)

    # ---- ≤2018 JSON: YouTube-API playlistItem resources -------------------------------------------

    def _playlist_items(self, entry: Entry) -> ParseResult:
        for item in iter_json_items(entry):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            snippet = obj.get("snippet") if isinstance(obj, dict) else None
            if not isinstance(snippet, dict):
                yield ImportProblem("playlistItem has no snippet", entry.path, index=index)
                continue
            vid = _str(_dict(obj.get("contentDetails")).get("videoId")) or _str(
                _dict(snippet.get("resourceId")).get("videoId")
            )
            stamp = parse_iso(_str(snippet.get("publishedAt")) or "")
            if not vid or stamp is None:
                yield ImportProblem(
                    "playlistItem has no video id or no readable publishedAt",
                    entry.path,
                    index=index,
                    excerpt=str(snippet)[:200],
                )
                continue
            playlist = str(snippet.get("playlistId") or "")
            action = _PLAYLIST_ACTIONS.get(playlist[:2], "saved")
            extra: dict[str, Any] = {}
            title = clean(_str(snippet.get("title")))
            if title in _UNAVAILABLE:
                extra["unavailable"] = title
                title = None
            if action == "saved":
                extra["playlist_id"] = extra["identity"] = playlist
            # the video's own channel is only in newer API resources; channelTitle is the account
            owner = clean(_str(snippet.get("videoOwnerChannelTitle")))
            yield Record(
                platform=self.platform,
                action=action,
                item=Item(
                    kind="video",
                    title=title,
                    creators=(owner,) if owner else (),
                    ids={"youtube": vid},
                    url=f"https://www.youtube.com/watch?v={vid}",
                ),
                when=stamp.when,
                original_tz=stamp.tz,
                precision="second",
                extra=extra,
                raw=obj,
                provenance=prov(entry, index),
            )

    # ---- CSV: subscriptions and playlists ---------------------------------------------------------

    def _parse_csv(self, entry: Entry) -> ParseResult:
        header = [h.lower() for h in csv_header(entry)]
        if set(header) >= _SUBSCRIPTION_COLS:
            yield from self._subscriptions(entry)
        elif header[:2] == ["playlist id", "channel id"]:
            yield from self._playlist_2022(entry)
        elif header[:1] == ["video id"]:
            name = entry.name.rsplit(".", 1)[0].removesuffix("-videos")
            yield from self._playlist_videos(entry, 0, name, None)
        else:
            yield from self._playlists(entry)

    def _playlists(self, entry: Entry) -> ParseResult:
        """2023+ ``playlists.csv``: one row per playlist she made (its videos are in the -videos files).
        Column names changed between exports, so they are found by what they start with."""
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            cols = {k.lower(): v for k, v in r.items()}
            title = next(
                (clean(v) for k, v in cols.items() if k.startswith(("playlist title", "title"))), None
            )
            created = next((v for k, v in cols.items() if "create timestamp" in k and "image" not in k), "")
            stamp = parse_iso(created) if created else None
            playlist_id = clean(cols.get("playlist id"))
            if not title and not playlist_id:
                yield ImportProblem("playlist row has no title or id", entry.path, index=index, line=line)
                continue
            extra: dict[str, Any] = {}
            if visibility := next((v for k, v in cols.items() if k == "playlist visibility"), None):
                extra["visibility"] = visibility
            yield Record(
                platform=self.platform,
                action="saved",
                item=Item(
                    kind="list", title=title, ids={"youtube_playlist": playlist_id} if playlist_id else {}
                ),
                when=stamp.when if stamp else None,
                original_tz=stamp.tz if stamp else None,
                precision=stamp.precision if stamp else None,
                extra=extra,
                raw=r,
                provenance=prov(entry, index, line),
            )

    def _subscriptions(self, entry: Entry) -> ParseResult:
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            r_low = {k.lower(): v for k, v in r.items()}
            channel_id = clean(r_low.get("channel id"))
            title = clean(r_low.get("channel title"))
            if not channel_id and not title:
                yield ImportProblem("subscription row has no channel", entry.path, index=index, line=line)
                continue
            yield Record(
                platform=self.platform,
                action="subscribed",
                item=Item(
                    kind="channel",
                    title=title,
                    ids={"youtube_channel": channel_id} if channel_id else {},
                    url=clean(r_low.get("channel url")),
                ),
                raw=r,
                provenance=prov(entry, index, line),
            )

    def _playlist_2022(self, entry: Entry) -> ParseResult:
        # Metadata header + row (a quoted description may span lines), blank line(s), then the videos.
        with entry.open_text() as fh:
            reader = csv.reader(fh)
            try:
                keys = [k.strip().lower() for k in next(reader)]
                values = next(reader)
            except (StopIteration, csv.Error) as exc:
                yield ImportProblem(f"unreadable playlist metadata: {exc}", entry.path, line=1)
                return
            meta = dict(zip(keys, values, strict=False))
            skip = reader.line_num
            try:
                for row in reader:
                    if any(c.strip() for c in row):
                        break
                    skip = reader.line_num
            except csv.Error:
                pass  # iter_csv reports the unreadable line with its position
        yield from self._playlist_videos(entry, skip, meta.get("title") or "", meta.get("playlist id"))

    def _playlist_videos(self, entry: Entry, skip: int, title: str, playlist_id: str | None) -> ParseResult:
        if playlist_id and playlist_id[:2] in _PLAYLIST_ACTIONS:
            action = _PLAYLIST_ACTIONS[playlist_id[:2]]
        else:
            low = title.lower()
            action = "liked" if low.startswith("liked") else "wishlisted" if low == "watch later" else "saved"
        list_key = playlist_id or title
        for row in iter_csv(entry, skip_lines=skip):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            r_low = {k.strip().lower(): v for k, v in r.items()}
            vid = clean(r_low.get("video id"))
            added = clean(r_low.get("time added") or r_low.get("playlist video creation timestamp") or "")
            stamp = parse_iso(added) if added else None
            if not vid or (added and stamp is None):
                yield ImportProblem(
                    "playlist row has no video id or an unreadable time",
                    entry.path,
                    index=index,
                    line=line,
                    excerpt=str(r)[:200],
                )
                continue
            extra: dict[str, Any] = {}
            if action == "saved":
                extra = {"list": title, "identity": list_key}
            yield Record(
                platform=self.platform,
                action=action,
                item=Item(kind="video", ids={"youtube": vid}, url=f"https://www.youtube.com/watch?v={vid}"),
                when=stamp.when if stamp else None,
                original_tz=stamp.tz if stamp else None,
                precision=stamp.precision if stamp else None,
                extra=extra,
                raw=r,
                provenance=prov(entry, index, line),
            )
