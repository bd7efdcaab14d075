"""Evaluating entity linking: labelled pairs, precision and recall.

Two label sources:

* the sample person — her generator knows which catalogue item every platform writer wrote, so every
  pair of mentions gets a label (same item, related work, or neither);
* hand-labelled pairs over the real export samples (``benchmarks/data/entity_pairs.json``): a side is a
  reference to records in those samples or a typed variant of how another platform writes the thing.

And, scored on pairs of *records* (same item / related works / one about the other, see
:func:`predicted_relation`): the sample person's hard negatives (:mod:`selfdex.sample.collisions`, whose
generator knows every record's truth) and ``benchmarks/data/real_pairs.csv`` (record pairs on the real
samples, hand-labelled by reading both records).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..model import Item, Record
from ..sample import person as P
from ..store import Store
from .entities import _COLUMNS, Linking, Mention, link_records

__all__ = ["Counts", "labelled_pairs", "payment_truth", "sample_pairs", "score_pairs"]

# Work relations scored as "related" ("co_mentioned" is the person's association, not a fact about works).
WORK_RELATIONS = ("adaptation_of", "soundtrack_of", "part_of", "franchise")


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, predicted: bool, gold: bool) -> None:
        self.tp += predicted and gold
        self.fp += predicted and not gold
        self.fn += gold and not predicted


def _work_related(linking: Linking, a: int, b: int) -> bool:
    return any(rel in WORK_RELATIONS and {src, dst} == {a, b} for src, dst, rel, _ in linking.links)


def score_pairs(linking: Linking, pairs: list[tuple[int, int, str]]) -> dict[str, Counts]:
    """``pairs`` are (entity a, entity b, gold label); gold 'unknown' counts only for 'same'."""
    same, related = Counts(), Counts()
    for a, b, gold in pairs:
        same.add(a == b, gold == "same")
        if gold in ("related", "none") and a != b:
            related.add(_work_related(linking, a, b), gold == "related")
    return {"same": same, "related": related}


# -- the sample person ----------------------------------------------------------------------------

# Shop listings the generator describes as products; which catalogue work each one is (typed here).
_PRODUCT_WORKS = {
    "Dune Deluxe Edition (Hardcover)": "book:Dune",
    "Exhalation: Stories (Paperback)": "book:Exhalation",
    "Never Let Me Go (Kindle Edition)": "book:Never Let Me Go",
    "Dune: Part Two (4K Ultra HD + Blu-ray)": "film:Dune: Part Two",
}
# Relations true of the catalogue that its dataclasses do not spell out.
_EXTRA_RELATED = {
    ("series:Salt Fat Acid Heat", "book:Salt, Fat, Acid, Heat"),
    ("film:Dune: Part Two", "film:Dune"),
    ("book:Dune Messiah", "book:Dune"),
    ("book:Children of Dune", "book:Dune"),
}


def _gold_book(m: Mention) -> str | None:
    if m.title in _PRODUCT_WORKS:
        return _PRODUCT_WORKS[m.title]
    return next((f"book:{b.title}" for b in P.BOOKS if b.title == m.title), None)


def _gold_film(m: Mention) -> str | None:
    if m.title in _PRODUCT_WORKS:
        return _PRODUCT_WORKS[m.title]
    # Without a year the title alone decides; with one it must be the catalogue film's year.
    return next((f"film:{f.title}" for f in P.FILMS if f.title == m.title and m.year in (None, f.year)), None)


def _gold_series(m: Mention) -> str | None:
    return next((f"series:{s.title}" for s in P.SHOWS if s.title == m.title), None)


def _gold_track(m: Mention) -> str | None:
    # Same-titled tracks are told apart by artist; a mention naming none still counts when it names an album.
    names = set(m.creator_names)
    return next(
        (
            f"track:{t.title}|{t.artist}"
            for t in P.TRACKS
            if t.title == m.title and (t.artist in names or (not names and m.album and t.album.casefold()))
        ),
        None,
    )


def _gold_podcast(m: Mention) -> str | None:
    return next((f"podcast:{p.show}" for p in P.PODCASTS if p.show == m.title), None)


def _gold_video(m: Mention) -> str | None:
    return next((f"video:{v.video_id}" for v in P.VIDEOS if v.title == m.title), None)


def _gold_product(m: Mention) -> str | None:
    return next((f"product:{p.asin}" for p in P.PRODUCTS if p.title == m.title), None)


def _gold_creator(m: Mention) -> str | None:
    creators = {b.author for b in P.BOOKS} | {t.artist for t in P.TRACKS} | {v.channel for v in P.VIDEOS}
    return f"creator:{m.title}" if m.title in creators else None


# How each mention class finds its catalogue item; a class not here names none.
_GOLD: dict[str, Callable[[Mention], str | None]] = {
    "book": _gold_book,
    "film": _gold_film,
    "series": _gold_series,
    "track": _gold_track,
    "podcast": _gold_podcast,
    "video": _gold_video,
    "product": _gold_product,
    "creator": _gold_creator,
}


def _gold(m: Mention) -> str | None:
    """The catalogue item a mention names, from the generator's catalogue (exact strings)."""
    rule = _GOLD.get(m.cls)
    return rule(m) if rule else None


def _theme(gold: str) -> str | None:
    kind, _, name = gold.partition(":")
    catalogues: dict[str, list[tuple[str, str | None]]] = {
        "book": [(b.title, b.theme) for b in P.BOOKS],
        "film": [(f.title, f.theme) for f in P.FILMS],
        "series": [(s.title, s.theme) for s in P.SHOWS],
        "track": [(f"{t.title}|{t.artist}", t.theme) for t in P.TRACKS],
        "podcast": [(p.show, p.theme) for p in P.PODCASTS],
        "video": [(v.video_id, v.theme) for v in P.VIDEOS],
        "product": [(p.asin, p.theme) for p in P.PRODUCTS],
    }
    return next((theme for title, theme in catalogues.get(kind, []) if title == name), None)


def _related_truth() -> set[frozenset[str]]:
    out = {frozenset(p) for p in _EXTRA_RELATED}
    for f in P.FILMS:
        if f.adaptation_of:
            out.add(frozenset((f"film:{f.title}", f"book:{f.adaptation_of}")))
    for t in P.TRACKS:
        if t.soundtrack_of:
            out.add(frozenset((f"track:{t.title}|{t.artist}", f"film:{t.soundtrack_of}")))
    return out


def sample_pairs(linking: Linking) -> list[tuple[int, int, str]]:
    """Every pair of the sample person's mentions the catalogue can label, as (entity, entity, gold)."""
    golds = [(i, g) for i, m in enumerate(linking.mentions) if (g := _gold(m))]
    related = _related_truth()
    pairs = []
    for x, (i, gi) in enumerate(golds):
        for j, gj in golds[x + 1 :]:
            if gi == gj:
                gold = "same"
            elif frozenset((gi, gj)) in related:
                gold = "related"
            elif _theme(gi) is not None and _theme(gi) == _theme(gj):
                gold = "unknown"  # same planted interest: maybe related in ways the catalogue does not say
            else:
                gold = "none"
            pairs.append((linking.mention_entity[i], linking.mention_entity[j], gold))
    return pairs


def payment_truth(store: Store) -> set[tuple[str, str]]:
    """(Amazon order line id, bank transaction id) pairs, from the order ids the bank writer put in."""
    bank = {
        r["text"].rsplit(" ", 1)[-1]: r["id"]
        for r in store.conn.execute(
            "SELECT id, text FROM records WHERE platform = 'bank' AND text LIKE '%Debitk%'"
        )
    }
    out = set()
    for rid, order in store.conn.execute(
        "SELECT id, json_extract(extra, '$.order_id') FROM records WHERE platform = 'amazon' AND action = 'purchased'"
    ):
        if order in bank:
            out.add((rid, bank[order]))
    return out


# -- hand-labelled pairs --------------------------------------------------------------------------


def _variant(spec: dict[str, Any]) -> Record:
    return Record(
        platform=spec["platform"],
        action="rated",
        item=Item(
            kind=spec["kind"],
            title=spec["title"],
            creators=tuple(spec.get("creators", ())),
            ids=dict(spec.get("ids", {})),
        ),
        when=datetime(2024, 1, 1, tzinfo=UTC),
        extra={"year": spec["year"]} if "year" in spec else {},
        importer="benchmark-variant",
        importer_version="1",
    )


def _resolve(store: Store, linking: Linking, ref: dict[str, Any], role: str) -> int | None:
    sql = "SELECT id, external_ids FROM records WHERE platform = ? AND title = ?"
    args: list[Any] = [ref["platform"], ref["title"]]
    if "kind" in ref:
        sql += " AND kind = ?"
        args.append(ref["kind"])
    for rid, ids in store.conn.execute(sql + " ORDER BY id", args):
        if "id" in ref and ref["id"] not in (ids or ""):
            continue
        ent = linking.entity_of(rid, role)
        if ent is not None:
            return ent
    return None


def labelled_pairs(store: Store, path: Path) -> tuple[Linking, list[tuple[int, int, str]], list[str]]:
    """Insert the file's variants into ``store``, link it, and resolve each labelled pair to entities.

    Returns the linking, the resolved pairs and a note for every side that matched no record."""
    data = json.loads(path.read_text())
    variants: dict[int, Record] = {}
    for n, pair in enumerate(data["pairs"]):
        for side in ("a", "b"):
            if "variant" in pair[side]:
                variants[n * 2 + (side == "b")] = _variant(pair[side]["variant"])
    with store.transaction():
        job = store.start_job("benchmarks/data/entity_pairs.json", None, "benchmark")
        store.insert_records(list(variants.values()), job)
    linking = link_records(dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records"))
    pairs, missing = [], []
    for n, pair in enumerate(data["pairs"]):
        ents = []
        for side in ("a", "b"):
            spec = pair[side]
            if "variant" in spec:
                record = variants[n * 2 + (side == "b")]
                role = spec["variant"].get("role", "item")
                ents.append(linking.entity_of(record.id, role))
            else:
                ents.append(_resolve(store, linking, spec["ref"], spec["ref"].get("role", "item")))
        if ents[0] is None or ents[1] is None:
            missing.append(f"pair {n + 1}: {pair['a']} / {pair['b']}")
            continue
        pairs.append((ents[0], ents[1], pair["label"]))
    return linking, pairs, missing


def failures(linking: Linking, pairs: list[tuple[int, int, str]]) -> list[str]:
    """Human-readable errors, for looking at what the linker gets wrong."""
    out = []
    seen: set[tuple[int, int, str]] = set()
    by_key: dict[str, list[str]] = defaultdict(list)
    for a, b, gold in pairs:
        predicted = "same" if a == b else "related" if _work_related(linking, a, b) else "none"
        if gold != "unknown" and predicted != gold and (a, b, gold) not in seen:
            seen.add((a, b, gold))
            ea, eb = linking.entities[a], linking.entities[b]
            by_key[f"{gold}→{predicted}"].append(f"{ea.key} ~ {eb.key}")
    for kind, items in sorted(by_key.items()):
        out += [f"{kind}: {x}" for x in items]
    return out


# -- pairs of records: same / related / about ----------------------------------------------------

LINK_LABELS = ("same", "related", "about")


def predicted_relation(linking: Linking, a: str, b: str) -> str:
    """How the linker relates two records: the same item, related works, one about the other, or none."""
    ea, eb = linking.entity_of(a), linking.entity_of(b)
    if ea is not None and ea == eb:
        return "same"
    if ea is not None and eb is not None and _work_related(linking, ea, eb):
        return "related"
    ents_a = {ent for ent, _ in linking.record_entities.get(a, ())}
    ents_b = {ent for ent, _ in linking.record_entities.get(b, ())}
    if (eb is not None and eb in ents_a) or (ea is not None and ea in ents_b):
        return "about"
    return "none"


def score_record_pairs(
    linking: Linking, pairs: list[tuple[str, str, str]]
) -> tuple[dict[str, Counts], list[str]]:
    """Per gold label (and ``all``): a pair counts as found only when the predicted relation is the gold
    one; a predicted relation on a pair whose gold is different is a false positive of that relation."""
    counts = {label: Counts() for label in (*LINK_LABELS, "all")}
    errors = []
    for a, b, gold in pairs:
        if gold == "unknown":
            continue
        pred = predicted_relation(linking, a, b)
        for label in LINK_LABELS:
            counts[label].add(pred == label, gold == label)
        every = counts["all"]  # any relation: right only when it is the gold one
        every.tp += pred != "none" and pred == gold
        every.fp += pred != "none" and pred != gold
        every.fn += gold != "none" and pred != gold
        if pred != gold:
            errors.append(f"{gold}→{pred}: {a} ~ {b}")
    return counts, errors


# -- the sample person's hard negatives (selfdex.sample.collisions) ----------------------------------


def collision_records(store: Store) -> list[tuple[str, str | None, bool, int]]:
    """Every record the collisions wrote: (record id, gold, whether it is the work itself, which thing)."""
    from ..sample import collisions as C

    films = {f.title: f.gold for f in C.FILMS}
    # platform, kind, title, creator ("" = any), gold, item
    specs: list[tuple[str, str, str, str, str | None, bool]] = [
        *(("letterboxd", "movie", f.title, "", f.gold, True) for f in C.FILMS),
        *(("netflix", "movie", t, "", films[t], True) for t in C.NETFLIX),
        *(("spotify", "track", t.title, t.creator, t.gold, True) for t in C.TRACKS),
        *(("goodreads", "book", b.title, "", b.gold, True) for b in C.BOOKS),
        *(("youtube", "video", v.title, "", v.gold, False) for v in C.VIDEOS),
        *(("twitter", "post", t.title, "", t.gold, False) for t in C.TEXTS),
    ]
    out = []
    for n, (platform, kind, title, creator, gold, item) in enumerate(specs):
        for rid, credits in store.conn.execute(
            "SELECT id, creators FROM records WHERE platform = ? AND kind = ? AND title = ? ORDER BY id",
            (platform, kind, title),
        ):
            if not creator or creator in (json.loads(credits) if credits else []):
                out.append((rid, gold, item, n))
    return out


def collision_nodes(store: Store) -> list[tuple[str, str | None, bool]]:
    """One record of each thing the collisions wrote: (record id, gold, is the work itself)."""
    seen: set[int] = set()
    nodes = []
    for rid, gold, item, n in collision_records(store):
        if n not in seen:
            seen.add(n)
            nodes.append((rid, gold, item))
    return nodes


def collision_pairs(nodes: list[tuple[str, str | None, bool]]) -> list[tuple[str, str, str]]:
    """Every pair of hard-negative records with its gold relation."""
    from ..sample.collisions import RELATED as TRUE_RELATED

    pairs = []
    for x, (a, ga, ia) in enumerate(nodes):
        for b, gb, ib in nodes[x + 1 :]:
            if ga is None or gb is None:
                gold = "none"
            elif ga == gb:
                gold = "same" if ia and ib else "about" if ia or ib else "unknown"
            elif frozenset((ga, gb)) in TRUE_RELATED:
                gold = "related" if ia and ib else "unknown"
            else:
                gold = "none"
            pairs.append((a, b, gold))
    return pairs


def theme_purity(facts: list[Any], golds: dict[str, str | None]) -> list[tuple[str, int, int]]:
    """Per theme citing hard-negative records: (key, cited hard-negative records, those about the theme's
    subject, i.e. its most cited work or a work truly related to it)."""
    from ..sample.collisions import RELATED as TRUE_RELATED

    out = []
    for f in facts:
        cited = [golds[c] for c in f.citations if c in golds]
        if not cited:
            continue
        named = [g for g in cited if g]
        subject = max(sorted(set(named)), key=named.count) if named else None
        ok = sum(1 for g in cited if g and (g == subject or frozenset((g, subject or "")) in TRUE_RELATED))
        out.append((f.key, len(cited), ok))
    return out


# -- hand-labelled record pairs on the real samples (benchmarks/data/real_pairs.csv) -----------------


def real_pairs(store: Store, path: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Resolve each labelled row (platform, kind, action, title on both sides) to record ids.

    Returns (a, b, gold) with gold 'unknown' for the rows labelled 'topic' (same subject, but no entity to
    link: not scored), and a note per row whose side matches no record."""
    import csv

    pairs, missing = [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            ids = []
            for side in ("a", "b"):
                found = store.conn.execute(
                    "SELECT id FROM records WHERE platform = ? AND kind = ? AND action = ? AND title = ? "
                    "ORDER BY id LIMIT 1",
                    (
                        row[f"{side}_platform"],
                        row[f"{side}_kind"],
                        row[f"{side}_action"],
                        row[f"{side}_title"],
                    ),
                ).fetchone()
                ids.append(found[0] if found else None)
            if ids[0] is None or ids[1] is None:
                missing.append(f"line {n}: {row['a_title']} / {row['b_title']}")
                continue
            gold = "unknown" if row["label"] == "topic" else row["label"]
            pairs.append((ids[0], ids[1], gold))
    return pairs, missing
