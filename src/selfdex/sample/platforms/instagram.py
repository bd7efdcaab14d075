"""Instagram JSON export (2024 ``string_list_data`` schema): ``instagram-<user>-<date>-<hash>.zip`` with
likes, saved posts and "your topics". Strings are written the way Meta does, as mojibake (the UTF-8
bytes of each character escaped as Latin-1 code points), so the importer's fix is exercised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "instagram-maralind-2025-07-01-q7Rt2xWb.zip"
ACCOUNTS = (
    ("justonecookbook", "cooking"),
    ("wayoframen", "cooking"),
    ("salomonrunning", "running"),
    ("kilianjornet", "running"),
    ("dunemovie", "dune"),
    ("visitkyoto", "kyoto"),
    ("radiohead", "music"),
    ("nilsfrahm", "music"),
)
TOPICS = ("Japanese Cuisine", "Trail Running", "Science Fiction Films", "Travel in Japan", "Indie Music")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _meta(obj: Any) -> Any:
    """Meta's encoding bug: UTF-8 bytes as Latin-1 characters."""
    if isinstance(obj, str):
        return obj.encode("utf-8").decode("latin-1")
    if isinstance(obj, list):
        return [_meta(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _meta(v) for k, v in obj.items()}
    return obj


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_meta(data), indent=2), encoding="utf-8")


def write(person: Person, root: Path) -> None:
    rng = person.rand("instagram")
    liked = []
    for when, pair in person.dated("instagram-likes", ACCOUNTS, (3, 7)):
        account = str(pair[0])  # type: ignore[index]
        code = "C" + "".join(rng.choice(_ALPHABET) for _ in range(10))
        kind = rng.choice(("p", "reel"))
        liked.append((when, account, f"https://www.instagram.com/{kind}/{code}/"))
    liked.sort(reverse=True)
    _dump(
        root / "your_instagram_activity" / "likes" / "liked_posts.json",
        {
            "likes_media_likes": [
                {
                    "title": account,
                    "string_list_data": [{"href": url, "value": "👍", "timestamp": int(when.timestamp())}],
                }
                for when, account, url in liked
            ]
        },
    )
    saved = [x for x in liked if x[1] in ("justonecookbook", "visitkyoto", "salomonrunning")][:6]
    _dump(
        root / "your_instagram_activity" / "saved" / "saved_posts.json",
        {
            "saved_saved_media": [
                {
                    "title": account,
                    "string_map_data": {"Saved on": {"href": url, "timestamp": int(when.timestamp()) + 40}},
                }
                for when, account, url in saved
            ]
        },
    )
    _dump(
        root / "preferences" / "your_topics" / "your_topics.json",
        {
            "topics_your_topics": [
                {
                    "title": "",
                    "media_map_data": {},
                    "string_map_data": {"Name": {"href": "", "value": topic, "timestamp": 0}},
                }
                for topic in (*TOPICS, "Café Culture")
            ]
        },
    )
