"""How each due date stands (期限状态), from the stored state of what it waits for.

A deadline's state is its row (`deadlines.status`, closed by the transition that meets or
moots it, `services.procedure`). A served notice's reply date is the state of the deadline it
names (`notices.deadline_id`): a correction notice is met once the correction is submitted, an
objection notice once the objection is answered. The two notices after registration that carry
a date read theirs from the registration: a revocation decision's re-examination window (G§20)
is met once re-examination is requested, and over (not "overdue": it is a right) after its last
day; a renewal reminder (G§19) is met once the registration is renewed past that expiry, missed
once it was cancelled for it. Never a date against the calendar alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataip.domain import model as m
from dataip.domain.due import DueState
from dataip.domain.lifecycle import DEADLINE_RULES
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork

__all__ = ["notice_dues", "of_deadline", "of_notices"]


def of_deadline(d: m.Deadline) -> DueState:
    rule = DEADLINE_RULES.get(d.kind)
    return DueState(
        due_on=d.due_on,
        provisional=d.provisional,
        status=d.status,
        obligation=rule.obligation if rule is not None else True,
        closed_on=d.closed_at.date() if d.closed_at else None,
    )


def of_notices(uow: UnitOfWork, notices: Sequence[m.Notice]) -> dict[int, DueState]:
    """The state of each dated notice's due date, by notice id (notices with no date left
    out). One query for the deadlines however many notices."""
    dated = [n for n in notices if n.due_on is not None]
    linked = {d.id: d for d in uow.deadlines.many([n.deadline_id for n in dated if n.deadline_id])}
    out: dict[int, DueState] = {}
    for n in dated:
        assert n.due_on is not None
        d = linked.get(n.deadline_id) if n.deadline_id else None
        if d is not None:
            out[n.id] = of_deadline(d)
        elif n.kind == "revocation_decision":
            out[n.id] = _re_examination(uow, n)
        elif n.kind == "renewal_reminder":
            out[n.id] = _renewal(uow, n)
        else:  # a dated notice of no known kind: its own date, open
            out[n.id] = DueState(due_on=n.due_on, provisional=n.provisional)
    return out


def notice_dues(
    identity: Identity, *, env: Env, notices: Sequence[m.Notice]
) -> dict[int, DueState]:
    """`of_notices` in a read of its own, for a page or an API answer."""
    identity.require_login()
    with env.read() as uow:
        return of_notices(uow, notices)


def _re_examination(uow: UnitOfWork, n: m.Notice) -> DueState:
    """G§20: 15 days from the decision to ask for re-examination — a right, never overdue."""
    assert n.due_on is not None
    reg = uow.registrations.by_application(n.application_id)
    rid = n.body.get("request_id")
    requests = uow.requests.for_registration(reg.id) if reg is not None else []
    decision = next((r for r in requests if r.id == rid), None)
    if decision is None or decision.re_examination_due is None:
        return DueState(due_on=n.due_on, provisional=n.provisional, obligation=False)
    asked = [
        r for r in requests if r.kind == "re_examination" and r.related_request_id == decision.id
    ]
    return DueState(
        due_on=decision.re_examination_due,
        provisional=decision.re_examination_provisional,
        status="met" if asked else "open",
        obligation=False,
        closed_on=asked[0].filed_at.date() if asked else None,
    )


def _renewal(uow: UnitOfWork, n: m.Notice) -> DueState:
    """G§19: renewed past the expiry the reminder was for → met; cancelled for not being
    renewed → missed; ended otherwise → no longer required."""
    assert n.due_on is not None
    reg = uow.registrations.by_application(n.application_id)
    if reg is None:
        return DueState(due_on=n.due_on, provisional=False)
    if reg.valid_until > n.due_on:
        return DueState(due_on=n.due_on, provisional=False, status="met")
    if reg.ended_on is not None:
        status = "expired" if reg.ended_on > n.due_on else "cancelled"
        return DueState(due_on=n.due_on, provisional=False, status=status, closed_on=reg.ended_on)
    return DueState(due_on=n.due_on, provisional=False)
