"""The learned sequential model on LLMRank Games-6k (6,000 users, GT + first 19 of `Games-6k.random`).

    python benchmarks/llmrank_games6k_learned.py --data ../shared/data \
        [--out benchmarks/results/eval/llmrank-games6k-learned.md]

Counts and the LightGBM re-ranker come from the 44,546 users who are not among the 6,000 (their whole
sequences); the evaluated users' histories are input at scoring time only. Same candidate rule,
seed and tie-breaking as ``selfdex eval llmrank`` (which runs the 200-user set); prints NDCG ×100
with 95 % bootstrap CIs next to the published Games-6k rows (ECIR Table 2).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from selfdex.eval.datasets import load_llmrank_games
from selfdex.eval.llmrank import LLMRankConfig, learned_ranks, llmrank_candidates
from selfdex.eval.metrics import bootstrap_mean, metric_values
from selfdex.eval.sampling import case_rng
from selfdex.index.embed import default_embedder
from selfdex.rank import TextVectors

PUBLISHED_6K = {  # ECIR Table 2, NDCG@1/@5/@10/@20 (data README)
    "Pop": (28.35, 47.42, 52.96, 57.45),
    "BPRMF": (44.92, 62.33, 66.27, 68.94),
    "SASRec": (56.90, 73.19, 75.92, 77.14),
    "ChatGPT (recency-focused)": (34.03, 48.77, 53.50, 59.01),
}
MS = ("NDCG@1", "NDCG@5", "NDCG@10", "NDCG@20")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/eval/llmrank-games6k-learned.md"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = load_llmrank_games(args.data, pool="Games-6k.random")
    cfg = LLMRankConfig(seed=args.seed)
    cases = []
    for u in data.users:
        t = data.test_target[u]
        cases.append(
            (
                u,
                data.test_hist[u],
                t,
                llmrank_candidates(data.pools[u], t, case_rng(cfg.seed, f"llmrank|{u}")),
            )
        )
    ranks, info = learned_ranks(
        data, TextVectors(default_embedder()), cfg, cases, lambda d, n: lambda k: None
    )
    secs = time.perf_counter() - t0
    cmd = "python " + " ".join(sys.argv)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"# LLMRank Games-6k ({len(data.users):,} users): the model learned from other users' sequences",
        "",
        f"Counts and re-ranker from the {info['sequences']:,} users not evaluated; {info['train_episodes']:,} "
        f"training episodes, {info['rounds']} rounds (early stopping on {info['valid_episodes']:,} held-out "
        f"other users' episodes: their NDCG@1 / @10 {100 * info['valid_ndcg@1']:.2f} / "
        f"{100 * info['valid_ndcg@10']:.2f}). NDCG × 100, 95 % bootstrap CIs over the users.",
        "",
        "| method | " + " | ".join(MS) + " | source |",
        "|---" * 6 + "|",
    ]
    cells = []
    for m in MS:
        v = 100 * metric_values(ranks, m)
        ci = bootstrap_mean(v, 10_000, cfg.seed)
        cells.append(f"{v.mean():.2f} [{ci.low:.1f}, {ci.high:.1f}]")
    lines.append(
        "| learned from other users' sequences, no evaluated user's target | "
        + " | ".join(cells)
        + " | ours |"
    )
    for m, row in PUBLISHED_6K.items():
        lines.append(f"| {m} | " + " | ".join(f"{x:.2f}" for x in row) + " | published |")
    lines += ["", f"- command: `{cmd}`", f"- git commit: `{commit}`; seed {cfg.seed}; {secs:.0f} s", ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
