"""The examiner's queue (审查工作台): open registry obligations ordered by statutory due date,
fast-track filings first (Z§2.1), overdue ones flagged."""

from __future__ import annotations

from dataclasses import dataclass

from dataip.domain import model as m
from dataip.services.context import Env, Identity


@dataclass(frozen=True)
class QueueItem:
    application: m.Application
    deadline: m.Deadline
    working_days_left: int
    overdue: bool


def queue(identity: Identity, *, env: Env, limit: int = 100) -> list[QueueItem]:
    identity.require_registry()
    limit = max(1, min(limit, 500))
    cal = env.calendar()
    today = env.today()
    with env.uow() as uow:
        due = uow.deadlines.open_queue(party="registry", limit=limit * 2)
        due = [d for d in due if d.kind != "publicity"]  # publicity is a period, not a task
        apps = {
            a.id: a
            for a in uow.applications.page(ids=[d.application_id for d in due], limit=len(due) or 1)
        }
    items = [
        QueueItem(
            application=apps[d.application_id],
            deadline=d,
            working_days_left=cal.working_days_left(today, d.due_on),
            overdue=today > d.due_on,
        )
        for d in due
        if d.application_id in apps
    ]
    items.sort(key=lambda i: (not i.application.fast_track, i.deadline.due_on, i.deadline.id))
    return items[:limit]


@dataclass(frozen=True)
class RequestItem:
    request: m.RegistrationRequest
    registration: m.Registration
    working_days_waiting: int


def pending_requests(identity: Identity, *, env: Env, limit: int = 100) -> list[RequestItem]:
    """Requests about registrations awaiting the registry's decision (change, transfer,
    cancellation, revocation, re-examination; G§20–G§24), oldest first. The measures set no
    period ("及时"), so the queue shows how many working days each has waited."""
    identity.require_registry()
    limit = max(1, min(limit, 500))
    cal = env.calendar()
    today = env.today()
    with env.read() as uow:
        reqs = uow.requests.open_queue(limit=limit)
        regs = {r.id: r for r in uow.registrations.many([q.registration_id for q in reqs])}
    return [
        RequestItem(
            request=q,
            registration=regs[q.registration_id],
            working_days_waiting=max(0, -cal.working_days_left(today, q.filed_at.date())),
        )
        for q in reqs
    ]
