"""The local web app: import, timeline, profile, ask & recommend, sharing and the audit log.

Server-rendered Jinja2 pages with htmx for the one live part, the import progress. The pages are
one router each (``routes/``); every handler calls the owner's services (``selfdex.owner``), the
same use cases the CLI runs, and the disclosure gate only through ``Gate.preview`` and the grant
functions. This module puts them together behind the owner's login and the guards.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..gate import Gate
from ..owner.records import Store
from ..owner.session import owner_secret
from ..settings import settings as env_settings
from .auth import OwnerAuth
from .deps import OWNER
from .jobs import ImportRuns
from .render import render, templates
from .routes import asking, audit, home, imports, preview, profile, sharing, timeline
from .security import WebSettings, _login_page, guard

__all__ = ["create_web_app"]

HERE = Path(__file__).parent
ROUTERS = (home, imports, timeline, profile, asking, sharing, preview, audit)


class Gates:
    """The gate the previews use: the server's own when it passed one in (previews then use the very
    views the API answers from), else one this app opens on first use and closes with ``close``."""

    def __init__(self, store_path: Path, gate: Gate | None) -> None:
        self._store_path = store_path
        self._gate = gate
        self._own_store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Gate:
        with self._lock:
            if self._gate is None:
                self._own_store = Store(self._store_path)
                self._gate = Gate(self._own_store)
            return self._gate

    def close(self) -> None:
        with self._lock:
            if self._own_store is not None and self._gate is not None:
                self._gate.close()
                self._own_store.close()
                self._gate = self._own_store = None


def create_web_app(
    store_path: str | Path, *, gate: Gate | None = None, settings: WebSettings | None = None
) -> FastAPI:
    """The web app over the store at ``store_path``. Pass the server's ``gate`` to share it with the
    HTTP API (previews then use the very views the API answers from)."""
    settings = settings or WebSettings()
    if settings.model is None:
        settings.model = env_settings().model
    store_path = Path(store_path)
    auth = OwnerAuth(
        owner_secret(store_path), password=settings.password, port=settings.port, secure=settings.secure
    )
    # The owner's surface: every route depends on the owner's login (the guard checks it before any
    # body is read; each router's dependency is the second lock). Recipients never come in here.
    app = FastAPI(
        title="selfdex web",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=OWNER,
    )
    app.middleware("http")(guard(settings, auth))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    gates = Gates(store_path, gate)
    app.state.auth = auth
    app.state.templates = templates()
    app.state.runs = ImportRuns(store_path)
    app.state.store_path = store_path
    app.state.settings = settings
    app.state.gates = gates
    app.state.close = gates.close
    for module in ROUTERS:
        app.include_router(module.router)

    if settings.api_spec is not None:
        spec = settings.api_spec

        @app.get("/openapi.json", include_in_schema=False)
        def openapi() -> JSONResponse:
            """The recipients' API description, served to the logged-in owner (off loopback)."""
            return JSONResponse(spec())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401:
            return _login_page(auth)
        return render(request, "error.html", status_code=exc.status_code, page="", detail=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Never the input back (it can be megabytes, or the person's own text): where and what.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        detail = f"{where}: {str(first.get('msg', 'invalid'))[:200]}"
        return render(request, "error.html", status_code=422, page="", detail=f"Invalid request ({detail}).")

    return app
