"""Google Takeout (YouTube, Chrome and My Activity parts): ``takeout-<stamp>-001.zip`` with
``Takeout/YouTube and YouTube Music/history/{watch,search}-history.json``, ``subscriptions/``,
``playlists/`` (2023+ layout), ``Takeout/Chrome/History.json`` and ``Takeout/My Activity/Search/``.

The JSON is written the way Google's Gson writer does it: two-space indent, ``},{`` between entries,
``=``/``&``/``'`` escaped as ``\\u003d``/``\\u0026``/``\\u0027``; Chrome's file keeps its odd closing-brace
indentation. Other writers add their own folders to the same bundle.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from urllib.parse import quote_plus

from ..person import SEARCHES, VIDEOS, WEB_PAGES, Person, Video, WebPage
from ._csv import write_csv

BUNDLE = "takeout-20250701T120000Z-001.zip"
_YT = "Takeout/YouTube and YouTube Music"
_CLIENT_ID = "Kq3vVd1xT0mZr2bBn7sL4w=="  # Chrome sync client of her laptop
_HOME = "52.520008,13.404954"  # Berlin Mitte, as "Around this area"
# What she typed into YouTube's search box before watching (video id → query).
_YT_QUERIES = {
    "U2Qp5pL3ovA": "dune part two trailer",
    "Ykq-tm8lvnM": "ecology of dune explained",
    "Pm6Tn6SMsMA": "arrival heptapod language",
    "Pc4cWCBSCWc": "dashi stock recipe",
    "KfOwM3e6xZA": "tonkotsu ramen at home",
    "rA0hxSaVHo4": "kilian jornet technique",
    "5Xmi0RBE_HA": "radiohead from the basement",
}


def _gson(value: object) -> str:
    """A JSON scalar or list of scalars as Gson writes it (HTML-safe escapes)."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text.replace("=", "\\u003d").replace("&", "\\u0026").replace("'", "\\u0027")


def _gson_entries(entries: list[dict[str, object]]) -> str:
    """A Takeout My Activity array: ``[{`` … ``},{`` … ``}]`` with nested ``[{`` lists."""
    blocks = []
    for entry in entries:
        lines = []
        for key, value in entry.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                inner = "},{".join(
                    "\n" + ",\n".join(f"    {_gson(k)}: {_gson(v)}" for k, v in d.items()) + "\n  "
                    for d in value
                )
                lines.append(f"  {_gson(key)}: [{{{inner}}}]")
            else:
                lines.append(f"  {_gson(key)}: {_gson(value)}")
        blocks.append("\n" + ",\n".join(lines) + "\n")
    return "[{" + "},{".join(blocks) + "}]"


def _channel_id(name: str) -> str:
    digest = hashlib.sha1(name.encode()).digest()
    return "UC" + base64.urlsafe_b64encode(digest).decode()[:22]


def _ms(rng: random.Random, when: datetime) -> datetime:
    return when + timedelta(milliseconds=rng.randrange(1000))


def _time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _watch(video: Video, when: datetime) -> dict[str, object]:
    return {
        "header": "YouTube",
        "title": f"Watched {video.title}",
        "titleUrl": f"https://www.youtube.com/watch?v={video.video_id}",
        "subtitles": [
            {"name": video.channel, "url": f"https://www.youtube.com/channel/{_channel_id(video.channel)}"}
        ],
        "time": _time(when),
        "products": ["YouTube"],
        "activityControls": ["YouTube watch history"],
    }


def _youtube(person: Person, root: Path) -> None:
    rng = person.rand("google_takeout:youtube")
    views = [(_ms(rng, w), cast(Video, v)) for w, v in person.dated("youtube:watch", VIDEOS, (2, 5))]
    watch = [(w, _watch(v, w)) for w, v in views]
    ad_time = _ms(rng, person.evening(rng, person.day(rng)))
    watch.append(
        (
            ad_time,
            {
                "header": "YouTube",
                "title": "Watched Kitchen Knife Sale – 30% off",
                "titleUrl": "https://www.youtube.com/watch?v=Xq7aL0bNc2E",
                "time": _time(ad_time),
                "products": ["YouTube"],
                "details": [{"name": "From Google Ads"}],
                "activityControls": ["Web & App Activity", "YouTube watch history"],
            },
        )
    )
    removed_time = _ms(rng, person.evening(rng, person.day(rng)))
    watch.append(
        (
            removed_time,
            {
                "header": "YouTube",
                "title": "Watched a video that has been removed",
                "time": _time(removed_time),
                "products": ["YouTube"],
                "activityControls": ["YouTube watch history"],
            },
        )
    )
    watch.sort(key=lambda x: x[0], reverse=True)  # Takeout lists newest first
    history = root / _YT / "history"
    history.mkdir(parents=True, exist_ok=True)
    (history / "watch-history.json").write_text(_gson_entries([e for _, e in watch]), encoding="utf-8")

    searches: list[tuple[datetime, dict[str, object]]] = []
    for when, video in views:
        query = _YT_QUERIES.get(video.video_id)
        if query and rng.random() < 0.5:
            searched = when - timedelta(seconds=rng.randrange(8, 90))
            searches.append(
                (
                    searched,
                    {
                        "header": "YouTube",
                        "title": f"Searched for {query}",
                        "titleUrl": f"https://www.youtube.com/results?search_query={quote_plus(query)}",
                        "time": _time(searched),
                        "products": ["YouTube"],
                        "activityControls": ["YouTube search history"],
                    },
                )
            )
    searches.sort(key=lambda x: x[0], reverse=True)
    (history / "search-history.json").write_text(_gson_entries([e for _, e in searches]), encoding="utf-8")

    channels = sorted({v.channel for v in VIDEOS if v.theme})
    write_csv(
        root / _YT / "subscriptions" / "subscriptions.csv",
        ["Channel Id", "Channel Url", "Channel Title"],
        [(_channel_id(c), f"http://www.youtube.com/channel/{_channel_id(c)}", c) for c in channels],
    )

    playlist_title = "Japanese home cooking"
    created = person.local(person.start + timedelta(days=40), 20, 14, 3)
    write_csv(
        root / _YT / "playlists" / "playlists.csv",
        [
            "Playlist ID",
            "Add new videos to top",
            "Playlist image 1 Create timestamp",
            "Playlist image 1 URL",
            "Playlist image 1 Height",
            "Playlist image 1 Width",
            "Playlist title (original)",
            "Playlist title (original) language",
            "Playlist create timestamp",
            "Playlist update timestamp",
            "Playlist video order",
            "Playlist visibility",
        ],
        [
            (
                "PL" + _channel_id(playlist_title)[2:] + "Xk2Qm9Ab3Cd",
                "False",
                "",
                "",
                "",
                "",
                playlist_title,
                "",
                created.isoformat(),
                (created + timedelta(days=90)).isoformat(),
                "Manual",
                "Private",
            )
        ],
    )
    cooking = [v for v in VIDEOS if v.theme == "cooking"]
    write_csv(
        root / _YT / "playlists" / f"{playlist_title}-videos.csv",
        ["Video ID", "Playlist Video Creation Timestamp"],
        [
            (v.video_id, (created + timedelta(days=3 * i, minutes=7)).isoformat())
            for i, v in enumerate(cooking)
        ],
    )


def _chrome_value(value: object, indent: int) -> str:
    pad = " " * (indent + 12)
    if isinstance(value, dict):
        body = ",\n".join(f"{pad}{json.dumps(k)}: {_chrome_value(v, indent + 12)}" for k, v in value.items())
        return "{\n" + body + "\n" + " " * indent + "}"
    if isinstance(value, list):
        body = ",\n".join(pad + _chrome_value(v, indent + 12) for v in value)
        return "[\n" + body + "\n" + " " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


def _chrome_history(visits: list[dict[str, object]], session: list[dict[str, object]]) -> str:
    """Chrome's History.json: 4-space indent, but each entry's closing brace at column 0."""

    def section(items: list[dict[str, object]]) -> str:
        return ",\n        ".join(_chrome_value(item, 0) for item in items)  # indent 0: "}" at column 0

    return (
        '{\n    "Browser History": [\n        '
        + section(visits)
        + '\n    ],\n    "Typed Url": [],\n    "Session": [\n        '
        + section(session)
        + "\n    ]\n}"
    )


def _chrome(person: Person, root: Path) -> None:
    rng = person.rand("google_takeout:chrome")
    visits: list[tuple[int, dict[str, object]]] = []
    for when, item in person.dated("chrome:pages", WEB_PAGES, (2, 5)):
        page = cast(WebPage, item)
        usec = int(when.timestamp()) * 1_000_000 + rng.randrange(1_000_000)
        visits.append(
            (
                usec,
                {
                    "favicon_url": "",
                    "page_transition_qualifier": "CLIENT_REDIRECT",
                    "title": page.title,
                    "url": page.url,
                    "time_usec": usec,
                    "client_id": _CLIENT_ID,
                },
            )
        )
    for when, item in person.dated("chrome:searches", SEARCHES, (1, 2)):
        query = cast(tuple[str, str | None], item)[0]
        usec = int(when.timestamp()) * 1_000_000 + rng.randrange(1_000_000)
        visits.append(
            (
                usec,
                {
                    "favicon_url": "https://www.google.com/favicon.ico",
                    "page_transition_qualifier": "CLIENT_REDIRECT",
                    "title": f"{query} - Google Search",
                    "url": f"https://www.google.com/search?q={quote_plus(query)}",
                    "time_usec": usec,
                    "client_id": _CLIENT_ID,
                },
            )
        )
    visits.sort(key=lambda x: x[0], reverse=True)
    # The tab still open on her laptop: its last navigation is the newest history visit.
    last_usec, last = visits[0]
    ms = last_usec // 1000
    tab = {
        "tab_node_id": 0,
        "tab": {
            "current_navigation_index": 0,
            "tab_id": 912345678,
            "pinned": False,
            "navigation": [
                {
                    "unique_id": 17,
                    "favicon_url": last["favicon_url"],
                    "http_status_code": 200,
                    "global_id": last_usec + 11_644_473_600_000_000,  # Windows-epoch microseconds
                    "page_transition": "LINK",
                    "title": last["title"],
                    "timestamp_msec": ms,
                    "virtual_url": last["url"],
                }
            ],
            "browser_type": "TYPE_TABBED",
            "last_active_time_unix_epoch_millis": ms + 60_000,
            "window_id": 912345001,
            "tab_visual_index": 0,
        },
        "session_tag": _CLIENT_ID,
    }
    path = root / "Takeout" / "Chrome" / "History.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_chrome_history([v for _, v in visits], [tab]), encoding="utf-8")


def _my_activity(person: Person, root: Path) -> None:
    rng = person.rand("google_takeout:my_activity")
    entries: list[tuple[datetime, dict[str, object]]] = []
    for searched, item in person.dated("google:search", SEARCHES, (1, 3)):
        query = cast(tuple[str, str | None], item)[0]
        when = _ms(rng, searched)
        entry: dict[str, object] = {
            "header": "Search",
            "title": f"Searched for {query}",
            "titleUrl": f"https://www.google.com/search?q={quote_plus(query)}",
            "time": _time(when),
            "products": ["Search"],
        }
        if rng.random() < 0.5:
            entry["locationInfos"] = [
                {
                    "name": "Around this area",
                    "url": f"https://www.google.com/maps/@?api=1&map_action=map&center={_HOME}&zoom=12",
                    "source": "From your places (Home)",
                    "sourceUrl": "https://support.google.com/maps/answer/3184808",
                }
            ]
        entry["activityControls"] = ["Web & App Activity"]
        entries.append((when, entry))
    for visited, item in person.dated("google:visits", WEB_PAGES, (1, 2)):
        page = cast(WebPage, item)
        when = _ms(rng, visited)
        token = base64.urlsafe_b64encode(hashlib.sha1(page.url.encode()).digest()).decode()[:24]
        entries.append(
            (
                when,
                {
                    "header": "Search",
                    "title": f"Visited {page.title}",
                    "titleUrl": f"https://www.google.com/url?q={page.url}&usg=AOvVaw{token}",
                    "time": _time(when),
                    "products": ["Search"],
                    "activityControls": ["Web & App Activity"],
                },
            )
        )
    entries.sort(key=lambda x: x[0], reverse=True)
    path = root / "Takeout" / "My Activity" / "Search" / "MyActivity.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_gson_entries([e for _, e in entries]), encoding="utf-8")


def write(person: Person, root: Path) -> None:
    _youtube(person, root)
    _chrome(person, root)
    _my_activity(person, root)
