"""Per-request cost of the default ranker as the person's history grows (2 cores, one thread).

    python benchmarks/rank_history.py [--sizes 200 2000 10000 20000] [--reps 5] \
        [--out benchmarks/results/rank_history.md]

One request = 50 candidates ranked against N distinct history titles (what a grant's re-rank or
``selfdex recommend`` does; the gate does not cap N). Titles are synthetic product-like strings
from a seeded 20,000-word vocabulary; vectors are seeded random unit vectors, because this measures
the ranker's own work (similarities, word overlap, centroids), not the embedder, whose vectors are
cached per title. Prints the median wall time of ``EmbeddedRanker.rank`` and the peak memory it
allocates (tracemalloc), and writes them with the command and the git commit.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from selfdex.rank import Candidate, EmbeddedRanker, HistoryItem, TextVectors

RESULTS = Path(__file__).resolve().parent / "results" / "rank_history.md"


class RandomVectors:
    """Seeded unit vectors per title: the embedder's output, without the embedder's cost."""

    name = "random-384"
    dim = 384

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.stack(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(self.dim) for t in texts]
        )
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def titles(n: int, rng: np.random.Generator, vocab: list[str]) -> list[str]:
    # Zipf-like word use, 4-10 words per title, like "Brand Thing Flavour, 12 Ounce (Pack of 6)".
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    return [
        " ".join(vocab[i] for i in rng.choice(len(vocab), size=int(rng.integers(4, 11)), p=p)) + f" {k}"
        for k in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 10000, 20000])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(20_000)]
    vectors = TextVectors(RandomVectors())
    rows = []
    for n in args.sizes:
        hist_titles = titles(n, rng, vocab)
        history = [
            HistoryItem(str(i), t, "food" if i % 3 else "kitchen", (), (), float(i))
            for i, t in enumerate(hist_titles)
        ]
        cands = [Candidate(f"c{i}", t, "kitchen") for i, t in enumerate(titles(50, rng, vocab))]
        vectors.prepare([*hist_titles, *(c.title for c in cands)])
        ranker = EmbeddedRanker(vectors)
        ranker.rank(history, cands)  # warm: the vectors' memo, numpy's first calls
        secs = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            ranker.rank(history, cands)
            secs.append(time.perf_counter() - t0)
        tracemalloc.start()
        ranker.rank(history, cands)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((n, statistics.median(secs), peak / 2**20))
        print(f"history {n:>6}: {statistics.median(secs):.3f} s per request, peak {peak / 2**20:.1f} MiB")

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
    ).stdout.strip()
    lines = [
        "# Ranker cost per request by history size",
        "",
        f"Command: `python benchmarks/rank_history.py --sizes {' '.join(map(str, args.sizes))} --reps {args.reps}` "
        f"(commit `{commit}`; {platform.machine()}, Python {sys.version.split()[0]}; 50 candidates)",
        "",
        "| distinct history titles | median s per request | peak memory MiB |",
        "|---|---|---|",
        *(f"| {n} | {s:.3f} | {m:.1f} |" for n, s, m in rows),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
