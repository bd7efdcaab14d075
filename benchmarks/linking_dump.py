"""Dump every mention, entity and link the profile builds, to prove a refactor of linking changes nothing.

Four stores: the sample person (generated afresh by the code under test), her plus her hard negatives
(:mod:`selfdex.sample.collisions`), a store of every file in ``../shared/formats`` that imports, and that
store plus the typed variants of ``benchmarks/data/entity_pairs.json``; and 20,000 random rows combining
every field the mention rules read. For each:

* every record's own mentions (``_record_mentions``, per record id, in full);
* :func:`link_records` in memory: mentions, entities, record → entity pairs, links and record links;
* the store's ``profile_*`` tables after a full :func:`update_entities`, and after an incremental one that
  ran once per imported file (the order the CLI sees);
* the evaluation's labels: the sample person's mention pairs (``linkeval.sample_pairs``), the hard
  negatives' record pairs and the hand-labelled pairs, with their scores.

Run it with the old code and the new, and compare::

    PYTHONPATH=/old/src python benchmarks/linking_dump.py /tmp/old.json --formats ../shared/formats
    PYTHONPATH=src      python benchmarks/linking_dump.py /tmp/new.json --formats ../shared/formats
    cmp /tmp/old.json /tmp/new.json
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selfdex.ingest import import_path
from selfdex.profile import linkeval
from selfdex.profile.entities import _COLUMNS, Linking, link_records, series_keys
from selfdex.profile.linking import update_entities
from selfdex.profile.mentions import _record_mentions
from selfdex.sample import generate
from selfdex.sample.collisions import write_hard_negatives
from selfdex.store import Store

HERE = Path(__file__).resolve().parent
FORMATS = (HERE.parent / ".." / "shared" / "formats").resolve()
_TABLES = {
    "profile_entities": "SELECT key, type, name, creators, year, platforms, records FROM profile_entities",
    "profile_entity_records": "SELECT r.record_id, e.key, r.role FROM profile_entity_records r "
    "JOIN profile_entities e ON e.id = r.entity_id",
    "profile_links": "SELECT s.key, d.key, l.relation, l.evidence FROM profile_links l "
    "JOIN profile_entities s ON s.id = l.src JOIN profile_entities d ON d.id = l.dst",
    "profile_record_links": "SELECT a, b, relation, evidence FROM profile_record_links",
    "profile_mentions": "SELECT ident, data FROM profile_mentions",
    "profile_series_keys": "SELECT key FROM profile_series_keys",
}


_KINDS = (
    "book",
    "audiobook",
    "movie",
    "episode",
    "series",
    "video",
    "track",
    "album",
    "podcast",
    "product",
    "note",
    "artist",
    "channel",
    "tweet",
    "search",
    "page",
    "transaction",
)
_PLATFORMS = (
    "netflix",
    "prime_video",
    "disney_plus",
    "youtube",
    "spotify",
    "obsidian",
    "amazon",
    "goodreads",
    "lastfm",
    "letterboxd",
    "apple_music",
    "twitter",
    "bank",
)
_TITLES = (
    "Dune",
    "Dune: Part Two",
    "Her",
    "Drive",
    "Exhalation: Stories",
    "Exhalation",
    "Dune Deluxe Edition (Hardcover)",
    "Dune: Part Two (4K Ultra HD + Blu-ray)",
    "Never Let Me Go (Kindle Edition)",
    "The Bear: Season 1: Review",
    "Dune (Original Motion Picture Soundtrack)",
    "Salt Fat Acid Heat",
    "Frank Herbert",
    "Hans Zimmer",
    "Paul - Frank Herbert",
    "",
    None,
)
_CREATORS = ("Frank Herbert", "Hans Zimmer", "Samin Nosrat & Hrishikesh Hirway", "Dune", "Ted Chiang", "")


def _synthetic_rows(n: int) -> list[dict[str, Any]]:
    """Random combinations of every field the mention rules look at (deterministic): the cases and
    branches the real exports happen not to combine."""
    rng = random.Random(17)
    pick = rng.choice
    rows = []
    for i in range(n):
        extra: dict[str, Any] = {}
        for key, values in (
            ("year", (1984, 2021, "2021-10-22", "n/a")),
            ("properties", ({"year": 1984}, {"director": "[[Denis Villeneuve]]"}, {})),
            ("series", ("The Bear", "Dune #2", "")),
            ("show", ("Salt Fat Acid Heat", "")),
            ("album", ("Dune (Original Motion Picture Soundtrack)", "Exhalation", "")),
            ("digital", (True, False)),
            ("seller", ("Amazon Media EU S.à r.l.", "Penguin Books", "Some Shop")),
            ("about", ("book", "movie", "film", "series", "person")),
        ):
            if rng.random() < 0.3:
                extra[key] = pick(values)
        # a few values per scheme: ids shared by some records, not by all (which would glue everything)
        ids = {
            s: v if len(v) < 7 else v[:-6] + f"{rng.randint(0, 20000):05d}" + v[-1]
            for s, v in (
                ("isbn10", "0441013597"),
                ("isbn13", "978-0-441-01359-3"),
                ("isbn13", "12345"),
                ("asin", "B00B7NPRY8"),
                ("spotify", "spotify:track:1"),
                ("youtube", "dQw4w9WgXcQ"),
                ("imdb", "tt1160419"),
                ("unknown", "x"),
            )
            if rng.random() < 0.15
        }
        rows.append(
            {
                "id": f"synthetic-{i}",
                "platform": pick(_PLATFORMS),
                "action": pick(("played", "rated", "saved", "followed", "subscribed", "purchased")),
                "kind": pick(_KINDS),
                "title": pick(_TITLES),
                "creators": json.dumps(rng.sample(_CREATORS, rng.randint(0, 2)))
                if rng.random() < 0.8
                else None,
                "external_ids": json.dumps(ids) if ids else None,
                "categories": json.dumps(
                    rng.sample(
                        ("Books", "Kindle Store", "Kindle eBooks", "Audible", "Movies & TV", "Garden"), 1
                    )
                )
                if rng.random() < 0.3
                else None,
                "extra": json.dumps(extra) if extra else None,
                "text": None,
                "occurred_at": "2024-01-01T00:00:00+00:00",
                "amount": None,
            }
        )
    return rows


def _rows(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records ORDER BY id")]


def _linking(linking: Linking) -> dict[str, Any]:
    return {
        "mentions": [dataclasses.asdict(m) for m in linking.mentions],
        "mention_entity": linking.mention_entity,
        "entities": [dataclasses.asdict(e) for e in linking.entities],
        "record_entities": {k: sorted(v) for k, v in sorted(linking.record_entities.items())},
        "links": sorted(linking.links),
        "record_links": sorted(linking.record_links),
    }


def _tables(store: Store) -> dict[str, Any]:
    return {name: sorted(map(list, store.conn.execute(sql))) for name, sql in _TABLES.items()}


def _store_dump(store: Store, rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = series_keys(rows)
    own = {r["id"]: [[dataclasses.asdict(m), role] for m, role in _record_mentions(r, keys)] for r in rows}
    update_entities(store, force=True)
    return {
        "records": len(rows),
        "record_mentions": own,
        "linking": _linking(link_records(rows)),
        "tables_full": _tables(store),
    }


def _import_each(store: Store, paths: list[Path]) -> dict[str, Any]:
    """Import file by file, updating entities after each: the incremental path."""
    for path in paths:
        import_path(store, path)
        update_entities(store)
    return _tables(store)


def _counts(counts: dict[str, linkeval.Counts]) -> dict[str, list[int]]:
    return {k: [c.tp, c.fp, c.fn] for k, c in sorted(counts.items())}


def dump(tmp: Path, sample: Path, hard: Path, formats: Path) -> dict[str, Any]:
    rows = _synthetic_rows(20000)
    keys = series_keys(r for r in rows if r["title"] is not None)
    out: dict[str, Any] = {
        "synthetic": {
            "record_mentions": [
                [[dataclasses.asdict(m), role] for m, role in _record_mentions(r, keys)] for r in rows
            ],
            "linking": _linking(link_records(r for r in rows if r["title"] is not None)),
        }
    }
    exports = generate(sample, seed=7)
    negatives = write_hard_negatives(hard)
    stores: list[tuple[str, list[Path], Callable[[Store, Linking], dict[str, Any]] | None]] = [
        ("sample", exports, _sample_eval),
        ("sample+hard", [*exports, *negatives], _hard_eval),
    ]
    if formats.is_dir():
        folders = sorted(p for p in formats.iterdir() if p.is_dir())
        stores.append(("formats", folders, None))
    for name, paths, evaluate in stores:
        store = Store(tmp / f"{name}.sqlite")
        for path in paths:
            import_path(store, path)
        rows = _rows(store)
        out[name] = _store_dump(store, rows)
        if evaluate is not None:
            out[name]["eval"] = evaluate(store, link_records(rows))
        store.close()
        inc = Store(tmp / f"{name}-inc.sqlite")
        out[name]["tables_incremental"] = _import_each(inc, paths)
        inc.close()
    if formats.is_dir():
        store = Store(tmp / "labelled.sqlite")
        import_path(store, formats)
        linking, pairs, missing = linkeval.labelled_pairs(store, HERE / "data" / "entity_pairs.json")
        out["formats+variants"] = {
            "linking": _linking(linking),
            "pairs": pairs,
            "missing": missing,
            "scores": _counts(linkeval.score_pairs(linking, pairs)),
            "failures": linkeval.failures(linking, pairs),
        }
        real, real_missing = linkeval.real_pairs(store, HERE / "data" / "real_pairs.csv")
        out["formats+variants"]["real_pairs"] = [real, real_missing]
        store.close()
    return out


def _sample_eval(store: Store, linking: Linking) -> dict[str, Any]:
    pairs = linkeval.sample_pairs(linking)
    return {
        "sample_pairs": pairs,
        "scores": _counts(linkeval.score_pairs(linking, pairs)),
        "failures": linkeval.failures(linking, pairs),
        "payment_truth": sorted(linkeval.payment_truth(store)),
    }


def _hard_eval(store: Store, linking: Linking) -> dict[str, Any]:
    pairs = linkeval.collision_pairs(linkeval.collision_nodes(store))
    counts, errors = linkeval.score_record_pairs(linking, pairs)
    return {"pairs": pairs, "scores": _counts(counts), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="JSON file to write")
    ap.add_argument("--formats", type=Path, default=FORMATS, help="the real samples (default: %(default)s)")
    args = ap.parse_args()
    # Fixed folders, not temporary ones: records carry the path they were imported from.
    base = Path(tempfile.gettempdir()) / "selfdex-linking-dump"
    if base.exists():
        shutil.rmtree(base)
    (base / "stores").mkdir(parents=True)
    data = dump(base / "stores", base / "sample", base / "hard", args.formats)
    if not args.formats.is_dir():
        print(f"{args.formats} is absent: only the sample person is dumped", file=sys.stderr)
    shutil.rmtree(base)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0)
    args.out.write_text(text)
    sizes = {k: len(v["linking"]["mentions"]) for k, v in data.items()}
    print(f"{sizes}, sha256 {hashlib.sha256(text.encode()).hexdigest()}", file=sys.stderr)


if __name__ == "__main__":
    main()
