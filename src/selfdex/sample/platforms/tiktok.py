"""TikTok "Download your data" (JSON): ``TikTok_Data_1751371200.zip`` with ``user_data_tiktok.json`` in the
2024+ shape — ``Your Activity`` (not the older ``Activity``), ``Watch History.VideoList``, likes under
``Likes and Favorites``, lower-case ``date``/``link`` in some lists, comments, her posts and one DM thread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "TikTok_Data_1751371200.zip"


def _ts(person: Person, t: Any) -> str:
    return str(t.strftime("%Y-%m-%d %H:%M:%S"))


def write(person: Person, root: Path) -> None:
    rng = person.rand("tiktok")
    watched = []
    for _ in range(12 * person.scale):
        t = person.evening(rng, person.day(rng))
        watched.append(
            {
                "Date": _ts(person, t),
                "Link": f"https://www.tiktokv.com/share/video/73{rng.randrange(10**16):016d}/",
            }
        )
    watched.sort(key=lambda w: w["Date"], reverse=True)
    data = {
        "Profile": {
            "Profile Info": {"ProfileMap": {"userName": person.username, "bioDescription": "books first"}}
        },
        "Your Activity": {
            "Watch History": {"VideoList": watched},
            "Searches": {
                "SearchList": [
                    {"Date": "2024-03-03 20:11:05", "SearchTerm": "dune part two reaction"},
                    {"Date": "2025-01-10 07:45:00", "SearchTerm": "onigiri shaping"},
                ]
            },
            "Following": {"Following": [{"Date": "2024-03-03 20:15:40", "UserName": "justonecookbook"}]},
            "Favorite Hashtags": {
                "FavoriteHashtagList": [{"Date": "2024-03-03 20:16:00", "Link": "#dunepart2"}]
            },
            "Login History": {
                "LoginHistoryList": [
                    {"Date": "2025-06-30 08:00:00", "IP": "203.0.113.42", "DeviceModel": "iPhone14,5"}
                ]
            },
        },
        "Likes and Favorites": {
            "Like List": {"ItemFavoriteList": [{"date": "2024-03-03 20:12:30", "link": watched[0]["Link"]}]},
            "Favorite Videos": {
                "FavoriteVideoList": [{"Date": "2024-03-03 20:13:01", "Link": watched[1]["Link"]}]
            },
        },
        "Comment": {
            "Comments": {
                "CommentsList": [
                    {
                        "date": "2024-03-03 20:14:02",
                        "comment": "The sandworm ride!!",
                        "photo": "N/A",
                        "url": "",
                    }
                ]
            }
        },
        "Post": {
            "Posts": {
                "VideoList": [
                    {
                        "Date": "2024-09-12 06:30:00",
                        "Link": "https://www.tiktokv.com/share/video/7413000000000000001/",
                        "Likes": "12",
                        "Title": "Grunewald at sunrise #trailrunning",
                    }
                ]
            }
        },
        "Direct Message": {
            "Direct Messages": {
                "ChatHistory": {
                    "Chat History with lea.hoffmann:": [
                        {
                            "Date": "2024-03-03 20:20:00",
                            "From": "lea.hoffmann",
                            "Content": "did you see the worm edit",
                        },
                        {
                            "Date": "2024-03-03 20:21:10",
                            "From": person.username,
                            "Content": "watching it on repeat",
                        },
                    ]
                }
            }
        },
        "Ads and data": {"Ad Interests": {"AdInterestCategories": "Science fiction | Running"}},
    }
    (root / "user_data_tiktok.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"
    )
