"""The contact-exchange state machine both capabilities share: one side asks (a need's
author or a holder proposes contact on a match; a holder requests a service of an agency),
the other side accepts or declines, once. Neither side sees the other's contact details until
the answer is an acceptance: then each sees the other's party names, the account's display
name and the e-mail address it registered. Each step leaves an inbox notice for the other
side.

Each capability keeps its own table, its own name for the asked state ("proposed",
"requested"), its own problem codes and its own notice kinds and bodies; this module holds
what is the same: the registration a request is about, who holds it, the answer's
compare-and-set, what is revealed and when, and the notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.services.context import Env
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.recording import serve_notice

ACCEPTED = "accepted"
DECLINED = "declined"


def registration(uow: UnitOfWork, number: str) -> m.Registration:
    """The registration an exchange is about, by number; 404 when there is none."""
    reg = uow.registrations.by_number(number)
    if reg is None:
        raise DomainError(
            "registration_not_found", "登记不存在", "registration not found", status=404
        )
    return reg


def is_holder(uow: UnitOfWork, uid: int, reg: m.Registration) -> bool:
    from dataip.services.after_registration.roles import holder_users

    return uid in holder_users(uow, reg)


def require_valid(reg: m.Registration) -> None:
    """Only a valid registration can be the subject of a new exchange."""
    if reg.state != "valid":
        raise DomainError(
            "registration_not_valid",
            "该登记已不在有效状态",
            "the registration is no longer valid",
            status=409,
        )


def require_first(existing: object | None, exists: DomainError) -> None:
    """One exchange per pair: a second ask is 409 (the table's unique key catches the loser
    of two at once)."""
    if existing is not None:
        raise exists


def settle(
    *,
    state: str,
    asked: str,
    accept: bool,
    answered: DomainError,
    swap: Callable[[str], bool],
    what: str,
) -> str:
    """Answer an exchange still in its `asked` state: `swap(new_state)` is the table's
    compare-and-set on the version read; a lost race is a concurrency conflict (409). A
    declined exchange stays declined."""
    if state != asked:
        raise answered
    new = ACCEPTED if accept else DECLINED
    if not swap(new):
        raise ConcurrencyConflict(f"{what} answered concurrently")
    return new


def details(user: m.User | None, parties: list[str]) -> dict[str, Any]:
    """One side's contact details as the other sees them once `revealed`."""
    return {
        "parties": parties,
        "display_name": user.display_name if user else None,
        "email": user.email if user else None,
    }


def revealed(state: str) -> bool:
    """Whether the two sides see each other's contact details (`details`): once accepted,
    and never before."""
    return state == ACCEPTED


def notify(
    uow: UnitOfWork,
    env: Env,
    kind: str,
    users: Iterable[int],
    reg: m.Registration,
    body: dict[str, Any],
) -> None:
    """An inbox notice of this step to each user of the other side, once each (served on the
    registration's application)."""
    for user in dict.fromkeys(users):
        serve_notice(
            uow,
            application_id=reg.application_id,
            kind=kind,
            recipient_user_id=user,
            at=env.now(),
            body=dict(body),
        )
