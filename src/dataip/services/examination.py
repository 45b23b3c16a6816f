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
