"""Institutional callers in tests (issue 20): the one place routes guarded by
``require_scopes(...)`` (web/api/institution_auth.py) are given a principal.

Until the token endpoint exists, :func:`as_institution` overrides every such dependency of
the app with one that answers as ``require_scopes`` will: the principal when it holds every
scope the route names, 403 ``insufficient_scope`` otherwise. When OAuth tokens arrive, this
module is switched to obtain a real token for the principal (client credentials with
private_key_jwt) and the tests keep their shape: they ask for a principal and call the routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from dataip.domain.errors import DomainError
from dataip.sharing.scopes import GRANTABLE, Principal
from tests.support.routes import all_routes


def principal(kind: str, *, scopes: frozenset[str] | None = None, n: int = 1) -> Principal:
    """A client of institution kind `kind` holding `scopes` (default: all its kind may)."""
    return Principal(
        client_id=f"{kind}-client-{n}",
        institution_id=n,
        kind=kind,
        name=f"test {kind} {n}",
        scopes=GRANTABLE[kind] if scopes is None else scopes,
        token_id=f"jti-{kind}-{n}",
    )


def _scope_dependencies(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for d in dependant.dependencies:
        call = d.call
        if "require_scopes" in getattr(call, "__qualname__", ""):
            yield call  # type: ignore[misc]
        yield from _scope_dependencies(d)


def _required(call: Callable[..., Any]) -> tuple[str, ...]:
    """The scopes a `require_scopes` dependency demands (it carries them as
    `required_scopes`; the stub before the token check did not: then none here, and the
    services' own scope check answers, as `services/sharing/preservation.acting_identity`)."""
    return tuple(getattr(call, "required_scopes", ()))


@contextmanager
def as_institution(app: FastAPI, who: Principal) -> Iterator[Principal]:
    """Every institutional route of `app` answers as if `who` presented a valid token."""
    calls = {
        call
        for route in all_routes(app)
        if hasattr(route, "dependant")
        for call in _scope_dependencies(route.dependant)
    }

    def answer(required: tuple[str, ...]) -> Callable[[], Principal]:
        def dependency() -> Principal:
            missing = [s for s in required if not who.allows(s)]
            if missing:
                raise DomainError(
                    "insufficient_scope",
                    "访问令牌不含所需权限",
                    "the access token lacks a required scope",
                    status=403,
                    details={"required": missing},
                )
            return who

        return dependency

    for call in calls:
        app.dependency_overrides[call] = answer(_required(call))
    try:
        yield who
    finally:
        for call in calls:
            app.dependency_overrides.pop(call, None)
