"""Search latency and index build time on a generated store of ``--records`` records (default 1 000 000).

The store is written directly with :meth:`Store.insert_records` (importers would take far longer)
from a synthetic catalogue of ``--distinct`` items whose popularity follows a Zipf law, the way a real
history repeats itself: a million listens over tens of thousands of tracks, a few thousand books,
films, products and pages. Titles, artists and genres are drawn from small vocabularies so that
queries hit realistic posting-list sizes.

Measures:

* the store write (records + incremental FTS indexing) and a full FTS rebuild
  (``INSERT INTO records_fts(records_fts) VALUES('rebuild')``);
* the vector index build (:func:`selfdex.index.vectors.build`): mapping records to distinct item texts,
  embedding those texts (embeddings/s);
* p50/p95 latency of :func:`selfdex.index.search.search` in ``fts``, ``hybrid`` and ``vector`` mode over
  a fixed set of 120 queries (words, artists, title fragments, descriptions, and 20 with filters),
  after a warm-up that loads the model and the vector matrix.

Targets (from the issue, 2 cores): FTS p95 < 50 ms, hybrid p95 < 150 ms. The Markdown table is printed
and written, with the exact command, to ``benchmarks/results/search.md``.

    python benchmarks/search.py                              # 1 M records, 60 000 items (embedding: long)
    python benchmarks/search.py --distinct 10000             # the same store size, fewer texts to embed
    python benchmarks/search.py --records 20000 --distinct 500    # smoke test
    python benchmarks/search.py --store /tmp/bench.sqlite    # keep the store; a rerun reuses it
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from selfdex.index import vectors
from selfdex.index.search import search
from selfdex.model import Item, Provenance, Record
from selfdex.store import Filters, Store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "search.md"
FTS_P95_TARGET_MS = 50
HYBRID_P95_TARGET_MS = 150

WORDS = [
    "love",
    "night",
    "light",
    "heart",
    "dream",
    "fire",
    "rain",
    "summer",
    "winter",
    "river",
    "ocean",
    "sea",
    "star",
    "moon",
    "sun",
    "sky",
    "blue",
    "red",
    "gold",
    "silver",
    "black",
    "white",
    "shadow",
    "ghost",
    "city",
    "street",
    "road",
    "home",
    "house",
    "garden",
    "forest",
    "mountain",
    "island",
    "desert",
    "storm",
    "thunder",
    "wind",
    "snow",
    "ice",
    "glass",
    "stone",
    "iron",
    "paper",
    "letter",
    "song",
    "dance",
    "party",
    "midnight",
    "morning",
    "evening",
    "dawn",
    "dusk",
    "tears",
    "smile",
    "kiss",
    "girl",
    "boy",
    "king",
    "queen",
    "angel",
    "devil",
    "heaven",
    "hell",
    "paradise",
    "train",
    "station",
    "airport",
    "highway",
    "harbor",
    "bridge",
    "tower",
    "castle",
    "empire",
    "kingdom",
    "war",
    "peace",
    "freedom",
    "memory",
    "echo",
    "silence",
    "noise",
    "radio",
    "television",
    "machine",
    "robot",
    "future",
    "past",
    "yesterday",
    "tomorrow",
    "forever",
    "never",
    "always",
    "lost",
    "found",
    "broken",
    "golden",
    "electric",
    "wild",
    "young",
    "old",
    "sweet",
    "bitter",
    "cold",
    "warm",
    "lonely",
    "crazy",
    "beautiful",
    "dangerous",
    "secret",
    "hidden",
    "quiet",
    "loud",
    "slow",
    "fast",
    "deep",
    "high",
    "low",
    "little",
    "big",
    "last",
    "first",
    "only",
    "open",
    "closed",
    "falling",
    "rising",
    "running",
    "walking",
    "flying",
    "sleeping",
    "waking",
    "burning",
    "drowning",
    "shining",
    "fading",
    "northern",
    "southern",
    "eastern",
    "western",
    "wolf",
    "fox",
    "bird",
    "eagle",
    "horse",
    "tiger",
    "lion",
    "snake",
    "butterfly",
    "rose",
    "lily",
    "orchid",
    "cherry",
    "apple",
    "honey",
    "coffee",
    "wine",
    "whiskey",
    "sugar",
    "salt",
    "bread",
    "kitchen",
    "knife",
    "spoon",
    "table",
    "chair",
    "window",
    "door",
    "mirror",
    "clock",
    "candle",
    "lantern",
    "map",
    "compass",
    "journey",
    "voyage",
    "escape",
    "return",
    "arrival",
    "departure",
    "distance",
    "horizon",
    "valley",
    "canyon",
    "meadow",
    "lake",
    "waterfall",
    "volcano",
    "planet",
    "galaxy",
    "comet",
    "orbit",
    "rocket",
    "signal",
    "code",
    "pixel",
    "neon",
    "chrome",
    "velvet",
    "satin",
    "diamond",
    "pearl",
    "ruby",
    "jade",
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Karl",
    "Lena",
    "Milo",
    "Nora",
    "Oskar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Xenia",
    "Yuri",
    "Zoe",
    "Aiko",
    "Bruno",
    "Chiara",
    "Dmitri",
]
LAST = [
    "Adler",
    "Berg",
    "Costa",
    "Dahl",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Klein",
    "Lund",
    "Moreau",
    "Novak",
    "Olsen",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Vogel",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Baker",
    "Cole",
    "Dunn",
    "Ellis",
]
GENRES = [
    "rock",
    "indie",
    "pop",
    "electronic",
    "ambient",
    "techno",
    "house",
    "jazz",
    "blues",
    "soul",
    "funk",
    "hip-hop",
    "rap",
    "folk",
    "country",
    "classical",
    "soundtrack",
    "metal",
    "punk",
    "reggae",
    "latin",
    "afrobeat",
    "k-pop",
    "synthwave",
    "shoegaze",
    "post-rock",
    "trip-hop",
    "singer-songwriter",
    "gospel",
    "disco",
]
BOOK_GENRES = [
    "fiction",
    "sci-fi",
    "fantasy",
    "mystery",
    "thriller",
    "romance",
    "history",
    "biography",
    "poetry",
    "philosophy",
]
FILM_GENRES = [
    "drama",
    "comedy",
    "sci-fi",
    "thriller",
    "documentary",
    "animation",
    "horror",
    "romance",
    "crime",
    "adventure",
]
PRODUCTS = [
    "headphones",
    "kettle",
    "backpack",
    "lamp",
    "notebook",
    "jacket",
    "shoes",
    "charger",
    "blender",
    "pan",
    "mug",
    "tent",
]
BRANDS = ["Acme", "Nordic", "Kumo", "Vela", "Orbit", "Tundra", "Lumen", "Forge", "Atlas", "Pico"]
DESCRIPTIONS = [
    "songs about the ocean",
    "sad songs for a rainy night",
    "music for running in the morning",
    "a book about space exploration",
    "films about war and memory",
    "cozy kitchen gear for cooking",
    "quiet piano for sleeping",
    "angry loud guitar music",
    "a love story in the city",
    "travel by train across mountains",
    "something about robots and the future",
    "summer party dance hits",
    "winter evening by the fire",
    "stories of kings and empires",
    "ghost stories at midnight",
    "desert journey under the stars",
    "electronic music with neon synths",
    "birds and animals in the forest",
    "coffee and breakfast",
    "waterproof gear for hiking",
]


@dataclass(slots=True)
class Catalogue:
    items: list[tuple[str, Item, tuple[str, ...], str]]  # (action, item, platforms, own text or "")
    artists: list[str]


def _title(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))).title()


def make_catalogue(n: int, seed: int) -> Catalogue:
    rng = random.Random(seed)
    artists = []
    for _ in range(max(n // 12, 10)):
        if rng.random() < 0.25:
            artists.append(f"The {_title(rng, 1, 2)}")
        else:
            artists.append(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    genres = {a: tuple(rng.sample(GENRES, rng.randint(1, 2))) for a in artists}
    items: list[tuple[str, Item, tuple[str, ...], str]] = []
    for i in range(n):
        u = rng.random()
        if u < 0.80:
            a = rng.choice(artists)
            item = Item("track", _title(rng, 1, 4), (a,), {"spotify": f"spotify:track:{i:022d}"}, genres[a])
            items.append(("listened", item, ("spotify", "lastfm", "apple_music"), ""))
        elif u < 0.86:
            author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            item = Item("book", _title(rng, 1, 5), (author,), {}, tuple(rng.sample(BOOK_GENRES, 2)))
            review = f"{_title(rng, 6, 14).lower()}." if rng.random() < 0.2 else ""
            items.append(("read", item, ("goodreads", "kindle"), review))
        elif u < 0.91:
            director = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            item = Item("movie", _title(rng, 1, 4), (director,), {}, tuple(rng.sample(FILM_GENRES, 2)))
            items.append(("watched", item, ("netflix", "letterboxd"), ""))
        elif u < 0.96:
            title = f"{rng.choice(BRANDS)} {_title(rng, 1, 2)} {rng.choice(PRODUCTS).title()}"
            item = Item("product", title, (), {"asin": f"B{i:09d}"}, ("home",))
            items.append(("purchased", item, ("amazon",), ""))
        else:
            item = Item("web_page", _title(rng, 3, 8), (), {}, (), f"https://example.org/{i}")
            items.append(("visited", item, ("chrome", "pocket"), ""))
    return Catalogue(items, artists)


def write_store(store: Store, cat: Catalogue, n_records: int, seed: int) -> float:
    """Insert `n_records` records drawn from the catalogue by Zipf popularity; returns seconds."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(cat.items) + 1) ** 1.05
    picks = rng.choice(len(cat.items), size=n_records, p=weights / weights.sum())
    start = datetime(2016, 1, 1, tzinfo=UTC)
    span = int((datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds())
    seconds = rng.integers(0, span, size=n_records)
    platform_pick = rng.integers(0, 3, size=n_records)
    t0 = time.perf_counter()
    with store.transaction():
        job = store.start_job("benchmarks/search.py", None, "bench")
    batch: list[Record] = []
    for i in range(n_records):
        action, item, platforms, own = cat.items[picks[i]]
        batch.append(
            Record(
                platform=platforms[platform_pick[i] % len(platforms)],
                action=action,
                item=item,
                when=start + timedelta(seconds=int(seconds[i])),
                precision="second",
                duration_s=200.0 if item.kind == "track" else None,
                text=own or None,
                provenance=Provenance("bench", "generated.jsonl", index=i, line=i + 1),
                importer="bench",
                importer_version="1",
            )
        )
        if len(batch) == 50_000 or i == n_records - 1:
            with store.transaction():
                store.insert_records(batch, job)
            batch = []
            print(f"\r  wrote {i + 1:,} records", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - t0


def make_queries(cat: Catalogue, seed: int) -> list[tuple[str, Filters | None]]:
    """120 fixed queries: 40 words, 20 artists, 20 title fragments, 20 descriptions, 20 filtered."""
    rng = random.Random(seed + 1)
    tracks = [it for _, it, _, _ in cat.items if it.kind == "track" and it.title and " " in it.title]
    out: list[tuple[str, Filters | None]] = [(w, None) for w in rng.sample(WORDS, 40)]
    out += [(a, None) for a in rng.sample(cat.artists, 20)]
    out += [(" ".join((t.title or "").split()[:2]), None) for t in rng.sample(tracks, 20)]
    out += [(d, None) for d in DESCRIPTIONS]
    filters = [
        Filters(platforms=("spotify",)),
        Filters(kinds=("book",)),
        Filters(kinds=("movie",), since="2020-01-01"),
        Filters(actions=("purchased",)),
        Filters(since="2024-01-01", until="2024-07-01"),
    ]
    for i, w in enumerate(rng.sample(WORDS, 20)):
        out.append((w, filters[i % len(filters)]))
    return out


def measure(store: Store, queries: list[tuple[str, Filters | None]], mode: str) -> list[float]:
    times = []
    for text, flt in queries:
        t0 = time.perf_counter()
        search(store, text, flt, limit=20, mode=mode)  # type: ignore[arg-type]
        times.append((time.perf_counter() - t0) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=60_000, help="distinct items in the catalogue")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--store", type=Path, help="store file to write (reused when it already has the records)")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/search.md")
    args = ap.parse_args()

    path = args.store or Path(tempfile.mkdtemp(prefix="selfdex-search-bench-")) / "store.sqlite"
    store = Store(path)
    cat = make_catalogue(args.distinct, args.seed)
    params = f"records={args.records} distinct={args.distinct} seed={args.seed}"
    store.conn.execute("CREATE TABLE IF NOT EXISTS bench_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    info = dict(store.conn.execute("SELECT key, value FROM bench_info").fetchall())
    reused = info.get("params") == params
    if not reused:
        if store.count():
            sys.exit(
                f"{path} was generated with other parameters ({info.get('params')}); use another --store"
            )
        print(f"writing {args.records:,} records over {args.distinct:,} items to {path}", file=sys.stderr)
        write_s = write_store(store, cat, args.records, args.seed)
        t0 = time.perf_counter()
        store.conn.execute("INSERT INTO records_fts(records_fts) VALUES('rebuild')")
        fts_s = time.perf_counter() - t0
        print(f"  store write {write_s:.1f} s, FTS rebuild {fts_s:.1f} s", file=sys.stderr)
        info = {"params": params, "write_s": f"{write_s:.1f}", "fts_rebuild_s": f"{fts_s:.1f}"}
        store.conn.executemany("INSERT OR REPLACE INTO bench_info VALUES (?, ?)", list(info.items()))

    said = [0.0]

    def progress(step: str, done: int, total: int | None) -> None:
        if done == total or time.monotonic() - said[0] > 5:  # a line every few seconds
            said[0] = time.monotonic()
            print(f"  {step}: {done:,}/{total or '?'}", file=sys.stderr)

    stats = vectors.build(store, progress=progress)
    st = vectors.status(store)
    print(
        f"  index: mapped {stats.records_mapped:,} records in {stats.map_seconds:.1f} s, "
        f"embedded {stats.texts_embedded:,} texts in {stats.embed_seconds:.1f} s",
        file=sys.stderr,
    )
    if stats.texts_embedded:  # a rerun on a built store reports the build that made it
        info |= {
            "map_s": f"{stats.map_seconds:.1f}",
            "embedded": str(stats.texts_embedded),
            "embed_s": f"{stats.embed_seconds:.1f}",
        }
        store.conn.executemany("INSERT OR REPLACE INTO bench_info VALUES (?, ?)", list(info.items()))

    queries = make_queries(cat, args.seed)
    measure(store, queries[:5], "hybrid")  # warm-up: model weights, vector matrix, page cache
    results = {mode: measure(store, queries, mode) for mode in ("fts", "hybrid", "vector")}

    rate = int(info["embedded"]) / float(info["embed_s"])
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| records | {store.count():,} |",
        f"| distinct items in the catalogue (`--distinct`) | {args.distinct:,} |",
        f"| distinct item texts embedded (index) | {st.texts:,} |",
        f"| store write, records + incremental FTS | {info['write_s']} s |",
        f"| FTS index (`records_fts`) full rebuild | {info['fts_rebuild_s']} s |",
        f"| item index: map records → item texts, item FTS, facets | {info['map_s']} s |",
        f"| vector index: embed item texts | {info['embed_s']} s for {int(info['embedded']):,} ({rate:.1f} emb/s) |",
        f"| model | `{st.model}` |",
        "",
        f"| mode ({len(queries)} queries, limit 20) | p50 ms | p95 ms | max ms | target p95 |",
        "|---|---|---|---|---|",
    ]
    targets = {"fts": f"< {FTS_P95_TARGET_MS} ms", "hybrid": f"< {HYBRID_P95_TARGET_MS} ms", "vector": "–"}
    for mode, times in results.items():
        p95 = pct(times, 95)
        limit = {"fts": FTS_P95_TARGET_MS, "hybrid": HYBRID_P95_TARGET_MS}.get(mode)
        verdict = "" if limit is None else (" ✓" if p95 < limit else " ✗")
        lines.append(
            f"| {mode} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} | {targets[mode]}{verdict} |"
        )
    if reused:
        lines.insert(
            2,
            "| store | reused: write, rebuild and index build times are from earlier runs on this store (its bench_info table) |",
        )
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        cmd = "python benchmarks/search.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            f"# Search latency and index build\n\n`{cmd.strip()}`\n\n"
            f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
            f"(load average at the end {os.getloadavg()[0]:.1f}). "
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n\n{table}\n"
        )
        print(f"written to {RESULTS}", file=sys.stderr)
    store.close()


if __name__ == "__main__":
    main()
