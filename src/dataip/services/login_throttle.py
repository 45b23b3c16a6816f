"""The sign-in throttle (登录限流): one rule for the API's `POST /auth/token` and the portal's
sign-in form, counted in the database so that every server process shares it (issue 18).

Failed sign-ins are counted over a sliding window (`window_seconds`, 15 minutes by default)
three ways, and any count at its limit refuses the next attempt — before the password is
looked at, so the right password does not get in while locked:

* per account and client address (`per_pair`, 5): guessing one account from one place;
* per account from anywhere (`per_account`, 20): guessing spread over many addresses. This
  also lets anyone lock an account out for the window by failing on purpose: the price of
  stopping distributed guessing, bounded by the window; operators can raise it or set 0;
* per client address across accounts (`per_address`, 100): one address spraying passwords.

An attempt is reserved (counted as a failure) before the password is checked, under a lock,
so several processes cannot each take the last allowed attempt; a successful sign-in clears
its account and address's failures. Attempts refused while locked are not counted: the lock
ends when the window has passed the failures that caused it. The refusal is 429
`too_many_attempts` with the seconds to wait (`Retry-After`). The window runs on real time
(its own clock), not on a demo's fixed `DATAIP_NOW`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dataip.domain.errors import DomainError

if TYPE_CHECKING:
    from dataip.services.context import Env
    from dataip.services.ports import Clock, UnitOfWork

__all__ = [
    "LoginPolicy",
    "begin",
    "clear",
    "normalise_account",
    "retry_after",
    "too_many_attempts",
]


class _RealTime:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class LoginPolicy:
    """The throttle's limits (0 turns a limit off) and the clock its window runs on."""

    per_pair: int = 5
    per_account: int = 20
    per_address: int = 100
    window_seconds: int = 900
    clock: Clock = field(default_factory=_RealTime)


def normalise_account(username: str) -> str:
    """Usernames are counted case-insensitively (what a guesser would vary)."""
    return username.strip().lower()[:64]


def _client(client: str | None) -> str:
    return (client or "-")[:64]


def too_many_attempts(seconds: int) -> DomainError:
    minutes = max(1, math.ceil(seconds / 60))
    return DomainError(
        "too_many_attempts",
        f"登录失败次数过多，请{minutes}分钟后再试",
        f"too many failed sign-ins; try again in {minutes} minutes",
        status=429,
        details={"retry_after": seconds},
    )


def begin(env: Env, *, username: str, client: str | None) -> None:
    """Reserve one sign-in attempt for this account and address, or raise 429
    `too_many_attempts` (nothing recorded) while any of the three counts is at its limit."""
    policy: LoginPolicy = env.login_policy
    account, address = normalise_account(username), _client(client)
    now = policy.clock.now()
    window = timedelta(seconds=policy.window_seconds)
    since = now - window
    with env.uow() as uow:
        uow.login_attempts.lock()
        waits = []
        for limit, key in (
            (policy.per_pair, {"account": account, "client": address}),
            (policy.per_account, {"account": account}),
            (policy.per_address, {"client": address}),
        ):
            if limit <= 0:
                continue
            times = uow.login_attempts.recent(since=since, limit=limit, **key)
            if len(times) >= limit:
                # the limit-th newest failure leaving the window brings the count under it
                waits.append((times[limit - 1] + window - now).total_seconds())
        if waits:
            raise too_many_attempts(max(1, math.ceil(max(waits))))
        uow.login_attempts.forget_before(since)
        uow.login_attempts.add(account=account, client=address, at=now)
        uow.commit()


def clear(uow: UnitOfWork, *, username: str, client: str | None) -> None:
    """A successful sign-in (in its transaction): this account's failures from this address
    are forgotten, the reserved attempt with them."""
    uow.login_attempts.clear(account=normalise_account(username), client=_client(client))


def retry_after(e: DomainError) -> int | None:
    """The seconds a `too_many_attempts` refusal asks the client to wait."""
    value: Any = e.details.get("retry_after") if e.code == "too_many_attempts" else None
    return int(value) if isinstance(value, int) else None
