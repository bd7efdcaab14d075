"""The grants' cached views: an import's new records never stall recipients, a forget is never served stale."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from selfdex.gate import Gate, SearchRequest
from selfdex.gate.models import GrantRequest
from selfdex.store import Store

from .gate_support import grant
from .sample_store import fresh_store


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


def _add_film(path: Path, rid: str, title: str) -> None:
    """What an import's batch does, from its own process's connection."""
    with Store(path) as other:
        other.conn.execute(
            "CREATE TEMP TABLE t AS SELECT * FROM records WHERE platform = 'letterboxd' LIMIT 1"
        )
        other.conn.execute("UPDATE t SET rowid = NULL, id = ?, title = ?", (rid, title))
        other.conn.execute("INSERT INTO records SELECT * FROM t")


def _titles(gate: Gate, token: str) -> set[str]:
    out = gate.disclose(token, SearchRequest(query="", limit=100), channel="test").payload
    return {r["title"] for r in out["records"]}


def _eventually(check: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_new_records_serve_the_cached_view_while_a_fresh_one_is_built(store: Store) -> None:
    gate = Gate(store)
    token = grant(store, "films", level="raw", platforms=("letterboxd",), per_request=100)
    g = next(iter(gate.store.conn.execute("SELECT id FROM gate_grants WHERE name = 'films'")))[0]
    gate.disclose(token, GrantRequest(), channel="test")
    first = gate._views._views[g][1]
    _add_film(store.path, "added-later-0001", "A Film Imported Later")
    # answered at once from the view as it was (a subset of what the grant allows now)…
    assert gate._views.view(gate.authenticate(token)) is first
    # …and the next requests see the new record once the background rebuild is in
    assert _eventually(lambda: "A Film Imported Later" in _titles(gate, token))
    assert gate._views._views[g][1] is not first
    gate.close()


def test_a_forget_is_never_served_from_a_stale_view(store: Store) -> None:
    gate = Gate(store)
    token = grant(store, "films", level="raw", platforms=("letterboxd",), per_request=100)
    titles = _titles(gate, token)
    victim_title = sorted(titles)[0]
    _add_film(store.path, "added-later-0002", "Another Late Film")  # a refresh may be under way…
    with Store(store.path) as web:  # …when the person forgets a film
        web.conn.execute(
            "INSERT INTO hidden_records (record_id, reason) SELECT id, 'forget:test' FROM records "
            "WHERE platform = 'letterboxd' AND title = ?",
            (victim_title,),
        )
    assert victim_title not in _titles(gate, token)  # the very next answer, not eventually
    gate.close()
