"""Claude data export: ``conversations.json`` (``uuid``, ``name``, ``chat_messages`` with ``sender`` human or
assistant; newer messages keep ``content`` blocks — text, thinking, tool_use — beside a flat ``text``),
``users.json``, ``projects.json`` and ``memories.json`` (what Claude remembers about her, in Markdown)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "data-2025-07-01-12-00-00-batch-0000.zip"

_CHATS = (
    (
        "Ishiguro's narrators",
        datetime(2024, 11, 3, 19, 5, tzinfo=UTC),
        (
            (
                "human",
                "Why are Kazuo Ishiguro's narrators so unreliable? I'm reading The Remains of the Day.",
            ),
            (
                "assistant",
                "Stevens withholds rather than lies: dignity, as he defines it, forbids him to feel aloud.",
            ),
        ),
    ),
    (
        "Dune soundtrack instruments",
        datetime(2025, 1, 14, 21, 40, tzinfo=UTC),
        (
            ("human", "Which instruments does Hans Zimmer use in the Dune soundtrack?"),
            (
                "assistant",
                "Bagpipes, throat singing, a custom-built 'duduk'-like flute and lots of processed voice.",
            ),
        ),
    ),
)


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def write(person: Person, root: Path) -> None:
    rng = person.rand("claude")
    convs: list[dict[str, Any]] = []
    for name, start, turns in _CHATS:
        messages = []
        t = start
        for i, (sender, text) in enumerate(turns):
            content: list[dict[str, Any]] = [
                {"type": "text", "text": text, "start_timestamp": _ts(t), "citations": []}
            ]
            if sender == "assistant" and i == 1:
                content.insert(
                    0, {"type": "thinking", "thinking": "The user asks about instruments; recall interviews."}
                )
            messages.append(
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                    "text": text,
                    "content": content,
                    "sender": sender,
                    "created_at": _ts(t),
                    "updated_at": _ts(t),
                    "attachments": [],
                    "files": [],
                }
            )
            t += timedelta(seconds=30 + rng.randrange(90))
        # a tool-only assistant turn says nothing to her
        messages.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "text": "",
                "content": [{"type": "tool_use", "name": "web_search", "input": {"query": name}}],
                "sender": "assistant",
                "created_at": _ts(t),
                "updated_at": _ts(t),
                "attachments": [],
                "files": [],
            }
        )
        convs.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "name": name,
                "summary": "",
                "created_at": _ts(start),
                "updated_at": _ts(t),
                "account": {"uuid": "5f0c3e8a-0000-4000-8000-00000000mara"},
                "chat_messages": messages,
            }
        )
    (root / "conversations.json").write_text(
        json.dumps(convs, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (root / "users.json").write_text(
        json.dumps([{"uuid": "u1", "full_name": person.name, "email_address": person.email}]),
        encoding="utf-8",
    )
    (root / "projects.json").write_text("[]", encoding="utf-8")
    memory = (
        "**Work context**\n\nMara is a product designer in Berlin who designs fitting apps for prosthetics "
        "technicians.\n\n**Personal context**\n\nShe reads the books before she sees their films "
        "and is training for a trail race.\n\nShe cooks Japanese food at home."
    )
    (root / "memories.json").write_text(
        json.dumps([{"conversations_memory": memory, "project_memories": {}, "account_uuid": "5f0c3e8a"}]),
        encoding="utf-8",
    )
