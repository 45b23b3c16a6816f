"""The dependency every institutional route uses: ``Depends(require_scopes("events:read"))``
gives the route the :class:`~dataip.sharing.scopes.Principal` of a valid access token
holding every scope named, or answers 401 (no, expired or invalid token) / 403
(``insufficient_scope``) as problem+json. Issue 20 §2 implements the token check."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from dataip.domain.errors import DomainError
from dataip.sharing.scopes import Principal


def require_scopes(*scopes: str) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        raise DomainError(
            "invalid_token",
            "机构访问令牌尚不可用",
            "institutional access tokens are not available yet",
            status=401,
        )

    return dependency
