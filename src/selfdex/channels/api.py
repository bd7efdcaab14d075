"""The HTTP API: a recipient reads what its grant allows, with a bearer token, through the gate.

Handlers hold no data logic: each turns its request into a gate request, sends the exact bytes the
gate returns (so the audit entry's size and hash are those of the body on the wire) and maps gate
refusals to status codes. Handlers are plain functions: FastAPI runs them in its thread pool, so a
slow ranker call does not stall the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

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

__all__ = ["CHANNEL", "create_app"]

CHANNEL = "http"
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
    429: {"model": ErrorOut, "description": "The grant's daily cap is used up"},
    500: {"model": ErrorOut, "description": "The gate failed closed: nothing was disclosed"},
}
_NA: dict[str, Any] = {"model": ErrorOut, "description": "Not available in this installation"}


def _error(exc: GateError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse({"error": exc.code, "detail": exc.message}, status_code=exc.status, headers=headers)


def create_app(gate: Gate) -> FastAPI:
    app = FastAPI(
        title="selfdex",
        version=__version__,
        description=(
            "A person's own data, disclosed under the grant they gave you. Every response is filtered, "
            "redacted and audited by the person's disclosure gate; anything outside the grant is refused."
        ),
    )

    def serve(creds: HTTPAuthorizationCredentials | None, request: GateRequest) -> Response:
        token = creds.credentials if creds is not None else None
        try:
            out = gate.disclose(token, request, channel=CHANNEL)
        except GateError as exc:
            return _error(exc)
        return Response(
            out.body, media_type="application/json", headers={"X-Selfdex-Audit": str(out.audit_seq)}
        )

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
