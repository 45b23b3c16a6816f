"""The dependency every institutional route uses: ``Depends(require_scopes("events:read"))``
gives the route the :class:`~dataip.sharing.scopes.Principal` of a valid access token
holding every scope named, or answers 401 (no, expired or invalid token, or a suspended or
revoked client: `invalid_token`) / 403 (`insufficient_scope`, RFC 6750 §3.1) as
problem+json. Tokens come from ``POST /oauth/token`` (services/sharing/tokens.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.sharing import tokens
from dataip.sharing.scopes import SCOPES, Principal

__all__ = ["insufficient_scope", "require_scopes"]


def insufficient_scope(missing: list[str]) -> DomainError:
    return DomainError(
        "insufficient_scope",
        "访问令牌缺少所需权限：" + "、".join(SCOPES[s][0] if s in SCOPES else s for s in missing),
        "the access token lacks the scope " + " ".join(missing),
        status=403,
        details={"required_scopes": missing},
    )


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if not auth:
        return None
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise tokens.invalid_token(
            "Authorization must be a Bearer token", "Authorization 须为 Bearer 令牌"
        )
    return token.strip()


def require_scopes(*scopes: str) -> Callable[[Request], Principal]:
    needed = tuple(scopes)

    def dependency(request: Request) -> Principal:
        env: Env = request.app.state.registry.env
        principal = tokens.authenticate(env=env, token=_bearer(request))
        missing = [s for s in needed if not principal.allows(s)]
        if missing:
            raise insufficient_scope(missing)
        return principal

    dependency.required_scopes = needed  # type: ignore[attr-defined]  # read by problems.machinery
    return dependency
