"""ChatGPT conversations.json: the active branch of the message tree, split files, do-not-remember."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.chatgpt import ChatGPTImporter
from selfdex.testing import parse_path, recognitions


def _node(
    nid: str, parent: str | None, children: list[str], role: str | None = None, text: str = "", **kw: object
) -> dict:  # type: ignore[type-arg]
    msg = None
    if role:
        msg = {
            "id": nid,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": 1700000000.0 + len(nid),
            "content": kw.pop("content", {"content_type": "text", "parts": [text]}),
            "weight": kw.pop("weight", 1.0),
            "metadata": kw.pop("metadata", {}),
            "recipient": "python" if nid == "c1" else "all",
        }
    return {"id": nid, "message": msg, "parent": parent, "children": children}


def _conv(mapping: dict, current: str | None, **kw: object) -> dict:  # type: ignore[type-arg]
    return {
        "title": "Spice",
        "create_time": 1700000000.0,
        "mapping": mapping,
        "current_node": current,
        "conversation_id": "c-1",
        "id": "c-1",
        **kw,
    }


def _tree() -> dict:  # type: ignore[type-arg]
    return {
        "root": _node("root", None, ["sys"]),
        "sys": _node(
            "sys",
            "root",
            ["u1old", "u1"],
            "system",
            "You are ChatGPT",
            metadata={"is_visually_hidden_from_conversation": True},
        ),
        "u1old": _node("u1old", "sys", ["a1old"], "user", "what is spice (first try)"),
        "a1old": _node("a1old", "u1old", [], "assistant", "abandoned answer"),
        "u1": _node("u1", "sys", ["a1"], "user", "What is the spice melange?"),
        "a1": _node("a1", "u1", ["c1"], "assistant", "A drug that extends life."),
        "c1": _node(
            "c1", "a1", ["t1"], "assistant", "", content={"content_type": "code", "text": "print(1)"}
        ),
        "t1": _node(
            "t1", "a1", ["u2"], "tool", "search results", content={"content_type": "code", "text": "x"}
        ),
        "u2": _node(
            "u2",
            "t1",
            ["a2"],
            "user",
            "",
            content={
                "content_type": "multimodal_text",
                "parts": [
                    {"content_type": "image_asset_pointer", "asset_pointer": "file-service://x"},
                    "Is this a sandworm?",
                ],
            },
        ),
        "a2": _node("a2", "u2", ["r2"], "assistant", "Yes."),
        "r2": _node("r2", "a2", [], "assistant", "", content={"content_type": "thoughts", "thoughts": []}),
    }


def _write(tmp_path: Path, name: str, data: object) -> Path:
    (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_follows_current_node_and_drops_abandoned_branches_system_tools_and_reasoning(tmp_path: Path) -> None:
    records, problems = parse_path(
        ChatGPTImporter(), _write(tmp_path, "conversations.json", [_conv(_tree(), "r2")])
    )
    assert problems == []
    assert [(r.action, r.text) for r in records] == [
        ("messaged", "What is the spice melange?"),
        ("received", "A drug that extends life."),
        ("messaged", "[image]\nIs this a sandworm?"),
        ("received", "Yes."),
    ]
    assert all(
        r.item.title == "Spice" and r.item.creators == () for r in records
    )  # the model is no correspondent
    assert records[0].item.url == "https://chatgpt.com/c/c-1" and records[0].provenance.index == 0  # type: ignore[union-attr]


def test_missing_current_node_takes_the_newest_branch(tmp_path: Path) -> None:
    records, _ = parse_path(ChatGPTImporter(), _write(tmp_path, "conversations.json", [_conv(_tree(), None)]))
    assert records[0].text == "What is the spice melange?"


def test_do_not_remember_is_respected(tmp_path: Path) -> None:
    data = [_conv(_tree(), "r2", is_do_not_remember=True), _conv(_tree(), "a2", conversation_id="c-2")]
    records, problems = parse_path(ChatGPTImporter(), _write(tmp_path, "conversations-000.json", data))
    assert [p.severity for p in problems] == ["skipped"] and problems[0].index == 0
    assert {r.extra["conversation_id"] for r in records} == {"c-2"}


def test_one_bad_conversation_is_one_problem_and_a_truncated_file_keeps_what_came_before(
    tmp_path: Path,
) -> None:
    good = json.dumps(_conv(_tree(), "r2"))
    (tmp_path / "conversations-001.json").write_text(
        f'[{{"title": "x", "mapping": 3}}, {good}, {good[:200]}', encoding="utf-8"
    )
    records, problems = parse_path(ChatGPTImporter(), tmp_path)
    assert len(records) == 4
    assert [p.index for p in problems] == [0, 2]


def test_cycle_in_the_tree_does_not_hang(tmp_path: Path) -> None:
    tree = {"a": _node("a", "b", ["b"], "user", "hi"), "b": _node("b", "a", ["a"], "assistant", "hello")}
    records, problems = parse_path(
        ChatGPTImporter(), _write(tmp_path, "conversations.json", [_conv(tree, "b")])
    )
    assert problems == [] and len(records) == 2


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "chatgpt-export-2025-07-01.zip"
    assert recognitions(bundle)["conversations-000.json"] == "chatgpt"
    assert recognitions(bundle)["conversations-001.json"] == "chatgpt"
    records, problems = parse_path(ChatGPTImporter(), bundle)
    assert [p.severity for p in problems] == ["skipped"]  # her do-not-remember conversation
    assert not any("Therapy" in (r.item.title or "") for r in records)
    assert not any("typo draft" in (r.text or "") for r in records)  # the edited prompt's old branch
    dune = [r for r in records if r.action == "messaged" and "Dune" in (r.text or "")]
    assert dune and all(r.when is not None for r in dune)
