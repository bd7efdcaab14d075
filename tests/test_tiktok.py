"""TikTok JSON export: section names that drift ("Activity" vs "Your Activity"), key case, DMs."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.tiktok import TikTokImporter
from selfdex.testing import parse_path, recognitions

_OLD = {
    "Activity": {
        "Video Browsing History": {
            "VideoList": [
                {
                    "Date": "2021-05-01 20:00:00",
                    "VideoLink": "https://www.tiktokv.com/share/video/6950000000000000001/",
                }
            ]
        },
        "Favorite Videos": {
            "FavoriteVideoList": [
                {
                    "Date": "2021-05-01 20:01:00",
                    "Link": "https://www.tiktokv.com/share/video/6950000000000000002/",
                }
            ]
        },
        "Like List": {
            "ItemFavoriteList": [
                {
                    "Date": "2021-05-01 20:02:00",
                    "VideoLink": "https://www.tiktokv.com/share/video/6950000000000000003/",
                }
            ]
        },
        "Search History": {
            "SearchList": [
                {"Date": "2021-05-01 20:03:00", "SearchTerm": "sourdough"},
                {"Date": "never", "SearchTerm": "x"},
            ]
        },
    },
    "Comment": {"Comments": {"CommentsList": [{"Date": "2021-05-01 20:04:00", "Comment": "so good"}]}},
    "Direct Messages": {
        "Chat History": {
            "ChatHistory": {
                "Chat History with a.b.c:": [
                    {"Date": "2021-05-01 20:05:00", "From": "a.b.c", "Content": "hey"}
                ]
            }
        }
    },
}
_NEW = {
    "Your Activity": {
        "Watch History": {
            "VideoList": [
                {
                    "date": "2024-05-01 20:00:00",
                    "link": "https://www.tiktokv.com/share/video/7350000000000000001/",
                }
            ]
        }
    },
    "Likes and Favorites": {
        "Like List": {
            "ItemFavoriteList": [
                {
                    "date": "2024-05-01 20:02:00",
                    "link": "https://www.tiktokv.com/share/video/7350000000000000003/",
                }
            ]
        }
    },
}


def test_older_user_data_json(tmp_path: Path) -> None:
    (tmp_path / "user_data.json").write_text(json.dumps(_OLD), encoding="utf-8")
    records, problems = parse_path(TikTokImporter(), tmp_path)
    actions = sorted(r.action for r in records)
    assert actions == ["commented", "liked", "messaged", "saved", "searched", "watched"]
    watched = next(r for r in records if r.action == "watched")
    assert watched.item.ids == {"tiktok": "6950000000000000001"} and watched.original_tz == "UTC"
    dm = next(r for r in records if r.action == "messaged")
    assert dm.extra["chat"] == "a.b.c" and dm.item.creators == ("a.b.c",) and dm.text == "hey"
    assert len(problems) == 1 and problems[0].index == 1 and "never" in problems[0].reason


def test_2024_sections_and_lowercase_keys(tmp_path: Path) -> None:
    (tmp_path / "user_data_tiktok.json").write_text(json.dumps(_NEW), encoding="utf-8")
    records, problems = parse_path(TikTokImporter(), tmp_path)
    assert problems == []
    assert sorted((r.action, r.item.ids["tiktok"]) for r in records) == [
        ("liked", "7350000000000000003"),
        ("watched", "7350000000000000001"),
    ]


def test_truncated_file_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "user_data_tiktok.json").write_text(json.dumps(_NEW)[:-20], encoding="utf-8")
    _, problems = parse_path(TikTokImporter(), tmp_path)
    assert len(problems) == 1 and "invalid JSON" in problems[0].reason


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "TikTok_Data_1751371200.zip"
    assert recognitions(bundle)["user_data_tiktok.json"] == "tiktok"
    records, problems = parse_path(TikTokImporter(), bundle)
    assert problems == []
    assert sum(r.action == "watched" for r in records) == 12
    assert any(r.action == "searched" and r.item.title == "dune part two reaction" for r in records)
    assert not any("Login" in r.extra.get("section", "") for r in records)  # logins are not activity


def test_txt_export_in_another_language(tmp_path: Path) -> None:
    """The TXT variant: one file per list, "Label: value" blocks, labels in the account's language."""
    activity = tmp_path / "Activity"
    activity.mkdir()
    (activity / "Video Browsing History.txt").write_text(
        "Datum: 2021-05-01 20:00:00\nVideolink: https://www.tiktokv.com/share/video/6950000000000000001/\n\n"
        "Datum: 2021-05-02 21:00:00\nVideolink: https://www.tiktokv.com/share/video/6950000000000000002/\n",
        encoding="utf-8",
    )
    (activity / "Searches.txt").write_text(
        "Fecha: 2021-05-01 20:03:00\nTérmino de búsqueda: masa madre\n\nFecha: ayer\nTérmino de búsqueda: x\n",
        encoding="utf-8",
    )
    assert recognitions(tmp_path)["Activity/Searches.txt"] == "tiktok"
    records, problems = parse_path(TikTokImporter(), tmp_path)
    watched = sorted(r.item.ids["tiktok"] for r in records if r.action == "watched")
    assert watched == ["6950000000000000001", "6950000000000000002"]
    search = next(r for r in records if r.action == "searched")
    assert search.item.title == "masa madre" and search.provenance.line == 1  # type: ignore[union-attr]
    assert len(problems) == 1 and problems[0].line == 4 and "ayer" in problems[0].reason
