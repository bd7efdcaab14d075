"""The sharing page: the grants, a new grant (a wide one is confirmed first), revoking one.

Only the gate's own grant functions are used (``add_grant``, ``revoke_grant``), as the CLI does.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...gate import (
    CONTENT_FIELDS,
    DEFAULT_FIELDS,
    LEVELS,
    GrantError,
    Scope,
    add_grant,
    list_grants,
    revoke_grant,
)
from ...gate.grants import Level, parse_expiry
from ...owner import records
from ...owner.records import Store
from ..deps import OWNER, StoreDep
from ..render import back, render

router = APIRouter(prefix="/sharing", dependencies=OWNER)


def _exposure(store: Store, scope: Scope, name: str) -> str:
    """In words, what a grant would let ``name`` read: the confirmation of a wide grant names it."""
    sources = records.sources(store)
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
        platforms=[s["platform"] for s in records.sources(store)],
        levels=LEVELS,
        fields=CONTENT_FIELDS,
        default_fields=DEFAULT_FIELDS,
        **ctx,
    )


@router.get("", response_class=HTMLResponse)
def sharing_page(request: Request, store: StoreDep) -> HTMLResponse:
    return sharing(request, store)


@router.post("/grants", response_class=HTMLResponse)
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


@router.post("/grants/{name}/revoke")
def grant_revoke(request: Request, name: str, store: StoreDep) -> RedirectResponse:
    try:
        grant = revoke_grant(store, name)
    except GrantError as exc:
        return back(request, "/sharing", str(exc))
    return back(request, "/sharing", f"Revoked {grant.name}: its token stopped working.")
