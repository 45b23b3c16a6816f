"""Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): a request repeated with the
same key gets the first answer again, and duplicates sent at the same time do the work once.

The key is reserved in the database before the work starts: a row in state `in_progress`,
unique on (user, key), held by a random `holder` until `expires_at`. A duplicate that finds
it waits for the answer (polling, at most `WAIT_SECONDS`) and replays it, or is told 409
`idempotency_in_progress`. The answer — status, body and the headers a client acts on (`ETag`,
`Location`, `Content-Type` …) — completes the row. A 5xx answer or an exception releases the
key, so the retry does the work. A reservation whose request died with its process expires
after `LEASE`; the next request with the key then does the work.

Limit, by design: the work and the answer are two transactions (the answer exists only once
the response is built), so a request killed after its work committed and before its answer
was recorded is done again by a retry after the lease. The window is the few milliseconds
between the two commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict, UnitOfWork

MAX_KEY = 200
_KEY = re.compile(r"^[\x20-\x7e]{1,200}$")  # printable ASCII, as header values are
LEASE = timedelta(minutes=5)  # the longest a request may hold its key; outlasts any request
WAIT_SECONDS = 10.0  # how long a duplicate waits for the first request's answer
POLL_SECONDS = 0.05
# Never replayed: computed per response, per connection or per request, or a credential.
NOT_REPLAYED = frozenset(
    {
        "content-length",
        "date",
        "server",
        "set-cookie",
        "x-request-id",
        "idempotent-replayed",
        "connection",
        "transfer-encoding",
    }
)


@dataclass(frozen=True)
class Replay:
    """The first request's answer."""

    status: int
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Reservation:
    """The key is this request's: do the work, then `complete` (or `release`)."""

    record_id: int
    holder: str


@dataclass(frozen=True)
class Busy:
    """Another request holds the key and has not answered yet."""


def request_hash(method: str, path: str, body: bytes) -> str:
    """What identifies "the same request": method, path (with its query, if any) and body."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def check_key(key: str) -> None:
    if not _KEY.match(key) or not key.strip():
        raise DomainError(
            "invalid_idempotency_key",
            "Idempotency-Key 须为1至200个可见ASCII字符",
            "Idempotency-Key must be 1–200 printable ASCII characters",
            status=400,
        )


def _reused() -> DomainError:
    return DomainError(
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于另一个请求",
        "this Idempotency-Key was used for a different request",
        status=422,
    )


def in_progress() -> DomainError:
    return DomainError(
        "idempotency_in_progress",
        "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
        "a request with this Idempotency-Key is still being processed; retry shortly",
        status=409,
    )


def _seen(rec: m.IdempotencyRecord | None, req_hash: str, env: Env) -> Replay | Busy | None:
    """What a found row means: its answer, busy, or None (absent or expired: claim it)."""
    if rec is None:
        return None
    if rec.request_hash != req_hash:
        raise _reused()
    if rec.state == "done":
        return Replay(int(rec.status or 0), rec.body or "", dict(rec.headers or {}))
    if rec.expires_at is not None and rec.expires_at <= env.now():
        return None
    return Busy()


def claim(*, env: Env, user_id: int, key: str, req_hash: str) -> Replay | Reservation | Busy:
    """Reserve the key for this request, or say what holds it. Looks first without the write
    lock (SQLite), so duplicates waiting for an answer do not queue behind the work."""
    check_key(key)
    with env.read() as uow:
        seen = _seen(uow.idempotency.find(user_id, key), req_hash, env)
    if seen is not None:
        return seen
    for _ in range(3):  # a twin may reserve or take over between our look and our write
        now = env.now()
        holder = secrets.token_hex(16)
        with env.uow() as uow:
            rec = uow.idempotency.find(user_id, key)
            seen = _seen(rec, req_hash, env)
            if seen is not None:
                return seen
            if rec is None:
                new = m.IdempotencyRecord(
                    key=key,
                    user_id=user_id,
                    request_hash=req_hash,
                    created_at=now,
                    state="in_progress",
                    holder=holder,
                    expires_at=now + LEASE,
                )
                if not uow.idempotency.reserve(new):
                    continue
                if _committed(uow):
                    return Reservation(new.id, holder)
            elif uow.idempotency.take_over(
                rec.id, rec.holder or "", holder, now + LEASE
            ) and _committed(uow):
                return Reservation(rec.id, holder)
    return Busy()


def _committed(uow: UnitOfWork) -> bool:
    """Commit the reservation; False when a twin's write won at the commit (look again)."""
    try:
        uow.commit()
    except ConcurrencyConflict:
        return False
    return True


def replayable(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in NOT_REPLAYED}


def complete(
    *, env: Env, reservation: Reservation, status: int, body: bytes, headers: dict[str, str]
) -> bool:
    """Record the answer to replay. False when the reservation is no longer this request's
    (it expired and another request took the key) or the body is not text: then nothing is
    recorded and, in the second case, the key is released."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        release(env=env, reservation=reservation)
        return False
    with env.uow() as uow:
        done = uow.idempotency.complete(
            reservation.record_id, reservation.holder, status, text, replayable(headers)
        )
        uow.commit()
    return done


def release(*, env: Env, reservation: Reservation) -> None:
    """Free the key (the request failed with no answer worth replaying)."""
    with env.uow() as uow:
        uow.idempotency.release(reservation.record_id, reservation.holder)
        uow.commit()
