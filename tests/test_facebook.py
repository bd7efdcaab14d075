from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.facebook import FacebookImporter, fix_mojibake
from selfdex.testing import parse_path, recognitions


def test_fix_mojibake() -> None:
    assert fix_mojibake("gef\u00c3\u00a4llt") == "gefällt"
    assert fix_mojibake("\u00f0\u009f\u0091\u008d") == "👍"
    assert fix_mojibake("plain") == "plain"
    assert fix_mojibake("gefällt") == "gefällt"  # already right: not a valid UTF-8 byte sequence
    assert fix_mojibake("Kyoto 京都") == "Kyoto 京都"  # not Latin-1 at all


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "facebook"
    assert set(recognitions(folder).values()) == {"facebook"}
    records, problems = parse_path(FacebookImporter(), folder)
    assert [(p.member.rsplit("/", 1)[-1], p.severity) for p in problems] == [
        ("other_categories_used_to_reach_you.json", "skipped")
    ]
    # German titles, mojibake fixed
    link = next(r for r in records if r.item.title == "Marcia Husen gefällt Pavel Kroegers Link.")
    assert link.action == "liked" and link.extra["reaction"] == "LIKE"
    assert link.when is not None and link.when.isoformat() == "2014-12-13T13:28:47+00:00"
    page = next(r for r in records if r.item.title == "Altes Fährhaus Hamm")
    assert page.item.url == "https://www.facebook.com/604129023336512" and page.action == "liked"
    topics = {r.item.title: r.extra["source"] for r in records if r.action == "interested"}
    assert topics["Cats (domestic animal)"] == "inferred topics" and topics["Adidas"] == "ads interests"
    search = next(r for r in records if r.action == "searched")
    assert search.item.title == "Marcia Husen" and search.extra["title"] == "Du hast Facebook aufgerufen"
    off = [r for r in records if r.extra.get("reported_by") == "off-Meta activity"]
    assert len(off) == 6 and sum(r.action == "purchased" for r in off) == 3
    assert len({r.id for r in off}) == 6
    clicks = [r for r in records if "ad" in r.item.categories]
    assert clicks[0].item.url == "https://pummys.com/collections/winterschuhe"


def test_malformed(tmp_path: Path) -> None:
    (tmp_path / "pages.json").write_text(
        json.dumps(
            {
                "page_likes_v3": [
                    {"name": "Caf\u00c3\u00a9 Einstein", "timestamp": 1600000000, "url": "https://fb/1"},
                    {"timestamp": 1600000001},
                    {"name": "Kiezkneipe", "timestamp": 1600000002},
                ]
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "your_topics.json").write_text('{"inferred_topics_v2": ["a", "b"', encoding="utf-8")
    records, problems = parse_path(FacebookImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Café Einstein", "Kiezkneipe"]
    assert [(p.member, p.index) for p in problems if p.index is not None] == [("pages.json", 1)]
    assert any(p.member == "your_topics.json" and "invalid JSON" in p.reason for p in problems)


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("facebook-*.zip"))
    assert set(recognitions(bundle).values()) == {"facebook"}
    records, problems = parse_path(FacebookImporter(), bundle)
    assert problems == []
    pages = {r.item.title for r in records if r.item.kind == "channel"}
    assert {"Hans Zimmer", "Denis Villeneuve", "Grunewald Trail Runners"} <= pages
    topics = {r.item.title for r in records if r.action == "interested"}
    assert "Japanische Küche" in topics  # mojibake undone
    reactions = [r for r in records if r.item.kind == "post"]
    assert reactions and all(
        r.when is not None and "Mara Lindqvist" in (r.item.title or "") for r in reactions
    )
    assert any("gefällt" in (r.item.title or "") for r in reactions)
    assert any(r.action == "purchased" and r.item.title == "zalando.de" for r in records)


def test_unknown_layout_in_a_facebook_export(tmp_path: Path) -> None:
    folder = tmp_path / "facebook-mara-2027" / "your_facebook_activity"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "pages_you've_liked.json").write_text('{"liked_pages_v3": {"items": []}}')
    (folder / "profile_information.json").write_text('{"profile_v3": {"name": "Mara"}}')
    records, problems = parse_path(FacebookImporter(), tmp_path)
    assert records == []
    assert sorted(p.severity for p in problems) == ["skipped", "unsupported"]
    variant = next(p for p in problems if p.severity == "unsupported")
    assert "pages_you've_liked.json" in variant.reason and "liked_pages_v3" in variant.reason
