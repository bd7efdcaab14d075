"""The HTTP API, served for real on a loopback port: auth, grant limits, caps, audit, preview."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from selfdex.channels.api import create_app
from selfdex.gate import Gate, SearchRequest, revoke_grant
from selfdex.gate.grants import utc_now
from selfdex.store import Store

from .gate_support import grant, live_server, providers
from .sample_store import fresh_store

RERANK = {
    "platform": "netflix",
    "candidates": [
        {"id": "m1", "title": "Dune: Part Two", "position": 3},
        {"id": "m2", "title": "Paddington 2", "position": 0},
        {"id": "m3", "title": "Arrival", "position": 1},
    ],
}


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


@pytest.fixture
def gate(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Gate:
    return Gate(store, providers(tmp_path_factory.getbasetemp()))


@pytest.fixture
def api(gate: Gate) -> Iterator[httpx.Client]:
    with live_server(create_app(gate)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_401_without_a_valid_token(api: httpx.Client) -> None:
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwdw=="},
        auth("sdx_unknown"),
        {"Authorization": "Bearer"},
    ):
        for method, path, body in (("GET", "/v1/grant", None), ("POST", "/v1/rerank", RERANK)):
            res = api.request(method, path, json=body, headers=headers)
            assert res.status_code == 401, (headers, path, res.text)
            assert res.headers["www-authenticate"] == "Bearer"
            assert res.json()["error"] == "unauthenticated"
    assert api.get("/health").json() == {"status": "ok"}


def test_403_outside_the_grant(store: Store, api: httpx.Client) -> None:
    token = grant(store, "netflix", level="answers", platforms=("netflix", "letterboxd"))
    assert api.post("/v1/search", json={"query": "dune"}, headers=auth(token)).status_code == 403
    assert api.get("/v1/aggregates", headers=auth(token)).status_code == 403
    raw = grant(store, "films", level="raw", platforms=("letterboxd",))
    res = api.post("/v1/search", json={"query": "knife", "platforms": ["amazon"]}, headers=auth(raw))
    assert res.status_code == 403 and "amazon" in res.json()["detail"]
    # unknown request fields are refused, not ignored
    res = api.post("/v1/search", json={"query": "dune", "fields": ["amount"]}, headers=auth(raw))
    assert res.status_code == 422


def test_expired_and_revoked(store: Store, gate: Gate, api: httpx.Client) -> None:
    token = grant(store, "netflix", platforms=("netflix",))
    assert api.get("/v1/grant", headers=auth(token)).status_code == 200
    revoke_grant(store, "netflix")
    res = api.get("/v1/grant", headers=auth(token))
    assert res.status_code == 401 and "revoked" in res.json()["detail"]

    expired = grant(store, "old", platforms=("netflix",), days=1)
    gate.clock = lambda: utc_now() + timedelta(days=3)
    res = api.post("/v1/rerank", json=RERANK, headers=auth(expired))
    assert res.status_code == 401 and "expired" in res.json()["detail"]


def test_caps(store: Store, api: httpx.Client) -> None:
    token = grant(store, "capped", level="raw", platforms=("letterboxd",), per_request=2, per_day=3)
    res = api.post("/v1/search", json={"query": "", "limit": 50}, headers=auth(token))
    assert res.status_code == 200 and res.json()["count"] == 2 and res.json()["truncated"] is True
    assert api.post("/v1/rerank", json=RERANK, headers=auth(token)).status_code == 403  # 3 candidates > 2
    assert api.get("/v1/grant", headers=auth(token)).status_code == 200
    assert api.get("/v1/grant", headers=auth(token)).status_code == 200
    res = api.get("/v1/grant", headers=auth(token))
    assert res.status_code == 429 and res.json()["error"] == "daily_cap"


def test_rerank_and_every_response_audited(store: Store, gate: Gate, api: httpx.Client) -> None:
    token = grant(store, "netflix", level="answers", platforms=("netflix", "letterboxd", "goodreads"))
    responses: list[httpx.Response] = []
    for _ in range(3):
        res = api.post("/v1/rerank", json=RERANK, headers=auth(token))
        assert res.status_code == 200, res.text
        responses.append(res)
    body: dict[str, Any] = responses[0].json()
    assert {r["id"] for r in body["ranking"]} == {"m1", "m2", "m3"}
    assert body["ranking"][0]["id"] != "m2"  # the person's history outweighs the platform's top pick
    entries = {e.seq: e for e in gate.audit.entries()}
    for res in responses:
        entry = entries[int(res.headers["x-selfdex-audit"])]
        assert entry.recipient == "netflix" and entry.channel == "http" and entry.outcome == "disclosed"
        assert entry.bytes == len(res.content)
        assert entry.response_sha256 == hashlib.sha256(res.content).hexdigest()
    assert gate.audit.verify().ok


def test_preview_is_the_response(store: Store, gate: Gate, api: httpx.Client) -> None:
    token = grant(
        store, "films", level="raw", platforms=("letterboxd", "netflix"), fields=("title", "rating_norm")
    )
    res = api.post("/v1/search", json={"query": "dune", "limit": 5}, headers=auth(token))
    assert res.content == gate.preview("films", SearchRequest(query="dune", limit=5)).body
    agg = api.get("/v1/aggregates", headers=auth(token)).json()
    assert agg["total"] > 0 and "top_creators" not in agg  # creators were not granted


def test_profile_and_ask_from_granted_records_only(store: Store, api: httpx.Client) -> None:
    token = grant(store, "books", level="raw", platforms=("goodreads", "kindle"), per_request=5)
    facts = api.get("/v1/profile", headers=auth(token)).json()["facts"]
    assert 0 < len(facts) <= 5
    assert all(set(f["platforms"]) <= {"goodreads", "kindle"} for f in facts)
    allowed = {
        r[0] for r in store.conn.execute("SELECT id FROM records WHERE platform IN ('goodreads', 'kindle')")
    }
    assert {c for f in facts for c in f["citations"]} <= allowed
    answer = api.post("/v1/ask", json={"question": "which books did I read?"}, headers=auth(token)).json()
    assert "Dune" in answer["answer"] and set(answer["cited"]) <= allowed
    facts_only = grant(store, "facts-only", level="facts", platforms=("goodreads",))
    assert all("citations" not in f for f in api.get("/v1/profile", headers=auth(facts_only)).json()["facts"])


def test_openapi_spec(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    assert {"/v1/grant", "/v1/profile", "/v1/aggregates", "/v1/search", "/v1/rerank", "/v1/ask"} <= set(
        spec["paths"]
    )
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "401" in spec["paths"]["/v1/rerank"]["post"]["responses"]
