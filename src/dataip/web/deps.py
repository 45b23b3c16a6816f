"""Annotated dependencies so routers stay short: the environment and the acting identity."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.context import Env, Identity


def get_env(request: Request) -> Env:
    env: Env = request.app.state.registry.env
    return env


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if not auth:
        return None
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise DomainError(
            "invalid_token",
            "Authorization 须为 Bearer 令牌",
            "Authorization must be a Bearer token",
            status=401,
        )
    return token.strip()


def get_identity(request: Request, env: Annotated[Env, Depends(get_env)]) -> Identity:
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    identity = accounts.authenticate(env=env, token=bearer(request))
    request.state.identity = identity
    return identity


_ETAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')


def if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """Parse `If-Match: "7"` into the version number; `*` or absent means no check."""
    if if_match is None or if_match.strip() == "*":
        return None
    m = _ETAG.match(if_match.strip())
    if not m:
        raise DomainError(
            "invalid_if_match",
            'If-Match 须为版本号 ETag，如 "3"',
            'If-Match must be a version ETag such as "3"',
            status=400,
        )
    return int(m.group(1))


EnvDep = Annotated[Env, Depends(get_env)]
IdentityDep = Annotated[Identity, Depends(get_identity)]
IfMatch = Annotated[int | None, Depends(if_match)]
