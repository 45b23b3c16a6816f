"""Webhook subscriptions (事件推送订阅, issue 20 §5): a client with ``webhooks:manage``
creates, lists, pauses, resumes and deletes its own subscriptions, replays them from a log
position and reads their delivery log. A client sees and touches only its own.

What a subscription receives is fixed when it is made: the CloudEvents types the client's
scopes allowed then (``allowed``), narrowed by the types it asked for (``types``, empty: all
allowed). Its signing secrets never leave the registry except the ``v1`` shared secret,
shown once in the answer that creates it; the ``v1a`` public key is shown every time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.sharing import webhooks as wh
from dataip.sharing.cloudevents import stored_types, visible_types
from dataip.sharing.scopes import EVENTS_READ, Principal

from . import url_guard

STATES = ("active", "paused")  # what a client may set; "disabled" is the registry's (410)
MAX_PER_CLIENT = 100
REPLAY_MAX = 10_000


def _not_found() -> DomainError:
    return DomainError(
        "webhook_not_found", "未找到该推送订阅", "no such webhook subscription", status=404
    )


def view(row: dict[str, Any], counts: dict[str, int] | None = None) -> dict[str, Any]:
    """What the client reads of a subscription (never its secrets)."""
    key = wh.SigningKey(tuple(row["schemes"].split()), row["ed25519_secret"], None)
    out = {
        "id": row["id"],
        "url": row["url"],
        "types": list(row["types"]),
        "delivered_types": sorted(row["types"] or row["allowed"]),
        "signing": list(key.schemes),
        "public_key": key.public_key,
        "state": row["state"],
        "disabled_reason": row["disabled_reason"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if counts is not None:
        out["messages"] = counts
    return out


def _own(uow: Any, principal: Principal, sub_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = uow.webhooks.subscription(sub_id)
    if row is None or row["client_id"] != principal.client_id:
        raise _not_found()  # another client's subscription does not exist for this one
    return row


def create(
    env: Env,
    principal: Principal,
    *,
    url: str,
    types: list[str],
    signing: list[str],
    allow_private_urls: bool = False,
) -> dict[str, Any]:
    """A new active subscription; the answer carries the ``v1`` secret, once. The URL must
    be https and resolve only to public addresses unless ``allow_private_urls``
    (``url_guard``; checked again at every delivery)."""
    allowed = visible_types(principal.scopes)
    if EVENTS_READ not in principal.scopes:
        raise DomainError(
            "insufficient_scope",
            "订阅事件推送须有 events:read 权限",
            "webhooks deliver feed events: the events:read scope is required",
            status=403,
            details={"required": [EVENTS_READ]},
        )
    beyond = sorted(set(types) - allowed)
    if beyond:
        raise DomainError(
            "webhook_type_not_allowed",
            "所选事件类型超出本机构的权限范围",
            "event types beyond the client's scopes",
            status=403,
            details={"types": beyond},
        )
    url_guard.check(url, allow_private=allow_private_urls)
    try:
        key = wh.new_key(tuple(signing) or ("v1a",))
    except ValueError as e:
        raise DomainError(
            "webhook_signing_invalid",
            "签名方式须为 v1a、v1 或两者",
            "signing must be v1a, v1 or both",
            status=422,
        ) from e
    now = env.now()
    with env.uow() as uow:
        if len(uow.webhooks.subscriptions(client_id=principal.client_id)) >= MAX_PER_CLIENT:
            raise DomainError(
                "webhook_limit_reached",
                "推送订阅数量已达上限",
                f"a client may hold at most {MAX_PER_CLIENT} subscriptions",
                status=409,
            )
        sub_id = uow.webhooks.add_subscription(
            {
                "client_id": principal.client_id,
                "url": url,
                "types": sorted(set(types)),
                "allowed": sorted(allowed),
                "schemes": " ".join(key.schemes),
                "ed25519_secret": key.ed25519_secret,
                "hmac_secret": key.hmac_secret,
                "state": "active",
                "created_at": now,
                "updated_at": now,
            }
        )
        uow.commit()
        row = uow.webhooks.subscription(sub_id)
    out = view(row)
    out["secret"] = key.hmac_secret  # whsec_…, shown only now
    return out


def list_own(env: Env, principal: Principal) -> list[dict[str, Any]]:
    with env.read() as uow:
        rows = uow.webhooks.subscriptions(client_id=principal.client_id)
        return [view(r, uow.webhooks.message_counts(r["id"])) for r in rows]


def get(env: Env, principal: Principal, sub_id: int) -> dict[str, Any]:
    with env.read() as uow:
        row = _own(uow, principal, sub_id)
        return view(row, uow.webhooks.message_counts(sub_id))


def set_state(env: Env, principal: Principal, sub_id: int, state: str) -> dict[str, Any]:
    """Pause (messages keep queuing, none is sent) or resume — also after a 410 disabled it."""
    if state not in STATES:
        raise DomainError(
            "webhook_state_invalid",
            "状态须为 active 或 paused",
            "state must be active or paused",
            status=422,
        )
    with env.uow() as uow:
        _own(uow, principal, sub_id)
        uow.webhooks.update_subscription(
            sub_id, state=state, disabled_reason=None, updated_at=env.now()
        )
        uow.commit()
    return get(env, principal, sub_id)


def delete(env: Env, principal: Principal, sub_id: int) -> None:
    with env.uow() as uow:
        _own(uow, principal, sub_id)
        uow.webhooks.delete_subscription(sub_id)
        uow.commit()


def replay(
    env: Env, principal: Principal, sub_id: int, *, from_sequence: int, count: int = REPLAY_MAX
) -> dict[str, Any]:
    """Queue again the subscription's events from log position ``from_sequence`` on (at most
    ``count`` log positions, up to the latest checkpoint): each is sent again under its own
    ``webhook-id``, so a receiver that kept them recognises them."""
    count = max(1, min(count, REPLAY_MAX))
    at: datetime = env.now()
    with env.uow() as uow:
        row = _own(uow, principal, sub_id)
        size = uow.feed.published_size()
        end = min(size, from_sequence + count)
        types = stored_types(row["types"] or row["allowed"])
        queued = (
            uow.webhooks.replay(sub_id=sub_id, start=from_sequence, end=end, types=types, at=at)
            if from_sequence < end
            else 0
        )
        uow.commit()
    return {
        "queued": queued,
        "from_sequence": from_sequence,
        "next_sequence": max(end, from_sequence),
    }


def deliveries(
    env: Env, principal: Principal, sub_id: int, *, limit: int = 100, before: int | None = None
) -> list[dict[str, Any]]:
    """The delivery log, newest first: attempt, status code, latency, error."""
    with env.read() as uow:
        _own(uow, principal, sub_id)
        return list(uow.webhooks.attempts(sub_id, limit=max(1, min(limit, 500)), before=before))
