"""What keeps the portal's pages safe: security headers with a strict CSP, CSRF tokens on
every form, the session cookie, and login throttling.

- Session: the cookie holds the same opaque token the API issues (`accounts.login`), so a
  page session is an API session: HttpOnly, SameSite=Lax, Secure when served over HTTPS,
  revoked on logout.
- CSRF: the double-submit pattern (OWASP). A random `dataip_csrf` cookie (HttpOnly,
  SameSite=Strict) and the same value in a hidden field of every form; a POST whose field
  does not equal the cookie, or whose Origin is another site, is refused (403).
- CSP: `default-src 'self'`, no inline script, no framing; every asset is served by the
  registry itself (registries run on intranets: no CDN).
- Login throttling: failures are counted per account and per client address in the process
  (5 in 15 minutes locks that pair for 15 minutes). Several app processes each count their
  own: the limit is then per process, which still turns guessing into a crawl.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from dataip.web.errors import is_page

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "LoginThrottle",
    "csrf_ok",
    "install",
    "is_page",
    "set_session",
]

SESSION_COOKIE = "dataip_session"
CSRF_COOKIE = "dataip_csrf"
CSRF_FIELD = "csrf_token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def page_security(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not is_page(request.url.path):
            return await call_next(request)
        token = request.cookies.get(CSRF_COOKIE)
        fresh = not token or len(token) != 43
        if fresh:
            token = secrets.token_urlsafe(32)
        request.state.csrf_token = token
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if fresh:
            response.set_cookie(
                CSRF_COOKIE,
                token or "",
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )
        return response


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token equals the cookie's, and the request does not come from another
    site (Origin, when the browser sends it, is this host)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1] == host
    return True


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


class LoginThrottle:
    """Failed logins per (account, client) in a sliding window."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, client: str) -> int:
        """Seconds until this pair may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            q = self._recent((username.lower(), client), now)
            if len(q) < self.limit:
                return 0
            return max(1, int(q[0] + self.window - now))

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent((username.lower(), client), now).append(now)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), client), None)
