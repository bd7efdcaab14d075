"""Discord data package: ``package.zip`` with ``messages/index.json`` (channel id → label, some null),
``messages/c<id>/channel.json`` + ``messages.json`` per channel (2023+ layout: ``ID``, ``Timestamp``,
``Contents``, ``Attachments``), an empty channel, and ``account/user.json`` (not activity)."""

from __future__ import annotations

import json
from pathlib import Path

from ..person import Person

BUNDLE = "package.zip"

_DM = "1087654321098765432"
_GUILD = "1123456789012345678"
_EMPTY = "1199999999999999999"


def write(person: Person, root: Path) -> None:
    msgs = root / "messages"
    (msgs / f"c{_DM}").mkdir(parents=True)
    (msgs / f"c{_GUILD}").mkdir()
    (msgs / f"c{_EMPTY}").mkdir()
    (msgs / "index.json").write_text(
        json.dumps(
            {_DM: "Direct Message with jonas.mueller", _GUILD: "book-club in Berlin SF Readers", _EMPTY: None}
        ),
        encoding="utf-8",
    )
    (msgs / f"c{_DM}" / "channel.json").write_text(
        json.dumps({"id": _DM, "type": 1, "recipients": ["402211334455667788", "398877665544332211"]}),
        encoding="utf-8",
    )
    (msgs / f"c{_DM}" / "messages.json").write_text(
        json.dumps(
            [
                {
                    "ID": 1215000000000000001,
                    "Timestamp": "2024-03-03 11:02:45",
                    "Contents": "Still thinking about the arena scene",
                    "Attachments": "",
                },
                {
                    "ID": 1215000000000000002,
                    "Timestamp": "2024-03-03 11:03:10",
                    "Contents": "",
                    "Attachments": "https://cdn.discordapp.com/attachments/1/2/worm.png",
                },
            ],
            indent=2,
        ),
        encoding="utf-8",
    )
    (msgs / f"c{_GUILD}" / "channel.json").write_text(
        json.dumps(
            {
                "id": _GUILD,
                "type": 0,
                "name": "book-club",
                "guild": {"id": "1100000000000000000", "name": "Berlin SF Readers"},
            }
        ),
        encoding="utf-8",
    )
    (msgs / f"c{_GUILD}" / "messages.json").write_text(
        json.dumps(
            [
                {
                    "ID": 1300000000000000001,
                    "Timestamp": "2024-11-05 19:30:00",
                    "Contents": "Next month: Exhalation by Ted Chiang?",
                    "Attachments": "",
                },
                {
                    "ID": 1300000000000000002,
                    "Timestamp": "2024-11-05 19:31:12",
                    "Contents": "I vote for The Buried Giant",
                    "Attachments": "",
                },
            ],
            indent=2,
        ),
        encoding="utf-8",
    )
    (msgs / f"c{_EMPTY}" / "channel.json").write_text(json.dumps({"id": _EMPTY, "type": 3}), encoding="utf-8")
    (msgs / f"c{_EMPTY}" / "messages.json").write_text("[]", encoding="utf-8")
    (root / "account").mkdir()
    (root / "account" / "user.json").write_text(
        json.dumps({"id": "402211334455667788", "username": person.username, "email": person.email}),
        encoding="utf-8",
    )
