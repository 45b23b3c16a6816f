"""Announcements (公告) and their public search service (G§26, R23)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from dataip.domain import model as m
from dataip.domain.after_registration_codes import ANNOUNCEMENT_KINDS
from dataip.services import announcements as svc
from dataip.web.api.application_schemas import Label
from dataip.web.api.registration_schemas import AnnouncementPage, AnnouncementRead
from dataip.web.deps import EnvDep
from dataip.web.numbers import NUMBER_PATTERN
from dataip.web.signals import count_later

router = APIRouter(tags=["announcements"])


class AnnouncementHighlight(BaseModel):
    """A hit's name and Chinese title as HTML: escaped, the query's terms in <mark>."""

    name: str
    title_zh: str


class AnnouncementSearchPage(AnnouncementPage):
    # By announcement number; only when `q` found something, so that a page without text
    # reads exactly as before.
    highlights: dict[str, AnnouncementHighlight] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _without_empty_highlights(self, handler: SerializerFunctionWrapHandler) -> Any:
        out = handler(self)
        if not out.get("highlights"):
            out.pop("highlights", None)
        return out


def _read(a: m.Announcement) -> AnnouncementRead:
    zh, en = ANNOUNCEMENT_KINDS[a.kind]
    return AnnouncementRead(
        number=a.number,
        kind=a.kind,
        kind_label=Label(zh=zh, en=en),
        registration_number=a.registration_number,
        name=a.name,
        published_at=a.published_at,
        published_on=a.published_on,
        title_zh=a.title_zh,
        title_en=a.title_en,
        industry_code=a.industry_code,
        industry_section=a.industry_section,
        region_code=a.region_code,
        body=a.body,
    )


@router.get("/announcements", response_model=AnnouncementSearchPage)
def search(
    env: EnvDep,
    request: Request,
    background: BackgroundTasks,
    type: Annotated[list[str] | None, Query(max_length=12)] = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    industry: Annotated[str | None, Query(max_length=60)] = None,
    region: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    registration_number: Annotated[str | None, Query(pattern=NUMBER_PATTERN)] = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,10}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AnnouncementSearchPage:
    """Newest first. Filters: `type` (repeatable), `from`/`to` (publication date, inclusive),
    `industry` (GB/T 4754 section letter or 2–4 digit code prefix), `region` (2–6 digit
    division-code prefix, from the holder's credit code), `q` (text in the name or title, or
    an announcement or registration number: the announcements having every word of it, ranked by
    relevance, then newest first; `highlights` marks the words in each hit's name and title)."""
    items = svc.search(
        env=env,
        query=svc.AnnouncementQuery(
            kinds=tuple(type or ()),
            date_from=from_,
            date_to=to,
            industry=industry,
            region=region,
            text=q,
            registration_number=registration_number,
            cursor=int(cursor) if cursor else None,
            limit=limit,
        ),
    )
    nxt = str(items[-1].id) if len(items) == limit else None
    if q:  # issue 22 §3: a text search counts for each registration it returned
        count_later(
            background, request, env, "search", numbers=[a.registration_number for a in items]
        )
    return AnnouncementSearchPage(
        items=[_read(a) for a in items],
        next_cursor=nxt,
        highlights={
            number: AnnouncementHighlight(**marked)
            for number, marked in svc.highlights(q, items).items()
        },
    )


@router.get("/announcements/{number}", response_model=AnnouncementRead)
def get(number: Annotated[str, Path(pattern=r"^GG\d{15}$")], env: EnvDep) -> AnnouncementRead:
    return _read(svc.get(env=env, number=number))
