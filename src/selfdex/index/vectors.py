"""Text vectors for the person's records, kept in the store itself (one file the user owns).

Each distinct item text (:mod:`selfdex.index.items`) is embedded once. Building is incremental (only
records imported since the last build are read, only texts without a vector from the current model
are embedded) and resumable (each embedded chunk commits on its own). Each vector records the model that made it,
so switching models re-embeds everything and never mixes two vector spaces in one query.

At query time the vectors of the current model are loaded once per process into one float32 matrix;
a generation counter bumped on every write tells a long-running process when to reload it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..store import Store
from .embed import Embedder, default_embedder
from .items import Progress, bump_generation, ensure_schema, map_records, meta, set_meta

__all__ = [
    "BuildStats",
    "IndexStatus",
    "VectorMatrix",
    "build",
    "load_matrix",
    "query_embedder",
    "status",
]

EMBED_CHUNK = 512  # texts per commit: an interrupted build keeps what it embedded


@dataclass(slots=True)
class BuildStats:
    model: str
    records_mapped: int  # records newly given an item text
    texts_new: int  # distinct item texts seen for the first time
    texts_embedded: int  # vectors computed in this build (new texts + texts of another model)
    map_seconds: float
    embed_seconds: float
    texts_total: int
    records_indexed: int

    @property
    def embeddings_per_s(self) -> float | None:
        return (
            self.texts_embedded / self.embed_seconds if self.texts_embedded and self.embed_seconds else None
        )


def _embed_missing(store: Store, embedder: Embedder, progress: Progress | None) -> int:
    """Embed every text without a vector from this model; returns how many were embedded."""
    model = embedder.name
    todo = store.conn.execute("SELECT count(*) FROM index_texts WHERE model IS NOT ?", (model,)).fetchone()[0]
    if not todo:
        return 0
    step = f"embedding item texts ({model.split('@')[0].rsplit('/', 1)[-1]})"
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(step, min(done, todo), todo)

    if progress is not None:
        progress(step, 0, todo)
    embedded = 0
    after = 0
    while True:
        rows = store.conn.execute(
            "SELECT id, text FROM index_texts WHERE id > ? AND model IS NOT ? ORDER BY id LIMIT ?",
            (after, model, EMBED_CHUNK),
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        vecs = embedder.embed([r[1] for r in rows], progress=advance).astype(np.float16)
        with store.transaction():
            store.conn.executemany(
                "UPDATE index_texts SET model = ?, vector = ? WHERE id = ?",
                [(model, v.tobytes(), r[0]) for r, v in zip(rows, vecs, strict=True)],
            )
            bump_generation(store)
        embedded += len(rows)
    return embedded


def build(store: Store, embedder: Embedder | None = None, *, progress: Progress | None = None) -> BuildStats:
    """Bring the index up to date: map new records, embed new texts (all of them after a model change).

    ``progress(step, done, total)`` hears each batch of both steps."""
    ensure_schema(store)
    embedder = embedder or query_embedder()
    t0 = time.perf_counter()
    mapped, new_texts = map_records(store, progress)
    t1 = time.perf_counter()
    embedded = _embed_missing(store, embedder, progress)
    t2 = time.perf_counter()
    with store.transaction():
        set_meta(store, "built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    st = status(store, embedder)
    return BuildStats(
        model=embedder.name,
        records_mapped=mapped,
        texts_new=new_texts,
        texts_embedded=embedded,
        map_seconds=t1 - t0,
        embed_seconds=t2 - t1,
        texts_total=st.texts,
        records_indexed=st.records_indexed,
    )


@dataclass(slots=True)
class IndexStatus:
    model: str  # the model queries would use now
    records: int
    records_indexed: int  # records mapped to an item text (or found to have none)
    texts: int  # distinct item texts
    texts_embedded: int  # …with a vector from `model`
    built_at: str | None

    @property
    def up_to_date(self) -> bool:
        return self.records_indexed == self.records and self.texts_embedded == self.texts


def status(store: Store, embedder: Embedder | None = None) -> IndexStatus:
    ensure_schema(store)
    model = (embedder or query_embedder()).name
    one = store.conn.execute
    return IndexStatus(
        model=model,
        records=store.count(),
        records_indexed=int(one("SELECT count(*) FROM index_record_texts").fetchone()[0]),
        texts=int(one("SELECT count(*) FROM index_texts").fetchone()[0]),
        texts_embedded=int(one("SELECT count(*) FROM index_texts WHERE model = ?", (model,)).fetchone()[0]),
        built_at=meta(store, "built_at"),
    )


@dataclass(slots=True)
class VectorMatrix:
    """All vectors of one model, one row per item text, ready for a matrix-vector product."""

    model: str
    generation: str
    text_ids: np.ndarray  # int64, the index_texts id of each row
    matrix: np.ndarray  # float32 (n, dim), rows L2-normalised


_MATRICES: dict[tuple[Path, str], VectorMatrix] = {}


def load_matrix(store: Store, model: str) -> VectorMatrix | None:
    """The vectors of `model`, cached per process until the index changes; None when there are none."""
    ensure_schema(store)
    generation = meta(store, "generation") or "0"
    key = (store.path.resolve(), model)
    cached = _MATRICES.get(key)
    if cached is not None and cached.generation == generation:
        return cached
    rows = store.conn.execute(
        "SELECT id, vector FROM index_texts WHERE model = ? ORDER BY id", (model,)
    ).fetchall()
    if not rows:
        _MATRICES.pop(key, None)
        return None
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(r[1] for r in rows)
    matrix = np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1).astype(np.float32)
    vm = VectorMatrix(model=model, generation=generation, text_ids=ids, matrix=matrix)
    _MATRICES[key] = vm
    return vm


@lru_cache(maxsize=1)
def query_embedder() -> Embedder:
    """The process-wide default embedder (weights load once). The store is its cache, so no disk cache."""
    return default_embedder(use_cache=False)
