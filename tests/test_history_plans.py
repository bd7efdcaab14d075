"""The history's maintenance costs O(what a write touched), not O(store): every statement a write runs
(the title fold and the refresh of the maintained views) reaches the big tables only by key, and a
store from before the unkeyed-rows index gains it on open."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from selfdex.store import Store, titles
from selfdex.store.db import _ADD_TITLES
from selfdex.store.schema import SCHEMA_VERSION

# A full pass over one of these (records, titles, history: O(store)) is what must never happen; the
# aliases are the ones the statements give them.
_BIG = re.compile(r"^SCAN (records|record_titles|history_titles|history_entities|t|r|n)\b")


def _plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[str]:
    return [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def test_each_write_statement_reaches_the_big_tables_by_key(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        conn = store.conn
        plans = {"fold the new rows' titles": _plan(conn, _ADD_TITLES, (0,))}
        for sql in titles._REFRESH:
            if sql.startswith("CREATE"):
                conn.execute(sql)  # the temp tables the later statements read
            else:
                plans[" ".join(sql.split())] = _plan(conn, sql)
    bad = {
        sql: [step for step in plan if (_BIG.match(step) and "record_titles_unkeyed" not in step)]
        # a search by platform alone walks every title of the platform
        + [step for step in plan if step.startswith("SEARCH") and step.endswith("(platform=?)")]
        for sql, plan in plans.items()
    }
    assert len(plans) > 8 and not {k: v for k, v in bad.items() if v}, bad
    assert any(
        "record_titles_unkeyed" in s for s in plans[next(k for k in plans if "entity_key IS NULL" in k)]
    )


def test_a_schema_4_store_gains_the_unkeyed_index_and_keys_what_a_tool_wrote(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as conn:  # as the code before this index left it
        conn.execute("DROP INDEX record_titles_unkeyed")
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO record_titles (platform, title_key, kind, action, records, last_at, last_rowid, id, "
            "title, series) VALUES ('netflix', 'the crown: season 1: wolferton splash', 'episode', 'watched', "
            "1, '2024-01-01', 1, 'r1', 'The Crown: Season 1: Wolferton Splash', NULL)"
        )
    conn.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "record_titles_unkeyed" in names
        # the row another tool wrote (no entity key) is keyed by the refresh the open ran
        for table in ("record_titles", "history_entities"):
            assert [r[0] for r in store.conn.execute(f"SELECT entity_key FROM {table}")] == ["crown"]
