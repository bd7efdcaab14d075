"""The MCP server, exercised by the official MCP client over stdio (a real subprocess) and streamable
HTTP (a real loopback server)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from selfdex.channels.mcp import http_app
from selfdex.gate import Gate, revoke_grant
from selfdex.store import Store

from .gate_support import grant, live_server, providers
from .sample_store import fresh_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


def text(result: object) -> str:
    assert not result.is_error, result
    return str(result.content[0].text)


def test_stdio(store: Store) -> None:
    token = grant(
        store, "claude", level="raw", platforms=("letterboxd", "goodreads"), fields=("title", "text")
    )
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            "-c",
            "from tests.gate_support import cli; cli()",
            "--store",
            str(store.path),
            "serve",
            "--mcp-stdio",
        ],
        env={**os.environ, "SELFDEX_TOKEN": token},
        cwd=str(REPO),
    )

    async def session() -> None:
        async with Client(params) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == {"grant", "profile", "aggregates", "search", "rerank", "ask"}
            assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
            found = json.loads(text(await client.call_tool("search", {"query": "dune", "limit": 3})))
            assert found["count"] == 3 and all(
                r["platform"] in ("letterboxd", "goodreads") for r in found["records"]
            )
            info = json.loads((await client.read_resource("selfdex://grant")).contents[0].text)  # type: ignore[union-attr]
            assert info["name"] == "claude" and info["access"] == "raw"
            outside = await client.call_tool("search", {"query": "knife", "platforms": ["amazon"]})
            assert outside.is_error and "403" in outside.content[0].text  # type: ignore[union-attr]
            revoke_grant(store, "claude")  # takes effect mid-session
            after = await client.call_tool("aggregates", {})
            assert after.is_error and "revoked" in after.content[0].text  # type: ignore[union-attr]

    anyio.run(session)
    channels = [(e.channel, e.operation, e.outcome) for e in Gate(store).audit.entries()]
    assert channels == [
        ("mcp-stdio", "search", "disclosed"),
        ("mcp-stdio", "grant", "disclosed"),
        ("mcp-stdio", "search", "refused"),
        ("mcp-stdio", "aggregates", "refused"),
    ]


def test_streamable_http(store: Store, tmp_path_factory: pytest.TempPathFactory) -> None:
    gate = Gate(store, providers(tmp_path_factory.getbasetemp()))
    token = grant(store, "agent", level="answers", platforms=("letterboxd", "netflix"))
    candidates = [{"id": "a", "title": "Dune: Part Two"}, {"id": "b", "title": "Paddington 2"}]

    with live_server(http_app(gate)) as url:
        # Without a token the SDK is never reached.
        assert httpx.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}).status_code == 401
        # A message over the cap is refused unread, whether it says its length or streams it.
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        huge = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "x": "' + b"A" * (2 << 20) + b'"}'
        assert httpx.post(f"{url}/mcp", content=huge, headers=bearer).status_code == 413
        chunks = (huge[i : i + 65536] for i in range(0, len(huge), 65536))
        assert httpx.post(f"{url}/mcp", content=chunks, headers=bearer).status_code == 413

        async def session() -> None:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
            async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                ranked = json.loads(text(await client.call_tool("rerank", {"candidates": candidates})))
                assert [r["id"] for r in ranked["ranking"]] == ["a", "b"]
                refused = await client.call_tool("search", {"query": "dune"})
                assert refused.is_error and "403" in refused.content[0].text  # type: ignore[union-attr]

        anyio.run(session)
    entries = [(e.recipient, e.channel, e.operation, e.outcome) for e in gate.audit.entries()]
    assert entries == [
        ("agent", "mcp-http", "rerank", "disclosed"),
        ("agent", "mcp-http", "search", "refused"),
    ]
