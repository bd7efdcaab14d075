"""Discord data package: ``package.zip`` with ``messages/index.json`` (channel id → label, some null),
``messages/c<id>/channel.json`` + ``messages.json`` per channel (2023+ layout: ``ID``, ``Timestamp``,
``Contents``, ``Attachments``), an empty channel, and ``account/user.json`` (not activity)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "package.zip"

_DM = "1087654321098765432"
_GUILD = "1123456789012345678"
_EMPTY = "1199999999999999999"
# channel id → (channel.json, [(message id, timestamp, contents, attachments)])
_CHANNELS: dict[str, tuple[dict[str, Any], list[tuple[int, str, str, str]]]] = {
    _DM: (
        {"id": _DM, "type": 1, "recipients": ["402211334455667788", "398877665544332211"]},
        [
            (1215000000000000001, "2024-03-03 11:02:45", "Still thinking about the arena scene", ""),
            (
                1215000000000000002,
                "2024-03-03 11:03:10",
                "",
                "https://cdn.discordapp.com/attachments/1/2/worm.png",
            ),
        ],
    ),
    _GUILD: (
        {
            "id": _GUILD,
            "type": 0,
            "name": "book-club",
            "guild": {"id": "1100000000000000000", "name": "Berlin SF Readers"},
        },
        [
            (1300000000000000001, "2024-11-05 19:30:00", "Next month: Exhalation by Ted Chiang?", ""),
            (1300000000000000002, "2024-11-05 19:31:12", "I vote for The Buried Giant", ""),
        ],
    ),
    _EMPTY: ({"id": _EMPTY, "type": 3}, []),
}


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def write(person: Person, root: Path) -> None:
    msgs = root / "messages"
    _dump(
        msgs / "index.json",
        {_DM: "Direct Message with jonas.mueller", _GUILD: "book-club in Berlin SF Readers", _EMPTY: None},
    )
    for cid, (channel, rows) in _CHANNELS.items():
        _dump(msgs / f"c{cid}" / "channel.json", channel)
        _dump(
            msgs / f"c{cid}" / "messages.json",
            [{"ID": i, "Timestamp": t, "Contents": c, "Attachments": a} for i, t, c, a in rows],
        )
    _dump(
        root / "account" / "user.json",
        {"id": "402211334455667788", "username": person.username, "email": person.email},
    )
