"""The inbox of served notices (电子送达, R7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from dataip.domain import model as m
from dataip.services import applications as svc
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
    read_at: datetime | None
    body: dict[str, Any]

    @classmethod
    def of(cls, n: m.Notice) -> NoticeRead:
        return cls(
            id=n.id,
            application_id=n.application_id,
            kind=n.kind,
            title_zh=n.title_zh,
            title_en=n.title_en,
            served_at=n.served_at,
            due_on=n.due_on,
            provisional=n.provisional,
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
    return [
        NoticeRead.of(n)
        for n in svc.inbox(identity, env=env, application_id=application_id, limit=limit)
    ]


@router.post("/inbox/{notice_id}/read", response_model=NoticeRead)
def read(
    notice_id: Annotated[int, Path(ge=1, le=2**31 - 1)], env: EnvDep, identity: IdentityDep
) -> NoticeRead:
    return NoticeRead.of(svc.mark_read(identity, env=env, notice_id=notice_id))
