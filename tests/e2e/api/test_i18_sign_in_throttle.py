"""Issue 18, section 4: one sign-in throttle for the API and the portal, per account and per
client address, kept in the database so that several server processes share it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry, build
from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.context import FixedClock
from dataip.services.login_throttle import LoginPolicy
from tests.support.api import Api, problem
from tests.support.db import count

TOKEN = "/api/v1/auth/token"


def _token(c: TestClient, username: str, password: str) -> object:
    return c.post(TOKEN, json={"username": username, "password": password})


def _portal_login(c: TestClient, username: str, password: str) -> object:
    page = c.get("/login").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    return c.post(
        "/login",
        data={"csrf_token": m.group(1), "username": username, "password": password},
        follow_redirects=False,
    )


@pytest.fixture
def throttle_clock(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The throttle's real-time clock, made a fake one for the test."""
    clock = FixedClock(datetime(2026, 9, 28, 2, 0, tzinfo=UTC))
    policy = dataclasses.replace(registry.env.login_policy, clock=clock)
    monkeypatch.setattr(registry.env, "login_policy", policy)
    return clock


def test_i18_the_token_endpoint_is_throttled_with_the_portal(api: Api) -> None:
    """The fault: 20 wrong passwords on POST /auth/token, then the right one got 201 while
    the portal was locked. Now the sixth try is refused, the right password too, on the API
    and on the portal alike, with Retry-After."""
    user = api.user("applicant")
    answers = [_token(api.c, user, "wrong-password").status_code for _ in range(20)]
    assert answers == [401] * 5 + [429] * 15
    r = _token(api.c, user, "pass-word-1")
    body = problem(r, 429, "too_many_attempts")
    wait = int(r.headers["retry-after"])
    assert 0 < wait <= 900 and body["details"]["retry_after"] == wait
    page = _portal_login(api.c, user, "pass-word-1")
    assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
    assert "登录失败次数过多" in page.text
    # the refusals while locked were not counted: 5 failures are on record
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    assert count(registry, "login_attempts") == 5


def test_i18_portal_failures_lock_the_api_too(api: Api) -> None:
    user = api.user("applicant")
    for _ in range(5):
        assert _portal_login(api.c, user, "wrong-password").status_code == 401
    problem(_token(api.c, user, "pass-word-1"), 429, "too_many_attempts")


@pytest.fixture
def second_server(registry: Registry, client: TestClient) -> Iterator[TestClient]:
    """Another server process on the same database: its own engine, Env and app."""
    from dataip.web.app import create_app

    other = build(registry.settings, clock=registry.env.clock)
    app: FastAPI = create_app(registry=other)
    with TestClient(app) as c:
        yield c
    other.dispose()


def test_i18_the_throttle_is_shared_by_server_processes(
    api: Api, second_server: TestClient
) -> None:
    user = api.user("applicant")
    for _ in range(5):
        assert _token(api.c, user, "wrong-password").status_code == 401
    problem(_token(second_server, user, "pass-word-1"), 429, "too_many_attempts")
    assert _portal_login(second_server, user, "pass-word-1").status_code == 429


def test_i18_the_lock_lifts_when_the_window_has_passed(
    api: Api, throttle_clock: FixedClock
) -> None:
    user = api.user("applicant")
    for minute in range(5):  # one failure a minute, from 10:00 to 10:04
        throttle_clock.advance_to(datetime(2026, 9, 28, 2, minute, tzinfo=UTC))
        assert _token(api.c, user, "wrong-password").status_code == 401
    throttle_clock.advance_to(datetime(2026, 9, 28, 2, 10, tzinfo=UTC))
    r = _token(api.c, user, "pass-word-1")
    problem(r, 429, "too_many_attempts")
    assert r.headers["retry-after"] == str(5 * 60)  # the first failure leaves at 10:15
    throttle_clock.advance_to(datetime(2026, 9, 28, 2, 15, tzinfo=UTC))
    assert _token(api.c, user, "pass-word-1").status_code == 201
    # a sign-in clears the failures: five more may be wrong before the next lock
    assert [_token(api.c, user, "wrong").status_code for _ in range(6)] == [401] * 5 + [429]


def test_i18_an_account_is_locked_for_guesses_spread_over_addresses(
    api: Api, app: FastAPI, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry.env, "login_policy", LoginPolicy(per_pair=5, per_account=8, per_address=12)
    )
    user, bystander = api.user("applicant"), api.user("applicant")
    clients = [TestClient(app, client=(f"203.0.113.{i}", 40000)) for i in range(1, 6)]
    # two wrong guesses from each of four addresses: no pair at its limit, the account at 8
    for c in clients[:4]:
        assert [_token(c, user, "wrong").status_code for _ in range(2)] == [401, 401]
    problem(_token(clients[4], user, "pass-word-1"), 429, "too_many_attempts")
    assert _token(clients[4], bystander, "pass-word-1").status_code == 201


def test_i18_an_address_is_locked_for_guesses_spread_over_accounts(
    api: Api, app: FastAPI, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        registry.env, "login_policy", LoginPolicy(per_pair=5, per_account=8, per_address=12)
    )
    user = api.user("applicant")
    sprayer = TestClient(app, client=("198.51.100.7", 40000))
    elsewhere = TestClient(app, client=("198.51.100.8", 40000))
    for n in range(12):  # one guess each at twelve accounts, most of which do not exist
        assert _token(sprayer, f"user{n}", "Passw0rd!").status_code == 401
    problem(_token(sprayer, user, "pass-word-1"), 429, "too_many_attempts")
    assert _token(elsewhere, user, "pass-word-1").status_code == 201


def test_i18_concurrent_guesses_get_no_more_than_the_limit(api: Api, registry: Registry) -> None:
    """The attempt is reserved under a lock before the password is checked: eight guesses
    at once from one address get five answers on the password and three refusals."""
    user = api.user("applicant")
    env = registry.env

    def guess(_: int) -> str:
        try:
            accounts.login(env=env, username=user, password="wrong", client="192.0.2.1")
        except DomainError as e:
            return e.code
        return "signed_in"

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(guess, range(8)))
    assert codes == ["invalid_credentials"] * 5 + ["too_many_attempts"] * 3
