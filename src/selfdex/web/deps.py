"""What the web app's routes share: one store connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from ..store import Store

__all__ = ["StoreDep", "get_store"]


def get_store(request: Request) -> Iterator[Store]:
    """One connection per request (SQLite in WAL mode): handlers never share the API's connection."""
    store = Store(request.app.state.store_path)
    try:
        yield store
    finally:
        store.close()


StoreDep = Annotated[Store, Depends(get_store)]
