from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.instagram import InstagramImporter
from selfdex.testing import parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "instagram"
    assert set(recognitions(folder).values()) == {"instagram"}
    records, problems = parse_path(InstagramImporter(), folder)
    assert {p.severity for p in problems} == {"skipped"}
    assert {p.member.rsplit("/", 1)[-1] for p in problems} == {
        "advertisers_using_your_activity_or_information.json",
        "see_less_topics.json",  # updates that list no topics
    }
    # 2024 string_list_data
    like = next(r for r in records if r.item.url == "https://www.instagram.com/p/C9ASp1Lx0Ni/")
    assert like.action == "liked" and like.item.creators == ("uptown.united",)
    assert like.when is not None and like.when.isoformat() == "2024-07-04T15:38:28+00:00"
    saved = next(r for r in records if r.item.url == "https://www.instagram.com/reel/C6hFwkkOtfu/")
    assert saved.action == "saved" and saved.item.creators == ("jakehallendorff",)
    topics = {r.item.title for r in records if r.action == "interested"}
    assert "Cars & Trucks by Make & Model" in topics
    assert any(r.action == "watched" and r.item.kind == "video" for r in records)
    # 2026 label_values: mojibake fixed ("can\u00e2\u0080\u0099t" → "can’t"), hashtags and owner read
    dive = next(r for r in records if r.item.url == "https://www.instagram.com/reel/DXGRu_qAgui/")
    assert dive.text == "Dive in, head first, eyes closed, you can’t lose…"
    assert dive.item.creators == ("maggie_unemployed",) and dive.extra["owner_name"] == "Maggie"
    chanel = next(r for r in records if r.item.url == "https://www.instagram.com/reel/DSVgueXDQg7/")
    assert chanel.action == "saved" and "chanel" in chanel.item.categories
    link = next(r for r in records if r.item.title == "Account settings | Meta")
    assert link.action == "visited" and link.duration_s == 174.0
    off = {r.item.title for r in records if r.extra.get("reported_by") == "off-Meta activity"}
    assert {"JM Technologies LTD", "Lovable.dev", "Twilio"} <= off


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("instagram-*.zip"))
    assert set(recognitions(bundle).values()) == {"instagram"}
    records, problems = parse_path(InstagramImporter(), bundle)
    assert problems == []
    creators = {c for r in records for c in r.item.creators}
    assert {"justonecookbook", "salomonrunning", "dunemovie"} <= creators
    assert "Café Culture" in {r.item.title for r in records if r.action == "interested"}  # mojibake undone


def test_malformed(tmp_path: Path) -> None:
    likes = {
        "likes_media_likes": [
            {
                "title": "a",
                "string_list_data": [{"href": "https://i/p/1/", "value": "x", "timestamp": 1700000000}],
            },
            "not an object",
            {"title": "", "string_list_data": []},
            {"title": "b", "string_list_data": [{"href": "https://i/p/2/", "timestamp": 1700000100}]},
        ]
    }
    (tmp_path / "liked_posts.json").write_text(json.dumps(likes), encoding="utf-8")
    (tmp_path / "saved_posts.json").write_text('{"saved_saved_media": [{"title": "x", "str', encoding="utf-8")
    records, problems = parse_path(InstagramImporter(), tmp_path)
    assert [r.item.url for r in records] == ["https://i/p/1/", "https://i/p/2/"]
    assert sorted((p.member, p.index) for p in problems if p.index is not None) == [
        ("liked_posts.json", 1),
        ("liked_posts.json", 2),
    ]
    assert any(p.member == "saved_posts.json" and "invalid JSON" in p.reason for p in problems)
