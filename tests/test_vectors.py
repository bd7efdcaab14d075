"""The vector index in the store: distinct item texts, incremental builds, model changes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from selfdex.index import items, vectors
from selfdex.model import Item, Record
from selfdex.store import Store

from .sample_store import base_store


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and shares a dimension whenever texts share a word."""

    def __init__(self, name: str = "fake-a", dim: int = 256) -> None:
        self.name = name
        self.dim = dim
        self.embedded = 0

    def embed(self, texts: Sequence[str], *, progress: object = None) -> np.ndarray:
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        if callable(progress):
            progress(len(texts))
        return out


@pytest.fixture(scope="module")
def sample_store_file(sample_exports: Path) -> Path:
    return base_store(sample_exports)  # shared: only ever copied


@pytest.fixture
def sample_store(sample_store_file: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "store.sqlite"
    shutil.copy(sample_store_file, path)
    with Store(path) as store:
        yield store


def test_item_text_uses_kind_creators_categories_and_own_words() -> None:
    text = items.item_text("book", "Dune", ["Frank Herbert"], ["sci-fi"], "The desert as a character.")
    assert text == "book: Dune — by Frank Herbert — sci-fi — The desert as a character."
    assert items.item_text("web_page", None, [], [], None, url="https://x.org") == "web page: https://x.org"
    assert items.item_text("health_metric", None, [], [], None) is None
    assert len(items.item_text("note", "n", [], [], "word " * 500) or "") < 400


def test_build_embeds_distinct_texts_once_and_incrementally(sample_store: Store) -> None:
    emb = FakeEmbedder()
    first = vectors.build(sample_store, emb)
    records = sample_store.count()
    assert first.records_mapped == first.records_indexed == records
    assert 0 < first.texts_embedded == first.texts_total == emb.embedded < records  # records share items
    assert first.model == "fake-a"

    again = vectors.build(sample_store, emb)
    assert (again.records_mapped, again.texts_new, again.texts_embedded) == (0, 0, 0)
    assert emb.embedded == first.texts_embedded
    assert vectors.status(sample_store, emb).up_to_date

    # A new play of a known item maps to its text; only a new item is embedded.
    known = sample_store.conn.execute(
        "SELECT kind, title FROM records WHERE kind = 'track' AND title IS NOT NULL LIMIT 1"
    ).fetchone()
    with sample_store.transaction():
        job = sample_store.start_job("test", None, "test")
        row = sample_store.conn.execute(
            "SELECT creators, categories FROM records WHERE title = ? LIMIT 1", (known["title"],)
        ).fetchone()
        assert row is not None
        creators = tuple(json.loads(row["creators"] or "[]"))
        categories = tuple(json.loads(row["categories"] or "[]"))
        when = datetime(2030, 1, 1, tzinfo=UTC)
        sample_store.insert_records(
            [
                Record(
                    "spotify", "listened", Item("track", known["title"], creators, {}, categories), when=when
                ),
                Record("spotify", "listened", Item("track", "A Song Nobody Played"), when=when),
            ],
            job,
        )
    third = vectors.build(sample_store, emb)
    assert (third.records_mapped, third.texts_new, third.texts_embedded) == (2, 1, 1)


def test_model_change_reembeds_everything(sample_store: Store) -> None:
    a, b = FakeEmbedder("fake-a"), FakeEmbedder("fake-b", dim=32)
    built = vectors.build(sample_store, a)
    matrix_a = vectors.load_matrix(sample_store, "fake-a")
    assert matrix_a is not None and matrix_a.matrix.shape == (built.texts_total, 256)

    rebuilt = vectors.build(sample_store, b)
    assert rebuilt.texts_embedded == built.texts_total and rebuilt.texts_new == 0
    assert vectors.status(sample_store, a).texts_embedded == 0  # no mixing of two vector spaces
    assert vectors.load_matrix(sample_store, "fake-a") is None
    matrix_b = vectors.load_matrix(sample_store, "fake-b")
    assert matrix_b is not None and matrix_b.matrix.shape == (built.texts_total, 32)
    assert np.allclose(np.linalg.norm(matrix_b.matrix, axis=1), 1.0, atol=1e-2)


def test_matrix_is_cached_until_the_index_changes(sample_store: Store) -> None:
    emb = FakeEmbedder()
    vectors.build(sample_store, emb)
    first = vectors.load_matrix(sample_store, emb.name)
    assert first is not None and vectors.load_matrix(sample_store, emb.name) is first
    with sample_store.transaction():
        job = sample_store.start_job("test", None, "test")
        sample_store.insert_records([Record("goodreads", "read", Item("book", "A Brand New Book"))], job)
    vectors.build(sample_store, emb)
    second = vectors.load_matrix(sample_store, emb.name)
    assert second is not None and second is not first
    assert len(second.text_ids) == len(first.text_ids) + 1


def test_deleted_records_leave_the_index(sample_store: Store) -> None:
    emb = FakeEmbedder()
    before = vectors.build(sample_store, emb)
    title = sample_store.conn.execute(
        "SELECT title FROM records WHERE platform = 'goodreads' AND title IS NOT NULL "
        "GROUP BY title HAVING count(*) = 1 LIMIT 1"
    ).fetchone()[0]
    sample_store.conn.execute("DELETE FROM records WHERE title = ?", (title,))
    after = vectors.build(sample_store, emb)
    assert after.records_indexed == before.records_indexed - 1
    assert after.texts_total <= before.texts_total
