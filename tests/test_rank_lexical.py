"""The ranker's word-overlap feature: the inverted-index cosine equals the plain dense computation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from selfdex.rank.embedded import idf_cosine

WORDS = st.sampled_from([f"w{i}" for i in range(30)])
DOCS = st.lists(st.frozensets(WORDS, max_size=6), max_size=12)


def dense_reference(
    cdocs: list[frozenset[str]], hdocs: list[frozenset[str]], df: dict[str, int] | None, n: int
) -> np.ndarray:
    docs = cdocs + hdocs
    vocab = sorted({t for d in docs for t in d})
    local = Counter(t for d in docs for t in d)
    m = np.zeros((len(docs), len(vocab)))
    for r, d in enumerate(docs):
        for t in d:
            count = local[t] if df is None else df.get(t, 0)
            m[r, vocab.index(t)] = math.log((n + 1) / (count + 1)) + 1.0
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return m[: len(cdocs)] @ m[len(cdocs) :].T


@settings(max_examples=200, deadline=None)
@given(DOCS, DOCS, st.booleans())
def test_idf_cosine_matches_the_dense_computation(
    cdocs: list[frozenset[str]], hdocs: list[frozenset[str]], corpus: bool
) -> None:
    df = {f"w{i}": i % 7 for i in range(30)} if corpus else None
    n = 40 if corpus else len(cdocs) + len(hdocs)
    got = idf_cosine(cdocs, hdocs, df, n, {})
    assert got.shape == (len(cdocs), len(hdocs))
    np.testing.assert_allclose(got, dense_reference(cdocs, hdocs, df, n), atol=1e-6)


def test_shared_rare_words_weigh_more() -> None:
    cdocs = [frozenset({"keurig", "coffee"}), frozenset({"coffee", "mug"})]
    hdocs = [frozenset({"keurig", "pods"}), frozenset({"coffee", "beans"}), frozenset({"coffee", "filter"})]
    sim = idf_cosine(cdocs, hdocs, None, 5, {})
    assert sim[0, 0] > sim[0, 1] > 0 and sim[1, 0] == 0
