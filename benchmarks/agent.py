"""Latency of ``ask`` and ``recommend`` on the sample person (2 cores, median and p95).

    python benchmarks/agent.py [--model embedded-0.5b] [--model embedded-1.5b] [--reps 20] \
        [--out benchmarks/results/agent.md]

Rows:
- ``ask`` without a model (the extractive answer: retrieval + profile facts + linking);
- ``recommend`` of 50 candidates without any model call, warm (candidate titles already embedded)
  and cold (a fresh embedding cache: every title is embedded on the spot);
- for each ``--model``: ``ask`` through the model and ``recommend --explain`` (top 5 explained).

The embedding cache is a temporary folder, so the cold numbers are really cold and nothing is
written to the user's cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

QUESTIONS = [
    "what did I read last summer and did I watch any adaptations?",
    "which Ishiguro books do I have?",
    "what did I buy in 2024?",
    "any mail about refunds?",
    "what music did I listen to recently?",
    "what podcasts do I listen to?",
]

MOVIES = [
    "Interstellar",
    "Moon",
    "Gattaca",
    "Children of Men",
    "Ex Machina",
    "Her",
    "Solaris",
    "Contact",
    "The Martian",
    "Sunshine",
    "Inception",
    "Primer",
    "Coherence",
    "Upstream Color",
    "District 9",
    "Edge of Tomorrow",
    "Looper",
    "Minority Report",
    "Total Recall",
    "Alien",
    "Aliens",
    "Blade Runner",
    "Dune: Part One",
    "2001: A Space Odyssey",
    "Stalker",
    "The Notebook",
    "Mamma Mia!",
    "Notting Hill",
    "Pretty Woman",
    "Love Actually",
    "The Proposal",
    "27 Dresses",
    "Bridget Jones's Diary",
    "Crazy Rich Asians",
    "13 Going on 30",
    "Sleepless in Seattle",
    "You've Got Mail",
    "The Holiday",
    "Hitch",
    "Legally Blonde",
    "Chef",
    "Julie & Julia",
    "Ratatouille",
    "Jiro Dreams of Sushi",
    "Burnt",
    "The Hundred-Foot Journey",
    "Tampopo",
    "Free Solo",
    "The Dawn Wall",
    "Unbreakable: The Western States 100",
]
BOOKS = [
    (t, a)
    for t, a in (
        x.split("/")
        for x in [
            "Dune Messiah/Frank Herbert",
            "God Emperor of Dune/Frank Herbert",
            "Klara and the Sun/Kazuo Ishiguro",
            "The Buried Giant/Kazuo Ishiguro",
            "An Artist of the Floating World/Kazuo Ishiguro",
            "Exhalation/Ted Chiang",
            "The Left Hand of Darkness/Ursula K. Le Guin",
            "The Dispossessed/Ursula K. Le Guin",
            "Hyperion/Dan Simmons",
            "Foundation/Isaac Asimov",
            "Neuromancer/William Gibson",
            "Solaris/Stanisław Lem",
            "The Three-Body Problem/Liu Cixin",
            "Project Hail Mary/Andy Weir",
            "Annihilation/Jeff VanderMeer",
            "Station Eleven/Emily St. John Mandel",
            "The Road/Cormac McCarthy",
            "Never Let Me Go/Kazuo Ishiguro",
            "Born to Run/Christopher McDougall",
            "Eat and Run/Scott Jurek",
            "Running with the Buffaloes/Chris Lear",
            "Salt, Fat, Acid, Heat/Samin Nosrat",
            "The Food Lab/J. Kenji López-Alt",
            "Kitchen Confidential/Anthony Bourdain",
            "Japanese Farm Food/Nancy Singleton Hachisu",
            "Washoku/Elizabeth Andoh",
            "Ottolenghi Simple/Yotam Ottolenghi",
            "The Da Vinci Code/Dan Brown",
            "Angels & Demons/Dan Brown",
            "Gone Girl/Gillian Flynn",
            "The Girl on the Train/Paula Hawkins",
            "Fifty Shades of Grey/E. L. James",
            "Twilight/Stephenie Meyer",
            "The Notebook/Nicholas Sparks",
            "Me Before You/Jojo Moyes",
            "Eat, Pray, Love/Elizabeth Gilbert",
            "Atomic Habits/James Clear",
            "Sapiens/Yuval Noah Harari",
            "Thinking, Fast and Slow/Daniel Kahneman",
            "The Power of Habit/Charles Duhigg",
            "Educated/Tara Westover",
            "Becoming/Michelle Obama",
            "The Midnight Library/Matt Haig",
            "Where the Crawdads Sing/Delia Owens",
            "The Alchemist/Paulo Coelho",
            "Normal People/Sally Rooney",
            "Circe/Madeline Miller",
            "The Song of Achilles/Madeline Miller",
            "Piranesi/Susanna Clarke",
            "Cloud Atlas/David Mitchell",
        ]
    )
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def timed(fn: Callable[[], object], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", action="append", default=[], help="embedded-0.5b / embedded-1.5b / a configured name"
    )
    parser.add_argument("--reps", type=int, default=20, help="repetitions of the model-free rows")
    parser.add_argument("--model-reps", type=int, default=1, help="repetitions of each model question")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "agent.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="selfdex-agent-bench-"))
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")  # a private embedding cache: cold is cold
    from selfdex.agent import ask, recommend
    from selfdex.agent.backends import open_backend
    from selfdex.agent.config import resolve_model
    from selfdex.ingest import import_path
    from selfdex.sample import generate
    from selfdex.store import Store

    generate(tmp / "exports", seed=7)
    store = Store(tmp / "store.sqlite")
    import_path(store, tmp / "exports")
    lists = {
        "movies": [{"title": t} for t in MOVIES],
        "books": [{"title": t, "creator": a} for t, a in BOOKS],
        "movies, reversed": [{"title": t} for t in reversed(MOVIES)],
    }
    assert all(len(v) == 50 for v in lists.values())
    rows: list[tuple[str, str, list[float]]] = []

    def row(name: str, what: str, times: list[float]) -> None:
        rows.append((name, what, times))
        print(
            f"{name:48s} median {statistics.median(times):7.3f}s  p95 {pct(times, 0.95):7.3f}s  (n={len(times)})"
        )

    # Cold: the first recommend embeds the history and the 50 titles (private empty cache).
    cold = timed(lambda: recommend(store, lists["movies"], platform="netflix"), 1)
    row(
        "recommend 50, no model, cold embedding cache",
        "first call: embeds ~300 history titles + 50 candidates",
        cold,
    )
    cold_c = timed(lambda: recommend(store, lists["books"], platform="goodreads"), 1)
    row("recommend 50, no model, 50 new titles", "history cached; 50 unseen candidate titles", cold_c)
    for plat, cands in (("netflix", lists["movies, reversed"]), ("goodreads", lists["books"])):
        recommend(store, cands, platform=plat)
    warm: list[float] = []
    for i in range(args.reps):
        name = list(lists)[i % len(lists)]
        warm += timed(
            lambda name=name: recommend(
                store, lists[name], platform="goodreads" if name == "books" else "netflix"
            ),
            1,
        )
    row("recommend 50, no model, warm", f"{len(lists)} fixed lists, round robin", warm)

    ask(store, QUESTIONS[0])  # warm the profile and search paths once
    asks: list[float] = []
    for i in range(args.reps):
        q = QUESTIONS[i % len(QUESTIONS)]
        asks += timed(lambda q=q: ask(store, q), 1)
    row("ask, no model (extractive)", f"{len(QUESTIONS)} fixed questions, round robin", asks)

    for name in args.model:
        spec = resolve_model(name)
        if spec is None:
            print(f"{name}: not available, skipped")
            continue
        t = time.perf_counter()
        backend = open_backend(spec)
        row(
            f"{spec.name}: load (assemble on first use + mmap)", "once per process", [time.perf_counter() - t]
        )
        model_asks: list[float] = []
        modes: list[str] = []
        for q in QUESTIONS:
            for _ in range(args.model_reps):
                t = time.perf_counter()
                a = ask(store, q, backend=backend)
                model_asks.append(time.perf_counter() - t)
                modes.append(a.mode)
        grounded = sum(m != "extractive" for m in modes)
        row(
            f"{spec.name}: ask",
            f"{len(QUESTIONS)} questions; model answer kept {grounded}/{len(modes)}",
            model_asks,
        )
        explains = []
        for cname in ("movies", "books"):
            plat = "goodreads" if cname == "books" else "netflix"
            explains += timed(
                lambda c=lists[cname], p=plat, b=backend: recommend(
                    store, c, platform=p, explain=True, backend=b
                ),
                1,
            )
        row(f"{spec.name}: recommend 50 --explain (top 5)", "2 lists", explains)

    cpu = os.cpu_count()
    load = os.getloadavg()
    lines = [
        "# Agent latency on the sample person",
        "",
        f"`{' '.join(['python', 'benchmarks/agent.py', *sys.argv[1:]])}`",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {cpu} cores; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (the cores were shared).",
        "",
        "| what | setup | n | median s | p95 s |",
        "|---|---|---|---|---|",
    ]
    for name, what, times in rows:
        lines.append(
            f"| {name} | {what} | {len(times)} | {statistics.median(times):.3f} | {pct(times, 0.95):.3f} |"
        )
    lines += ["", "p95 is the nearest-rank value; with n ≤ 12 it is (close to) the maximum."]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    store.close()


if __name__ == "__main__":
    main()
