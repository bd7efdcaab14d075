"""The web app's guards: loopback-only binding, CSRF, cross-site and DNS-rebinding checks, basic auth.

The model: on loopback there is no login (whoever can reach 127.0.0.1 is the person), but a web page
the person visits elsewhere must not be able to act through their browser. So every state-changing
request carries a per-process secret token that only a page served by this app can read (the
same-origin policy keeps other sites from reading it), cross-site requests are refused outright
(``Origin`` / ``Sec-Fetch-Site``), and a ``Host`` that is not a loopback name is refused so a DNS
rebinding page cannot become same-origin. Binding anything else needs an explicit flag *and* a
password, and then every page asks for it (HTTP basic auth).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "BindRefused",
    "WebSettings",
    "check_bind",
    "guard",
    "is_loopback",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")

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


def check_bind(host: str, *, allow_remote: bool, password: str | None) -> None:
    """Refuse a non-loopback address unless ``allow_remote`` and a password are both given."""
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


@dataclass(slots=True)
class WebSettings:
    """How the web app is exposed. The defaults are the safe ones: loopback, no model."""

    host: str = "127.0.0.1"
    allow_remote: bool = False
    password: str | None = None
    model: str | None = None  # a model name for ask/explain; None = records only (no model)
    csrf_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_hosts: tuple[str, ...] = ()  # Host header values to accept besides loopback names

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


def _basic_ok(header: str | None, password: str) -> bool:
    if not header or not header.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, _, given = decoded.partition(":")
    return secrets.compare_digest(given.encode(), password.encode())


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


def guard(
    settings: WebSettings,
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
        if settings.password and not _basic_ok(request.headers.get("authorization"), settings.password):
            return PlainTextResponse(
                "401 Unauthorized: this selfdex asks for its password\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="selfdex", charset="UTF-8"'},
            )
        if (
            request.headers.get("sec-fetch-site") == "cross-site"
            and request.headers.get("sec-fetch-mode") != "navigate"
        ):
            # Resource isolation: another site's <img>/<script>/fetch may not even make a GET here (GET
            # /ask runs a configured model). Following a link to the app is still fine.
            return _forbidden("cross-site request")
        if request.method not in SAFE_METHODS:
            if request.headers.get("sec-fetch-site") == "cross-site":
                return _forbidden("cross-site request")
            origin = request.headers.get("origin")
            if origin is not None:
                parts = urlsplit(origin)
                if origin == "null" or parts.netloc.lower() != request.headers.get("host", "").lower():
                    return _forbidden("cross-origin request")
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
