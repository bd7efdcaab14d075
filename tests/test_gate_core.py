"""The disclosure gate: grants, levels, scope, caps, fields, hidden records, redaction, failing closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from selfdex.gate import (
    AggregatesRequest,
    CandidateIn,
    CapExceeded,
    Forbidden,
    Gate,
    GateFailure,
    GrantError,
    ProfileRequest,
    Providers,
    RerankRequest,
    Scope,
    SearchRequest,
    Unauthenticated,
    Unavailable,
    revoke_grant,
)
from selfdex.gate.grants import list_grants, utc_now
from selfdex.gate.models import GrantRequest
from selfdex.rank import Ranked
from selfdex.store import Store

from .gate_support import fresh_store, grant, providers


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


@pytest.fixture
def gate(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Gate:
    return Gate(store, providers(tmp_path_factory.getbasetemp()))


def test_no_grant_means_nothing(gate: Gate) -> None:
    for token in (None, "", "sdx_not-a-token", "Bearer x"):
        with pytest.raises(Unauthenticated):
            gate.disclose(token, SearchRequest(query="dune"), channel="test")
    assert gate.audit.entries() == []  # unknown callers are not audited


def test_tokens_are_stored_hashed(store: Store) -> None:
    token = grant(store, "netflix", platforms=("netflix",))
    dump = "\n".join(store.conn.iterdump())
    assert token not in dump


def test_expired_and_revoked_grants_are_refused(store: Store, gate: Gate) -> None:
    token = grant(store, "short", level="raw")
    assert gate.disclose(token, SearchRequest(query="dune"), channel="test").audit_seq == 1
    later = Gate(store, gate.providers, clock=lambda: utc_now() + timedelta(days=2))
    with pytest.raises(Unauthenticated, match="expired"):
        later.disclose(token, SearchRequest(query="dune"), channel="test")
    revoke_grant(store, "short")
    with pytest.raises(Unauthenticated, match="revoked"):
        gate.disclose(token, SearchRequest(query="dune"), channel="test")
    outcomes = [(e.outcome, e.status) for e in gate.audit.entries()]
    assert outcomes == [("disclosed", 200), ("refused", 401), ("refused", 401)]


def test_scope_validation() -> None:
    with pytest.raises(GrantError):
        Scope(platforms=())
    with pytest.raises(GrantError):
        Scope(platforms=("*",), fields=("raw",))
    with pytest.raises(GrantError):
        Scope(platforms=("*",), keep=("everything",))


def test_one_live_grant_per_name(store: Store) -> None:
    grant(store, "netflix", platforms=("netflix",))
    with pytest.raises(GrantError, match="revoke it first"):
        grant(store, "netflix", platforms=("netflix",))
    revoke_grant(store, "netflix")
    grant(store, "netflix", platforms=("netflix",))
    assert [g.state() for g in list_grants(store, include_revoked=True)] == ["revoked", "active"]


def test_levels(store: Store, gate: Gate) -> None:
    answers = grant(store, "answers-only", level="answers")
    with pytest.raises(Forbidden):
        gate.disclose(answers, SearchRequest(query="dune"), channel="test")
    with pytest.raises(Forbidden):
        gate.disclose(answers, AggregatesRequest(), channel="test")
    agg = grant(store, "aggregates", level="aggregates", platforms=("spotify",))
    body = gate.disclose(agg, AggregatesRequest(), channel="test").payload
    assert {c["name"] for c in body["by_platform"]} == {"spotify"}
    with pytest.raises(Forbidden):
        gate.disclose(agg, SearchRequest(query="dune"), channel="test")


def test_search_stays_inside_platforms_kinds_fields_and_window(store: Store, gate: Gate) -> None:
    token = grant(
        store,
        "films",
        level="raw",
        platforms=("letterboxd", "netflix"),
        kinds=("movie",),
        since="2024-01-01",
        fields=("title", "occurred_at"),
        per_request=50,
    )
    out = gate.disclose(token, SearchRequest(query="", limit=50), channel="test").payload
    assert out["records"]
    for rec in out["records"]:
        assert rec["platform"] in ("letterboxd", "netflix") and rec["kind"] == "movie"
        assert rec["occurred_at"] >= "2024-01-01"
        assert set(rec) <= {"id", "platform", "action", "kind", "title", "occurred_at"}
    with pytest.raises(Forbidden):
        gate.disclose(token, SearchRequest(query="knife", platforms=["amazon"]), channel="test")
    # Nothing from outside the grant is even searchable.
    assert gate.disclose(token, SearchRequest(query="Shun Classic"), channel="test").payload["count"] == 0


def test_per_request_and_per_day_caps(store: Store, gate: Gate) -> None:
    token = grant(store, "capped", level="raw", per_request=3, per_day=2)
    out = gate.disclose(token, SearchRequest(query="", limit=100), channel="test").payload
    assert out["count"] == 3 and out["truncated"]
    many = [CandidateIn(id=str(i), title=f"Item {i}") for i in range(4)]
    with pytest.raises(Forbidden, match="cap"):
        gate.disclose(token, RerankRequest(candidates=many), channel="test")
    gate.disclose(token, GrantRequest(), channel="test")
    with pytest.raises(CapExceeded):
        gate.disclose(token, GrantRequest(), channel="test")


def test_hidden_records_never_leave(store: Store, gate: Gate) -> None:
    token = grant(store, "books", level="raw", platforms=("goodreads",), fields=("title", "text"))
    first = gate.disclose(token, SearchRequest(query="dune"), channel="test").payload["records"]
    hidden = first[0]["id"]
    store.conn.execute("INSERT INTO hidden_records (record_id, reason) VALUES (?, 'forget')", (hidden,))
    after = gate.disclose(token, SearchRequest(query="dune"), channel="test").payload["records"]
    assert hidden not in {r["id"] for r in after}
    agg = grant(store, "books-agg", level="aggregates", platforms=("goodreads",))
    total = gate.disclose(agg, AggregatesRequest(), channel="test").payload["total"]
    visible = store.conn.execute("SELECT count(*) FROM records WHERE platform = 'goodreads'").fetchone()[0]
    assert total == visible - 1


def test_redaction_before_leaving(store: Store, gate: Gate) -> None:
    token = grant(store, "mail", level="raw", platforms=("gmail",), fields=("title", "text", "creators"))
    out = gate.disclose(token, SearchRequest(query="", limit=20), channel="test").body.decode()
    assert "claims@parcel-refund.example" not in out and "[email]" in out
    assert "Jonas" not in out and "[person]" in out
    keep = grant(
        store, "mail-with-names", level="raw", platforms=("gmail",), fields=("text",), keep=("person",)
    )
    assert "Jonas" in gate.disclose(keep, SearchRequest(query="Karten"), channel="test").body.decode()


def test_coordinates_are_coarsened(store: Store, gate: Gate) -> None:
    token = grant(
        store, "maps", level="raw", platforms=("google_maps",), fields=("lat", "lon"), geo_decimals=1
    )
    recs = gate.disclose(token, SearchRequest(query="", limit=20), channel="test").payload["records"]
    coords = [(r["lat"], r["lon"]) for r in recs if "lat" in r]
    assert coords and all(round(v, 1) == v for pair in coords for v in pair)


def test_rerank_reasons_only_quote_granted_records(store: Store, gate: Gate) -> None:
    token = grant(store, "netflix", level="answers", platforms=("letterboxd",))
    cands = [
        CandidateIn(id="a", title="Dune: Part Two"),
        CandidateIn(id="b", title="Shun Classic Chef's Knife"),
    ]
    out = gate.disclose(token, RerankRequest(platform="netflix", candidates=cands), channel="test")
    assert [r["id"] for r in out.payload["ranking"]] == ["a", "b"]
    assert all("cited" not in r for r in out.payload["ranking"])  # record ids only at level raw
    assert all("letterboxd" in r["reason"] for r in out.payload["ranking"])
    allowed = {r[0] for r in store.conn.execute("SELECT id FROM records WHERE platform = 'letterboxd'")}
    assert set(out.record_ids) <= allowed


def test_missing_providers_are_refused(store: Store, gate: Gate) -> None:
    token = grant(store, "facts", level="facts")
    bare = Gate(store, Providers(rerank=gate.providers.rerank))  # no facts provider
    with pytest.raises(Unavailable):
        bare.disclose(token, ProfileRequest(), channel="test")


def test_fails_closed_on_provider_error_and_hostile_output(store: Store, gate: Gate) -> None:
    token = grant(store, "shop", level="raw", platforms=("letterboxd",))
    cands = [CandidateIn(id="a", title="Dune")]

    def broken(view: object, candidates: object) -> list[Ranked]:
        raise RuntimeError("boom")

    with pytest.raises(GateFailure):
        Gate(store, Providers(rerank=broken)).disclose(token, RerankRequest(candidates=cands), channel="test")

    outside = store.conn.execute("SELECT id FROM records WHERE platform = 'amazon' LIMIT 1").fetchone()[0]

    def hostile(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        return [Ranked(candidate=c, score=1.0, reason="trust me", cited=(outside,)) for c in candidates]

    with pytest.raises(GateFailure, match="outside the grant"):
        Gate(store, Providers(rerank=hostile)).disclose(
            token, RerankRequest(candidates=cands), channel="test"
        )

    def leaky(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        return [Ranked(candidate=c, score=1.0, reason="card 4111 1111 1111 1111") for c in candidates]

    out = Gate(store, Providers(rerank=leaky)).disclose(
        token, RerankRequest(candidates=cands), channel="test"
    )
    assert "4111" not in out.body.decode()
    refused = [e for e in gate.audit.entries() if e.outcome == "refused"]
    assert [e.status for e in refused] == [500, 500]


def test_preview_equals_disclosure(store: Store, gate: Gate) -> None:
    token = grant(store, "netflix-2", level="raw", platforms=("letterboxd", "netflix"))
    for request in (
        SearchRequest(query="dune", limit=5),
        AggregatesRequest(),
        RerankRequest(candidates=[CandidateIn(id="a", title="Arrival"), CandidateIn(id="b", title="Heat")]),
    ):
        preview = gate.preview("netflix-2", request)
        actual = gate.disclose(token, request, channel="test")
        assert preview.body == actual.body
        assert preview.audit_seq is None
