"""The web app's guards: the owner's login, loopback-only binding, CSRF, cross-site and DNS-rebinding
checks, body caps.

The model: only the owner opens the console, on every bind (see ``auth.py``); a web page the
person visits elsewhere must not be able to act through their browser either. So every
state-changing request also carries a per-process secret token that only a page served to the
logged-in owner can read, cross-site requests are refused outright (``Origin`` /
``Sec-Fetch-Site``), and a ``Host`` that is not a loopback name is refused so a DNS rebinding page
cannot become same-origin. Binding anything else needs an explicit flag *and* a strong password,
and then the password is the login (HTTP basic auth). The owner is authenticated before any body
is read.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from .auth import LOGIN_PARAM, OWNER_SCOPE_KEY, OwnerAuth

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "BindRefused",
    "WebSettings",
    "check_bind",
    "guard",
    "is_loopback",
    "weak_password",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
MIN_PASSWORD = 12
MAX_FORM_BYTES = 1 << 20  # url-encoded forms; uploads are multipart and stream to disk
LOGIN_PAGE = (Path(__file__).parent / "templates" / "login.html").read_text(encoding="utf-8")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class BindRefused(ValueError):
    """Binding a non-loopback address without the explicit flag and a password."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def weak_password(password: str) -> str | None:
    """Why ``password`` is too weak to guard the console off loopback, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters (or use --web-password generate)"
    if len(set(password)) < 5:
        return "the password repeats too few characters (or use --web-password generate)"
    return None


def check_bind(host: str, *, allow_remote: bool, password: str | None) -> None:
    """Refuse a non-loopback address unless ``allow_remote`` and a strong password are both given."""
    if is_loopback(host):
        return
    if not allow_remote or not password:
        missing = [
            what
            for what, ok in (("--allow-remote", allow_remote), ("a password (--web-password)", password))
            if not ok
        ]
        raise BindRefused(
            f"refusing to serve the web app on {host}, which is not a loopback address: anyone who can "
            f"reach it could read and change your data. Needs {' and '.join(missing)}."
        )
    weak = weak_password(password)
    if weak:
        raise BindRefused(f"refusing to serve the web app on {host}: {weak}.")


@dataclass(slots=True)
class WebSettings:
    """How the web app is exposed. The defaults are the safe ones: loopback, no model."""

    host: str = "127.0.0.1"
    allow_remote: bool = False
    password: str | None = None
    model: str | None = None  # a model name for ask/explain; None = records only (no model)
    csrf_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_hosts: tuple[str, ...] = ()  # Host header values to accept besides loopback names
    port: int | None = None  # names the session cookie: two consoles on one host keep apart
    secure: bool = False  # served over TLS: the cookie gets Secure
    api_spec: Callable[[], dict[str, Any]] | None = None  # the recipients' OpenAPI, owner-only here

    def __post_init__(self) -> None:
        check_bind(self.host, allow_remote=self.allow_remote, password=self.password)

    @property
    def remote(self) -> bool:
        return not is_loopback(self.host)


def _host_name(value: str) -> str:
    if value.startswith("["):
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _forbidden(reason: str) -> Response:
    return PlainTextResponse(f"403 Forbidden: {reason}\n", status_code=403)


async def _csrf_token_of(request: Request) -> str | None:
    """From the ``X-CSRF-Token`` header (htmx sends it), the form's action URL (multipart uploads
    are streamed to disk by the handler, never read into memory here), or a url-encoded field."""
    token = request.headers.get(CSRF_HEADER) or request.query_params.get(CSRF_FIELD)
    if token:
        return token
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = await request.body()  # cached and replayed to the handler by Starlette
        values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
        return values[0] if values else None
    return None


def _login_page(auth: OwnerAuth, status: int = 401, retry: float = 0.0) -> Response:
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": CSP}
    if auth.password:
        headers["WWW-Authenticate"] = 'Basic realm="selfdex", charset="UTF-8"'
    if retry:
        headers["Retry-After"] = str(int(retry + 0.999))
    how = (
        "Log in with the owner password this selfdex was started with."
        if auth.password
        else "Open the login link that <code>selfdex serve</code> printed in its terminal "
        "(<code>http://127.0.0.1:PORT/?token=…</code>), or start it with <code>selfdex serve --open</code>."
    )
    if retry:
        how = f"Too many wrong guesses: try again in {int(retry + 0.999)} s. " + how
    return HTMLResponse(LOGIN_PAGE.replace("{{ how }}", how), status_code=status, headers=headers)


def _without_token(request: Request) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LOGIN_PARAM]
    base = request.scope.get("root_path", "").rstrip("/") + request.url.path
    return base + ("?" + urlencode(query) if query else "")


async def authenticate_owner(request: Request, auth: OwnerAuth) -> Response | None:
    """None when the request comes from the owner (a session cookie, the password, or a login
    token, which answers with the cookie and a redirect); else the response to send instead."""
    if auth.session_ok(request.cookies.get(auth.cookie_name)):
        return None
    token = request.query_params.get(LOGIN_PARAM) if request.method in SAFE_METHODS else None
    if token and auth.take_token(token):
        # 256-bit tokens need no throttle, and one would let any local process lock the owner out.
        res = RedirectResponse(_without_token(request), status_code=303)
        res.headers["Set-Cookie"] = auth.cookie_header(auth.new_session())
        res.headers["Cache-Control"] = "no-store"
        res.headers["Referrer-Policy"] = "no-referrer"
        return res
    basic = request.headers.get("authorization", "")
    if not (auth.password and basic.lower().startswith("basic ")):
        return _login_page(auth)
    # A password can be guessed: wait first, then compare, so a wrong guess costs time whatever it is.
    client = request.client.host if request.client else "?"
    wait = auth.throttle.wait(client)
    if wait:
        return _login_page(auth, 429, wait)
    if auth.password_ok(basic):
        auth.throttle.succeeded(client)
        return None
    auth.throttle.failed(client)
    return _login_page(auth)


def guard(
    settings: WebSettings, auth: OwnerAuth
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """An HTTP middleware enforcing the model above, and adding the security headers."""
    allowed = {*LOOPBACK_NAMES, *(h.lower() for h in settings.extra_hosts)}
    if settings.remote:
        allowed.add(settings.host.lower())

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not settings.remote:
            # On loopback only loopback names are served (a password or not): a DNS-rebinding page
            # gets nothing.
            host = _host_name(request.headers.get("host", "")).lower()
            if host not in allowed:
                return _forbidden(f"unexpected Host {host!r} (open http://127.0.0.1:<port>/)")
        if (
            request.headers.get("sec-fetch-site") == "cross-site"
            and request.headers.get("sec-fetch-mode") != "navigate"
        ):
            # Resource isolation: another site's <img>/<script>/fetch may not even make a GET here (GET
            # /ask runs a configured model). Following a link to the app is still fine.
            return _forbidden("cross-site request")
        if not request.url.path.startswith("/static/"):
            # The owner first, before any body is read: the stylesheet and htmx are public files.
            refused = await authenticate_owner(request, auth)
            if refused is not None:
                return refused
            request.scope[OWNER_SCOPE_KEY] = True
        if request.method not in SAFE_METHODS:
            if request.headers.get("sec-fetch-site") == "cross-site":
                return _forbidden("cross-site request")
            origin = request.headers.get("origin")
            if origin is not None:
                parts = urlsplit(origin)
                if origin == "null" or parts.netloc.lower() != request.headers.get("host", "").lower():
                    return _forbidden("cross-origin request")
            length = request.headers.get("content-length", "")
            form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
            if form and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
                return PlainTextResponse("413 Payload Too Large: a form of at most 1 MB\n", status_code=413)
            token = await _csrf_token_of(request)
            if not token or not secrets.compare_digest(token.encode(), settings.csrf_secret.encode()):
                return _forbidden("missing or wrong CSRF token (reload the page and try again)")
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # not "no-referrer": Chromium then sends `Origin: null` with the app's own form posts
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware
