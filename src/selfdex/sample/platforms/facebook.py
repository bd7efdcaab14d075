"""Facebook's "Download your information" (JSON, German account language, 2023+ folder layout):
liked pages, reactions (titles are German sentences), inferred topics and ad interests, off-Meta activity.

Written the way Meta does: two-space indented JSON (the reactions file tab-indented), every non-ASCII
character as the UTF-8 bytes escaped one by one (``gefällt`` → ``gef\\u00c3\\u00a4llt``, the mojibake an
importer must undo), Unix-second timestamps, ``_v2`` top-level keys."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "facebook-maralind-20250630.zip"
_PAGES = (
    ("Grunewald Trail Runners", "running"),
    ("Hans Zimmer", "dune"),
    ("Denis Villeneuve", "dune"),
    ("Nils Frahm", "music"),
    ("Just One Cookbook", "cooking"),
    ("Kino International Berlin", None),
)
_FRIENDS = ("Jonas Müller", "Lea Schäfer", "Grunewald Trail Runners")
_TOPICS = ("Science-Fiction-Filme", "Trail running", "Japanische Küche", "Klaviermusik", "Bücher", "Berlin")
_AD_INTERESTS = ("Dune (Film)", "Laufschuhe", "Kochbücher", "Radiohead")
_OFF_META = (("komoot.com", "PAGE_VIEW"), ("zalando.de", "PURCHASE"), ("justonecookbook.com", "PAGE_VIEW"))


def _mojibake(obj: Any) -> Any:
    """Meta's export bug: UTF-8 bytes written as Latin-1 code points."""
    if isinstance(obj, str):
        return obj.encode("utf-8").decode("latin-1")
    if isinstance(obj, list):
        return [_mojibake(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _mojibake(v) for k, v in obj.items()}
    return obj


def _dump(path: Path, data: Any, indent: str | int = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_mojibake(data), indent=indent, ensure_ascii=True), encoding="utf-8")


def write(person: Person, root: Path) -> None:
    rng = person.rand("facebook")

    def ts(d: date) -> int:
        return int(person.evening(rng, d).timestamp())

    pages = [
        {
            "name": name,
            "timestamp": ts(person.day(rng)),
            "url": f"https://www.facebook.com/{rng.randrange(10**14, 10**15)}",
        }
        for name, _ in _PAGES
    ]
    _dump(root / "your_activity_across_facebook/pages/pages_you've_liked.json", {"page_likes_v2": pages})
    reactions: list[dict[str, Any]] = []
    for _ in range(8):
        friend = rng.choice(_FRIENDS)
        what = rng.choice(("Beitrag", "Foto", "Link"))
        owner = friend + ("'" if friend.endswith("s") else "s")
        if rng.random() < 0.7:
            reaction, title = "LIKE", f"{person.name} gefällt {owner} {what}."
        else:
            reaction, title = "LOVE", f"{person.name} hat auf {owner} {what} reagiert."
        reactions.append(
            {
                "timestamp": ts(person.day(rng)),
                "data": [{"reaction": {"reaction": reaction, "actor": person.name}}],
                "title": title,
            }
        )
    reactions.sort(key=lambda r: -r["timestamp"])
    _dump(
        root / "your_activity_across_facebook/comments_and_reactions/likes_and_reactions_1.json",
        reactions,
        "\t",
    )
    _dump(root / "logged_information/your_topics/your_topics.json", {"inferred_topics_v2": list(_TOPICS)})
    _dump(
        root / "logged_information/other_logged_information/ads_interests.json",
        {"topics_v2": list(_AD_INTERESTS)},
    )
    off_meta = [
        {
            "name": site,
            "events": [
                {
                    "id": rng.randrange(10**14, 10**15),
                    "type": kind,
                    "timestamp": ts(person.day(rng, date(2024, 1, 1))),
                }
                for _ in range(rng.randrange(1, 4))
            ],
        }
        for site, kind in _OFF_META
    ]
    _dump(
        root / "apps_and_websites_off_of_facebook/your_activity_off_meta_technologies.json",
        {"off_facebook_activity_v2": off_meta},
    )
