"""Telegram Desktop result.json: full and single-chat exports, streamed; text entities; owner known."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.telegram import TelegramImporter
from selfdex.testing import parse_path, recognitions


def test_single_chat_export_without_unixtime(tmp_path: Path) -> None:
    chat = {
        "name": "Lea",
        "type": "personal_chat",
        "id": 42,
        "messages": [
            {"id": 1, "type": "service", "date": "2021-01-01T10:00:00", "action": "phone_call", "text": ""},
            {
                "id": 2,
                "type": "message",
                "date": "2021-01-01T10:01:00",
                "from": "Lea",
                "from_id": "user42",
                "text": ["see ", {"type": "bold", "text": "you"}, " there"],
            },
            {"id": 3, "type": "message", "from": "Lea", "text": "no date"},
        ],
    }
    (tmp_path / "result.json").write_text(json.dumps(chat), encoding="utf-8")
    records, problems = parse_path(TelegramImporter(), tmp_path)
    (msg,) = records
    assert msg.text == "see you there" and msg.original_tz == "local" and msg.item.title == "Lea"
    assert msg.action == "messaged"  # no personal_information: the owner is unknown
    assert len(problems) == 1 and problems[0].index == 2


def test_truncated_file_keeps_the_messages_before(tmp_path: Path) -> None:
    chat = {
        "name": "Lea",
        "type": "personal_chat",
        "id": 42,
        "messages": [
            {
                "id": i,
                "type": "message",
                "date_unixtime": str(1600000000 + i),
                "from": "Lea",
                "from_id": "user42",
                "text": f"m{i}",
            }
            for i in range(3)
        ],
    }
    (tmp_path / "result.json").write_text(json.dumps(chat)[:-40], encoding="utf-8")
    records, problems = parse_path(TelegramImporter(), tmp_path)
    assert [r.text for r in records] == ["m0", "m1"] and len(problems) == 1


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "Telegram Desktop"
    assert set(recognitions(bundle).values()) == {"telegram"}
    records, problems = parse_path(TelegramImporter(), bundle)
    assert problems == []
    mine = {r.text for r in records if r.action == "messaged"}
    assert "Thanks! Is the pace chatty?" in mine and all(
        r.item.creators == ("Mara Lindqvist",) for r in records if r.action == "messaged"
    )
    theirs = {c for r in records if r.action == "received" for c in r.item.creators}
    assert theirs == {"Lea Hoffmann", "Katrin Vogel"}
    saved = next(r for r in records if r.extra["chat_type"] == "saved_messages")
    assert saved.item.title == "Saved Messages"  # not the previous chat's name
    route = next(r for r in records if (r.text or "").startswith("Here is the route"))
    assert "https://www.strava.com/routes/3123456" in route.text  # type: ignore[operator]
    # date_unixtime is the instant: 09:15 in Berlin (CEST) is 07:15 UTC
    assert any(r.when is not None and r.when.hour == 7 and r.when.minute == 15 for r in records)
