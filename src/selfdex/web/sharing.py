"""The web app's sharing pages: grants (a wide one is confirmed first), previews and the audit log.

Only the gate's own functions are used: ``add_grant``/``revoke_grant`` and ``Gate.preview``, which
shows exactly what a recipient would receive without disclosing or auditing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from ..gate import (
    CONTENT_FIELDS,
    DEFAULT_FIELDS,
    LEVELS,
    AuditLog,
    Gate,
    GateError,
    GrantError,
    Scope,
    add_grant,
    grant_by_name,
    list_grants,
    revoke_grant,
)
from ..gate.grants import Level, parse_expiry
from ..gate.models import (
    AggregatesRequest,
    AskRequest,
    GateRequest,
    GrantRequest,
    ProfileRequest,
    SearchRequest,
)
from ..store import Store, queries
from .deps import StoreDep

__all__ = ["add_sharing_routes"]

PREVIEW_OPS = ("profile", "aggregates", "search", "ask", "grant")


def _exposure(store: Store, scope: Scope, name: str) -> str:
    """In words, what a grant would let ``name`` read: the confirmation of a wide grant names it."""
    sources = queries.sources(store)
    shown = [s for s in sources if scope.allows_platform(s["platform"])]
    n = sum(int(s["records"]) for s in shown)
    where = (
        f"every platform, now and imported later ({len(shown)} today: {', '.join(s['platform'] for s in shown)})"
        if "*" in scope.platforms
        else ", ".join(scope.platforms)
    )
    what = (
        f"your raw records themselves, with their fields {', '.join(scope.fields)}"
        if scope.level == "raw"
        else f"{scope.level} drawn from your records"
    )
    return f"{name or 'this recipient'} could read {what}, from {where}: about {n:,} records."


def add_sharing_routes(
    app: FastAPI,
    *,
    render: Callable[..., HTMLResponse],
    back: Callable[..., RedirectResponse],
    the_gate: Callable[[], Gate],
) -> None:
    # -- sharing --------------------------------------------------------------------------------
    def sharing(request: Request, store: Store, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("token", None)
        ctx.setdefault("created", None)
        ctx.setdefault("error", None)
        ctx.setdefault("form", {})
        ctx.setdefault("confirm", None)
        return render(
            request,
            "sharing.html",
            status_code=status_code,
            page="sharing",
            grants=[g.to_dict() for g in list_grants(store, include_revoked=True)],
            platforms=[s["platform"] for s in queries.sources(store)],
            levels=LEVELS,
            fields=CONTENT_FIELDS,
            default_fields=DEFAULT_FIELDS,
            **ctx,
        )

    @app.get("/sharing", response_class=HTMLResponse)
    def sharing_page(request: Request, store: StoreDep) -> HTMLResponse:
        return sharing(request, store)

    @app.post("/sharing/grants", response_class=HTMLResponse)
    def grant_create(
        request: Request,
        store: StoreDep,
        name: Annotated[str, Form()] = "",
        level: Annotated[str, Form()] = "answers",
        platform: Annotated[list[str] | None, Form()] = None,
        field: Annotated[list[str] | None, Form()] = None,
        kinds: Annotated[str, Form()] = "",
        since: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "",
        per_request: Annotated[int, Form(ge=1)] = 20,
        per_day: Annotated[int, Form(ge=1)] = 200,
        purpose: Annotated[str, Form()] = "",
        expires: Annotated[str, Form()] = "30d",
        confirm: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        form = {
            "name": name,
            "level": level,
            "platforms": platform or [],
            "fields": field or [],
            "kinds": kinds,
            "since": since,
            "until": until,
            "per_request": per_request,
            "per_day": per_day,
            "purpose": purpose,
            "expires": expires,
        }
        try:
            if not platform:
                raise GrantError("choose at least one platform (or all platforms)")
            if not purpose.strip():
                raise GrantError("say why this recipient gets access (the purpose)")
            scope = Scope(
                level=cast(Level, level),
                platforms=tuple(platform),
                kinds=tuple(k.strip() for k in kinds.split(",") if k.strip()) or ("*",),
                fields=tuple(field or ()) or DEFAULT_FIELDS,
                since=since or None,
                until=until or None,
                per_request=per_request,
                per_day=per_day,
            )
            expires_at = parse_expiry(expires)
            if (scope.level == "raw" or "*" in scope.platforms) and confirm != "yes":
                # Wide grants are made twice: once to see what they expose, once to mean it.
                return sharing(request, store, form=form, confirm=_exposure(store, scope, name))
            grant, token = add_grant(store, name, scope, purpose=purpose.strip(), expires_at=expires_at)
        except (GrantError, ValueError) as exc:
            return sharing(request, store, status_code=400, error=str(exc), form=form)
        return sharing(request, store, token=token, created=grant.to_dict())

    @app.post("/sharing/grants/{name}/revoke")
    def grant_revoke(request: Request, name: str, store: StoreDep) -> RedirectResponse:
        try:
            grant = revoke_grant(store, name)
        except GrantError as exc:
            return back(request, "/sharing", str(exc))
        return back(request, "/sharing", f"Revoked {grant.name}: its token stopped working.")

    @app.get("/sharing/grants/{name}/preview", response_class=HTMLResponse)
    def grant_preview(
        request: Request,
        name: str,
        store: StoreDep,
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
                disclosure = the_gate().preview(name, request_)
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

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request, store: StoreDep, recipient: str = "") -> HTMLResponse:
        log = AuditLog(store)
        entries = [e.to_dict() for e in log.entries(recipient=recipient or None, limit=200)]
        recipients = [g.name for g in list_grants(store, include_revoked=True)]
        return render(
            request,
            "audit.html",
            page="audit",
            entries=list(reversed(entries)),
            verification=log.verify(),
            recipient=recipient,
            recipients=recipients,
        )
