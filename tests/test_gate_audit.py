"""The audit chain (edits, deletions, reordering and truncation are caught) and the grant/audit CLI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.gate import AggregatesRequest, Gate, SearchRequest
from selfdex.gate.models import GrantRequest
from selfdex.store import Store

from .gate_support import cli, grant, providers
from .sample_store import fresh_store


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


@pytest.fixture
def logged(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Gate:
    """A gate with five audit entries (four disclosures, one refusal)."""
    gate = Gate(store, providers(tmp_path_factory.getbasetemp()))
    token = grant(store, "netflix", level="raw", platforms=("netflix", "letterboxd"))
    for request in (
        GrantRequest(),
        SearchRequest(query="dune"),
        AggregatesRequest(),
        SearchRequest(query=""),
    ):
        gate.disclose(token, request, channel="test")
    with pytest.raises(Exception, match="not in this grant"):
        gate.disclose(token, SearchRequest(query="x", platforms=["amazon"]), channel="test")
    return gate


def tamper(store: Store, sql: str) -> None:
    """What someone with the file would do: drop the append-only triggers, then edit."""
    conn = sqlite3.connect(store.path)
    conn.executescript(
        "DROP TRIGGER IF EXISTS gate_audit_no_update; DROP TRIGGER IF EXISTS gate_audit_no_delete;" + sql
    )
    conn.close()


def test_every_response_has_its_entry(logged: Gate) -> None:
    entries = logged.audit.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert [e.outcome for e in entries] == ["disclosed"] * 4 + ["refused"]
    search = entries[1]
    assert search.recipient == "netflix" and search.operation == "search" and search.bytes > 0
    assert json.loads(search.record_ids) and "title" in json.loads(search.fields)
    assert json.loads(search.request)["query"] == "dune"
    assert logged.audit.verify().ok


def test_append_only_triggers(store: Store, logged: Gate) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE gate_audit SET recipient = 'nobody'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM gate_audit")


@pytest.mark.parametrize(
    ("sql", "expect"),
    [
        ("UPDATE gate_audit SET bytes = bytes + 1 WHERE seq = 2", "edited"),
        ("UPDATE gate_audit SET recipient = 'someone-else' WHERE seq = 4", "edited"),
        ("DELETE FROM gate_audit WHERE seq = 3", "deleted"),
        ("DELETE FROM gate_audit WHERE seq = 5", "cut off the end"),
        # reordering: entries 2 and 3 swap places (seq is the order)
        (
            "UPDATE gate_audit SET seq = 100 WHERE seq = 2; UPDATE gate_audit SET seq = 2 WHERE seq = 3;"
            "UPDATE gate_audit SET seq = 3 WHERE seq = 100;",
            "reordered",
        ),
    ],
)
def test_verify_catches_tampering(store: Store, logged: Gate, sql: str, expect: str) -> None:
    tamper(store, sql)
    result = logged.audit.verify()
    assert not result.ok
    assert any(expect in p for p in result.problems), result.problems


def test_cli_grant_lifecycle_preview_and_audit(
    store: Store, tmp_path_factory: pytest.TempPathFactory
) -> None:
    runner = CliRunner()
    db = str(store.path)
    res = runner.invoke(
        cli,
        [
            "--store",
            db,
            "grant",
            "add",
            "netflix",
            "--level",
            "raw",
            "--platform",
            "letterboxd",
            "--platform",
            "netflix",
            "--purpose",
            "recommendations",
            "--expires",
            "7d",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    token = json.loads(res.output)["token"]
    listed = json.loads(runner.invoke(cli, ["--store", db, "grant", "list", "--json"]).output)
    assert [g["name"] for g in listed] == ["netflix"] and "token" not in listed[0]
    assert "recommendations" in runner.invoke(cli, ["--store", db, "grant", "show", "netflix"]).output

    preview = runner.invoke(
        cli, ["--store", db, "grant", "preview", "netflix", "--op", "search", "--query", "dune"]
    )
    assert preview.exit_code == 0, preview.output
    gate = Gate(store, providers(tmp_path_factory.getbasetemp()))
    actual = gate.disclose(token, SearchRequest(query="dune"), channel="test")
    assert preview.stdout.strip() == actual.body.decode()  # progress lines go to stderr

    shown = json.loads(
        runner.invoke(cli, ["--store", db, "audit", "show", "--recipient", "netflix", "--json"]).output
    )
    assert [e["operation"] for e in shown] == ["search"]  # the preview was not a disclosure
    assert runner.invoke(cli, ["--store", db, "audit", "show"]).exit_code == 0
    assert runner.invoke(cli, ["--store", db, "audit", "verify"]).exit_code == 0

    assert runner.invoke(cli, ["--store", db, "grant", "revoke", "netflix"]).exit_code == 0
    revoked = runner.invoke(cli, ["--store", db, "grant", "preview", "netflix"])
    assert revoked.exit_code != 0 and "revoked" in revoked.output

    tamper(store, "UPDATE gate_audit SET bytes = 0;")
    bad = runner.invoke(cli, ["--store", db, "audit", "verify", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.output)["ok"] is False


def test_two_processes_appending_keep_the_head_anchor_right(tmp_path: Path) -> None:
    """`selfdex serve` and a `serve --mcp-stdio` launched by a desktop client both append to the same
    log; the head anchor must end at the log's last entry, not at whichever process wrote it last."""
    import threading
    from datetime import UTC, datetime

    from selfdex.gate import AuditLog

    path = tmp_path / "store.sqlite"
    first, second = Store(path), Store(path)
    a, b = AuditLog(first), AuditLog(second)

    def entry(log: AuditLog) -> None:
        log.append(
            at=datetime.now(UTC), recipient="r", grant_id=1, channel="test", operation="grant",
            request={}, outcome="disclosed", status=200, body=b"{}",
        )  # fmt: skip

    real = a._write_head
    other = threading.Thread(target=entry, args=(b,))

    def slow_head(data: bytes) -> None:  # process B appends while A is between its commit and its head
        other.start()
        other.join(1.0)
        real(data)

    a._write_head = slow_head  # type: ignore[method-assign]
    entry(a)
    other.join(30)
    try:
        result = a.verify()
        assert result.entries == 2
        assert result.ok, result.problems
    finally:
        a.close()
        b.close()
        first.close()
        second.close()


def rechain(store: Store, key: bytes | None) -> None:
    """What someone with write access to the store (not to the owner secret) would do after editing:
    recompute every hash, with plain SHA-256 or a key of their own, and rewrite the head file."""
    import hashlib
    import hmac

    import orjson

    from selfdex.gate.audit import _HASHED

    conn = sqlite3.connect(store.path)
    conn.row_factory = sqlite3.Row
    conn.executescript(
        "DROP TRIGGER IF EXISTS gate_audit_no_update; UPDATE gate_audit SET recipient = 'nobody';"
    )
    prev = "0" * 64
    for row in conn.execute("SELECT * FROM gate_audit ORDER BY seq").fetchall():
        values = {**dict(row), "prev_hash": prev}
        body = orjson.dumps({k: values[k] for k in _HASHED}, option=orjson.OPT_SORT_KEYS)
        digest = hmac.new(key, body, hashlib.sha256).hexdigest() if key else hashlib.sha256(body).hexdigest()
        conn.execute(
            "UPDATE gate_audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row["seq"])
        )
        prev = digest
    conn.commit()
    seq = conn.execute("SELECT max(seq) FROM gate_audit").fetchone()[0]
    conn.close()
    head = {"seq": seq, "hash": prev, "days": {}}
    head["mac"] = hmac.new(
        key or b"", orjson.dumps(head, option=orjson.OPT_SORT_KEYS), hashlib.sha256
    ).hexdigest()
    Path(f"{store.path}.audit-head").write_text(json.dumps(head))


@pytest.mark.parametrize("key", [None, b"the attacker's own key"])
def test_a_consistent_rechain_without_the_owner_key_is_caught(
    store: Store, logged: Gate, key: bytes | None
) -> None:
    logged.audit.close()
    rechain(store, key)
    result = Gate(store).audit.verify()
    assert not result.ok
    assert any("keyed hash" in p for p in result.problems), result.problems
    assert any("not signed" in p for p in result.problems), result.problems


def test_an_emptied_log_on_a_store_with_grants_is_tampered_and_nothing_is_disclosed(
    store: Store, logged: Gate
) -> None:
    logged.audit.close()
    tamper(store, "DELETE FROM gate_audit;")
    Path(f"{store.path}.audit-head").unlink()
    gate = Gate(store)
    result = gate.audit.verify()
    assert not result.ok and result.entries == 0
    assert any("missing" in p for p in result.problems), result.problems
    token = grant(store, "spotify", level="aggregates")
    with pytest.raises(Exception, match="failed closed"):
        gate.disclose(token, AggregatesRequest(), channel="test")
    assert not gate.audit.entries()


def test_deleting_rows_does_not_reset_a_daily_cap(store: Store) -> None:
    gate = Gate(store)
    token = grant(store, "capped", level="aggregates", per_day=2)
    for _ in range(2):
        gate.disclose(token, AggregatesRequest(), channel="test")
    with pytest.raises(Exception, match="per day is used up"):
        gate.disclose(token, AggregatesRequest(), channel="test")
    tamper(store, "DELETE FROM gate_audit;")
    with pytest.raises(Exception, match="per day is used up"):
        gate.disclose(token, AggregatesRequest(), channel="test")
    gate.close()


def test_a_lost_owner_secret_is_reported(store: Store, logged: Gate) -> None:
    logged.audit.close()
    Path(f"{store.path}.owner-secret").unlink()
    result = Gate(store).audit.verify()
    assert not result.ok and any("owner secret" in p for p in result.problems)


def test_a_burst_of_refusals_is_one_entry_and_a_count(store: Store) -> None:
    gate = Gate(store)
    token = grant(store, "noisy", level="answers")
    for _ in range(40):
        with pytest.raises(Exception, match="needs a grant at level"):
            gate.disclose(token, SearchRequest(query="x"), channel="test")
    assert [e.outcome for e in gate.audit.entries(recipient="noisy")] == ["refused"]
    gate.close()  # the window's count is written when the log closes
    entries = Gate(store).audit.entries(recipient="noisy")
    assert len(entries) == 2 and json.loads(entries[1].request)["similar_refusals"] == 39
    assert Gate(store).audit.verify().ok


def test_distinct_refusals_are_each_logged_up_to_a_bound(store: Store) -> None:
    from selfdex.gate.audit import REFUSALS_PER_WINDOW

    gate = Gate(store)
    token = grant(store, "prober", level="answers")
    for i in range(REFUSALS_PER_WINDOW + 10):
        with pytest.raises(Exception, match="needs a grant at level"):
            gate.disclose(token, SearchRequest(query=f"probe {i}"), channel="test")
    logged = gate.audit.entries(recipient="prober")
    assert [json.loads(e.request)["query"] for e in logged] == [
        f"probe {i}" for i in range(REFUSALS_PER_WINDOW)
    ]
    gate.close()
    last = Gate(store).audit.entries(recipient="prober")[-1]
    assert json.loads(last.request)["similar_refusals"] == 10


def test_the_owner_can_accept_a_damaged_log_and_the_damage_stays_on_record(
    store: Store, logged: Gate
) -> None:
    logged.audit.close()
    Path(f"{store.path}.audit-head").unlink()
    token = grant(store, "after", level="aggregates")
    with pytest.raises(Exception, match="failed closed"):
        Gate(store).disclose(token, AggregatesRequest(), channel="test")
    runner = CliRunner()
    dry = runner.invoke(cli, ["--store", str(store.path), "audit", "reanchor"])
    assert dry.exit_code == 1 and "missing" in dry.output and "--yes" in dry.output
    done = runner.invoke(cli, ["--store", str(store.path), "audit", "reanchor", "--yes"])
    assert done.exit_code == 0, done.output
    gate = Gate(store)
    assert gate.disclose(token, AggregatesRequest(), channel="test").audit_seq == 7
    entries = gate.audit.entries()
    assert [e.operation for e in entries[-2:]] == ["reanchor", "aggregates"]
    assert "missing" in (entries[-2].detail or "")
    assert gate.audit.verify().ok  # the head was missing, nothing in the chain itself was wrong
