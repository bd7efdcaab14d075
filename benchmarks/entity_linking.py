"""Entity-linking precision and recall, on two label sources:

* the sample person (seed 7): her generator knows which catalogue item every platform writer wrote, so every
  pair of her mentions is labelled — same item, related work (adaptation, soundtrack, sequel/series), or
  neither; pairs inside one planted interest with no stated relation count for "same" only;
* hand-labelled pairs over the real export samples in ``../shared/formats`` (``benchmarks/data/
  entity_pairs.json``: references to records there, plus typed variants of how another platform writes
  the same or a confusable thing).

Also Amazon order lines ↔ the bank transactions that paid them, with and without the order id in the bank
text (amount and date only). Targets (issue 4): precision ≥ 0.95, recall ≥ 0.85. Prints a Markdown table and
writes it, with the exact command, to ``benchmarks/results/entity_linking.md``.

    python benchmarks/entity_linking.py
    python benchmarks/entity_linking.py --embeddings   # confirm fuzzy matches with text embeddings
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from selfdex.ingest import import_path
from selfdex.profile import linkeval
from selfdex.profile.entities import _COLUMNS, link_records
from selfdex.sample import generate
from selfdex.store import Store

HERE = Path(__file__).resolve().parent
FORMATS = (HERE.parent / ".." / "shared" / "formats").resolve()
PAIRS = HERE / "data" / "entity_pairs.json"


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
            *(f"- {n}" for n in notes),
            "",
        ]
    )
    print(text)
    out = HERE / "results" / "entity_linking.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


def _strip_bank_text(row: dict[str, Any]) -> dict[str, Any]:
    if row["kind"] == "transaction":
        return {**row, "text": None}
    return row


if __name__ == "__main__":
    sys.exit(main())
