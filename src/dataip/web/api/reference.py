"""Reference data: industries (GB/T 4754), the working-day calendar, the profile."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, UploadFile
from pydantic import BaseModel, Field

from dataip.domain.errors import DomainError
from dataip.schemas.text import Line, Strict
from dataip.services import reference
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["reference"])


class IndustryRead(BaseModel):
    code: str
    level: str
    name: str
    parent: str | None
    section: str
    edition: str


@router.get("/industries", response_model=list[IndustryRead])
def industries(
    env: EnvDep,
    q: Annotated[str, Query(max_length=50)] = "",
    level: Annotated[str | None, Query(max_length=16)] = None,
    parent: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[IndustryRead]:
    rows = reference.search_industries(env=env, q=q, level=level, parent=parent, limit=limit)
    return [
        IndustryRead(
            code=r.code,
            level=r.level,
            name=r.name,
            parent=r.parent,
            section=r.section,
            edition=r.edition,
        )
        for r in rows
    ]


@router.put("/industries", response_model=dict[str, int])
async def load_industries(
    file: UploadFile,
    env: EnvDep,
    identity: IdentityDep,
    edition: Annotated[str, Query(min_length=1, max_length=32)],
) -> dict[str, int]:
    """Replace the industry table with a newer official edition (same CSV columns)."""
    identity.require_admin()
    raw = await file.read(5 * 1024 * 1024 + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DomainError(
                "invalid_encoding",
                "文件编码无法识别（需 UTF-8 或 GB18030）",
                "unrecognised encoding (UTF-8 or GB18030 expected)",
                status=422,
            ) from None
    return {"rows": reference.load_industries(identity, env=env, text=text, edition=edition)}


class DeadlineQuery(BaseModel):
    due_on: date
    provisional: bool


@router.get("/calendar/due-date", response_model=DeadlineQuery)
def compute_due(
    env: EnvDep, period: Annotated[str, Query(max_length=32)], trigger: Annotated[date, Query()]
) -> DeadlineQuery:
    """The due date of a profile period triggered on a day (R0), for checking by hand."""
    d = reference.due_date_for_day(env=env, period=period, trigger=trigger)
    return DeadlineQuery(due_on=d.due_on, provisional=d.provisional)


class OverrideIn(Strict):
    is_working_day: bool
    note: Line = Field(min_length=1, max_length=200)


@router.put("/calendar/overrides/{day}", status_code=204)
def set_override(day: date, body: OverrideIn, env: EnvDep, identity: IdentityDep) -> None:
    reference.set_override(
        identity, env=env, day=day, is_working_day=body.is_working_day, note=body.note
    )


class YearIn(Strict):
    holidays: list[date] = Field(max_length=100)
    makeup_workdays: list[date] = Field(default_factory=list, max_length=30)
    source: Line = Field(min_length=1, max_length=200)


@router.put("/calendar/years/{year}", response_model=dict[str, int])
def load_year(
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: YearIn,
    env: EnvDep,
    identity: IdentityDep,
) -> dict[str, int]:
    """Load the State Council's arrangement for a year; provisional deadlines are recomputed."""
    n = reference.load_year(
        identity,
        env=env,
        year=year,
        holidays=body.holidays,
        makeup_workdays=body.makeup_workdays,
        source=body.source,
    )
    return {"recomputed": n}


class ProfileRead(BaseModel):
    id: str
    name_zh: str
    name_en: str
    registry_name_zh: str
    registry_name_en: str
    registry_code: str
    validity_years: int
    validity_starts: Literal["registration_date", "announcement_date"]
    periods: dict[str, dict[str, Any]]


@router.get("/profile", response_model=ProfileRead)
def profile(env: EnvDep) -> ProfileRead:
    p = env.profile
    return ProfileRead(
        id=p.id,
        name_zh=p.name_zh,
        name_en=p.name_en,
        registry_name_zh=p.registry_name_zh,
        registry_name_en=p.registry_name_en,
        registry_code=p.registry_code,
        validity_years=p.validity_years,
        validity_starts=p.validity_starts,
        periods={k: {"days": v.days, "unit": v.unit} for k, v in p.periods.items()},
    )
