"""Hybrid search on the sample person: meaning beyond words, filters, forgotten records, degradation."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.cli.index import index_group
from selfdex.cli.main import cli
from selfdex.index import vectors
from selfdex.index.search import MODES, search
from selfdex.model import Item, Record
from selfdex.store import Filters, Store

from .sample_store import base_store
from .test_vectors import FakeEmbedder


@pytest.fixture(scope="module")
def imported(sample_exports: Path) -> Path:
    return base_store(sample_exports)  # shared: only ever copied


@pytest.fixture
def store(imported: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the imported sample person, indexed with the instant fake embedder."""
    path = tmp_path / "store.sqlite"
    shutil.copy(imported, path)
    with Store(path) as s:
        yield s


@pytest.fixture(scope="module")
def real_index(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample person indexed with the real default model (embeds ~600 texts: slow)."""
    path = tmp_path_factory.mktemp("search-real") / "store.sqlite"
    shutil.copy(imported, path)
    with Store(path) as s:
        vectors.build(s)
    return path


def _is_dune(record: dict[str, object]) -> bool:
    return "dune" in f"{record['title']} {record['text']}".lower()


@pytest.mark.slow
def test_meaning_finds_what_words_miss(real_index: Path) -> None:
    with Store(real_index) as s:
        assert not any(_is_dune(h.record) for h in search(s, "desert planet spice", mode="fts"))
        hits = search(s, "desert planet spice", limit=10)
    assert hits.mode == "hybrid" and not hits.degraded
    assert _is_dune(hits[0].record) and sum(_is_dune(h.record) for h in hits) >= 5
    assert all("vector" in h.retrievers for h in hits if _is_dune(h.record))
    platforms = {h.record["platform"] for h in hits if _is_dune(h.record)}
    assert len(platforms) >= 2  # the same work found across platforms


def test_hybrid_without_vectors_is_fts_and_says_so(store: Store) -> None:
    hits = search(store, "dune", embedder=FakeEmbedder())
    assert hits.mode == "fts" and hits.degraded and "index build" in (hits.note or "")
    fts = search(store, "dune", mode="fts")
    assert [h.record["id"] for h in hits] == [h.record["id"] for h in fts]
    assert all(h.retrievers == ("fts",) for h in hits)
    vector_only = search(store, "dune", mode="vector", embedder=FakeEmbedder())
    assert not vector_only and vector_only.degraded

    vectors.build(store, FakeEmbedder("fake-a"))
    other_model = search(store, "dune", embedder=FakeEmbedder("fake-b"))
    assert other_model.mode == "fts" and other_model.degraded


def test_hits_fuse_both_retrievers_and_carry_provenance(store: Store) -> None:
    emb = FakeEmbedder()
    vectors.build(store, emb)
    hits = search(store, "dune", limit=15, embedder=emb)
    assert hits.mode == "hybrid" and not hits.degraded and len(hits) == 15
    assert any(set(h.retrievers) == {"fts", "vector"} for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert h.record["id"] and h.record["source_member"] and h.record["importer"]
        assert set(h.ranks) == set(h.retrievers)
        assert store.get(h.record["id"]) is not None


@pytest.mark.parametrize("mode", MODES)
def test_filters_apply_in_every_mode(store: Store, mode: str) -> None:
    emb = FakeEmbedder()
    vectors.build(store, emb)
    cases = [
        (Filters(platforms=("letterboxd",)), lambda r: r["platform"] == "letterboxd"),
        (Filters(kinds=("book",)), lambda r: r["kind"] == "book"),
        (Filters(actions=("watched",)), lambda r: r["action"] == "watched"),
        (
            Filters(since="2024-01-01", until="2024-06-01"),
            lambda r: "2024-01-01" <= r["occurred_at"] < "2024-06-01",
        ),
    ]
    for filters, ok in cases:
        hits = search(store, "dune", filters, limit=50, mode=mode, embedder=emb)  # type: ignore[arg-type]
        assert hits, filters
        assert all(ok(h.record) for h in hits), filters


def test_hidden_records_never_come_back(store: Store) -> None:
    emb = FakeEmbedder()
    vectors.build(store, emb)
    found = {
        h.record["id"] for mode in MODES for h in search(store, "dune", limit=100, mode=mode, embedder=emb)
    }
    assert found
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO hidden_records (record_id, reason) VALUES (?, 'test: forget dune')",
            [(rid,) for rid in found],
        )
    for mode in MODES:
        again = {h.record["id"] for h in search(store, "dune", limit=100, mode=mode, embedder=emb)}
        assert not again & found, mode
        # …nor for any other query that would have reached them
        again = {h.record["id"] for h in search(store, "Frank Herbert", limit=100, mode=mode, embedder=emb)}
        assert not again & found, mode


def test_cli_search_and_index_status(imported: Path, tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    shutil.copy(imported, path)
    cli.add_command(index_group)  # the lead wires it into main; harmless when already there
    runner = CliRunner()
    res = runner.invoke(cli, ["--store", str(path), "search", "dune", "--json", "--limit", "5"])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 5 and all(h["retrievers"] == ["fts"] and h["score"] > 0 and h["id"] for h in hits)
    assert "index build" in res.stderr  # degraded to FTS, and says so
    res = runner.invoke(cli, ["--store", str(path), "search", "dune", "--mode", "fts", "--kind", "book"])
    assert res.exit_code == 0 and "Dune" in res.stdout
    res = runner.invoke(cli, ["--store", str(path), "index", "status", "--json"])
    assert res.exit_code == 0, res.output
    status = json.loads(res.stdout)
    assert status["records"] > 0 and status["texts_embedded"] == 0 and not status["up_to_date"]


def test_fts_covers_records_imported_since_the_last_build(store: Store) -> None:
    emb = FakeEmbedder()
    vectors.build(store, emb)
    indexed = search(store, "dune", limit=50, mode="fts")
    assert indexed and all(
        "dune" in " ".join([h.record["title"] or "", h.record["text"] or "", *h.record["creators"]]).lower()
        for h in indexed
    )
    with store.transaction():
        job = store.start_job("test", None, "test")
        store.insert_records(
            [Record("goodreads", "read", Item("book", "Zyxwv Quorble", ("A. Writer",)))], job
        )
    assert [h.record["title"] for h in search(store, "zyxwv", mode="fts")] == ["Zyxwv Quorble"]
    top = search(store, "zyxwv", embedder=emb)[0]
    assert top.record["title"] == "Zyxwv Quorble" and top.retrievers == ("fts",)
    unembedded = search(store, "zyxwv quorble", mode="vector", embedder=emb)
    assert all(h.record["title"] != "Zyxwv Quorble" for h in unembedded)
    vectors.build(store, emb)
    assert search(store, "zyxwv quorble", mode="vector", embedder=emb)[0].record["title"] == "Zyxwv Quorble"
    assert [h.record["title"] for h in search(store, "zyxwv", mode="fts")] == ["Zyxwv Quorble"]


def test_filters_see_new_records_of_known_items(store: Store) -> None:
    emb = FakeEmbedder()
    vectors.build(store, emb)
    known = store.conn.execute(
        "SELECT kind, title, creators, categories FROM records "
        "WHERE platform = 'letterboxd' AND title = 'Dune' AND text IS NULL LIMIT 1"
    ).fetchone()
    again = Record(
        "testshelf",
        "watched",
        Item(
            known["kind"],
            known["title"],
            tuple(json.loads(known["creators"] or "[]")),
            {},
            tuple(json.loads(known["categories"] or "[]")),
        ),
        when=datetime(2031, 5, 1, tzinfo=UTC),
    )
    with store.transaction():
        store.insert_records([again], store.start_job("test", None, "test"))
    built = vectors.build(store, emb)
    assert (built.records_mapped, built.texts_new) == (1, 0)  # a known item, seen on a new platform
    for mode in MODES:
        for flt in (Filters(platforms=("testshelf",)), Filters(since="2031-01-01")):
            hits = search(store, "dune", flt, mode=mode, embedder=emb)
            assert [h.record["id"] for h in hits] == [again.id], (mode, flt)
