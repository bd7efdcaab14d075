"""Entity-linking precision and recall, on two label sources:

* the sample person (seed 7): her generator knows which catalogue item every platform writer wrote, so every
  pair of her mentions is labelled — same item, related work (adaptation, soundtrack, sequel/series), or
  neither; pairs inside one planted interest with no stated relation count for "same" only;
* hand-labelled pairs over the real export samples in ``../shared/formats`` (``benchmarks/data/
  entity_pairs.json``: references to records there, plus typed variants of how another platform writes
  the same or a confusable thing).

Also Amazon order lines ↔ the bank transactions that paid them, with and without the order id in the bank
text (amount and date only). Targets (issue 4): precision ≥ 0.95, recall ≥ 0.85.

Hard cases (issue 12), scored on pairs of *records* (same item / related works / one about the other):

* the sample person plus her hard negatives (:mod:`selfdex.sample.collisions`: films called Drive, Her,
  Up, Traffic, Signs, Titanic beside songs, tech videos, tweets and a book using those words; the generator
  knows every record's truth), and how pure the themes touching them are, and what forgetting them hides;
* ``benchmarks/data/real_pairs.csv``: pairs over the real samples, hand-labelled by reading both records —
  the pairs the linker relates plus near-misses sharing a title word (made by
  ``benchmarks/real_pair_candidates.py``); and the top-20 themes the profile proposes on that store, judged
  with ``benchmarks/data/real_themes.json``.

Prints Markdown tables and writes them, with the exact command, to ``benchmarks/results/entity_linking.md``.

    python benchmarks/entity_linking.py
    python benchmarks/entity_linking.py --embeddings   # confirm fuzzy matches with text embeddings
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from selfdex.ingest import import_path
from selfdex.profile import build_profile, linkeval
from selfdex.profile.corrections import preview_forget
from selfdex.profile.entities import _COLUMNS, link_records
from selfdex.sample import generate
from selfdex.sample.collisions import write_hard_negatives
from selfdex.store import Store

HERE = Path(__file__).resolve().parent
FORMATS = (HERE.parent / ".." / "shared" / "formats").resolve()
PAIRS = HERE / "data" / "entity_pairs.json"
REAL_PAIRS = HERE / "data" / "real_pairs.csv"
REAL_THEMES = HERE / "data" / "real_themes.json"


def _row(name: str, n: int, counts: linkeval.Counts) -> str:
    return (
        f"| {name} | {n} | {counts.tp} | {counts.fp} | {counts.fn} | "
        f"{counts.precision:.3f} | {counts.recall:.3f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--embeddings", action="store_true", help="confirm fuzzy matches with MiniLM embeddings"
    )
    args = parser.parse_args()
    embed: Callable[[list[str]], np.ndarray] | None = None
    if args.embeddings:
        from selfdex.index.embed import default_embedder

        embedder = default_embedder()

        def embed(texts: list[str]) -> np.ndarray:
            return embedder.embed(texts)

    lines = [
        "| label source | pairs | TP | FP | FN | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    theme_table: list[str] = []
    with tempfile.TemporaryDirectory(prefix="selfdex-linking-") as tmp:
        exports = Path(tmp) / "exports"
        store = Store(Path(tmp) / "sample.sqlite")
        for path in generate(exports, seed=7):
            import_path(store, path)
        rows = [dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records")]
        start = time.perf_counter()
        linking = link_records(rows, embed=embed)
        took = time.perf_counter() - start
        pairs = linkeval.sample_pairs(linking)
        scores = linkeval.score_pairs(linking, pairs)
        lines.append(_row("sample person: same item", len(pairs), scores["same"]))
        related_n = sum(g in ("related", "none") and a != b for a, b, g in pairs)
        lines.append(_row("sample person: related work", related_n, scores["related"]))
        notes.append(
            f"Sample person: {len(rows)} records, {len(linking.mentions)} mentions → "
            f"{len(linking.entities)} entities in {took:.2f} s."
        )
        truth = linkeval.payment_truth(store)
        for label, bank_text in (("order id in bank text", True), ("amount + date only", False)):
            use = rows if bank_text else [_strip_bank_text(r) for r in rows]
            links = link_records(use).record_links if not bank_text else linking.record_links
            predicted = {(a, b) for a, b, rel, _ in links if rel == "payment"}
            counts = linkeval.Counts(
                tp=len(predicted & truth), fp=len(predicted - truth), fn=len(truth - predicted)
            )
            lines.append(_row(f"sample person: Amazon ↔ bank ({label})", len(truth), counts))
        store.close()
        hard_lines, hard_notes = _hard_negatives(Path(tmp), exports, embed)
        lines += hard_lines
        notes += hard_notes

        if FORMATS.is_dir():
            fstore = Store(Path(tmp) / "formats.sqlite")
            import_path(fstore, FORMATS)
            flinking, fpairs, missing = linkeval.labelled_pairs(fstore, PAIRS)
            fscores = linkeval.score_pairs(flinking, fpairs)
            lines.append(_row("real samples, hand-labelled: same item", len(fpairs), fscores["same"]))
            n_rel = sum(g in ("related", "none") and a != b for a, b, g in fpairs)
            lines.append(_row("real samples, hand-labelled: related work", n_rel, fscores["related"]))
            notes += [f"Unresolved labelled pair: {m}" for m in missing]
            notes += [f"Error (gold→predicted): {e}" for e in linkeval.failures(flinking, fpairs)]
            fstore.close()
            real_lines, real_notes, theme_table = _real_samples(Path(tmp), exports, embed)
            lines += real_lines
            notes += real_notes
        else:
            notes.append(f"{FORMATS} is absent: hand-labelled pairs skipped.")
    notes += [f"Sample error (gold→predicted): {e}" for e in linkeval.failures(linking, pairs)]

    command = "python benchmarks/entity_linking.py" + (" --embeddings" if args.embeddings else "")
    text = "\n".join(
        [
            "# Entity linking: precision and recall",
            "",
            f"Command: `{shlex.join(command.split())}`",
            "",
            *lines,
            "",
            *theme_table,
            *(f"- {n}" for n in notes),
            "",
        ]
    )
    print(text)
    out = HERE / "results" / "entity_linking.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


def _pair_rows(name: str, counts: dict[str, linkeval.Counts], n: int) -> list[str]:
    rows = [_row(f"{name}: all links", n, counts["all"])]
    for label in linkeval.LINK_LABELS:
        c = counts[label]
        if c.tp + c.fn + c.fp:
            rows.append(_row(f"{name}: {label}", c.tp + c.fn, c))
    return rows


def _hard_negatives(
    tmp: Path, exports: Path, embed: Callable[[list[str]], np.ndarray] | None
) -> tuple[list[str], list[str]]:
    """The sample person with her hard negatives: record pairs, theme purity, what forgetting hides."""
    hard = tmp / "hard"
    store = Store(tmp / "hard.sqlite")
    for path in [*sorted(exports.iterdir()), *write_hard_negatives(hard)]:
        import_path(store, path)
    rows = [dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records")]
    linking = link_records(rows, embed=embed)
    nodes = linkeval.collision_nodes(store)
    pairs = linkeval.collision_pairs(nodes)
    counts, errors = linkeval.score_record_pairs(linking, pairs)
    scored = sum(g != "unknown" for _, _, g in pairs)
    lines = _pair_rows("sample person + hard negatives (record pairs)", counts, scored)
    golds = {rid: gold for rid, gold, _item, _n in linkeval.collision_records(store)}
    themes = [f for f in build_profile(store).facts if f.kind == "theme"]
    purity = linkeval.theme_purity(themes, golds)
    cited = sum(n for _, n, _ in purity)
    ok = sum(k for _, _, k in purity)
    precision = ok / cited if cited else 1.0
    lines.append(
        f"| sample person + hard negatives: hard-negative records that themes cite | {cited} | {ok} | "
        f"{cited - ok} | – | {precision:.3f} | – |"
    )
    notes = [
        f"Hard negatives: {len(nodes)} things ({len(golds)} records) → {len(pairs)} pairs, {scored} scored; "
        f"themes touching them: " + ", ".join(f"{k} ({good}/{n} about it)" for k, n, good in purity) + "."
    ]
    for key, _n, _ok in purity:
        preview = preview_forget(store, key)
        ids = [r["id"] for r in preview.records]
        [(_, hard_n, hard_ok)] = linkeval.theme_purity([SimpleNamespace(citations=ids, key=key)], golds)
        notes.append(
            f"`profile forget {key} --dry-run`: {len(ids)} records, {hard_n} of them hard-negative records, "
            f"{hard_n - hard_ok} of those not about the theme's work."
        )
    titles = {r[0]: f"{r[1]}: {r[2]}" for r in store.conn.execute("SELECT id, platform, title FROM records")}
    notes += [f"Hard-negative error (gold→predicted): {_named(e, titles)}" for e in errors]
    store.close()
    return lines, notes


def _real_samples(
    tmp: Path, exports: Path, embed: Callable[[list[str]], np.ndarray] | None
) -> tuple[list[str], list[str], list[str]]:
    """Hand-labelled record pairs on the real samples, and the top-20 themes the profile proposes on a store
    of the real samples and on one of the sample person plus the real samples."""
    store = Store(tmp / "real.sqlite")
    import_path(store, FORMATS)
    linking = link_records(
        (dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records")), embed=embed
    )
    pairs, missing = linkeval.real_pairs(store, REAL_PAIRS)
    counts, errors = linkeval.score_record_pairs(linking, pairs)
    scored = sum(g != "unknown" for _, _, g in pairs)
    lines = _pair_rows("real samples, hand-labelled record pairs", counts, scored)
    labels = json.loads(REAL_THEMES.read_text())["stores"]
    table = _theme_table(store, labels["formats"], "every file in `../shared/formats`, one store")
    mixed = Store(tmp / "mixed.sqlite")
    for path in [*sorted(exports.iterdir()), FORMATS]:
        import_path(mixed, path)
    table += _theme_table(mixed, labels["sample+formats"], "the sample person plus every real sample")
    mixed.close()
    per_folder = []
    for n, folder in enumerate(sorted(p for p in FORMATS.iterdir() if p.is_dir())):
        one = Store(tmp / f"folder-{n}.sqlite")
        import_path(one, folder)
        keys = [f.key for f in build_profile(one).facts if f.kind == "theme"]
        per_folder.append(f"{folder.name}: {len(keys)}" + (f" ({', '.join(keys[:20])})" if keys else ""))
        one.close()
    table.append(
        "Themes on a store of each folder of `../shared/formats` alone: " + "; ".join(per_folder) + "."
    )
    table.append("")
    notes = [f"Real-sample record pairs: {len(pairs)} resolved, {scored} scored ('topic' rows are not)."]
    notes += [f"Unresolved real pair: {m}" for m in missing]
    titles = {r[0]: f"{r[1]}: {r[2]}" for r in store.conn.execute("SELECT id, platform, title FROM records")}
    notes += [f"Real-sample error (gold→predicted): {_named(e, titles)}" for e in errors]
    store.close()
    return lines, notes, table


def _theme_table(store: Store, labels: dict[str, dict[str, dict[str, Any]]], name: str) -> list[str]:
    """The top-20 themes on a store, each judged by its hand label; and the judged themes of 15688a5."""
    now, before = labels["now"], labels["before"]
    themes = [f for f in build_profile(store).facts if f.kind == "theme"][:20]
    judged = [now[f.key]["correct"] for f in themes if f.key in now]
    old = [v["correct"] for v in before.values()]

    def verdict(key: str) -> str:
        return ("correct" if now[key]["correct"] else "wrong") if key in now else "unlabelled"

    rows = [f"| {f.key} | {len(f.platforms)} | {len(f.citations)} | {verdict(f.key)} |" for f in themes]
    return [
        f"Top-20 themes on {name}:",
        "",
        "| theme | platforms | records | judged |",
        "|---|---:|---:|---|",
        *(rows or ["| (none: no interest has records on three platforms that are about it) | | | |"]),
        "",
        f"Now: {len(themes)} themes, {sum(judged)} of {len(judged)} labelled judged correct"
        + (f" (precision {sum(judged) / len(judged):.3f})" if judged else "")
        + f". Before (15688a5, judged in `{REAL_THEMES.name}`): {len(old)} themes, {sum(old)} correct"
        + (f" (precision {sum(old) / len(old):.3f}); wrong: " if old else "")
        + ", ".join(k for k, v in before.items() if not v["correct"])
        + ".",
        "",
    ]


def _named(error: str, titles: dict[str, str]) -> str:
    head, _, pair = error.partition(": ")
    a, _, b = pair.partition(" ~ ")
    return f"{head}: {titles.get(a, a)} ~ {titles.get(b, b)}"


def _strip_bank_text(row: dict[str, Any]) -> dict[str, Any]:
    if row["kind"] == "transaction":
        return {**row, "text": None}
    return row


if __name__ == "__main__":
    sys.exit(main())
