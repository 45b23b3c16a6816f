"""What keeps the portal's pages safe: security headers with a strict CSP, CSRF tokens on
every form, and the session cookie. (Sign-in throttling is a service, shared with the API:
`services/login_throttle.py`.)

- Session: the cookie holds the same opaque token the API issues (`accounts.login`), so a
  page session is an API session: HttpOnly, SameSite=Lax, revoked on logout. Over HTTPS the
  cookies take the `__Host-` prefix (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain), so a
  sibling host cannot plant or overwrite them; plain HTTP (localhost, the demo, the tests)
  uses the bare names, and neither scheme reads the other's.
- CSRF (OWASP's synchronizer token, stateless): a signed-in visitor's token is an HMAC of
  its session token — bound to that session and new with every sign-in, never derivable
  without the HttpOnly session cookie. Before sign-in (the sign-in and sign-up forms) it is a
  random value double-submitted in an HttpOnly, SameSite=Strict cookie, replaced at sign-in
  and sign-out. On every state-changing request to a page, an `Origin` that is not this
  site's — `null` included (sandboxed frames, some redirects) — or `Sec-Fetch-Site:
  cross-site` is refused (403) before the form is read.
- CSP: `default-src 'self'`, no inline script, no framing; every asset is served by the
  registry itself (registries run on intranets: no CDN).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import FastAPI, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataip.web.errors import is_page
from dataip.web.pages.render import render

__all__ = [
    "CSRF_FIELD",
    "clear_session",
    "csrf_ok",
    "install",
    "is_page",
    "same_origin",
    "session_token",
    "set_session",
]

SESSION_COOKIE = "dataip_session"
CSRF_COOKIE = "dataip_csrf"
CSRF_FIELD = "csrf_token"
HOST_PREFIX = "__Host-"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

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


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request, name: str) -> str:
    """`__Host-name` over HTTPS, the bare name over plain HTTP."""
    return HOST_PREFIX + name if _secure(request) else name


def session_token(request: Request) -> str | None:
    """The session token from this scheme's cookie (never the other scheme's)."""
    return request.cookies.get(cookie_name(request, SESSION_COOKIE)) or None


def _session_csrf(session: str) -> str:
    mac = hmac.new(session.encode(), b"dataip csrf v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def expected_csrf(request: Request) -> str | None:
    """The token this visitor's forms must carry: bound to the session when signed in, else
    the pre-session cookie's."""
    session = session_token(request)
    if session:
        return _session_csrf(session)
    anonymous = request.cookies.get(cookie_name(request, CSRF_COOKIE))
    return anonymous if anonymous and len(anonymous) == 43 else None


def _set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request, CSRF_COOKIE),
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def same_origin(request: Request) -> bool:
    """The request does not come from another site: its `Origin`, when sent, is this site
    (`null` is not), and the browser does not call it cross-site."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not every client sends it; the token still has to match
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin.lower() in {own.lower(), _public_origin(request)}


def _public_origin(request: Request) -> str:
    """The origin of DATAIP_PUBLIC_BASE_URL (a proxy may present another Host)."""
    registry = getattr(request.app.state, "registry", None)
    base = str(registry.settings.public_base_url) if registry is not None else ""
    scheme, _, rest = base.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}".lower() if rest else ""


def _csrf_cookie(request: Request, token: str) -> str:
    """The Set-Cookie header value of a pre-session CSRF token."""
    carrier = Response()
    _set_csrf_cookie(request, carrier, token)
    return carrier.headers["set-cookie"]


def _harden(headers: MutableHeaders, secure: bool) -> None:
    """The security headers an answer does not set itself; HSTS over HTTPS."""
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


class PageSecurity:
    """Every page request: refused (403) when state-changing and from another site, else
    given its CSRF token (a new pre-session cookie when it has none) and the security
    headers. Other paths pass straight through. Pure ASGI, like every layer
    (web/middleware.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        secure = _secure(request)
        if request.method in UNSAFE_METHODS and not same_origin(request):
            request.state.csrf_token = ""
            response = render(request, "error.html", {"code": "csrf"}, status_code=403)
            _harden(response.headers, secure)
            await response(scope, receive, send)
            return
        fresh = None
        token = expected_csrf(request)
        if token is None:
            token = fresh = secrets.token_urlsafe(32)
        request.state.csrf_token = token

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if fresh and not getattr(request.state, "csrf_rotated", False):
                    headers.append("set-cookie", _csrf_cookie(request, fresh))
                _harden(headers, secure)
            await send(message)

        await self.app(scope, receive, hardened)


def install(app: FastAPI) -> None:
    app.add_middleware(PageSecurity)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token is the one this visitor's session (or, before sign-in, its
    pre-session cookie) calls for, and the request does not come from another site."""
    expected = expected_csrf(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        return False
    return same_origin(request)


def _rotate_csrf(request: Request, response: Response) -> None:
    """A new pre-session token: the one used before a sign-in or sign-out is spent."""
    request.state.csrf_rotated = True
    _set_csrf_cookie(request, response, secrets.token_urlsafe(32))


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    """Sign the visitor in: the session cookie, and a fresh pre-session CSRF cookie (the
    forms' token is now derived from the new session)."""
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    _rotate_csrf(request, response)


def clear_session(request: Request, response: Response) -> None:
    """Sign the visitor out of this browser: the cookie goes, the CSRF token changes."""
    response.delete_cookie(
        cookie_name(request, SESSION_COOKIE),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    _rotate_csrf(request, response)
