"""The HTTP API: a recipient reads what its grant allows, with a bearer token, through the gate.

The recipients' surface, and only theirs: a bearer token is the one credential looked at here (the
owner's session cookie is never read, so it cannot act as a recipient), and the token is checked
before any body is read; bodies are capped (``MAX_BODY``). No /docs or /redoc: they would load
scripts from a public CDN on the owner's origin. /openapi.json describes these routes only.

Handlers hold no data logic: each turns its request into a gate request, sends the exact bytes the
gate returns (so the audit entry's size and hash are those of the body on the wire) and maps gate
refusals to status codes. Handlers are plain functions: FastAPI runs them in its thread pool, so a
slow ranker call does not stall the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..gate import Gate, GateError
from ..gate.models import (
    AggregatesRequest,
    AggregatesResponse,
    AskRequest,
    AskResponse,
    GateRequest,
    GrantInfo,
    GrantRequest,
    ProfileRequest,
    ProfileResponse,
    RerankRequest,
    RerankResponse,
    SearchRequest,
    SearchResponse,
)

__all__ = ["CHANNEL", "MAX_BODY", "RecipientGuard", "capped_body", "create_app"]

CHANNEL = "http"
MAX_BODY = 256 * 1024  # a rerank of a few hundred candidates; search and ask are far smaller
_bearer = HTTPBearer(
    auto_error=False, description="The token `selfdex grant add` printed for this recipient."
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


class ErrorOut(BaseModel):
    error: str
    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No token, an unknown token, or an expired or revoked grant"},
    403: {"model": ErrorOut, "description": "Outside the grant (level, platforms, kinds or per-request cap)"},
    413: {"model": ErrorOut, "description": f"The body is over {MAX_BODY} bytes"},
    422: {"model": ErrorOut, "description": "An invalid request (where and what; the input is not echoed)"},
    429: {"model": ErrorOut, "description": "The grant's daily cap is used up"},
    500: {"model": ErrorOut, "description": "The gate failed closed: nothing was disclosed"},
}
_NA: dict[str, Any] = {"model": ErrorOut, "description": "Not available in this installation"}


def _error(exc: GateError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse({"error": exc.code, "detail": exc.message}, status_code=exc.status, headers=headers)


def _bearer_of(scope: Scope) -> str | None:
    for k, v in scope["headers"]:
        if k.lower() == b"authorization":
            scheme, _, token = v.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    await JSONResponse(body, status, headers=headers)({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a response never reads
    return {"type": "http.disconnect"}


async def capped_body(receive: Receive, max_body: int) -> Receive | None:
    """Read a request body of at most ``max_body`` bytes, then hand it on as a fresh ``receive``;
    None when the body is larger (what was read is dropped, the rest is never read)."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replayed() -> Message:
        return replay.pop() if replay else await receive()

    return replayed


class RecipientGuard:
    """Before anything under ``prefix`` is parsed: a token that names a grant (else 401, body
    unread), then a body of at most ``max_body`` bytes (else 413). An expired or revoked grant's
    request goes on to the gate, which refuses and audits it."""

    def __init__(self, app: ASGIApp, gate: Gate, prefix: str = "/v1/", max_body: int = MAX_BODY) -> None:
        self.app, self.gate, self.prefix, self.max_body = app, gate, prefix, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        token = _bearer_of(scope)
        grant = await anyio.to_thread.run_sync(self.gate.grant_of, token) if token else None
        if grant is None:
            body = {"error": "unauthenticated", "detail": "missing or unknown token"}
            await _send_json(send, 401, body, {"WWW-Authenticate": "Bearer"})
            return
        too_large = {"error": "too_large", "detail": f"bodies are at most {self.max_body} bytes"}
        length = next((v for k, v in scope["headers"] if k.lower() == b"content-length"), b"")
        if length and (not length.isdigit() or int(length) > self.max_body):
            await _send_json(send, 413, too_large)
            return
        if scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        replayed = await capped_body(receive, self.max_body)
        if replayed is None:  # chunked, or a Content-Length that lied
            await _send_json(send, 413, too_large)
            return
        await self.app(scope, replayed, send)


def create_app(gate: Gate, *, public_spec: bool = True) -> FastAPI:
    """The recipients' API. ``public_spec=False`` (off loopback) leaves /openapi.json to the
    owner's console, behind its login."""
    app = FastAPI(
        title="selfdex",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if public_spec else None,
        description=(
            "A person's own data, disclosed under the grant they gave you. Every response is filtered, "
            "redacted and audited by the person's disclosure gate; anything outside the grant is refused."
        ),
    )

    app.add_middleware(RecipientGuard, gate=gate)

    def serve(creds: HTTPAuthorizationCredentials | None, request: GateRequest) -> Response:
        token = creds.credentials if creds is not None else None
        try:
            out = gate.disclose(token, request, channel=CHANNEL)
        except GateError as exc:
            return _error(exc)
        # This recipient's own count of audited requests: the global seq would show it everyone's.
        return Response(
            out.body, media_type="application/json", headers={"X-Selfdex-Audit": str(out.recipient_seq)}
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Where and what, never the input back (it can be megabytes); audited for a valid token.
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        detail = f"{where}: {str(first.get('msg', 'invalid'))[:200]}"
        op = request.url.path.rsplit("/", 1)[-1]
        token = _bearer_of(request.scope)
        try:
            await anyio.to_thread.run_sync(lambda: gate.refuse_invalid(token, op, detail, channel=CHANNEL))
        except GateError as err:
            return _error(err)
        return JSONResponse(
            {"error": "invalid_request", "detail": detail}, status_code=422
        )  # pragma: no cover

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness only: says nothing about the person."""
        return {"status": "ok"}

    @app.get("/v1/grant", response_model=GrantInfo, responses=_ERRORS, tags=["grant"])
    def grant(creds: Credentials) -> Response:
        """What your grant lets you see: level, platforms, kinds, fields, window, caps, expiry."""
        return serve(creds, GrantRequest())

    @app.get("/v1/profile", response_model=ProfileResponse, responses={**_ERRORS, 404: _NA}, tags=["data"])
    def profile(creds: Credentials) -> Response:
        """The person's profile facts within your grant (needs level `facts` or more detailed)."""
        return serve(creds, ProfileRequest())

    @app.get("/v1/aggregates", response_model=AggregatesResponse, responses=_ERRORS, tags=["data"])
    def aggregates(creds: Credentials) -> Response:
        """Counts by platform, kind, action (and month, creator, category where granted)."""
        return serve(creds, AggregatesRequest())

    @app.post("/v1/search", response_model=SearchResponse, responses=_ERRORS, tags=["data"])
    def search(body: SearchRequest, creds: Credentials) -> Response:
        """Records matching the query, with the granted fields only (needs level `raw`)."""
        return serve(creds, body)

    @app.post("/v1/rerank", response_model=RerankResponse, responses=_ERRORS, tags=["answers"])
    def rerank(body: RerankRequest, creds: Credentials) -> Response:
        """Post your candidate list; get back the person's re-ranking with reasons from granted data."""
        return serve(creds, body)

    @app.post("/v1/ask", response_model=AskResponse, responses={**_ERRORS, 404: _NA}, tags=["answers"])
    def ask(body: AskRequest, creds: Credentials) -> Response:
        """A question answered by the person's agent over granted data only."""
        return serve(creds, body)

    return app
