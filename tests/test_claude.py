"""Claude export: conversations.json told apart from ChatGPT's by shape; text blocks only."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.claude import ClaudeImporter
from selfdex.testing import parse_path, recognitions


def test_text_blocks_only_and_flat_text_fallback(tmp_path: Path) -> None:
    conv = {
        "uuid": "u-1",
        "name": "Arrival",
        "created_at": "2024-05-01T10:00:00.000000Z",
        "chat_messages": [
            {
                "uuid": "m1",
                "sender": "human",
                "text": "Is Arrival faithful?",
                "created_at": "2024-05-01T10:00:00.123456Z",
            },
            {
                "uuid": "m2",
                "sender": "assistant",
                "created_at": "2024-05-01T10:00:05Z",
                "text": "flat copy",
                "content": [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "Mostly."}],
            },
            {
                "uuid": "m3",
                "sender": "assistant",
                "created_at": "2024-05-01T10:00:06Z",
                "text": "",
                "content": [{"type": "tool_use", "name": "search"}],
            },
            {"uuid": "m4", "sender": "human", "created_at": "yesterday", "text": "bad date"},
        ],
    }
    (tmp_path / "conversations.json").write_text(json.dumps([conv]), encoding="utf-8")
    records, problems = parse_path(ClaudeImporter(), tmp_path)
    assert [(r.action, r.text) for r in records] == [
        ("messaged", "Is Arrival faithful?"),
        ("received", "Mostly."),
    ]
    assert records[0].precision == "us" and records[0].item.creators == ()
    assert len(problems) == 1 and "created_at" in problems[0].reason and problems[0].index == 0


def test_sample_person_and_no_confusion_with_chatgpt(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("data-*-batch-0000.zip"))
    assert recognitions(bundle)["conversations.json"] == "claude"
    assert (
        recognitions(sample_exports / "chatgpt-export-2025-07-01.zip")["conversations-000.json"] == "chatgpt"
    )
    records, problems = parse_path(ClaudeImporter(), bundle)
    messages = [r for r in records if r.item.kind == "message"]
    assert problems == [] and len(messages) == 4
    assert any("Hans Zimmer" in (r.text or "") for r in messages)
    notes = [(r.item.title, r.text) for r in records if r.item.kind == "note"]
    assert len(notes) == 3 and notes[0][0] == "Work context"
    assert ("Personal context", "She cooks Japanese food at home.") in notes


def test_memories_json(tmp_path: Path) -> None:
    memory = {
        "conversations_memory": "**Work**\n\nArjun is an advisor.\n\nLikes tea.",
        "project_memories": {"p1": "Hexagonal architecture."},
    }
    (tmp_path / "memories.json").write_text(json.dumps([memory]), encoding="utf-8")
    records, problems = parse_path(ClaudeImporter(), tmp_path)
    assert problems == []
    assert [(r.item.title, r.text, r.extra["memory"]) for r in records] == [
        ("Work", "Arjun is an advisor.", "conversations"),
        ("Work", "Likes tea.", "conversations"),
        ("Claude's memory", "Hexagonal architecture.", "project:p1"),
    ]
