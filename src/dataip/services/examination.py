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
    cal = env.calendar(exact=False)  # the queue's display of days left
    today = env.today()
    with env.read() as uow:
        tasks = uow.deadlines.examiner_tasks(today, limit=limit)
    items = []
    for d, app in tasks:
        if d.kind == "publicity":  # ended, application still publicised: approve (G§16)
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
    return items  # in the repository's queue order (examiner_queue_order)


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
    cal = env.calendar(exact=False)  # the queue's display of days left
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
