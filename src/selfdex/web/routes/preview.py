"""A grant's preview: exactly what its recipient would receive for a request, through
``Gate.preview``, which neither discloses nor audits anything."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from ...gate import GateError, grant_by_name
from ...gate.models import (
    AggregatesRequest,
    AskRequest,
    GateRequest,
    GrantRequest,
    ProfileRequest,
    SearchRequest,
)
from ..deps import OWNER, GateDep, StoreDep
from ..render import render

router = APIRouter(dependencies=OWNER)
PREVIEW_OPS = ("profile", "aggregates", "search", "ask", "grant")


@router.get("/sharing/grants/{name}/preview", response_class=HTMLResponse)
def grant_preview(
    request: Request,
    name: str,
    store: StoreDep,
    gate: GateDep,
    op: str = "",
    query: str = "",
    question: str = "",
) -> HTMLResponse:
    if op not in PREVIEW_OPS:
        # by default, what the grant's own level returns: an answers grant cannot see the profile
        grant = grant_by_name(store, name)
        op = "profile" if grant is None or grant.scope.allows_level("facts") else "grant"
    request_: GateRequest
    body = None
    error = None
    disclosure = None
    status = 200
    try:
        if op == "search":
            request_ = SearchRequest(query=query, limit=20)
        elif op == "ask":
            request_ = AskRequest(question=question or "What do I like?")
        else:
            request_ = {
                "grant": GrantRequest,
                "profile": ProfileRequest,
                "aggregates": AggregatesRequest,
            }[op]()
    except ValidationError as exc:  # the API answers the same request with 422
        error = f"422 invalid_request: {exc.errors()[0]['msg']}"
        status = 400
    else:
        try:
            disclosure = gate.preview(name, request_)
            body = json.dumps(json.loads(disclosure.body), indent=2, ensure_ascii=False)
        except GateError as exc:
            error = f"{exc.status} {exc.code}: {exc.message}"
    return render(
        request,
        "preview.html",
        status_code=status,
        page="sharing",
        name=name,
        op=op,
        ops=PREVIEW_OPS,
        query=query,
        question=question,
        body=body,
        error=error,
        disclosure=disclosure,
        bytes=len(disclosure.body) if disclosure else 0,
    )
