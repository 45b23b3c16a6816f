"""Annotated dependencies so routers stay short: the environment and the acting identity."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.context import Env, Identity
from dataip.services.preconditions import IfMatch as IfMatchHeader


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


# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; If-Match = "*" / #entity-tag
_TAG = r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"'
_IF_MATCH = re.compile(rf"^\s*{_TAG}(?:\s*,\s*{_TAG})*\s*$")
_VERSION = re.compile(r"^\d{1,12}$")


def parse_if_match(value: str) -> IfMatchHeader:
    """`*`, or the versions of the header's strong entity-tags (a weak one never matches a
    write: RFC 9110 §13.1.1 asks for strong comparison). Malformed: 400 `invalid_if_match`."""
    if value.strip() == "*":
        return IfMatchHeader(any=True)
    if not _IF_MATCH.match(value):
        raise DomainError(
            "invalid_if_match",
            'If-Match 须为 ETag（如 "3"）或 *',
            'If-Match must be entity-tags such as "3", or *',
            status=400,
        )
    versions = {
        int(opaque)
        for weak, opaque in re.findall(_TAG, value)
        if not weak and _VERSION.match(opaque)
    }
    return IfMatchHeader(versions=frozenset(versions))


def if_match(
    if_match: Annotated[
        str | None,
        Header(description='ETag of the version read, e.g. "3" (strong; `W/` tags never match)'),
    ] = None,
) -> IfMatchHeader | None:
    """The write's precondition; absent: none (the service still refuses lost updates)."""
    return None if if_match is None else parse_if_match(if_match)


def if_match_required(
    if_match: Annotated[
        str | None,
        Header(description='required: ETag of the version read, e.g. "3" (428 without it)'),
    ] = None,
) -> IfMatchHeader | None:
    """The same header, for a write that must name the version it acted on. Its service
    answers 428 without one — after the caller's right to the record is checked, so a
    stranger learns nothing."""
    return None if if_match is None else parse_if_match(if_match)


EnvDep = Annotated[Env, Depends(get_env)]
IdentityDep = Annotated[Identity, Depends(get_identity)]
IfMatch = Annotated[IfMatchHeader | None, Depends(if_match)]
IfMatchRequired = Annotated[IfMatchHeader | None, Depends(if_match_required)]
