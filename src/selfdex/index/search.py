"""Hybrid search: FTS5 BM25 and vector similarity, fused by reciprocal rank.

BM25 finds the words the person typed; vectors find what they meant ("desert planet spice" → Dune).
Both rank distinct items (:mod:`selfdex.index.items`), then expand each item to its newest few records
that pass the filters, so a track played 5,000 times is one match, not 5,000, and a query costs the
same on a million records as on ten thousand. Records imported since the last ``selfdex index build``
are found by ``records_fts`` directly. Reciprocal-rank fusion needs no score calibration between the
two retrievers, and a record both found rises above one found by either alone. Records the person
told selfdex to forget (``hidden_records``) are excluded inside every retriever's SQL, so no mode can
return them.

Without vectors (never built, built with another model, or the embedding packages missing) hybrid
search runs on FTS alone and says why in :attr:`SearchResults.note`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ..store import Filters, Store
from ..store.columns import LIGHT_COLUMNS
from ..store.db import row_dict
from ..store.queries import fts_query
from ..store.visible import visible_clause
from . import items

if TYPE_CHECKING:
    from .embed import Embedder

__all__ = ["MODES", "Hit", "SearchResults", "search"]

Mode = Literal["hybrid", "fts", "vector"]
MODES: tuple[Mode, ...] = ("hybrid", "fts", "vector")

RRF_K = 60  # the usual constant: damps the head so one retriever's first hit cannot dominate
PER_ITEM = 3  # records per item: 1000 plays of one track are one match, not 1000
FIRST_TEXTS = 256  # most similar item texts ranked first; the rest only when filters leave too few hits
MAX_TEXTS = 5_000  # item texts walked at most: bounds a query whose filters match almost nothing

_COLS = ", ".join(f"r.{c.strip()}" for c in LIGHT_COLUMNS.split(","))
# Through the item index, not select_records: the retrievers walk index_record_texts and records_fts.
_VISIBLE = visible_clause("r")


@dataclass(slots=True)
class Hit:
    record: dict[str, Any]  # as store.queries returns it: record id, fields, provenance
    score: float  # fused reciprocal-rank score (higher is better)
    retrievers: tuple[str, ...]  # which retrievers found it: "fts", "vector"
    ranks: dict[str, int] = field(default_factory=dict)  # 1-based rank in each retriever's list

    def as_dict(self) -> dict[str, Any]:
        return {**self.record, "score": round(self.score, 6), "retrievers": list(self.retrievers)}


class SearchResults(list[Hit]):
    """The hits, best first, plus which mode actually ran and why, when it is not the one asked for."""

    def __init__(self, hits: list[Hit], *, mode: Mode, note: str | None = None) -> None:
        super().__init__(hits)
        self.mode = mode
        self.note = note

    @property
    def degraded(self) -> bool:
        return self.note is not None


def _expand(
    store: Store, text_ids: Iterable[int], filters: Filters, depth: int
) -> Iterator[tuple[int, sqlite3.Row]]:
    """Walk item texts best first, yielding up to PER_ITEM visible records of each that pass the filters."""
    where, params = filters.sql()
    # Newest-imported first through the (text_id, record_rowid) index: a track with 50,000 plays costs
    # three index steps, not a sort. CROSS JOIN pins that order: with a kind or time filter the planner
    # would otherwise walk records_kind_time over every matching record, for each item.
    sql = (
        f"SELECT {_COLS} FROM index_record_texts m CROSS JOIN records r ON r.rowid = m.record_rowid "
        f"WHERE m.text_id = ? AND {where} AND {_VISIBLE} ORDER BY m.record_rowid DESC LIMIT {PER_ITEM}"
    )
    found = 0
    seen: set[int] = set()
    for text_id in text_ids:
        if found >= depth or len(seen) >= MAX_TEXTS:
            return
        if text_id in seen:
            continue
        seen.add(text_id)
        for row in store.conn.execute(sql, (text_id, *params)):
            if found < depth:
                found += 1
                yield text_id, row


def _fts(
    store: Store, text: str, filters: Filters, depth: int, allowed: set[int] | None
) -> list[sqlite3.Row]:
    """BM25 over item words for indexed records, over ``records_fts`` for those imported since."""
    query = fts_query(text)
    if query is None:
        return []
    mark = items.watermark(store)
    ranked: list[tuple[float, sqlite3.Row]] = []
    if mark:
        scores: dict[int, float] = dict(
            store.conn.execute(
                "SELECT rowid, bm25(index_texts_fts, 4.0, 2.0, 1.0) AS s FROM index_texts_fts "
                "WHERE index_texts_fts MATCH ? ORDER BY s LIMIT ?",
                (query, MAX_TEXTS),
            ).fetchall()
        )
        if allowed is not None:
            scores = {t: v for t, v in scores.items() if t in allowed}
        ranked = [(scores[t], row) for t, row in _expand(store, scores, filters, depth)]
    where, params = filters.sql()
    tail = store.conn.execute(
        f"""
        SELECT {_COLS}, bm25(records_fts, 4.0, 2.0, 1.0) AS _bm25
        FROM records_fts JOIN records r ON r.rowid = records_fts.rowid
        WHERE records_fts MATCH ? AND records_fts.rowid > ? AND {where} AND {_VISIBLE}
        ORDER BY _bm25 LIMIT ?
        """,
        (query, mark, *params, depth),
    ).fetchall()
    ranked += [(row["_bm25"], row) for row in tail]
    ranked.sort(key=lambda pair: pair[0])
    return [row for _, row in ranked[:depth]]


def _vector(
    store: Store, text: str, filters: Filters, depth: int, allowed: set[int] | None, embedder: Embedder
) -> tuple[list[sqlite3.Row], str | None]:
    """Records ranked by their item text's cosine to the query; (hits, why vectors were unusable)."""
    import numpy as np

    from . import vectors

    vm = vectors.load_matrix(store, embedder.name)
    if vm is None:
        return [], "no vectors for this model yet (run `selfdex index build`)"
    with _one_blas_thread():
        sims = vm.matrix @ embedder.embed([text])[0]
    ids = vm.text_ids
    if allowed is not None:  # rank only the items the filters can match
        keep = np.isin(ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        ids, sims = ids[keep], sims[keep]
        if not len(ids):
            return [], None

    def best_first() -> Iterator[int]:
        head = min(FIRST_TEXTS, len(sims))
        top = np.argpartition(-sims, head - 1)[:head]
        yield from ids[top[np.argsort(-sims[top])]].tolist()
        if head < len(sims):  # the filters left too few hits in the head: walk on
            yield from ids[np.argsort(-sims)[head:]].tolist()

    return [row for _, row in _expand(store, best_first(), filters, depth)], None


def search(
    store: Store,
    text: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    mode: Mode = "hybrid",
    embedder: Embedder | None = None,
) -> SearchResults:
    """Records matching `text` (words or meaning), best first; never a record the person hid."""
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r} (one of {', '.join(MODES)})")
    filters = filters or Filters()
    items.ensure_schema(store)
    allowed = items.eligible(store, filters)
    # Fusion needs each list deeper than the result: a record ranked 30th by both can beat one ranked 1st by one.
    depth = limit if mode == "fts" else max(3 * limit, 50)
    # FTS goes first so that, on equal fused scores, the literal match wins.
    lists: dict[str, list[sqlite3.Row]] = {}
    if mode != "vector":
        lists["fts"] = _fts(store, text, filters, depth, allowed)
    note: str | None = None
    if mode == "hybrid" and embedder is None and not items.has_vectors(store):
        note = "no vectors for this model yet (run `selfdex index build`)"  # numpy stays unloaded
    elif mode != "fts":
        try:
            from . import vectors

            found, note = _vector(store, text, filters, depth, allowed, embedder or vectors.query_embedder())
        except (ImportError, RuntimeError) as exc:  # numpy or the model weights are not installed
            found, note = [], f"vector search unavailable: {exc}"
        if note is None:
            lists["vector"] = found
    ran = mode
    if note is not None and mode == "hybrid":
        ran, note = "fts", f"FTS only: {note}"
    return SearchResults(_fuse(lists, limit), mode=ran, note=note)


def _fuse(lists: dict[str, list[sqlite3.Row]], limit: int) -> list[Hit]:
    rows: dict[str, sqlite3.Row] = {}
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, found in lists.items():
        for rank, row in enumerate(found, 1):
            rid = row["id"]
            rows.setdefault(rid, row)
            scores[rid] = scores.get(rid, 0.0) + 1.0 / (RRF_K + rank)
            ranks.setdefault(rid, {})[name] = rank
    best = sorted(scores, key=lambda rid: -scores[rid])[:limit]  # stable: FTS order breaks ties
    # Only the hits returned pay for JSON decoding of their columns.
    return [Hit(_record(rows[rid]), scores[rid], tuple(ranks[rid]), ranks[rid]) for rid in best]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {k: v for k, v in row_dict(row).items() if not k.startswith("_")}  # drop _bm25


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[Any]:
    """One query is tiny matrix products: BLAS threads only add wake-up latency (7x on a busy 2-core box)."""
    try:
        return _blas_controller().limit(limits=1, user_api="blas")
    except ImportError:  # threadpoolctl is optional
        return nullcontext()
