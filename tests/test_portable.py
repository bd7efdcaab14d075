"""`selfdex profile export`: a PAM file or a text block made by the gate under a grant, audited, previewable,
and read back by `selfdex import` with its citations."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.importers.pam import PamImporter, content_hash
from selfdex.ingest import import_path
from selfdex.store import Store
from selfdex.testing import parse_path, recognitions

from .gate_support import grant
from .sample_store import fresh_store


@pytest.fixture(scope="module")
def exported(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("portable")
    store = fresh_store(sample_exports, folder)
    tokens = {
        "everything": grant(store, "everything", level="raw"),
        "films": grant(store, "films", level="raw", platforms=("letterboxd", "netflix")),
        "facts-only": grant(store, "facts-only", level="facts"),
    }
    store.close()
    runner = CliRunner()
    out: dict = {"store": folder / "store.sqlite", "files": {}}  # type: ignore[type-arg]
    for name, token in tokens.items():
        target = folder / f"{name}.json"
        result = runner.invoke(
            cli, ["--store", str(out["store"]), "profile", "export", "--token", token, "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        out["files"][name] = target
    return out


def _pam(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def test_pam_shape_hashes_and_integrity(exported: dict) -> None:  # type: ignore[type-arg]
    doc = _pam(exported["files"]["everything"])
    assert doc["schema"] == "portable-ai-memory" and doc["schema_version"] == "1.0" and doc["owner"]["id"]
    memories = doc["memories"]
    assert memories and doc["integrity"]["total_memories"] == len(memories)
    canonical = orjson.dumps(memories, option=orjson.OPT_SORT_KEYS)
    assert doc["integrity"]["checksum"] == "sha256:" + hashlib.sha256(canonical).hexdigest()
    for m in memories:
        assert m["content_hash"] == content_hash(m["content"]) and m["temporal"]["created_at"]
        assert m["provenance"]["platform"] == "selfdex" and 0 <= m["confidence"]["current"] <= 1
        assert m["temporal"]["valid_until"] and m["metadata"]["citations"]  # raw level: citations
    assert any("Dune" in m["content"] or "Herbert" in m["content"] for m in memories)


def test_never_contains_what_the_grant_excludes(exported: dict) -> None:  # type: ignore[type-arg]
    everything = {m["metadata"]["selfdex_key"]: m for m in _pam(exported["files"]["everything"])["memories"]}
    films = _pam(exported["files"]["films"])["memories"]
    assert films
    for m in films:
        assert set(m["metadata"]["platforms"]) <= {"letterboxd", "netflix"}
    with Store(exported["store"]) as store:
        cited = {c for m in films for c in m["metadata"]["citations"]}
        platforms = {
            r[0]
            for r in store.conn.execute(
                f"SELECT DISTINCT platform FROM records WHERE id IN ({','.join('?' * len(cited))})",
                sorted(cited),
            )
        }
        audit = store.conn.execute(
            "SELECT recipient, channel, outcome FROM gate_audit ORDER BY seq"
        ).fetchall()
    assert platforms <= {"letterboxd", "netflix"}
    # a fact seen only on other platforms (her books, her music) is in the full export, not in this one
    elsewhere = [
        k for k, m in everything.items() if not set(m["metadata"]["platforms"]) & {"letterboxd", "netflix"}
    ]
    assert elsewhere and not set(elsewhere) & {m["metadata"]["selfdex_key"] for m in films}
    # below the raw level there are no record ids to leak
    assert all("citations" not in m["metadata"] for m in _pam(exported["files"]["facts-only"])["memories"])
    # every export was a disclosure in the audit log
    assert [(r[0], r[1], r[2]) for r in audit] == [
        ("everything", "export", "disclosed"),
        ("films", "export", "disclosed"),
        ("facts-only", "export", "disclosed"),
    ]


def test_round_trip_through_import_keeps_citations(exported: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    path = exported["files"]["everything"]
    assert recognitions(path.parent)[path.name] == "pam"
    doc = _pam(path)
    with Store(tmp_path / "other.sqlite") as other:
        first = import_path(other, path)
        again = import_path(other, path)
        rows = other.conn.execute("SELECT text, extra FROM records WHERE importer = 'pam'").fetchall()
    assert first.records_new == len(doc["memories"]) and again.records_new == 0
    back = {r[0]: json.loads(r[1]) for r in rows}
    for m in doc["memories"]:
        assert back[m["content"]]["citations"] == m["metadata"]["citations"]
        assert back[m["content"]]["fact_key"] == m["metadata"]["selfdex_key"]


def test_an_altered_memory_is_reported_and_a_retracted_one_skipped(tmp_path: Path) -> None:
    memories = [
        {
            "id": "a",
            "type": "preference",
            "content": "Likes Dune",
            "content_hash": content_hash("Likes Dune"),
            "temporal": {"created_at": "2026-01-01T00:00:00Z"},
            "provenance": {"platform": "chatgpt"},
        },
        {
            "id": "b",
            "type": "fact",
            "content": "Lives in Hamburg",
            "content_hash": content_hash("Lives in Berlin"),
            "temporal": {"created_at": "2026-01-01T00:00:00Z"},
            "provenance": {"platform": "chatgpt"},
        },
        {
            "id": "c",
            "type": "fact",
            "content": "Owns a cat",
            "content_hash": content_hash("Owns a cat"),
            "status": "retracted",
            "temporal": {"created_at": "2026-01-01T00:00:00Z"},
            "provenance": {"platform": "claude"},
        },
    ]
    (tmp_path / "memory-store.json").write_text(
        json.dumps(
            {
                "schema": "portable-ai-memory",
                "schema_version": "1.0",
                "owner": {"id": "u"},
                "memories": memories,
            }
        ),
        encoding="utf-8",
    )
    records, problems = parse_path(PamImporter(), tmp_path)
    assert [(r.platform, r.text) for r in records] == [("chatgpt", "Likes Dune")]
    assert [(p.index, p.severity) for p in problems] == [(1, "error"), (2, "skipped")]


def test_text_preview_is_not_audited(exported: dict) -> None:  # type: ignore[type-arg]
    runner = CliRunner()
    store = str(exported["store"])
    with Store(exported["store"]) as s:
        before = s.conn.execute("SELECT count(*) FROM gate_audit").fetchone()[0]
    result = runner.invoke(
        cli, ["--store", store, "profile", "export", "--preview", "films", "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("What I'd like you to know about me") and "\n- " in result.output
    with Store(exported["store"]) as s:
        assert s.conn.execute("SELECT count(*) FROM gate_audit").fetchone()[0] == before
    wrong = runner.invoke(cli, ["--store", store, "profile", "export", "--token", "sdx_nope"])
    assert wrong.exit_code != 0 and "401" in wrong.output
    neither = runner.invoke(cli, ["--store", store, "profile", "export"])
    assert neither.exit_code != 0 and "--token" in neither.output


def test_sample_person_chatgpt_memories(sample_exports: Path) -> None:
    folder = sample_exports / "pam-chatgpt-memories"
    assert recognitions(folder)["memory-store.json"] == "pam"
    records, problems = parse_path(PamImporter(), folder)
    assert [p.severity for p in problems] == ["skipped"]  # the retracted memory
    assert {r.platform for r in records} == {"chatgpt"} and len(records) == 4
    assert any("Children of Dune" in (r.text or "") for r in records)
