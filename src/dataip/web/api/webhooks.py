"""Webhook subscriptions over HTTP (issue 20 §5): a client with ``webhooks:manage`` manages
its own subscriptions, replays them from a log position and reads their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from dataip.services.sharing import subscriptions as svc
from dataip.sharing.scopes import WEBHOOKS_MANAGE, Principal
from dataip.web.api.institution_auth import require_scopes
from dataip.web.deps import EnvDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MANAGE_WEBHOOKS = require_scopes(WEBHOOKS_MANAGE)  # overridden in tests until tokens land
Manager = Annotated[Principal, Depends(MANAGE_WEBHOOKS)]
Scheme = Literal["v1a", "v1"]
SubId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class WebhookCreate(BaseModel):
    url: str = Field(max_length=2000, description="where to POST (https; see url_guard)")
    types: list[str] = Field(
        default_factory=list,
        max_length=64,
        description="CloudEvents types to receive; empty: every type the client's scopes allow",
    )
    signing: list[Scheme] = Field(
        default_factory=lambda: list[Scheme](["v1a"]),
        max_length=2,
        description="Standard Webhooks schemes: v1a (Ed25519, default), v1 (HMAC-SHA256)",
    )


class WebhookRead(BaseModel):
    id: int
    url: str
    types: list[str]
    delivered_types: list[str]
    signing: list[str]
    public_key: str | None = Field(description="whpk_…: verifies the v1a signatures")
    state: str
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    messages: dict[str, int] = Field(default_factory=dict)


class WebhookCreated(WebhookRead):
    secret: str | None = Field(description="whsec_… for v1, shown only in this answer")


class WebhookUpdate(BaseModel):
    state: Literal["active", "paused"]


class ReplayRequest(BaseModel):
    from_sequence: int = Field(ge=0, le=2**62)
    count: int = Field(default=svc.REPLAY_MAX, ge=1, le=svc.REPLAY_MAX)


class ReplayRead(BaseModel):
    queued: int
    from_sequence: int
    next_sequence: int


class DeliveryRead(BaseModel):
    id: int
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    log_index: int
    state: str


@router.post("", status_code=201, response_model=WebhookCreated)
def create(
    body: WebhookCreate, env: EnvDep, principal: Manager, request: Request
) -> dict[str, Any]:
    """Subscribe an endpoint to feed events (its v1 secret is shown only here). The URL must
    be https and its host resolve only to public addresses (no loopback, private,
    link-local, unique-local, multicast or unspecified ones), unless the operator allows
    them (`DATAIP_WEBHOOK_ALLOW_PRIVATE_URLS`)."""
    return svc.create(
        env,
        principal,
        url=body.url,
        types=body.types,
        signing=list(body.signing),
        allow_private_urls=request.app.state.registry.settings.webhook_allow_private_urls,
    )


@router.get("", response_model=list[WebhookRead])
def list_subscriptions(env: EnvDep, principal: Manager) -> list[dict[str, Any]]:
    return svc.list_own(env, principal)


@router.get("/{sub_id}", response_model=WebhookRead)
def get(sub_id: SubId, env: EnvDep, principal: Manager) -> dict[str, Any]:
    return svc.get(env, principal, sub_id)


@router.patch("/{sub_id}", response_model=WebhookRead)
def update(sub_id: SubId, body: WebhookUpdate, env: EnvDep, principal: Manager) -> dict[str, Any]:
    """Pause (messages queue, none is sent) or resume, also after a 410 disabled it."""
    return svc.set_state(env, principal, sub_id, body.state)


@router.delete("/{sub_id}", status_code=204, response_class=Response)
def delete(sub_id: SubId, env: EnvDep, principal: Manager) -> Response:
    svc.delete(env, principal, sub_id)
    return Response(status_code=204)


@router.post("/{sub_id}/replay", response_model=ReplayRead)
def replay(sub_id: SubId, body: ReplayRequest, env: EnvDep, principal: Manager) -> dict[str, Any]:
    """Send again every subscribed event from a log position on (same `webhook-id`s)."""
    return svc.replay(env, principal, sub_id, from_sequence=body.from_sequence, count=body.count)


@router.get("/{sub_id}/deliveries", response_model=list[DeliveryRead])
def deliveries(
    sub_id: SubId,
    env: EnvDep,
    principal: Manager,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[dict[str, Any]]:
    """The delivery log, newest first: attempt, HTTP status, latency, error."""
    return svc.deliveries(env, principal, sub_id, limit=limit, before=before)
