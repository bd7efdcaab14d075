"""How every page is answered: a Jinja2 template (autoescaped: imported text is untrusted) with the
CSRF token and the app's base path, or a redirect back with a message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from .. import __version__
from ..timeparse import shown_when
from .security import CSRF_FIELD, CSRF_HEADER

__all__ = ["back", "render", "templates"]

HERE = Path(__file__).parent


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: imported text is untrusted
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    env.filters["day"] = lambda v: str(v)[:10] if v else ""
    env.filters["when"] = lambda v: str(v)[:19].replace("T", " ") if v else ""
    # a record's time at the precision its source gave: a day is a date, not "00:00:00"
    env.filters["occurred"] = lambda r: shown_when(
        r.get("occurred_at"), r.get("time_precision"), seconds=True
    )
    return env


def templates() -> Jinja2Templates:
    return Jinja2Templates(env=_environment())


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    base = request.scope.get("root_path", "").rstrip("/")
    csrf = request.app.state.settings.csrf_secret
    ctx.setdefault("msg", request.query_params.get("msg"))
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "base": base,
            "csrf": csrf,
            "csrf_field": CSRF_FIELD,
            "csrf_headers": json.dumps({CSRF_HEADER: csrf}),
            "csrf_query": urlencode({CSRF_FIELD: csrf}),
            "version": __version__,
            **ctx,
        },
        status_code=status_code,
    )
    return response


def back(request: Request, path: str, msg: str | None = None) -> RedirectResponse:
    base = request.scope.get("root_path", "").rstrip("/")
    url = base + path + (("&" if "?" in path else "?") + urlencode({"msg": msg}) if msg else "")
    return RedirectResponse(url, status_code=303)
