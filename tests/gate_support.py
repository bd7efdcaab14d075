"""Shared helpers for the gate, API, MCP and injection tests: grants, providers, live servers."""

from __future__ import annotations

import functools
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import httpx
import uvicorn

from selfdex.cli import audit as audit_cli
from selfdex.cli import grant as grant_cli
from selfdex.cli import serve as serve_cli
from selfdex.gate import Providers, Scope, add_grant
from selfdex.gate.grants import utc_now
from selfdex.gate.providers import AgentAsk, EmbeddedRerank, ProfileFacts
from selfdex.index.embed import CachedEmbedder, EmbeddingCache, MiniLMEmbedder
from selfdex.store import Store


@functools.cache
def providers(cache_dir: Path) -> Providers:
    """The default providers, with one model load and one vector cache per test session."""
    return Providers(
        rerank=EmbeddedRerank(
            lambda: CachedEmbedder(MiniLMEmbedder(), EmbeddingCache(cache_dir / "vectors.sqlite"))
        ),
        facts=ProfileFacts(),
        ask=AgentAsk(),
    )


def grant(store: Store, name: str, days: float = 1.0, **scope: Any) -> str:
    scope.setdefault("platforms", ("*",))
    _, token = add_grant(
        store, name, Scope(**scope), purpose="test", expires_at=utc_now() + timedelta(days=days)
    )
    return token


@click.group()
@click.option("--store", type=click.Path(dir_okay=False))
@click.pass_context
def cli(ctx: click.Context, store: str | None) -> None:
    """The lead wires these commands into selfdex.cli.main; tests mount them the same way."""
    ctx.obj = {"store": store}


for _module in (grant_cli, audit_cli, serve_cli):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Wait for a ``selfdex serve`` subprocess to answer ``url`` with 200; its log if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"selfdex serve did not start: {log.read_text(errors='replace')}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn on a loopback ephemeral port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
