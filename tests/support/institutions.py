"""Institutional clients in tests (issue 20): the one place that says who a request stands for.

Until the token endpoint lands (issue 20 §2, `web/api/institution_auth.require_scopes` still
answers 401), :func:`as_institution` overrides the institutional routes' scope dependencies on
the session-wide app with a :class:`Principal` the test builds, and restores them after the
test. When real tokens arrive, replace the body of :func:`as_institution` with a client
registration and a token request, and return the bearer headers instead — the tests call
only ``institution(...)`` and pass ``headers=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI, Request

from dataip.domain.errors import DomainError
from dataip.sharing.scopes import EVENTS_READ, WEBHOOKS_MANAGE, Principal
from dataip.web.api import events, webhooks

# the dependency objects of the routes these tests call
_DEPENDENCIES = (events.READ_EVENTS, webhooks.MANAGE_WEBHOOKS)

Institution = Callable[..., dict[str, str]]


def principal(
    client_id: str = "bank-1",
    *,
    kind: str = "bank",
    scopes: frozenset[str] = frozenset({EVENTS_READ, WEBHOOKS_MANAGE}),
) -> Principal:
    return Principal(
        client_id=client_id,
        institution_id=abs(hash(client_id)) % 10_000 + 1,
        kind=kind,
        name=f"{kind} {client_id}",
        scopes=scopes,
        token_id=f"jti-{client_id}",
    )


@contextmanager
def override(app: FastAPI) -> Iterator[Institution]:
    """Answer the institutional routes' scope checks with principals made here; yields
    ``make(client_id, kind=…, scopes=…) -> headers``. Restores the app on exit.

    The override answers by the ``x-test-client`` header, so one test can act as several
    clients; requests without it are refused as the real check would (401)."""
    known: dict[str, Principal] = {}
    saved = {d: app.dependency_overrides.get(d) for d in _DEPENDENCIES}

    def for_route(required: str) -> Callable[..., Principal]:
        def dependency(request: Request) -> Principal:
            who = request.headers.get("x-test-client", "")
            if who not in known:
                raise DomainError("invalid_token", "无效令牌", "no valid token", status=401)
            p = known[who]
            if required not in p.scopes:
                raise DomainError(
                    "insufficient_scope", "权限不足", "insufficient scope", status=403
                )
            return p

        return dependency

    app.dependency_overrides[events.READ_EVENTS] = for_route(EVENTS_READ)
    app.dependency_overrides[webhooks.MANAGE_WEBHOOKS] = for_route(WEBHOOKS_MANAGE)

    def make(client_id: str = "bank-1", **kw: object) -> dict[str, str]:
        known[client_id] = principal(client_id, **kw)  # type: ignore[arg-type]
        return {"x-test-client": client_id}

    try:
        yield make
    finally:
        for d, before in saved.items():
            if before is None:
                app.dependency_overrides.pop(d, None)
            else:
                app.dependency_overrides[d] = before


@pytest.fixture
def institution(app: FastAPI) -> Iterator[Institution]:
    """``institution(client_id, kind=…, scopes=…)`` -> the headers to send as that client."""
    with override(app) as make:
        yield make
