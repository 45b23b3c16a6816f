"""Accounts: sign-up, login (bearer tokens), the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from dataip.domain import model as m
from dataip.schemas.text import Line, Strict
from dataip.services import accounts
from dataip.web.deps import EnvDep, IdentityDep, bearer

router = APIRouter(tags=["accounts"])
Role = Literal["applicant", "agent", "examiner", "registrar_admin"]


class AccountCreate(Strict):
    username: Line = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    display_name: Line = Field(min_length=1, max_length=200)
    role: Role = "applicant"
    email: Line | None = Field(default=None, max_length=254)


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    created_at: datetime

    @classmethod
    def of(cls, u: m.User) -> UserRead:
        return cls(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            created_at=u.created_at,
        )


class TokenCreate(Strict):
    username: Line = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str
    user: UserRead


@router.post("/accounts", status_code=201, response_model=UserRead)
def sign_up(body: AccountCreate, env: EnvDep, identity: IdentityDep) -> UserRead:
    """Sign up as applicant or agent; examiners and admins are created by an admin."""
    user = accounts.sign_up(
        identity,
        env=env,
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        role=body.role,
        email=body.email,
    )
    return UserRead.of(user)


@router.post(
    "/auth/token",
    status_code=201,
    response_model=TokenRead,
    responses={
        429: {
            "description": "too many failed sign-ins for the account, the client address or "
            "the pair (`too_many_attempts`); `Retry-After` gives the seconds to wait",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        }
    },
)
def login(body: TokenCreate, env: EnvDep, request: Request) -> TokenRead:
    """A bearer token for the account; throttled with the portal's sign-in (docs/api.md)."""
    issued = accounts.login(
        env=env,
        username=body.username,
        password=body.password,
        client=request.client.host if request.client else None,
        ttl_hours=request.app.state.registry.settings.token_ttl_hours,
    )
    return TokenRead(
        access_token=issued.token, expires_at=issued.expires_at_iso, user=UserRead.of(issued.user)
    )


@router.delete("/auth/token", status_code=204)
def logout(env: EnvDep, identity: IdentityDep, request: Request) -> None:
    identity.require_login()
    token = bearer(request)
    assert token is not None
    accounts.logout(env=env, token=token)


@router.get("/me", response_model=UserRead)
def me(env: EnvDep, identity: IdentityDep) -> UserRead:
    return UserRead.of(accounts.get_user(identity, env=env))
