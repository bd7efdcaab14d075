"""The ranking history read from the maintained ``record_titles`` equals the full GROUP BY over every
record it replaced (same items, counts, representative records and order), through imports, hiding,
deleting and editing records."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from selfdex.rank import history_from_store
from selfdex.rank.history import history_by_scan
from selfdex.store import Store
from selfdex.store.schema import TITLES_SELECT
from selfdex.store.titles import refresh

from .sample_store import fresh_store


def _history(store: Store, limit: int, read: Any = history_from_store) -> list[tuple[Any, ...]]:
    return [
        (h.id, h.title, h.platform, h.creators, h.categories, h.order, h.count)
        for h in read(store, limit=limit)
    ]


def _assert_same(store: Store) -> None:
    limits = (10**6, 40, 1)
    new = {limit: _history(store, limit) for limit in limits}
    old = {limit: _history(store, limit, history_by_scan) for limit in limits}
    assert new[10**6] and new == old
    # and the maintained tables equal a recompute from scratch
    kept = _tables(store)
    with store.transaction() as conn:
        conn.execute("DELETE FROM record_titles")  # marks every title dirty
        conn.execute(TITLES_SELECT.format(where="title IS NOT NULL AND title != ''", tail=""))
        refresh(conn)
    assert kept == _tables(store)


def _tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(tuple(r) for r in store.conn.execute(f"SELECT * FROM {table}"))
        for table in ("record_titles", "history_titles", "history_entities", "history_dirty")
    }


def test_the_sample_persons_history_is_the_same_as_the_full_scan(
    sample_exports: Path, tmp_path: Path
) -> None:
    store = fresh_store(sample_exports, tmp_path)
    try:
        n_titles = store.conn.execute("SELECT count(*) FROM record_titles").fetchone()[0]
        assert n_titles > 100
        _assert_same(store)

        # hide a played-often title's records and a few others: those titles are recounted
        top = store.conn.execute(
            "SELECT platform, title_key FROM record_titles ORDER BY records DESC LIMIT 1"
        ).fetchone()
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO hidden_records (record_id, reason) SELECT id, 'test' FROM records "
                "WHERE platform = ? AND lower(title) = ? AND rowid % 2 = 0",
                tuple(top),
            )
            conn.execute(
                "INSERT OR IGNORE INTO hidden_records (record_id, reason) "
                "SELECT id, 'test' FROM records WHERE rowid % 97 = 0"
            )
        _assert_same(store)

        # delete records and edit titles/times: the triggers keep record_titles in step
        with store.transaction() as conn:
            conn.execute("DELETE FROM records WHERE rowid % 13 = 0 AND title IS NOT NULL")
            conn.execute("UPDATE records SET title = upper(title) WHERE rowid % 17 = 0")
            conn.execute("UPDATE records SET title = 'Renamed ' || rowid WHERE rowid % 19 = 0")
            conn.execute("UPDATE records SET occurred_at = '2031-01-01T00:00:00Z' WHERE rowid % 23 = 0")
            conn.execute("UPDATE records SET platform = 'moved' WHERE rowid % 29 = 0")
        _assert_same(store)

        # another tool's edit (no selfdex functions on its connection) is caught up at the next read
        with sqlite3.connect(store.path) as other:
            other.execute("UPDATE records SET title = title || ' (edited)' WHERE rowid % 31 = 0")
            other.execute("DELETE FROM records WHERE rowid % 37 = 0")
            other.execute("DELETE FROM hidden_records WHERE rowid % 2 = 0")
        other.close()
        assert store.conn.execute("SELECT count(*) FROM history_dirty").fetchone()[0] > 0
        _assert_same(store)
    finally:
        store.close()


def test_a_re_import_of_the_same_exports_changes_nothing(sample_exports: Path, tmp_path: Path) -> None:
    from selfdex.ingest import import_path

    store = fresh_store(sample_exports, tmp_path)
    try:
        before = store.conn.execute("SELECT * FROM record_titles ORDER BY 1, 2, 3, 4").fetchall()
        import_path(store, sample_exports)
        after = store.conn.execute("SELECT * FROM record_titles ORDER BY 1, 2, 3, 4").fetchall()
        assert [tuple(r) for r in before] == [tuple(r) for r in after]
        _assert_same(store)
    finally:
        store.close()
