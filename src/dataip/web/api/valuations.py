"""Valuations (数据资产评估, R27, issue 22 §2): the holder's 价值参考, an appraisal agency's
signed 评估报告, and the report as JSON (every input, factor and formula) or as an A4 PDF.
Routers stay three lines; the use cases are `services/value/valuation`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from dataip.services.value import valuation as svc
from dataip.services.value import valuation_publication as published
from dataip.sharing.scopes import VALUATIONS_WRITE, Principal
from dataip.value import valuation_pdf
from dataip.web.api.application_schemas import Label, _Strict
from dataip.web.api.institution_auth import require_scopes
from dataip.web.deps import EnvDep, IdentityDep, IfMatch
from dataip.web.numbers import Number

router = APIRouter(tags=["valuations"])
ValuationNumber = Annotated[str, Path(pattern=r"^PG[0-9]{4}[0-9A-Z]{4}[0-9]{7}$")]
AppraisalClient = Annotated[Principal, Depends(require_scopes(VALUATIONS_WRITE))]
AnyClient = Annotated[Principal, Depends(require_scopes())]
Fen = Annotated[int, Field(ge=0, le=10**15, strict=True)]
Bp = Annotated[int, Field(ge=0, le=10_000, strict=True)]
Rate = Annotated[int, Field(ge=0, le=50_000, strict=True)]
CostItem = Literal[
    "planning", "collection", "processing", "storage", "labour", "compliance", "other"
]


class CostItemIn(_Strict):
    item: CostItem = Field(description="重置成本构成: planning, collection, processing …")
    amount_fen: Fen


class CostIn(_Strict):
    """成本法: replacement cost × (1 + profit rate) × the value-adjustment coefficient."""

    items: list[CostItemIn] = Field(min_length=1, max_length=20)
    profit_rate_bp: Rate = Field(description="合理利润率, bp (1000 = 10 %)", examples=[1000])
    scenario_bp: Bp = Field(default=8000, description="the coefficient's scenario factor, bp")


class IncomeIn(_Strict):
    """收益法: Σ income_t × contribution share / (1 + rate)^t over the useful life."""

    incomes_fen: list[Fen] = Field(
        min_length=1, max_length=20, description="incremental income of years 1…n (fen)"
    )
    discount_rate_bp: Rate = Field(description="折现率, bp", examples=[1000])
    contribution_bp: Bp = Field(description="数据贡献率, bp", examples=[3000])


class MarketIn(_Strict):
    """市场法: comparable licences and trades recorded in this registry (at least 3)."""

    index_bp: Annotated[int, Field(ge=-10_000, le=10_000, strict=True)] = Field(
        default=300, description="the price index's yearly change for the time adjustment, bp"
    )


class WeightsIn(_Strict):
    cost: Bp | None = None
    income: Bp | None = None
    market: Bp | None = None


class ValuationCreate(_Strict):
    """The holder's inputs; at least one approach. `quality_bp` is the declared overall
    quality score, used while no measured one exists."""

    quality_bp: Bp | None = None
    cost: CostIn | None = None
    income: IncomeIn | None = None
    market: MarketIn | None = None
    weights_bp: WeightsIn | None = Field(
        default=None, description="reconciliation weights (bp); equal weights when absent"
    )
    publish: bool = Field(default=False, description="show the valuation on the public record")


class AppraisalIn(_Strict):
    """An appraisal agency's compact JWS (typ `dataip-valuation+jws`, a key of its JWKS) over
    the RFC 8785 JSON `{registration_number, agency_uscc, valuation_date, inputs, value_fen?,
    report_reference?, publish?}`; `inputs` as in the holder's request, and `cost` may carry
    the agency's own `coefficient_bp`."""

    jws: Annotated[str, Field(min_length=10, max_length=100_000, pattern=r"^[A-Za-z0-9_.\-\s]+$")]


class ValuationSummary(BaseModel):
    number: str
    kind: Literal["reference", "appraisal"]
    label: Label
    valuation_date: date
    approaches: list[str]
    value_fen: int | None
    published: bool


class SignatureRead(BaseModel):
    jws: str
    kid: str | None
    alg: str | None
    verified: bool
    agency: dict[str, str] | None


class ValuationRead(BaseModel):
    """A valuation: `label` says 价值参考 or 评估报告; `report` carries every input, factor,
    formula (zh/en), the four dimensions, the legal defects, the sensitivity table."""

    number: str
    registration_number: str
    registration_name: str
    kind: Literal["reference", "appraisal"]
    label: Label
    disclaimer: Label
    valuation_date: date
    created_at: datetime
    published: bool
    version: int = Field(description="the ETag of publish and unpublish (If-Match)")
    approaches: list[str]
    value_fen: int | None
    inputs: dict[str, Any]
    report: dict[str, Any]
    signature: SignatureRead | None


def _body(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_none=True)


@router.post("/registrations/{number}/valuations", status_code=201, response_model=ValuationRead)
def create(
    number: Number, body: ValuationCreate, env: EnvDep, identity: IdentityDep
) -> dict[str, Any]:
    """The holder's value reference (价值参考), computed by the registry's published method."""
    return svc.create_reference(identity, env=env, number=number, body=_body(body))


@router.post(
    "/institutions/registrations/{number}/valuations",
    status_code=201,
    response_model=ValuationRead,
)
def appraise(
    number: Number, body: AppraisalIn, env: EnvDep, principal: AppraisalClient
) -> dict[str, Any]:
    """An appraisal agency's signed report (评估报告), scope `valuations:write`."""
    return svc.submit_appraisal(principal, env=env, number=number, token=body.jws)


@router.get(
    "/institutions/registrations/{number}/valuations/{valuation}", response_model=ValuationRead
)
def institution_get(
    number: Number,
    valuation: ValuationNumber,
    env: EnvDep,
    principal: AnyClient,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """A private valuation for the pledgee bank of a pledge in force (`pledges:write`) or the
    agency that signed it; a stated `purpose` (e.g. the loan reference), accounted."""
    return svc.get_for_institution(
        principal, env=env, number=number, valuation_number=valuation, purpose=purpose
    )


@router.get("/registrations/{number}/valuations", response_model=list[ValuationSummary])
def list_(number: Number, env: EnvDep, identity: IdentityDep) -> list[dict[str, Any]]:
    """The valuations the caller may see: holders and the registry all; others the published."""
    return svc.list_for(identity, env=env, number=number)


@router.get(
    "/registrations/{number}/valuations/{valuation}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the A4 report"}},
)
def pdf(number: Number, valuation: ValuationNumber, env: EnvDep, identity: IdentityDep) -> Response:
    """The report as an A4 PDF in Chinese (WeasyPrint, CJK font embedded)."""
    v = svc.get(identity, env=env, number=number, valuation_number=valuation)
    return Response(
        valuation_pdf.render(v),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{valuation}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/registrations/{number}/valuations/{valuation}", response_model=ValuationRead)
def get(
    number: Number,
    valuation: ValuationNumber,
    env: EnvDep,
    identity: IdentityDep,
    response: Response,
) -> dict[str, Any]:
    """One valuation with every input, factor and formula; `ETag` its version."""
    return _tagged(response, svc.get(identity, env=env, number=number, valuation_number=valuation))


def _tagged(response: Response, v: dict[str, Any]) -> dict[str, Any]:
    response.headers["ETag"] = f'"{v["version"]}"'
    response.headers["Cache-Control"] = "private, no-store"
    return v


@router.post("/registrations/{number}/valuations/{valuation}/publish", response_model=ValuationRead)
def publish(
    number: Number,
    valuation: ValuationNumber,
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatch,
    response: Response,
) -> dict[str, Any]:
    """The holder shows a valuation made earlier on the public record (`If-Match`: its
    `version`, the ETag of the GET)."""
    v = published.publish(
        identity, env=env, number=number, valuation_number=valuation, if_match=expected
    )
    return _tagged(response, v)


@router.post(
    "/registrations/{number}/valuations/{valuation}/unpublish", response_model=ValuationRead
)
def unpublish(
    number: Number,
    valuation: ValuationNumber,
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatch,
    response: Response,
) -> dict[str, Any]:
    """The holder takes a published valuation off the public record (`If-Match` as above)."""
    v = published.withdraw(
        identity, env=env, number=number, valuation_number=valuation, if_match=expected
    )
    return _tagged(response, v)
