"""Data quality of a registration (数据质量评价, GB/T 36344-2018; issue 22 §1): the holder has
the sample files scored with its declarations, publishes or withdraws the result; the holder
and the examiner read the latest with its evidence, anyone the published one. Use cases in
`services/value/quality.py`; every formula in docs/value.md."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from dataip.schemas.text import Line
from dataip.services.value import quality as svc
from dataip.value import quality as q
from dataip.web.api.application_schemas import MAX_ID, Label, _Strict
from dataip.web.deps import EnvDep, IdentityDep, IfMatch
from dataip.web.numbers import Number

router = APIRouter(tags=["quality"])
Access = Literal["api", "download", "on_request", "offline"]


class QualityDeclarationIn(_Strict):
    """What the holder declares (申报) where the sample cannot show it; the update cycle and
    the time span are the registered form's."""

    standards: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=20,
        description="standards the data follows, e.g. GB/T 4754-2017",
        examples=[["GB/T 4754-2017", "GB/T 2260-2007"]],
    )
    documentation: bool = Field(
        default=False, description="a data dictionary or documentation comes with the data"
    )
    access: Access | None = Field(
        default=None, description="api 在线接口, download 在线下载, on_request 申请后提供, offline"
    )
    availability_bp: Annotated[int, Field(ge=0, le=10_000, strict=True)] | None = Field(
        default=None, description="declared service availability in basis points (9990 = 99.9%)"
    )
    last_updated: date | None = Field(default=None, description="the data's last update")


class SubScoreRead(BaseModel):
    key: str
    name: Label
    basis: Literal["measured", "declared", "not_applicable"]
    value_bp: int | None
    weight: int
    numerator: int | None
    denominator: int | None
    evidence: Label = Field(description="counts; column names only for the holder and registry")
    formula: Label


class IndicatorRead(BaseModel):
    key: str
    name: Label
    weight: int
    value_bp: int | None = Field(description="None: nothing of it could be assessed")
    grade: Label | None
    subs: list[SubScoreRead]


class QualityAllowed(BaseModel):
    assess: bool
    publish: bool
    withdraw: bool


class QualityPreviewRead(BaseModel):
    """An application's data quality previewed for the examiner: measured only, not stored."""

    application_id: int
    method: str
    assessed_on: date
    overall_bp: int = Field(ge=0, le=10_000)
    grade: Label
    grade_key: Literal["excellent", "good", "fair", "poor"]
    indicators: list[IndicatorRead]
    files: int
    rows: int
    columns: int
    truncated: bool


class QualityRead(BaseModel):
    registration_number: str
    assessment_id: int = Field(description="also the ETag: publish with If-Match")
    method: str
    assessed_at: datetime
    assessed_on: date
    published: bool
    overall_bp: int = Field(ge=0, le=10_000, description="0–10000 = 0–100.00 分")
    grade: Label
    grade_key: Literal["excellent", "good", "fair", "poor"]
    indicators: list[IndicatorRead]
    files: int
    rows: int = Field(description="rows measured over every sample file")
    columns: int
    truncated: bool = Field(description=f"only the first {svc.MAX_ROWS} rows of a file read")
    declaration: QualityDeclarationIn | None = Field(
        description="the holder's declarations (holder and registry only)"
    )
    allowed: QualityAllowed


def _label(pair: tuple[str, str]) -> Label:
    return Label(zh=pair[0], en=pair[1])


def indicators_of(a: q.Assessment, *, full: bool) -> list[IndicatorRead]:
    """Each indicator with its sub-scores; ``full``: evidence naming columns."""
    out = []
    for i in a.indicators:
        name = q.INDICATORS[i.key]
        subs = [
            SubScoreRead(
                key=s.key,
                name=_label(q.SUBS[s.key][1:3]),
                basis=s.basis,  # type: ignore[arg-type]
                value_bp=s.value_bp,
                weight=s.weight,
                numerator=s.numerator,
                denominator=s.denominator,
                evidence=Label(
                    zh=s.evidence_zh if full else s.public_zh,
                    en=s.evidence_en if full else s.public_en,
                ),
                formula=_label(q.SUBS[s.key][3:5]),
            )
            for s in i.subs
        ]
        band = q.grade(i.value_bp) if i.value_bp is not None else None
        out.append(
            IndicatorRead(
                key=i.key,
                name=Label(zh=name[0], en=name[1]),
                weight=i.weight,
                value_bp=i.value_bp,
                grade=Label(zh=band[1], en=band[2]) if band else None,
                subs=subs,
            )
        )
    return out


def _read(response: Response, v: svc.QualityView) -> QualityRead:
    r, a = v.result, v.result.assessment
    response.headers["ETag"] = f'"{r.assessment_id}"'
    response.headers["Cache-Control"] = "no-store"
    key, zh, en = q.grade(r.overall_bp)
    d = v.declaration
    return QualityRead(
        registration_number=v.registration_number,
        assessment_id=r.assessment_id,
        method=a.method,
        assessed_at=r.assessed_at,
        assessed_on=a.assessed_on,
        published=r.published,
        overall_bp=r.overall_bp,
        grade=Label(zh=zh, en=en),
        grade_key=key,  # type: ignore[arg-type]
        indicators=indicators_of(a, full=v.full),
        files=a.files,
        rows=a.rows,
        columns=a.columns,
        truncated=a.truncated,
        declaration=QualityDeclarationIn.model_validate(d.to_dict()) if d else None,
        allowed=QualityAllowed(assess=v.can_assess, publish=v.can_publish, withdraw=v.can_withdraw),
    )


@router.post("/registrations/{number}/quality", response_model=QualityRead, status_code=201)
def assess(
    number: Number,
    env: EnvDep,
    identity: IdentityDep,
    response: Response,
    body: QualityDeclarationIn | None = None,
) -> QualityRead:
    """The holder has the sample files scored (GB/T 36344-2018's six indicators), with its
    declarations; stored unpublished. Honours `Idempotency-Key`."""
    d = body or QualityDeclarationIn()
    declaration = svc.Declaration(
        standards=tuple(d.standards),
        documentation=d.documentation,
        access=d.access,
        availability_bp=d.availability_bp,
        last_updated=d.last_updated,
    )
    return _read(response, svc.assess(identity, env=env, number=number, declaration=declaration))


@router.get("/registrations/{number}/quality", response_model=QualityRead)
def get(number: Number, env: EnvDep, identity: IdentityDep, response: Response) -> QualityRead:
    """The latest assessment with its evidence (holder, registry); anyone else: the published
    one, counts only."""
    return _read(response, svc.view(identity, env=env, number=number))


@router.post("/registrations/{number}/quality/publish", response_model=QualityRead)
def publish(
    number: Number, env: EnvDep, identity: IdentityDep, expected: IfMatch, response: Response
) -> QualityRead:
    """Publish the latest assessment on the public registration page (`If-Match`: the
    `assessment_id` read)."""
    return _read(response, svc.publish(identity, env=env, number=number, if_match=expected))


@router.post("/registrations/{number}/quality/unpublish", response_model=QualityRead)
def unpublish(
    number: Number, env: EnvDep, identity: IdentityDep, response: Response
) -> QualityRead:
    """Withdraw the published assessment from the public page."""
    return _read(response, svc.withdraw(identity, env=env, number=number))


@router.get("/applications/{application_id}/quality", response_model=QualityPreviewRead)
def preview(
    application_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    env: EnvDep,
    identity: IdentityDep,
    response: Response,
) -> QualityPreviewRead:
    """The registry's preview of an application's data quality before registration: the
    sample files measured, declarations not yet asked (not applicable); computed on
    request, never stored or published."""
    a = svc.preview_application(identity, env=env, application_id=application_id)
    response.headers["Cache-Control"] = "no-store"
    key, zh, en = q.grade(a.overall_bp)
    return QualityPreviewRead(
        application_id=application_id,
        method=a.method,
        assessed_on=a.assessed_on,
        overall_bp=a.overall_bp,
        grade=Label(zh=zh, en=en),
        grade_key=key,  # type: ignore[arg-type]
        indicators=indicators_of(a, full=True),
        files=a.files,
        rows=a.rows,
        columns=a.columns,
        truncated=a.truncated,
    )
