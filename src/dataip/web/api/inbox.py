"""The inbox of served notices (电子送达, R7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from dataip.domain import model as m
from dataip.domain.due import DueState
from dataip.services import applications as svc
from dataip.services import due_states
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["inbox"])


class NoticeRead(BaseModel):
    id: int
    application_id: int
    kind: str
    title_zh: str
    title_en: str
    served_at: datetime
    due_on: date | None
    provisional: bool
    # how the due date stands, from the state of what it waits for (never the calendar
    # alone): running | last_day | overdue | met | missed | ended | cancelled; null: no date
    due_status: str | None = None
    read_at: datetime | None
    body: dict[str, Any]

    @classmethod
    def of(cls, n: m.Notice, due: DueState | None, today: date) -> NoticeRead:
        return cls(
            id=n.id,
            application_id=n.application_id,
            kind=n.kind,
            title_zh=n.title_zh,
            title_en=n.title_en,
            served_at=n.served_at,
            due_on=due.due_on if due else n.due_on,
            provisional=due.provisional and due.is_open if due else n.provisional,
            due_status=due.shown(today) if due else None,
            read_at=n.read_at,
            body=n.body,
        )


@router.get("/inbox", response_model=list[NoticeRead])
def inbox(
    env: EnvDep,
    identity: IdentityDep,
    application_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NoticeRead]:
    """Notices served on the caller, newest first; `application_id` keeps one application's."""
    notices = svc.inbox(identity, env=env, application_id=application_id, limit=limit)
    dues = due_states.notice_dues(identity, env=env, notices=notices)
    return [NoticeRead.of(n, dues.get(n.id), env.today()) for n in notices]


@router.post("/inbox/{notice_id}/read", response_model=NoticeRead)
def read(
    notice_id: Annotated[int, Path(ge=1, le=2**31 - 1)], env: EnvDep, identity: IdentityDep
) -> NoticeRead:
    n = svc.mark_read(identity, env=env, notice_id=notice_id)
    due = due_states.notice_dues(identity, env=env, notices=[n]).get(n.id)
    return NoticeRead.of(n, due, env.today())
