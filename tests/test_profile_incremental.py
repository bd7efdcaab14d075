"""Incremental linking gives exactly what one full build gives: entities, their records, links, facts.

The sample person's records arrive in random orders and random splits, the profile is brought up to
date after each part (as ``selfdex import`` does), and the result is compared with a full rebuild of the
same store and with the in-memory :func:`link_records` over the same rows.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from selfdex.profile import build_profile
from selfdex.profile.entities import _COLUMNS, link_records
from selfdex.profile.facts import rebuild_facts
from selfdex.profile.features import update_rows
from selfdex.profile.linking import update_entities
from selfdex.store import Store

from .sample_store import base_store

_COPIED = (
    "id, platform, action, kind, title, creators, external_ids, categories, url, occurred_at, occurred_tz, "
    "time_precision, rating, rating_scale, rating_norm, duration_s, amount, currency, quantity, distance_m, "
    "text, lat, lon, place, address, extra, raw, importer, importer_version"
)


@pytest.fixture(scope="module")
def sample_ids(sample_exports: Path) -> tuple[Path, list[str]]:
    path = base_store(sample_exports)
    with closing(sqlite3.connect(path)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM records ORDER BY rowid")]
    return path, ids


def _arrive(store: Store, source: Path, ids: list[str]) -> None:
    """Records arrive in the order given, as one import job."""
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    try:
        with store.transaction():
            job = store.start_job("test", None, "test")
            conn.executemany(
                f"INSERT INTO records ({_COPIED}, job_id) SELECT {_COPIED}, ? FROM src.records WHERE id = ?",
                [(job, rid) for rid in ids],
            )
            conn.execute(  # the full-text index, as Store.insert_records keeps it (deletes update it)
                "INSERT INTO records_fts (rowid, title, creators, text) "
                "SELECT rowid, title, creators, text FROM records WHERE job_id = ?",
                (job,),
            )
    finally:
        conn.execute("DETACH DATABASE src")


def _snapshot(store: Store) -> dict[str, Any]:
    q = store.conn.execute
    key = dict(q("SELECT id, key FROM profile_entities").fetchall())
    return {
        "entities": sorted(
            tuple(r)
            for r in q("SELECT key, type, name, creators, year, platforms, records FROM profile_entities")
        ),
        "records": sorted(
            (r, key[e], role)
            for r, e, role in q("SELECT record_id, entity_id, role FROM profile_entity_records")
        ),
        "links": sorted((key[a], key[b], rel, ev) for a, b, rel, ev in q("SELECT * FROM profile_links")),
        "record_links": sorted(tuple(r) for r in q("SELECT * FROM profile_record_links")),
        "facts": build_profile(store).to_dict(max_citations=None),
    }


def _in_memory(store: Store) -> dict[str, Any]:
    linking = link_records(dict(r) for r in store.conn.execute(f"SELECT {_COLUMNS} FROM records"))
    keys = [e.key for e in linking.entities]
    return {
        "entities": sorted(keys),
        "records": sorted(
            (rid, keys[e], role) for rid, pairs in linking.record_entities.items() for e, role in pairs
        ),
        "links": sorted((keys[a], keys[b], rel, ev) for a, b, rel, ev in linking.links),
    }


def _compare(store: Store, tmp: Path) -> None:
    incremental = _snapshot(store)
    copy = tmp / "full.sqlite"
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(store.path, copy)
    with Store(copy) as full:
        assert update_entities(full, force=True)
        rebuild_facts(full)  # every record parsed again, no kept facts: a full inference
        assert full.conn.execute("SELECT count(*) FROM profile_fact_sets").fetchone()[0] == 0
        rebuilt = _snapshot(full)
    for part in incremental:
        assert incremental[part] == rebuilt[part], part
    memory = _in_memory(store)
    assert [e[0] for e in incremental["entities"]] == memory["entities"]
    assert incremental["records"] == memory["records"]
    assert incremental["links"] == memory["links"]


# Each example imports the sample person a few times over: few examples, and no long shrinking
# (SELFDEX_INCREMENTAL_EXAMPLES raises them for a longer local run).
@settings(
    max_examples=int(os.environ.get("SELFDEX_INCREMENTAL_EXAMPLES", "6")),
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(2, 5), shuffled=st.booleans())
def test_random_orders_and_splits_give_the_full_build(
    sample_ids: tuple[Path, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    parts: int,
    shuffled: bool,
) -> None:
    source, ids = sample_ids
    rng = random.Random(seed)
    order = list(ids)
    if shuffled:  # any order, not only the order the bundles were imported in
        rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, len(ids)), parts - 1))
    tmp = tmp_path_factory.mktemp("incr")
    with Store(tmp / "store.sqlite") as store:
        for a, b in zip([0, *cuts], [*cuts, len(ids)], strict=True):
            _arrive(store, source, order[a:b])
            update_entities(store)
            build_profile(store)  # what the import hook runs after each import
        _compare(store, tmp)


def test_a_small_import_touches_only_what_it_names(
    sample_ids: tuple[Path, list[str]], tmp_path: Path
) -> None:
    source, ids = sample_ids
    with Store(tmp_path / "store.sqlite") as store:
        _arrive(store, source, ids[:-5])
        update_entities(store)
        before = dict(store.conn.execute("SELECT record_id || entity_id, role FROM profile_entity_records"))
        build_profile(store)
        _arrive(store, source, ids[-5:])
        assert update_rows(store) == 5  # the facts parse only the new records
        assert update_rows(store) == 0
        assert update_entities(store)
        after = dict(store.conn.execute("SELECT record_id || entity_id, role FROM profile_entity_records"))
        kept = sum(after.get(k) == v for k, v in before.items())
        assert kept > 0.9 * len(before)  # the rows of untouched records stay as they were
        _compare(store, tmp_path)


def test_deleted_records_rebuild(sample_ids: tuple[Path, list[str]], tmp_path: Path) -> None:
    source, ids = sample_ids
    with Store(tmp_path / "store.sqlite") as store:
        _arrive(store, source, ids)
        update_entities(store)
        with store.transaction() as conn:
            conn.execute("DELETE FROM records WHERE rowid % 3 = 0")
        assert update_entities(store)
        gone = store.conn.execute(
            "SELECT count(*) FROM profile_entity_records WHERE record_id NOT IN (SELECT id FROM records)"
        ).fetchone()[0]
        assert gone == 0
        _compare(store, tmp_path)
