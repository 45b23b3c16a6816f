"""The hotness ranking (热度榜, issue 22 §4) and the published daily counts it is computed from
(§3): anyone can recompute the ranking from `daily-counts` with the `formula` published
beside it (docs/hotness.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from dataip.services.value import hotness as svc
from dataip.value.hotness import KINDS
from dataip.web.deps import EnvDep

router = APIRouter(tags=["rankings"])

Section = Annotated[str | None, Query(pattern=r"^[A-T]$", description="GB/T 4754 section")]
Region = Annotated[
    str | None, Query(pattern=r"^\d{2}$", description="province: 2-digit division code")
]


class Formula(BaseModel):
    """score = Σ_{a=0}^{window_days−1} Σ_kind weight[kind] · min(count, daily_cap[kind] or ∞)
    · decay[a], where `a` is the day's age in days before `as_of` and
    decay[a] = ⌊scale · 2^(−a/half_life_days)⌋ (published below, for checking). The score is an
    integer in 1/`scale` points; ties are broken by registration number ascending."""

    scale: int
    half_life_days: int
    window_days: int
    weights: dict[str, int]
    daily_caps: dict[str, int] = Field(description="0: no cap")
    decay: list[int]


class HotItem(BaseModel):
    rank: int
    registration_number: str
    name: str
    holders: list[str] = Field(description="legal persons' and organisations' names only")
    industry_code: str | None
    industry_name: str | None = Field(description="GB/T 4754 name of the class")
    section: str | None
    region: str | None = Field(description="province: 2-digit division code of the holder")
    score: str = Field(description="score / scale, exactly three decimals", examples=["12.345"])
    score_thousandths: int
    counts: dict[str, int] = Field(description="signals in the window, per kind")


class HotRanking(BaseModel):
    as_of: date | None = Field(description="the last closed day the ranking counts")
    section: str | None
    region: str | None
    formula: Formula
    items: list[HotItem]


@router.get("/rankings/hot", response_model=HotRanking)
def hot(
    env: EnvDep,
    section: Section = None,
    region: Region = None,
    limit: Annotated[int, Query(ge=1, le=svc.MAX_LIMIT)] = 50,
) -> HotRanking:
    """The hotness ranking (热度榜) as of the last closed day: overall, or within one GB/T 4754
    section or one province. Recompute it from `GET /api/v1/rankings/daily-counts` with
    `formula`."""
    as_of, rows = svc.hot(env, section=section, region=region, limit=limit)
    return HotRanking(
        as_of=as_of,
        section=section,
        region=region,
        formula=Formula.model_validate(svc.policy(env).describe()),
        items=[
            HotItem(
                rank=r.rank,
                registration_number=r.registration_number,
                name=r.name,
                holders=r.holders,
                industry_code=r.industry_code,
                industry_name=r.industry_name,
                section=r.section,
                region=r.region,
                score=r.score_text,
                score_thousandths=r.score,
                counts=r.counts,
            )
            for r in rows
        ],
    )


class DailyCount(BaseModel):
    day: date
    registration_number: str
    kind: str = Field(description=", ".join(KINDS))
    count: int


class DailyCountsPage(BaseModel):
    from_: date | None = Field(alias="from", serialization_alias="from")
    to: date | None
    items: list[DailyCount]
    next_cursor: str | None


@router.get("/rankings/daily-counts", response_model=DailyCountsPage, response_model_by_alias=True)
def daily_counts(
    env: EnvDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> DailyCountsPage:
    """The published daily counts (closed days only): per day, registration and kind, the
    signals counted. Without `from`/`to`: the current ranking's window. Ordered by day,
    registration, kind; `next_cursor` pages on. Filed amounts are not published per
    registration (they are private commitments in the log): the ranking uses counts only."""
    page = svc.daily_counts(env, first=from_, last=to, cursor=cursor, limit=limit)
    return DailyCountsPage.model_validate(
        {
            "from": page.first,
            "to": page.last,
            "items": [
                {"day": d, "registration_number": n, "kind": k, "count": c}
                for d, _, n, k, c in page.rows
            ],
            "next_cursor": page.next_cursor,
        }
    )


@router.get(
    "/rankings/daily-counts.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "the daily counts as CSV"}},
)
def daily_counts_csv(
    env: EnvDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> StreamingResponse:
    """The same counts as one CSV file: `registration_number,day,kind,count`."""
    first = svc.daily_counts(env, first=from_, last=to, limit=10_000)

    def lines() -> Iterator[str]:
        page = first
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["registration_number", "day", "kind", "count"])
        while True:
            for d, _, n, k, c in page.rows:
                writer.writerow([n, d.isoformat(), k, c])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if page.next_cursor is None:
                return
            page = svc.daily_counts(
                env, first=page.first, last=page.last, cursor=page.next_cursor, limit=10_000
            )

    name = f"daily-counts-{first.first or ''}-{first.last or ''}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
