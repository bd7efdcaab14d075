"""Snapshot tests: what every real sample in ../shared/formats produces, as canonical JSONL.

``tests/snapshots/<sample path>.jsonl`` holds one line for the importer that claimed the file, then one
line per record (id, platform, action, kind, title, creators, ids, when, precision, rating, amount,
currency…, sorted keys; ``text`` and long strings cut to 80 characters; no ``raw``) and one per problem,
in output order. Any change in parsing output is then a visible diff in review.

After an intended change, regenerate and review the diff::

    SELFDEX_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from selfdex.archive import Entry, iter_entries
from selfdex.importers.registry import load_importers
from selfdex.ingest import choose_importer
from selfdex.model import ImportProblem, Record

from .conftest import FORMATS

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("SELFDEX_UPDATE_SNAPSHOTS") == "1"
CUT = 80


def _sample_files() -> list[str]:
    if not FORMATS.is_dir():
        return []
    return sorted(
        p.relative_to(FORMATS).as_posix() for p in FORMATS.rglob("*") if p.is_file() and p.name != "README.md"
    )


def _short(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= CUT else value[: CUT - 1] + "…"
    if isinstance(value, dict):
        return {str(k): _short(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_short(v) for v in value[:20]]
    return value


def record_line(r: Record) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": r.id,
        "platform": r.platform,
        "action": r.action,
        "kind": r.item.kind,
        "title": r.item.title,
        "creators": list(r.item.creators),
        "ids": r.item.ids,
        "url": r.item.url,
        "categories": list(r.item.categories),
        "when": r.when.isoformat() if r.when else None,
        "original_tz": r.original_tz,
        "precision": r.precision,
        "rating": r.rating,
        "rating_scale": r.rating_scale,
        "duration_s": r.duration_s,
        "amount": r.amount,
        "currency": r.currency,
        "quantity": r.quantity,
        "distance_m": r.distance_m,
        "text": r.text,
        "location": (
            {"lat": r.location.lat, "lon": r.location.lon, "name": r.location.name} if r.location else None
        ),
        "extra": r.extra,
    }
    return _short({k: v for k, v in line.items() if v not in (None, [], {})})


def problem_line(p: ImportProblem) -> dict[str, Any]:
    line = {"problem": p.severity, "reason": p.reason, "index": p.index, "line": p.line}
    return _short({k: v for k, v in line.items() if v is not None})


def render(importer: str | None, outputs: list[Record | ImportProblem]) -> str:
    lines = [{"importer": importer}]
    lines += [problem_line(o) if isinstance(o, ImportProblem) else record_line(o) for o in outputs]
    return "".join(orjson.dumps(line, option=orjson.OPT_SORT_KEYS).decode() + "\n" for line in lines)


@pytest.fixture(scope="module")
def produced(formats_dir: Path) -> dict[str, str]:
    """sample path → its rendered snapshot, from one pass over the whole folder (importers see the real
    folder names, as the pipeline would)."""
    importers = load_importers()
    out: dict[str, str] = {}
    for entry in iter_entries(formats_dir):
        if not isinstance(entry, Entry):
            continue
        importer, _ = choose_importer(entry, importers)
        outputs = list(importer.parse(entry)) if importer else []
        out[entry.path] = render(importer.name if importer else None, outputs)
    return out


@pytest.mark.parametrize("sample", _sample_files())
def test_snapshot(sample: str, produced: dict[str, str]) -> None:
    snapshot = SNAPSHOTS / f"{sample}.jsonl"
    actual = produced[sample]
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
        return
    assert snapshot.exists(), f"no snapshot for {sample}: run SELFDEX_UPDATE_SNAPSHOTS=1 pytest {__file__}"
    expected = snapshot.read_text(encoding="utf-8")
    if actual != expected:
        old, new = expected.splitlines(), actual.splitlines()
        changed = [
            f"line {i + 1}:\n  - {a}\n  + {b}"
            for i, (a, b) in enumerate(zip(old, new, strict=False))
            if a != b
        ][:5]
        pytest.fail(
            f"{sample}: parsing output changed ({len(old)} → {len(new)} lines)\n"
            + "\n".join(changed)
            + "\nIf intended: SELFDEX_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py, and review the diff"
        )


def test_no_orphan_snapshots(formats_dir: Path) -> None:
    samples = set(_sample_files())
    orphans = sorted(
        p.relative_to(SNAPSHOTS).as_posix()
        for p in SNAPSHOTS.rglob("*.jsonl")
        if p.relative_to(SNAPSHOTS).as_posix().removesuffix(".jsonl") not in samples
    )
    if UPDATE:
        for orphan in orphans:
            (SNAPSHOTS / orphan).unlink()
        return
    assert orphans == [], "snapshots of samples that no longer exist"
