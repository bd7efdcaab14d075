"""Claude data export (Settings → Privacy → Export data): ``conversations.json`` with ``chat_messages``.

Same file name as ChatGPT's, told apart by shape: a list of conversations with ``uuid``, ``name`` and a flat
``chat_messages`` list (``sender`` "human" or "assistant"). Newer exports put the words in ``content`` blocks
(text, thinking, tool_use, tool_result) and keep ``text`` as a flat copy; we read the text blocks and leave
the model's reasoning and tool traffic out. ``users.json`` and ``projects.json`` are account data, not
activity. Streamed one conversation at a time. ``memories.json`` (what Claude remembers about the person:
``conversations_memory`` and ``project_memories``, Markdown with bold section headings) becomes one note per
paragraph.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, iter_json_items, load_small_json

_ACTIONS = {"human": "messaged", "assistant": "received"}


class ClaudeImporter(Importer):
    name = "claude"
    platform = "claude"
    version = "1"
    description = (
        "Claude data export: conversations (no reasoning/tools) and what Claude remembers (memories.json)"
    )
    handles = ("conversations.json", "memories.json")

    def recognize(self, entry: Entry) -> float:
        if entry.name.lower() == "memories.json" or entry.parts[-2:-1] == ("memories",):
            return 0.9 if b'"conversations_memory"' in entry.head(4096) else 0.0
        if entry.suffix != ".json" or not entry.name.lower().startswith("conversations"):
            return 0.0
        head = entry.head(4096)
        if b'"chat_messages"' in head and b'"uuid"' in head:
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if b'"conversations_memory"' in entry.head(4096):
            yield from self._memories(entry)
            return
        for item in iter_json_items(entry, "item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, conv = item
            if not isinstance(conv, dict) or not isinstance(conv.get("chat_messages"), list):
                yield ImportProblem("conversation has no chat_messages", entry.path, index=index)
                continue
            title = clean(conv.get("name")) or "(untitled conversation)"
            conv_id = str(conv.get("uuid") or "")
            for position, msg in enumerate(conv["chat_messages"]):
                out = self._message(entry, index, conv_id, title, position, msg)
                if out is not None:
                    yield out

    def _message(
        self, entry: Entry, index: int, conv_id: str, title: str, position: int, msg: Any
    ) -> Record | ImportProblem | None:
        if not isinstance(msg, dict):
            return ImportProblem(f"message {position} is not an object", entry.path, index=index)
        action = _ACTIONS.get(str(msg.get("sender")))
        if action is None:
            return None
        text = _text(msg)
        if not text:
            return None
        stamp = parse_iso(str(msg.get("created_at") or ""))
        if stamp is None and msg.get("created_at"):
            return ImportProblem(
                f"unreadable created_at {msg.get('created_at')!r} in message {position}",
                entry.path,
                index=index,
            )
        extra: dict[str, Any] = {
            "conversation_id": conv_id,
            "role": msg.get("sender"),
            "position": position,
            "identity": msg.get("uuid") or f"{conv_id}:{position}",
        }
        files = [
            a.get("file_name")
            for a in (msg.get("attachments") or []) + (msg.get("files") or [])
            if isinstance(a, dict)
        ]
        if files := [f for f in files if f]:
            extra["attachments"] = files[:20]
        return Record(
            platform=self.platform,
            action=action,
            item=Item(
                kind="message",
                title=title,
                ids={"claude_conversation": conv_id} if conv_id else {},
                url=f"https://claude.ai/chat/{conv_id}" if conv_id else None,
            ),
            **stamp_fields(stamp),
            text=text,
            extra=extra,
            raw={"conversation": title, "message": msg},
            provenance=prov(entry, index),
        )

    def _memories(self, entry: Entry) -> ParseResult:
        """What Claude remembers about the person (``memories.json``): one note per paragraph."""
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        for index, block in enumerate(data if isinstance(data, list) else [data]):
            if not isinstance(block, dict):
                yield ImportProblem("memory block is not an object", entry.path, index=index)
                continue
            sources = [("conversations", block.get("conversations_memory"))]
            sources += [(f"project:{k}", v) for k, v in (block.get("project_memories") or {}).items()]
            for source, text in sources:
                if not isinstance(text, str):
                    continue
                for section, para in _memory_notes(text):
                    yield Record(
                        platform=self.platform,
                        action="noted",
                        item=Item(kind="note", title=section or "Claude's memory", categories=("memory",)),
                        text=para,
                        extra={"memory": source, "section": section, "identity": f"{source}:{section}"},
                        raw={"memory": source, "text": para},
                        provenance=prov(entry, index),
                    )


_HEADING = re.compile(r"^\*\*(.+?)\*\*\s*$")


def _memory_notes(text: str) -> list[tuple[str | None, str]]:
    """(section heading, paragraph) pairs of Claude's Markdown memory ("**Work context**\n\nMara is…")."""
    out: list[tuple[str | None, str]] = []
    heading = None
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        m = _HEADING.match(para)
        if m:
            heading = m.group(1).strip()
            continue
        out.append((heading, para))
    return out


def _text(msg: dict[str, Any]) -> str | None:
    blocks = msg.get("content")
    if isinstance(blocks, list) and blocks:
        texts = [b.get("text") or "" for b in blocks if isinstance(b, dict) and b.get("type") == "text"]
        if any(texts):
            return clean("\n\n".join(t for t in texts if t))
        if any(
            isinstance(b, dict) and b.get("type") in ("thinking", "tool_use", "tool_result") for b in blocks
        ):
            return None  # a turn that only thought or called tools said nothing to the person
    return clean(msg.get("text"))
