"""Issue 18, section 4: the portal's CSRF token is bound to the session and changes at
sign-in; over HTTPS the session and CSRF cookies take the `__Host-` prefix; a state-changing
form from another origin — `Origin: null` included — is refused."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.web.errors import is_page
from tests.support.api import Api
from tests.support.db import changed_tables, snapshot


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the form carries a CSRF token"
    return m.group(1)


def _sign_in(c: TestClient, username: str) -> str:
    """Sign in through the form; returns the token the signed-in pages carry."""
    before = _csrf(c.get("/login").text)
    r = c.post(
        "/login",
        data={"csrf_token": before, "username": username, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return _csrf(c.get("/portal").text)


def test_i18_the_csrf_token_is_bound_to_the_session_and_changes_at_sign_in(
    api: Api, app: FastAPI
) -> None:
    alice, bob = api.user("applicant"), api.user("applicant")
    anonymous = _csrf(api.c.get("/login").text)
    token_a = _sign_in(api.c, alice)
    assert token_a != anonymous
    # the token from before sign-in is spent (a forged or fixed pre-login token is no use)
    assert api.c.post("/parties", data={"csrf_token": anonymous}).status_code == 403
    # another session's token does not pass for this one
    with TestClient(app) as other:
        token_b = _sign_in(other, bob)
        assert token_b != token_a
        assert other.post("/logout", data={"csrf_token": token_a}).status_code == 403
        assert other.get("/portal", follow_redirects=False).status_code == 200  # still in
    # signing in again (a new session) changes the token again
    again = _sign_in(api.c, alice)
    assert again != token_a
    assert api.c.post("/logout", data={"csrf_token": token_a}).status_code == 403
    assert (
        api.c.post("/logout", data={"csrf_token": again}, follow_redirects=False).status_code == 303
    )


def test_i18_a_planted_csrf_cookie_does_not_pass_for_a_signed_in_session(api: Api) -> None:
    """Double-submit alone trusted any cookie equal to the field: a cookie planted by a
    sibling host (or over plain HTTP) with a value the attacker knows passed. Now a
    signed-in form must carry its session's token."""
    alice = api.user("applicant")
    _sign_in(api.c, alice)
    planted = "A" * 43
    api.c.cookies.set("dataip_csrf", planted)
    r = api.c.post("/logout", data={"csrf_token": planted}, follow_redirects=False)
    assert r.status_code == 403
    assert api.c.get("/portal", follow_redirects=False).status_code == 200


def _page_posts(app: FastAPI) -> list[str]:
    """Every page route that takes a POST (through lazily included routers if need be)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI keeps flat routes
        routes = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    paths = []
    for route in routes:
        path = getattr(route, "path", None) or ""
        if "POST" in (getattr(route, "methods", None) or ()) and path and is_page(path):
            paths.append(re.sub(r"\{[^}]+\}", "1", path))
    return sorted(set(paths))


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null"},
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "https://testserver"},  # same host, other scheme: another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["origin-null", "other-site", "lookalike-host", "other-scheme", "fetch-cross-site"],
)
def test_i18_every_state_changing_form_refuses_another_origin(
    api: Api, app: FastAPI, registry: Registry, headers: dict[str, str]
) -> None:
    """`Origin: null` (a sandboxed frame, a data: URL, some redirects) was let through. Every
    page POST now refuses another origin before it reads the form — even with a valid token
    and session."""
    alice = api.user("applicant")
    token = _sign_in(api.c, alice)
    posts = _page_posts(app)
    assert "/login" in posts and "/logout" in posts and "/applications/new" in posts
    before = snapshot(registry)
    for path in posts:
        r = api.c.post(path, data={"csrf_token": token}, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
        assert "text/html" in r.headers["content-type"]
    assert changed_tables(before, snapshot(registry)) == {}
    # the same form from this site goes through
    ok = api.c.post(
        "/logout",
        data={"csrf_token": token},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_i18_cookies_take_the_host_prefix_over_https(api: Api, app: FastAPI) -> None:
    alice = api.user("applicant")
    with TestClient(app, base_url="https://testserver") as tls:
        page = tls.get("/login")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-dataip_csrf=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
        r = tls.post(
            "/login",
            data={"csrf_token": _csrf(page.text), "username": alice, "password": "pass-word-1"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        session = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith("__Host-dataip_session=")
        )
        assert "Secure" in session and "HttpOnly" in session and "Path=/" in session
        assert "Domain" not in session
        assert tls.get("/portal", follow_redirects=False).status_code == 200
        assert r.headers["strict-transport-security"]
        token = tls.cookies.get("__Host-dataip_session")
        assert token
    # an unprefixed cookie is not read over HTTPS (it may have been planted), nor the
    # prefixed one over plain HTTP
    with TestClient(app, base_url="https://testserver") as tls:
        tls.cookies.set("dataip_session", token)
        assert tls.get("/portal", follow_redirects=False).status_code == 303
    with TestClient(app) as plain:
        plain.cookies.set("__Host-dataip_session", token)
        assert plain.get("/portal", follow_redirects=False).status_code == 303
        plain.cookies.set("dataip_session", token)
        assert plain.get("/portal", follow_redirects=False).status_code == 200
