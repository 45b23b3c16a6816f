"""Idempotency-Key support: a repeated POST with the same key replays the first answer."""

from __future__ import annotations

import contextlib
import hashlib

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict

MAX_KEY = 200


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def lookup(*, env: Env, user_id: int, key: str, req_hash: str) -> m.IdempotencyRecord | None:
    if not key or len(key) > MAX_KEY:
        raise DomainError(
            "invalid_idempotency_key",
            "Idempotency-Key 须为1至200个字符",
            "Idempotency-Key must be 1–200 characters",
            status=400,
        )
    with env.uow() as uow:
        rec = uow.idempotency.find(user_id, key)
        if rec is not None and rec.request_hash != req_hash:
            raise DomainError(
                "idempotency_key_reused",
                "该 Idempotency-Key 已用于另一个请求",
                "this Idempotency-Key was used for a different request",
                status=422,
            )
        return rec


def store(*, env: Env, user_id: int, key: str, req_hash: str, status: int, body: str) -> None:
    with env.uow() as uow:
        uow.idempotency.add(
            m.IdempotencyRecord(
                key=key,
                user_id=user_id,
                request_hash=req_hash,
                status=status,
                body=body,
                created_at=env.now(),
            )
        )
        # A concurrent twin may have stored it first; either answer is the same request's.
        with contextlib.suppress(ConcurrencyConflict):
            uow.commit()
