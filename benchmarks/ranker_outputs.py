"""Dump the default ranker's features, orders, scores and reasons on the sample person and on
seeded eval-like cases, to prove a refactor of ``rank/`` changes nothing (bit for bit)::

    PYTHONPATH=/old/src python benchmarks/ranker_outputs.py /tmp/old.jsonl
    PYTHONPATH=src      python benchmarks/ranker_outputs.py /tmp/new.jsonl
    cmp /tmp/old.jsonl /tmp/new.jsonl

Synthetic cases mix what eval and the surfaces send: empty and one-item histories, one to four
platforms, creators and categories or none, tied and distinct times, candidates from one platform
or several, a platform order that names some candidates or positions on the candidates, the
request's IDF or a corpus, and the trust levels ``selfdex recommend`` offers. Their vectors are
seeded per title (the ranker's own work, not the embedder's). The sample person is generated and
imported by the code under test and ranked with the real default embedder, per platform, over
titles from its own history and the surfaces test's candidates.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from selfdex.rank import (
    Candidate,
    EmbeddedRanker,
    HistoryItem,
    TextVectors,
    default_vectors,
    doc_freq,
    for_history,
    history_from_store,
)

PLATFORMS = ("amazon", "netflix", "spotify", "goodreads")
SURFACE_TITLES = (
    "14 Peaks: Nothing Is Impossible",
    "Dune (Original Motion Picture Soundtrack)",
    "Shape of You",
    "Inception",
    "The Martian",
    "The Great British Bake Off",
    "Never Let Me Go (Original Motion Picture Soundtrack)",
    "Arrival",
    "Interstellar",
    "Succession",
)


class SeededVectors:
    """Unit vectors seeded by each title: deterministic, no model."""

    name = "seeded-64"
    dim = 64

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.stack(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(self.dim) for t in texts]
        )
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes() + str(a.shape).encode()).hexdigest()[:16]


def _outputs(
    ranker: EmbeddedRanker,
    history: Sequence[HistoryItem],
    cands: Sequence[Candidate],
    order: Sequence[str] | None,
) -> dict[str, Any]:
    feats, sims = ranker.features(history, cands, platform_order=order)
    ranked = ranker.rank(history, cands, platform_order=order)
    return {
        "features": _digest(feats),
        "sims": _digest(sims),
        "ranked": [[r.candidate.id, repr(r.score), r.reason, list(r.cited)] for r in ranked],
    }


def _titles(rng: np.random.Generator, n: int, vocab: list[str]) -> list[str]:
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    return [
        " ".join(vocab[i] for i in rng.choice(len(vocab), size=int(rng.integers(1, 8)), p=p))
        for _ in range(n)
    ]


def _words(rng: np.random.Generator, vocab: list[str]) -> tuple[str, ...]:
    return tuple(vocab[int(i)] for i in rng.integers(0, 40, size=int(rng.integers(0, 3))))


def synthetic(n_cases: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(300)] + ["the", "pack", "12", "Oz", "o'brien", "set of 6"]
    vectors = TextVectors(SeededVectors())
    rows = []
    for case in range(n_cases):
        plats = list(PLATFORMS[: int(rng.integers(1, len(PLATFORMS) + 1))])
        nh = int(rng.choice([0, 1, 2, 5, 30, 200]))
        meta = bool(rng.integers(0, 2))
        ties = bool(rng.integers(0, 2))
        history = [
            HistoryItem(
                f"h{i}",
                t,
                plats[int(rng.integers(0, len(plats)))],
                _words(rng, vocab) if meta else (),
                _words(rng, vocab) if meta else (),
                float(rng.integers(0, 5)) if ties else float(rng.standard_normal()),
            )
            for i, t in enumerate(_titles(rng, nh, vocab))
        ]
        nc = int(rng.choice([0, 1, 2, 10, 50]))
        mixed = bool(rng.integers(0, 4) == 0)
        positioned = bool(rng.integers(0, 2))
        cands = [
            Candidate(
                f"c{i}",
                t,
                plats[int(rng.integers(0, len(plats)))] if mixed else plats[0],
                _words(rng, vocab) if meta else (),
                _words(rng, vocab) if meta else (),
                (i if rng.integers(0, 5) else None) if positioned else None,
            )
            for i, t in enumerate(_titles(rng, nc, vocab))
        ]
        order = None
        if not positioned and rng.integers(0, 3):
            named = [c.id for c in cands if rng.integers(0, 4)]
            order = [named[int(i)] for i in rng.permutation(len(named))]
        trust = float(rng.choice([0.0, 0.25, 0.5, 0.9, 1.0]))
        if rng.integers(0, 3) == 0:
            ranker = EmbeddedRanker(vectors)  # the request's own IDF
        else:
            corpus = doc_freq(_titles(rng, 500, vocab)) if rng.integers(0, 2) else None
            ranker = for_history(history, vectors=vectors, trust=trust, corpus=corpus)
        rows.append({"case": case, **_outputs(ranker, history, cands, order)})
    return rows


def sample_person(folder: Path, seed: int) -> list[dict[str, Any]]:
    from selfdex.ingest import import_path
    from selfdex.sample import generate
    from selfdex.store import Store

    exports = folder / "exports"
    generate(exports, seed=seed)
    with Store(folder / "store.sqlite") as store:
        for bundle in sorted(exports.iterdir()):
            import_path(store, bundle)
        history = history_from_store(store)
    vectors = default_vectors()
    rng = np.random.default_rng(seed)
    rows = []
    for plat in sorted({h.platform for h in history}):
        own = [h.title for h in history if h.platform == plat]
        others = [h.title for h in history if h.platform != plat]
        picked = [own[int(i)] for i in rng.permutation(len(own))[:20]]
        picked += [others[int(i)] for i in rng.permutation(len(others))[:20]]
        cands = [Candidate(f"c{i}", t, plat) for i, t in enumerate([*SURFACE_TITLES, *picked])]
        order = [c.id for c in cands]
        for trust in (0.0, 0.5, 1.0):
            ranker = for_history(history, vectors=vectors, trust=trust)
            rows.append({"platform": plat, "trust": trust, **_outputs(ranker, history, cands, order)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="JSON-lines file to write")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample-dir", type=Path, default=Path(tempfile.gettempdir()) / "selfdex-ranker-sample")
    ap.add_argument("--no-sample", action="store_true", help="skip the sample person (needs the model)")
    args = ap.parse_args()
    rows = synthetic(args.cases, args.seed)
    if not args.no_sample:
        # A fixed folder, not a temporary one: record ids, and so the cited ids, carry the import path.
        if args.sample_dir.exists():
            shutil.rmtree(args.sample_dir)
        args.sample_dir.mkdir(parents=True)
        rows += sample_person(args.sample_dir, args.seed)
        shutil.rmtree(args.sample_dir)
    digest = hashlib.sha256()
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            line = json.dumps(row, ensure_ascii=False)
            fh.write(line + "\n")
            digest.update(line.encode())
    print(f"{len(rows)} rows, sha256 {digest.hexdigest()}", file=sys.stderr)


if __name__ == "__main__":
    main()
