"""The OAuth 2.0 authorization server for institutions (issue 20 §2): the token endpoint
(RFC 6749 §4.4 client credentials, RFC 7523 `private_key_jwt`) and its metadata (RFC 8414).
The checks are services/sharing/tokens.py's; here the form is read and the answers written:
a token as RFC 6749 §5.1 has it, a refusal as problem+json that also carries RFC 6749 §5.2's
`error` and `error_description`, so OAuth client libraries read it as they expect."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from dataip.domain.errors import DomainError
from dataip.services.sharing import tokens
from dataip.web.errors import problem

router = APIRouter(tags=["institutions"])

_PARAMS = ("grant_type", "scope", "client_assertion_type", "client_assertion", "client_id")


def issuer(request: Request) -> str:
    return str(request.app.state.registry.settings.public_base_url).rstrip("/")


def token_endpoint(request: Request) -> str:
    return issuer(request) + "/oauth/token"


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


def _refusal(e: DomainError, path: str) -> Response:
    response = problem(e.status, e.code, e.message_zh, e.message_en, instance=path)
    body: dict[str, Any] = {
        **json.loads(bytes(response.body)),
        "error": e.code,
        "error_description": e.message_en,
    }
    return JSONResponse(
        body,
        status_code=e.status,
        media_type="application/problem+json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type", "client_assertion_type", "client_assertion"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {
            "type": "string",
            "description": "space-separated scopes; default: all the client's own",
        },
        "client_assertion_type": {"type": "string", "enum": [tokens.ASSERTION_TYPE]},
        "client_assertion": {
            "type": "string",
            "description": "a JWT signed with one of the client's keys (RFC 7523 §3): "
            "iss = sub = client_id, aud = the token endpoint, exp ≤ 5 minutes ahead, a "
            "fresh jti, header kid",
        },
    },
}


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA}},
        }
    },
)
async def token(request: Request) -> Response:
    """An access token for an institution's client (client credentials with
    `private_key_jwt`); see docs/sharing.md."""
    try:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise tokens.oauth_error(
                "invalid_request",
                "请求须为 application/x-www-form-urlencoded 表单",
                "send the parameters as application/x-www-form-urlencoded",
            )
        form = await request.form(max_files=0, max_fields=20)
        repeated = sorted({k for k in form if k in _PARAMS and len(form.getlist(k)) > 1})
        if repeated:  # RFC 6749 §3.2: parameters MUST NOT be included more than once
            raise tokens.oauth_error(
                "invalid_request", "参数不得重复", f"repeated parameters: {', '.join(repeated)}"
            )
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        issued = await run_in_threadpool(
            lambda: tokens.issue(
                env=request.app.state.registry.env,
                form=fields,
                token_endpoint=token_endpoint(request),
                issuer=issuer(request),
            )
        )
    except DomainError as e:
        return _refusal(e, request.url.path)
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata(request: Request) -> dict[str, Any]:
    """RFC 8414 metadata of the registry's token endpoint."""
    return tokens.metadata(issuer=issuer(request), token_endpoint=token_endpoint(request))
