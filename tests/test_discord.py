"""Discord data package: messages per channel (JSON and older CSV), channel.json, index.json."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.discord import DiscordImporter
from selfdex.testing import parse_path, recognitions


def test_json_and_older_csv_layouts(tmp_path: Path) -> None:
    new = tmp_path / "messages" / "c1087654321098765432"
    old = tmp_path / "messages" / "412345678901234567"
    new.mkdir(parents=True)
    old.mkdir(parents=True)
    (new / "messages.json").write_text(
        json.dumps(
            [
                {"ID": 1, "Timestamp": "2024-03-03 11:02:45", "Contents": "hi", "Attachments": ""},
                {"ID": 2, "Timestamp": "yesterday", "Contents": "?", "Attachments": ""},
            ]
        ),
        encoding="utf-8",
    )
    (new / "channel.json").write_text(
        json.dumps(
            {
                "id": "1087654321098765432",
                "type": 0,
                "name": "general",
                "guild": {"id": "9", "name": "Dune Club"},
            }
        ),
        encoding="utf-8",
    )
    (old / "messages.csv").write_text(
        'ID,Timestamp,Contents,Attachments\n7,2020-01-01 12:00:00.123000+00:00,"old, with comma",\n',
        encoding="utf-8",
    )
    records, problems = parse_path(DiscordImporter(), tmp_path)
    msgs = sorted((r for r in records if r.item.kind == "message"), key=lambda r: r.when)  # type: ignore[arg-type, return-value]
    assert [(m.text, m.extra["channel_id"]) for m in msgs] == [
        ("old, with comma", "412345678901234567"),
        ("hi", "1087654321098765432"),
    ]
    assert msgs[0].precision == "us" and msgs[1].original_tz == "UTC"
    (channel,) = [r for r in records if r.item.kind == "channel"]
    assert channel.item.title == "#general in Dune Club" and channel.item.ids == {
        "discord_channel": "1087654321098765432"
    }
    assert len(problems) == 1 and problems[0].index == 1


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "package.zip"
    seen = recognitions(bundle)
    assert seen["account/user.json"] is None and seen["messages/index.json"] == "discord"
    records, problems = parse_path(DiscordImporter(), bundle)
    assert [p.severity for p in problems] == ["skipped"]  # index.json: labels only
    assert sum(r.item.kind == "message" for r in records) == 4
    assert any(r.item.title == "#book-club in Berlin SF Readers" for r in records)
