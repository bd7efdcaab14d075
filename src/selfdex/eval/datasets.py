"""Loaders for the public evaluation data in ``../shared/data`` (never committed).

Each cross-domain set becomes a :class:`CrossDomainData`: an item catalogue with domains and
text, training users' sequences (the platform's other customers), and valid/test cases. A case
is one held-out target with the history that precedes it, in chronological order across both
domains where the data has that order.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DATASETS",
    "CrossDomainData",
    "DataMissing",
    "EvalCase",
    "ItemMeta",
    "LLMRankData",
    "default_data_dir",
    "listing_quantiles",
    "load_amazon_arts_office",
    "load_amazon_food_kitchen",
    "load_cross_domain",
    "load_llmrank_games",
]

DATASETS = ("amazon-food-kitchen", "amazon-arts-office")

HOW_TO_GET = """\
The evaluation data is not shipped with selfdex (research-only licences). Put these folders under
one directory and pass it with --data DIR (default: <repo>/../shared/data):

  amazon-food-kitchen/  items.csv.gz, interactions.csv.gz   from github.com/xhran2010/LLMCDSR
                        data/food-kitchen (commit 5825e999), converted to CSV
  amazon-arts-office/   items.csv.gz, interactions.csv.gz   from github.com/TingJShen/URLLM
                        DG_Final/AO (commit 053d7395)
  llmrank-games/        Games.item.gz, Games.random, Games-6k.test.inter.gz, Games-6k.valid.inter.gz
                        from github.com/RUCAIBox/LLMRank llmrank/dataset (commit 5ec1154c)

Each folder's README (in the selfdex shared workspace) documents the exact conversion and the
sha256 of every file; the report records the checksums it saw."""


class DataMissing(FileNotFoundError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found.\n\n{HOW_TO_GET}")


def default_data_dir() -> Path | None:
    """``<repo>/../shared/data`` when it exists (the repo is three levels above this file's package)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent.parent / "shared" / "data"
        if (parent / "pyproject.toml").exists() and cand.is_dir():
            return cand
    return None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        raise DataMissing(str(path))
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


@dataclass(frozen=True)
class ItemMeta:
    idx: int
    domain: str
    title: str
    creators: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # When the product was first listed, as a quantile of the catalogue's listing order (0 = oldest),
    # where the data lets us estimate it; None otherwise. Only condition (t) reads it.
    listed: float | None = None


@dataclass(frozen=True)
class EvalCase:
    """``history``: item ids before the target, oldest first, both domains. ``exclude``: items
    that must never be sampled as negatives for this case (everything the user touched)."""

    user: str
    history: tuple[int, ...]
    target: int
    exclude: frozenset[int]


@dataclass
class CrossDomainData:
    name: str
    domains: tuple[str, str]
    items: list[ItemMeta]
    train: list[list[int]]
    valid: list[EvalCase]
    test: list[EvalCase]
    checksums: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    def domain_of(self, item: int) -> str:
        return self.items[item].domain


def _checksums(d: Path, names: list[str]) -> dict[str, str]:
    return {n: sha256(d / n) for n in names if (d / n).exists()}


def _brand_guess(title: str) -> tuple[str, ...]:
    """The data has no brand field, but Amazon titles lead with the brand ("Keurig K-Cup …",
    "Bob's Red Mill …"): the first word stands in for it, as a person's order history would show."""
    first = title.split(maxsplit=1)[0].strip(",.:;-()[]").lower() if title.strip() else ""
    return (first,) if len(first) > 1 and not first.isdigit() else ()


def listing_quantiles(asins: list[str]) -> list[float]:
    """Amazon assigns ASINs roughly in the order products are listed ("B000…" before "B00J…"), so
    an ASIN's rank in the sorted catalogue stands in for the "date first available" that Amazon
    shows publicly on every product page. Quantiles in [0, 1); ties share the lower rank."""
    order = {a: i for i, a in enumerate(sorted(set(asins)))}
    n = max(len(order), 1)
    return [order[a] / n for a in asins]


def load_amazon_food_kitchen(data_dir: Path) -> CrossDomainData:
    d = data_dir / "amazon-food-kitchen"
    catalogue = [
        (int(r["item_idx"]), r["domain"], html.unescape(r["title"]), r["asin"])
        for r in _rows(d / "items.csv.gz")
    ]
    listed = listing_quantiles([c[3] for c in catalogue])
    items = [
        ItemMeta(idx, domain, title, _brand_guess(title), listed=q)
        for (idx, domain, title, _), q in zip(catalogue, listed, strict=True)
    ]
    items.sort(key=lambda m: m.idx)
    seqs: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
    split_of: dict[str, str] = {}
    for r in _rows(d / "interactions.csv.gz"):
        seqs[r["user_key"]].append((int(r["pos"]), int(r["item_idx"]), r["is_eval_target"] == "1"))
        split_of[r["user_key"]] = r["split"]
    train: list[list[int]] = []
    cases: dict[str, list[EvalCase]] = {"valid": [], "test": []}
    for user, rows in seqs.items():
        rows.sort()
        ids = [i for _, i, _ in rows]
        if split_of[user] in cases:
            assert rows[-1][2], f"{user}: last item is not the eval target"
            cases[split_of[user]].append(EvalCase(user, tuple(ids[:-1]), ids[-1], frozenset(ids)))
        else:
            train.append(ids)
    return CrossDomainData(
        "amazon-food-kitchen",
        ("food", "kitchen"),
        items,
        train,
        cases["valid"],
        cases["test"],
        _checksums(d, ["items.csv.gz", "interactions.csv.gz"]),
        "real chronological order across domains; titles only; listing order from ASINs",
    )


def load_amazon_arts_office(data_dir: Path) -> CrossDomainData:
    d = data_dir / "amazon-arts-office"
    items = []
    for r in _rows(d / "items.csv.gz"):
        attrs = r["attributes"].strip()
        items.append(ItemMeta(int(r["item_idx"]), r["domain"], r["title"], (), (attrs,) if attrs else ()))
    items.sort(key=lambda m: m.idx)
    hist: dict[str, list[tuple[int, int]]] = defaultdict(list)
    targets: dict[str, list[int]] = defaultdict(list)
    split_of: dict[str, str] = {}
    for r in _rows(d / "interactions.csv.gz"):
        u = r["user_id"]
        split_of[u] = r["split"]
        if r["role"] == "history":
            hist[u].append((int(r["pos"]), int(r["item_idx"])))
        else:
            targets[u].append(int(r["item_idx"]))
    train: list[list[int]] = []
    cases: dict[str, list[EvalCase]] = {"valid": [], "test": []}
    dropped = {"valid": 0, "test": 0}
    hist_set = frozenset
    for u in sorted(split_of, key=lambda x: (split_of[x], x)):
        h = [i for _, i in sorted(hist[u])]
        if split_of[u] in cases:
            # Two held-out items per user with a shared history; each is a case, and neither may be
            # sampled as a negative for the other.
            excl = frozenset(h) | frozenset(targets[u])
            for t in targets[u]:
                if t in hist_set(h):
                    # Upstream holds out an item the user already has in the history (6 valid, 18
                    # test cases): a repeat, not a next-item prediction; dropped and counted.
                    dropped[split_of[u]] += 1
                    continue
                cases[split_of[u]].append(EvalCase(f"{u}:{t}", tuple(h), t, excl))
        else:
            train.append(h + targets[u])
    return CrossDomainData(
        "amazon-arts-office",
        ("arts", "office"),
        items,
        train,
        cases["valid"],
        cases["test"],
        _checksums(d, ["items.csv.gz", "interactions.csv.gz"]),
        "cross-domain order is synthetic (alternating merge); category+brand attributes; dropped cases whose "
        f"target is already in the history: {dropped}",
    )


def load_cross_domain(name: str, data_dir: Path) -> CrossDomainData:
    if name == "amazon-food-kitchen":
        return load_amazon_food_kitchen(data_dir)
    if name == "amazon-arts-office":
        return load_amazon_arts_office(data_dir)
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")


@dataclass
class LLMRankData:
    """LLMRank Games: ``titles[item]``; per user the test history/target, the valid history/target
    (one step earlier) and the 100-id pool; ``train`` = every user's sequence minus its last two."""

    titles: list[str]
    users: list[int]
    test_hist: dict[int, list[int]]
    test_target: dict[int, int]
    valid_hist: dict[int, list[int]]
    valid_target: dict[int, int]
    pools: dict[int, list[int]]
    train: list[list[int]]
    checksums: dict[str, str] = field(default_factory=dict)


def _open_text(path: Path) -> Iterator[str]:
    gz = path.with_name(path.name + ".gz")
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            yield from fh
    elif gz.exists():
        with gzip.open(gz, "rt", encoding="utf-8") as fh:
            yield from fh
    else:
        raise DataMissing(str(path))


def load_llmrank_games(data_dir: Path, pool: str = "Games.random") -> LLMRankData:
    d = data_dir / "llmrank-games"
    titles_by: dict[int, str] = {}
    for i, line in enumerate(_open_text(d / "Games.item")):
        if i == 0:
            continue
        iid, _, title = line.rstrip("\n").partition("\t")
        titles_by[int(iid)] = html.unescape(title)
    titles = [titles_by[i] for i in range(max(titles_by) + 1)]

    def inter(name: str) -> tuple[dict[int, list[int]], dict[int, int]]:
        hist: dict[int, list[int]] = {}
        tgt: dict[int, int] = {}
        for i, line in enumerate(_open_text(d / name)):
            if i == 0:
                continue
            u, h, t = line.rstrip("\n").split("\t")
            hist[int(u)] = [int(x) for x in h.split()]
            tgt[int(u)] = int(t)
        return hist, tgt

    test_hist, test_target = inter("Games-6k.test.inter")
    valid_hist, valid_target = inter("Games-6k.valid.inter")
    users: list[int] = []
    pools: dict[int, list[int]] = {}
    for line in _open_text(d / pool):
        u, ids = line.rstrip("\n").split("\t")
        users.append(int(u))
        pools[int(u)] = [int(x) for x in ids.split()]
    # Training portion: each full sequence minus its last two items (README protocol step 1).
    train = [(test_hist[u] + [test_target[u]])[:-2] for u in sorted(test_hist)]
    files = [pool, "Games.item.gz", "Games-6k.test.inter.gz", "Games-6k.valid.inter.gz"]
    return LLMRankData(
        titles, users, test_hist, test_target, valid_hist, valid_target, pools, train, _checksums(d, files)
    )
