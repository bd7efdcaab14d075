"""Dump every importer's output over the sample person and the real samples, to prove a refactor of
the importers (or of the sample person) changes nothing.

Every registered importer parses every file, recognised or not (so the error paths are compared too);
each record is written with its id and every field, each problem with its position, each exception by
type and message. Run it with the old code and the new, and compare::

    PYTHONPATH=/old/src python benchmarks/importer_records.py /tmp/old.jsonl
    PYTHONPATH=src      python benchmarks/importer_records.py /tmp/new.jsonl
    cmp /tmp/old.jsonl /tmp/new.jsonl

The sample person is generated afresh by the code under test, so the sample generator is compared too.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from selfdex.archive import Entry, iter_entries
from selfdex.importers.registry import load_importers
from selfdex.model import ImportProblem, Record
from selfdex.sample import generate

FORMATS = Path("/work/shared/formats")


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return f"{type(obj).__name__}:{obj!r}"


def _outputs(entry: Entry, only: set[str] | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for imp in load_importers():
        if only is not None and imp.name not in only:
            continue
        head: dict[str, Any] = {"importer": imp.name, "member": entry.path}
        try:
            score = imp.recognize(entry)
            for out in imp.parse(entry):
                if isinstance(out, Record):
                    rows.append({**head, "score": score, "id": out.id, "record": _plain(out)})
                elif isinstance(out, ImportProblem):
                    rows.append({**head, "score": score, "problem": _plain(out)})
        except Exception as exc:  # a parse of a file that is not the importer's may raise: compare that too
            rows.append({**head, "exception": f"{type(exc).__name__}: {exc}"})
    return rows


def dump(roots: list[Path], out: Path, only: set[str] | None = None) -> tuple[int, str]:
    digest = hashlib.sha256()
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for root in roots:
            for entry in iter_entries(root):
                if not isinstance(entry, Entry):
                    continue
                for row in _outputs(entry, only):
                    line = json.dumps({"root": root.name, **row}, ensure_ascii=False)
                    fh.write(line + "\n")
                    digest.update(line.encode())
                    n += 1
    return n, digest.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="JSON-lines file to write")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample-dir", type=Path, default=Path(tempfile.gettempdir()) / "selfdex-records-sample")
    ap.add_argument("--only", help="comma-separated importer names (default: all)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    # A fixed folder, not a temporary one: records carry the path they were imported from.
    sample = args.sample_dir
    if sample.exists():
        shutil.rmtree(sample)
    generate(sample, seed=args.seed)
    roots = [sample] + ([FORMATS] if FORMATS.is_dir() else [])
    n, digest = dump(roots, args.out, only)
    shutil.rmtree(sample)
    print(f"{n} rows, sha256 {digest}", file=sys.stderr)


if __name__ == "__main__":
    main()
