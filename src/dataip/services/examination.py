"""The examiner's queue (审查工作台): open registry obligations ordered by statutory due date,
fast-track filings first (Z§2.1), overdue ones flagged.

Publicity (G§14) is a period, not a task: while it runs nothing is due from the examiner. Once
it is over with the application still publicised (no objection filed), approval (G§16) is
the examiner's next step, so the application comes back into the queue as an ``approve``
task dated from the end of publicity; the measures set no period for it, so it is never
flagged overdue."""

from __future__ import annotations

from dataclasses import dataclass

from dataip.domain import model as m
from dataip.domain.lifecycle import AppState
from dataip.services.context import Env, Identity


@dataclass(frozen=True)
class QueueItem:
    application: m.Application
    deadline: m.Deadline
    working_days_left: int
    overdue: bool
    task: str = ""  # the deadline's kind, or "approve" once publicity is over

    def __post_init__(self) -> None:
        if not self.task:
            object.__setattr__(self, "task", self.deadline.kind)


def queue(identity: Identity, *, env: Env, limit: int = 100) -> list[QueueItem]:
    identity.require_registry()
    limit = max(1, min(limit, 500))
    cal = env.calendar()
    today = env.today()
    with env.uow() as uow:
        due = uow.deadlines.open_queue(party="registry", limit=limit * 2)
        # a running publicity period is not a task; an ended one is (approve)
        due = [d for d in due if d.kind != "publicity" or today > d.due_on]
        apps = {
            a.id: a
            for a in uow.applications.page(ids=[d.application_id for d in due], limit=len(due) or 1)
        }
    items = []
    for d in due:
        app = apps.get(d.application_id)
        if app is None:
            continue
        if d.kind == "publicity":
            if app.state != AppState.PUBLICISED:
                continue  # an objection is being handled: its own deadlines are queued
            items.append(QueueItem(app, d, 0, overdue=False, task="approve"))
            continue
        items.append(
            QueueItem(
                application=app,
                deadline=d,
                working_days_left=cal.working_days_left(today, d.due_on),
                overdue=today > d.due_on,
            )
        )
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
