"""Telegram Desktop "Export Telegram data" (machine-readable JSON): ``DataExport_2025-07-01/result.json`` with
``personal_information``, ``contacts`` and ``chats.list`` — a personal chat, a group with service messages,
her Saved Messages; ``text`` as a string or as a list of strings and entity objects; ``date`` in the
computer's wall clock beside ``date_unixtime``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "Telegram Desktop"
_ME = 5_123_456_789


def _msg(
    person: Person, mid: int, local: datetime, sender: str | None, from_id: str, text: Any, **kw: Any
) -> dict[str, Any]:
    aware = local.replace(tzinfo=person.tz)
    out: dict[str, Any] = {
        "id": mid,
        "type": "message",
        "date": local.strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(int(aware.timestamp())),
        "from": sender,
        "from_id": from_id,
        "text": text,
        "text_entities": [],
    }
    out.update(kw)
    return out


def write(person: Person, root: Path) -> None:
    me = f"user{_ME}"
    lea = "user6234567890"
    lea_chat = {
        "name": "Lea Hoffmann",
        "type": "personal_chat",
        "id": 6234567890,
        "messages": [
            _msg(
                person,
                101,
                datetime(2024, 6, 1, 9, 15),
                "Lea Hoffmann",
                lea,
                "Run tomorrow at Teufelsberg? 8:00",
            ),
            _msg(
                person, 102, datetime(2024, 6, 1, 9, 20), person.name, me, "Yes! Then breakfast at the market"
            ),
            _msg(
                person,
                103,
                datetime(2024, 6, 2, 12, 0),
                "Lea Hoffmann",
                lea,
                [
                    "Here is the route: ",
                    {"type": "link", "text": "https://www.strava.com/routes/3123456"},
                    " – 14 km",
                ],
            ),
            _msg(
                person,
                104,
                datetime(2024, 6, 2, 12, 5),
                "Lea Hoffmann",
                lea,
                "",
                photo="photos/photo_1@02-06-2024_12-05-00.jpg",
            ),
        ],
    }
    group = {
        "name": "Grunewald Trail Runners",
        "type": "private_supergroup",
        "id": 1987654321,
        "messages": [
            {
                "id": 1,
                "type": "service",
                "date": "2024-05-20T18:00:00",
                "date_unixtime": "1716220800",
                "actor": "Katrin Vogel",
                "actor_id": "user7234567890",
                "action": "invite_members",
                "members": [person.name],
                "text": "",
            },
            _msg(
                person,
                2,
                datetime(2024, 5, 20, 18, 2),
                "Katrin Vogel",
                "user7234567890",
                "Welcome Mara! Sunday long run, 25 km",
            ),
            _msg(person, 3, datetime(2024, 5, 20, 18, 5), person.name, me, "Thanks! Is the pace chatty?"),
        ],
    }
    saved = {
        "type": "saved_messages",
        "id": _ME,
        "messages": [
            _msg(
                person,
                7,
                datetime(2025, 2, 2, 8, 30),
                person.name,
                me,
                "onigiri: 1 cup rice, 1 umeboshi, nori strip",
            )
        ],
    }
    data = {
        "about": "Here is the data you requested. Remember: Telegram is ad free...",
        "personal_information": {
            "user_id": _ME,
            "first_name": "Mara",
            "last_name": "Lindqvist",
            "phone_number": "+49 170 0000000",
            "username": f"@{person.username}",
            "bio": "",
        },
        "contacts": {
            "about": "...",
            "list": [
                {
                    "user_id": 6234567890,
                    "first_name": "Lea",
                    "last_name": "Hoffmann",
                    "phone_number": "+49 151 23456789",
                    "date": "2023-11-02T10:00:00",
                    "date_unixtime": "1698919200",
                }
            ],
        },
        "chats": {"about": "This is the list of all chats.", "list": [lea_chat, group, saved]},
    }
    folder = root / "DataExport_2025-07-01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
