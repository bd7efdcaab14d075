"""ChatGPT data export (``<hash>-<date>.zip``): ``conversations.json``, split into ``conversations-000.json``,
``conversations-001.json``… on large accounts.

Each conversation holds its messages as a tree (``mapping``: node id → {message, parent, children}); editing a
prompt or regenerating an answer adds a branch, and ``current_node`` is the leaf the person last saw. We
follow ``current_node`` up to the root, so abandoned branches are not imported as if they had been said.
System prompts, tool calls, hidden context and the model's reasoning are not the person's conversation
and are left out. A conversation marked ``is_do_not_remember`` (the person asked ChatGPT not to use it for
memory) is reported as skipped and not imported. The file is streamed one conversation at a time: real
exports reach several hundred MB.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch
from ._util import clean, prov
from .base import Importer, ParseResult, iter_json_items

_FILE = re.compile(r"^conversations(-\d{3,})?\.json$", re.IGNORECASE)
_TEXT_TYPES = {"text", "multimodal_text", "code"}
_ROLES = {"user": "messaged", "assistant": "received"}
# A branch longer than this is a corrupt tree (a parent cycle), not a conversation.
_MAX_DEPTH = 100_000


class ChatGPTImporter(Importer):
    name = "chatgpt"
    platform = "chatgpt"
    version = "1"
    description = "ChatGPT data export: conversations (the branch you last saw), split files, do-not-remember"
    handles = ("conversations.json", "conversations-000.json …")

    def recognize(self, entry: Entry) -> float:
        if not _FILE.match(entry.name):
            return 0.0
        head = entry.head(4096)
        if b'"mapping"' in head or b'"current_node"' in head:
            return 0.95
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        for item in iter_json_items(entry, "item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, conv = item
            try:
                yield from self._conversation(entry, index, conv)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                yield ImportProblem(
                    f"unreadable conversation: {type(exc).__name__}: {exc}",
                    entry.path,
                    index=index,
                    excerpt=str(conv)[:200],
                )

    def _conversation(self, entry: Entry, index: int, conv: Any) -> ParseResult:
        if not isinstance(conv, dict) or not isinstance(conv.get("mapping"), dict):
            yield ImportProblem("conversation has no message tree", entry.path, index=index)
            return
        title = clean(conv.get("title")) or "(untitled conversation)"
        conv_id = str(conv.get("conversation_id") or conv.get("id") or "")
        if conv.get("is_do_not_remember") is True:
            yield ImportProblem(
                f"conversation {title!r} is marked do-not-remember in ChatGPT: not imported",
                entry.path,
                index=index,
                severity="skipped",
            )
            return
        started = from_epoch(conv.get("create_time") or 0)
        model = conv.get("default_model_slug")
        for position, msg in enumerate(_active_branch(conv)):
            author = msg.get("author") or {}
            action = _ROLES.get(str(author.get("role")))
            content = msg.get("content") or {}
            meta = msg.get("metadata") or {}
            if action is None or content.get("content_type") not in _TEXT_TYPES:
                continue
            if meta.get("is_visually_hidden_from_conversation") or msg.get("weight") == 0:
                continue
            if msg.get("recipient") not in (None, "all"):
                continue  # the model writing to a tool (code for "python", a browser query), not to her
            text = _text(content)
            if not text:
                continue
            stamp = from_epoch(msg.get("create_time") or 0) or started
            extra: dict[str, Any] = {
                "conversation_id": conv_id,
                "role": author.get("role"),
                "position": position,
                "identity": msg.get("id") or f"{conv_id}:{position}",
            }
            if slug := meta.get("model_slug") or (model if action == "received" else None):
                extra["model"] = slug
            if conv.get("gizmo_id"):
                extra["gpt"] = conv["gizmo_id"]
            yield Record(
                platform=self.platform,
                action=action,
                # The assistant is not a correspondent: no creators, so it never enters the name gazetteer.
                item=Item(
                    kind="message",
                    title=title,
                    ids={"chatgpt_conversation": conv_id} if conv_id else {},
                    url=f"https://chatgpt.com/c/{conv_id}" if conv_id else None,
                ),
                when=stamp.when if stamp else None,
                original_tz="UTC" if stamp else None,
                precision=stamp.precision if stamp else None,
                text=text,
                extra=extra,
                raw={"conversation": title, "message": msg},
                provenance=prov(entry, index),
            )


def _active_branch(conv: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages from the root to ``current_node``, in order; the longest-lived leaf when it is missing."""
    mapping: dict[str, Any] = conv["mapping"]
    node_id = conv.get("current_node")
    if node_id not in mapping:
        # Older exports lack current_node: follow the last child from the root, the newest branch.
        roots = [k for k, v in mapping.items() if not (v or {}).get("parent")]
        node_id = roots[0] if roots else None
        while node_id is not None and (mapping.get(node_id) or {}).get("children"):
            node_id = mapping[node_id]["children"][-1]
    chain: list[dict[str, Any]] = []
    seen: set[str] = set()
    while node_id is not None and node_id in mapping and node_id not in seen and len(seen) < _MAX_DEPTH:
        seen.add(node_id)
        node = mapping[node_id] or {}
        if isinstance(node.get("message"), dict):
            chain.append(node["message"])
        node_id = node.get("parent")
    chain.reverse()
    return chain


def _text(content: dict[str, Any]) -> str | None:
    if content.get("content_type") == "code":
        return clean(content.get("text"))
    parts = []
    for part in content.get("parts") or ():
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("content_type") == "image_asset_pointer":
            parts.append("[image]")
    return clean("\n".join(p for p in parts if p))
