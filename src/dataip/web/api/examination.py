"""The examiner's queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from dataip.services import examination
from dataip.services.applications import state_label
from dataip.web.api.application_schemas import Label
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["examination"])


class QueueItemRead(BaseModel):
    application_id: int
    application_number: str | None
    name: str
    state: str
    state_label: Label
    fast_track: bool
    task: str
    due_on: date
    provisional: bool
    working_days_left: int
    overdue: bool


@router.get("/examination/queue", response_model=list[QueueItemRead])
def queue(
    env: EnvDep, identity: IdentityDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[QueueItemRead]:
    """Open registry tasks by due date (fast track first); overdue ones flagged."""
    out = []
    for i in examination.queue(identity, env=env, limit=limit):
        a, d = i.application, i.deadline
        zh, en = state_label(a.state)
        out.append(
            QueueItemRead(
                application_id=a.id,
                application_number=a.application_number,
                name=a.name,
                state=a.state,
                state_label=Label(zh=zh, en=en),
                fast_track=a.fast_track,
                task=i.task,
                due_on=d.due_on,
                provisional=d.provisional,
                working_days_left=i.working_days_left,
                overdue=i.overdue,
            )
        )
    return out


class RequestItemRead(BaseModel):
    request_id: int
    kind: str
    state: str
    filed_at: datetime
    working_days_waiting: int
    registration_number: str
    name: str
    registration_state: str


@router.get("/examination/requests", response_model=list[RequestItemRead])
def requests(
    env: EnvDep, identity: IdentityDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[RequestItemRead]:
    """Requests about registrations awaiting a decision (`decide_request`,
    `decide_re_examination`), oldest first."""
    return [
        RequestItemRead(
            request_id=i.request.id,
            kind=i.request.kind,
            state=i.request.state,
            filed_at=i.request.filed_at,
            working_days_waiting=i.working_days_waiting,
            registration_number=i.registration.registration_number,
            name=i.registration.name,
            registration_state=i.registration.state,
        )
        for i in examination.pending_requests(identity, env=env, limit=limit)
    ]
