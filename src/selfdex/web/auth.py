"""The owner's door: who may open the web console.

Being on loopback proves nothing (every program on the machine is on loopback, recipients
included), so the console asks for the owner on every bind, as Jupyter does: ``selfdex serve``
prints a login link ``/?token=…`` derived from the store's owner secret, and ``--open`` hands the
browser a one-time token instead. Either is exchanged for a signed, HttpOnly, SameSite=Strict
session cookie, and the token is stripped from the address bar. Off loopback the owner password
(HTTP basic auth) does the same job. Recipients' bearer tokens are never looked at here: the two
doors share nothing.

Password guesses are throttled per client address (and all together), before the password is
even compared, so a wrong guess costs time whatever it is. Login tokens (256 bits) are not: a
throttle there would only let any local process lock the owner out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import HTTPException, Request

from ..owner.session import OwnerSecret

__all__ = ["LOGIN_PARAM", "OWNER_SCOPE_KEY", "OwnerAuth", "Throttle", "require_owner"]

LOGIN_PARAM = "token"  # Jupyter's convention: the login link is …/?token=…
SESSION_SECONDS = 7 * 24 * 3600
ONE_TIME_SECONDS = 120
OWNER_SCOPE_KEY = "selfdex.owner"  # set on a request once the guard has let the owner in


@dataclass
class Throttle:
    """Failed guesses: ``free`` per client, then a lock of 2, 4, 8 … seconds (at most ``cap``);
    and at most ``global_per_minute`` failures from everyone together before all guessing pauses."""

    free: int = 5
    cap: float = 300.0
    global_per_minute: int = 30
    clock: object = field(default=time.monotonic, repr=False)
    _fails: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False)
    _recent: list[float] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _now(self) -> float:
        return float(self.clock())  # type: ignore[operator]

    def wait(self, client: str) -> float:
        """Seconds this client must wait before its next guess counts (0 = may guess now)."""
        now = self._now()
        with self._lock:
            self._recent = [t for t in self._recent if now - t < 60]
            if len(self._recent) >= self.global_per_minute:
                return max(1.0, 60 - (now - self._recent[0]))
            _, until = self._fails.get(client, (0, 0.0))
            return max(0.0, until - now)

    def failed(self, client: str) -> None:
        now = self._now()
        with self._lock:
            n, _ = self._fails.get(client, (0, 0.0))
            n += 1
            lock = min(2.0 ** (n - self.free), self.cap) if n > self.free else 0.0
            self._fails[client] = (n, now + lock)
            self._recent.append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._fails.pop(client, None)


class OwnerAuth:
    """Login tokens, session cookies and the owner password of one web console."""

    def __init__(
        self,
        secret: OwnerSecret,
        *,
        password: str | None = None,
        port: int | None = None,
        secure: bool = False,
    ) -> None:
        self._key = secret.session_key
        self.login_token = secret.login_token
        self.password = password
        self.cookie_name = f"selfdex-owner-{port}" if port else "selfdex-owner"
        self.secure = secure
        self.throttle = Throttle()
        self._one_time: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- tokens ---------------------------------------------------------------------------------
    def one_time_token(self) -> str:
        """A token that logs in once, within two minutes (for ``selfdex serve --open``)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._one_time[token] = time.monotonic() + ONE_TIME_SECONDS
        return token

    def take_token(self, token: str) -> bool:
        """Whether ``token`` logs in; a one-time token is used up by this call."""
        if hmac.compare_digest(token.encode(), self.login_token.encode()):
            return True
        with self._lock:
            now = time.monotonic()
            self._one_time = {t: exp for t, exp in self._one_time.items() if exp > now}
            return self._one_time.pop(token, None) is not None

    def password_ok(self, header: str | None) -> bool:
        if not self.password or not header or not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        _, _, given = decoded.partition(":")
        return hmac.compare_digest(given.encode(), self.password.encode())

    # -- sessions -------------------------------------------------------------------------------
    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    def new_session(self) -> str:
        body = f"{int(time.time())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def session_ok(self, value: str | None) -> bool:
        if not value or value.count(".") != 2:
            return False
        body, _, mac = value.rpartition(".")
        if not hmac.compare_digest(mac.encode(), self._sign(body).encode()):
            return False
        try:
            issued = int(body.split(".", 1)[0])
        except ValueError:
            return False
        return 0 <= time.time() - issued < SESSION_SECONDS

    def cookie_header(self, value: str) -> str:
        attrs = f"{self.cookie_name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}"
        return attrs + ("; Secure" if self.secure else "")


def require_owner(request: Request) -> None:
    """Every owner route's dependency: the guard (``security.guard``) must have let the owner in. A
    second lock on the same door, so that a route mounted without the middleware answers 401, never
    data."""
    if not request.scope.get(OWNER_SCOPE_KEY):
        raise HTTPException(401, "log in first: open the link selfdex serve printed")
