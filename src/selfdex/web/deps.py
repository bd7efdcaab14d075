"""What the web app's routes depend on: the owner's login, one store connection per request, the
app's gate (for previews), its settings and its import runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from ..gate import Gate
from ..owner.records import Store
from .auth import require_owner
from .jobs import ImportRuns
from .security import WebSettings

__all__ = ["OWNER", "GateDep", "RunsDep", "SettingsDep", "StoreDep", "get_store"]

OWNER = [Depends(require_owner)]
"""Every router's dependencies: the owner's login (a router mounted without it would serve data)."""


def get_store(request: Request) -> Iterator[Store]:
    """One connection per request (SQLite in WAL mode): handlers never share the API's connection."""
    store = Store(request.app.state.store_path)
    try:
        yield store
    finally:
        store.close()


def get_gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gates.get()
    return gate


def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def get_runs(request: Request) -> ImportRuns:
    runs: ImportRuns = request.app.state.runs
    return runs


StoreDep = Annotated[Store, Depends(get_store)]
GateDep = Annotated[Gate, Depends(get_gate)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
RunsDep = Annotated[ImportRuns, Depends(get_runs)]
