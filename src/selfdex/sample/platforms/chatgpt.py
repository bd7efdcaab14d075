"""ChatGPT data export: ``conversations.json`` (a list of conversations, each a message tree in ``mapping``
with ``current_node`` at the leaf she last saw), split the way large accounts get it
(``conversations-000.json``, ``conversations-001.json``), with an edited prompt whose abandoned branch stays in
the tree, a system node, a tool call, hidden context, and one conversation marked ``is_do_not_remember``."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from ..person import Person

BUNDLE = "chatgpt-export-2025-07-01.zip"

# (title, day, [(role, text)…]); her Dune questions and a couple of everyday ones.
_CONVERSATIONS: tuple[tuple[str, date, tuple[tuple[str, str], ...]], ...] = (
    (
        "Dune reading order",
        date(2024, 1, 20),
        (
            (
                "user",
                "I just finished Dune by Frank Herbert. Should I read Dune Messiah next or jump to Children of Dune?",
            ),
            ("assistant", "Read Dune Messiah next: it is short and sets up Children of Dune directly."),
            ("user", "Is the Villeneuve film faithful to the book?"),
            ("assistant", "Broadly yes: Part One covers roughly the first half of the novel."),
        ),
    ),
    (
        "Fremen vocabulary",
        date(2024, 3, 4),
        (
            ("user", "What does 'Lisan al-Gaib' mean in Dune?"),
            (
                "assistant",
                "It is the Fremen name for the off-world prophet: 'the voice from the outer world'.",
            ),
        ),
    ),
    (
        "Trail running plan",
        date(2024, 9, 12),
        (
            ("user", "Make me a 10-week plan for a 30 km trail race in the Grunewald."),
            (
                "assistant",
                "Weeks 1-3 build base mileage; long runs grow by 10% a week, with a cutback every fourth week.",
            ),
        ),
    ),
    (
        "Onigiri fillings",
        date(2025, 2, 2),
        (
            ("user", "Classic onigiri fillings that keep until lunch?"),
            (
                "assistant",
                "Umeboshi, salted salmon and okaka keep well; avoid mayonnaise fillings without a fridge.",
            ),
        ),
    ),
)
_PRIVATE = (
    "Therapy notes",
    date(2025, 4, 1),
    (("user", "Help me phrase what I want to say to my sister."), ("assistant", "Start with what you felt.")),
)


def _conversation(
    person: Person, title: str, day: date, turns: Any, *, private: bool = False
) -> dict[str, Any]:
    rng = person.rand(f"chatgpt:{title}")
    conv_id = str(uuid.UUID(int=rng.getrandbits(128)))
    start = person.evening(rng, day).timestamp() + rng.random()

    def node_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128)))

    mapping: dict[str, Any] = {}
    root = node_id()
    mapping[root] = {"id": root, "message": None, "parent": None, "children": []}
    system = node_id()
    mapping[system] = {
        "id": system,
        "message": {
            "id": system,
            "author": {"role": "system", "name": None, "metadata": {}},
            "create_time": None,
            "update_time": None,
            "content": {"content_type": "text", "parts": [""]},
            "status": "finished_successfully",
            "end_turn": True,
            "weight": 0.0,
            "metadata": {"is_visually_hidden_from_conversation": True},
            "recipient": "all",
        },
        "parent": root,
        "children": [],
    }
    mapping[root]["children"].append(system)
    parent = system
    t = start
    for i, (role, text) in enumerate(turns):
        if i == 0 and not private:
            # the first prompt was edited: the original stays in the tree as an abandoned branch
            stale = node_id()
            mapping[stale] = {
                "id": stale,
                "message": _msg(stale, "user", text.split("?")[0] + " (typo draft)", t - 30),
                "parent": parent,
                "children": [],
            }
            mapping[parent]["children"].append(stale)
        nid = node_id()
        msg = _msg(nid, role, text, t)
        if role == "assistant":
            msg["metadata"]["model_slug"] = "gpt-4o"
        mapping[nid] = {"id": nid, "message": msg, "parent": parent, "children": []}
        mapping[parent]["children"].append(nid)
        if role == "assistant" and i == 1:
            # a tool call between the answer and the next prompt: not part of the conversation
            tool = node_id()
            tmsg = _msg(tool, "tool", 'search("dune")', t + 1)
            tmsg["author"]["name"] = "web.run"
            tmsg["content"] = {"content_type": "code", "language": "unknown", "text": "search('dune')"}
            mapping[tool] = {"id": tool, "message": tmsg, "parent": nid, "children": []}
            mapping[nid]["children"].append(tool)
            nid = tool
        parent = nid
        t += 40 + rng.randrange(200)
    return {
        "title": title,
        "create_time": start,
        "update_time": t,
        "mapping": mapping,
        "moderation_results": [],
        "current_node": parent,
        "plugin_ids": None,
        "conversation_id": conv_id,
        "conversation_template_id": None,
        "gizmo_id": None,
        "gizmo_type": None,
        "is_archived": False,
        "is_starred": None,
        "safe_urls": [],
        "blocked_urls": [],
        "default_model_slug": "gpt-4o",
        "conversation_origin": None,
        "voice": None,
        "async_status": None,
        "disabled_tool_ids": [],
        "is_do_not_remember": private,
        "memory_scope": "global_enabled",
        "sugar_item_id": None,
        "id": conv_id,
    }


def _msg(nid: str, role: str, text: str, t: float) -> dict[str, Any]:
    return {
        "id": nid,
        "author": {"role": role, "name": None, "metadata": {}},
        "create_time": t,
        "update_time": None,
        "content": {"content_type": "text", "parts": [text]},
        "status": "finished_successfully",
        "end_turn": role == "assistant",
        "weight": 1.0,
        "metadata": {},
        "recipient": "all",
        "channel": None,
    }


def write(person: Person, root: Path) -> None:
    convs = [_conversation(person, title, day, turns) for title, day, turns in _CONVERSATIONS]
    convs.append(_conversation(person, *_PRIVATE, private=True))
    convs.sort(key=lambda c: -c["update_time"])  # newest first, as ChatGPT writes them
    # a large account's export: split into numbered files of a few conversations each
    for n, start in enumerate(range(0, len(convs), 3)):
        (root / f"conversations-{n:03d}.json").write_text(
            json.dumps(convs[start : start + 3], ensure_ascii=False, indent=None), encoding="utf-8"
        )
    (root / "user.json").write_text(
        json.dumps({"id": "user-mara", "email": person.email, "chatgpt_plus_user": False}), encoding="utf-8"
    )
