"""Statistics (R30) and typical cases (JS25§10): `GET /api/v1/statistics` (every figure of a
period), `GET /api/v1/statistics/{table}` (one table; `.csv` or `?format=csv` for the CSV file,
UTF-8 with a BOM so that Excel reads the Chinese names), `/api/v1/typical-cases`."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from dataip.domain.errors import DomainError
from dataip.schemas.text import Line, Strict
from dataip.services.value import statistics, statistics_view, typical_cases
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["statistics"])

YearQ = Annotated[int | None, Query(ge=2000, le=2100, description="a calendar year")]
FromQ = Annotated[
    str | None, Query(alias="from", max_length=10, description="first month, YYYY-MM")
]
ToQ = Annotated[str | None, Query(alias="to", max_length=10, description="last month, YYYY-MM")]
_PART = {
    "totals": "totals",
    "by-industry": "by_section",
    "by-division": "by_division",
    "by-region": "by_region",
    "by-holder-type": "by_holder_type",
    "by-source": "by_source",
    "monthly": "monthly",
    "value-realised": "value",
    "processing-times": "processing",
}


def figures_of(env: Any, year: int | None, first: str | None, last: str | None) -> dict[str, Any]:
    a, b = statistics.period(year=year, first=first, last=last)
    return statistics_view.figures(env=env, first=a, last=b)


def csv_response(name: str, fig: dict[str, Any]) -> Response:
    """One table as a CSV file: UTF-8 with a BOM (Excel), CRLF rows (RFC 4180)."""
    head, rows = statistics_view.table(name, fig)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    period = fig["period"]
    span = f"{period['from'] or 'start'}_{period['to'] or 'now'}"
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statistics-{name}-{span}.csv"'},
    )


class Period(BaseModel):
    from_: str | None = Field(alias="from", description="first month, YYYY-MM (open: none)")
    to: str | None = Field(description="last month, YYYY-MM (open: none)")
    months: list[str]


class Totals(BaseModel):
    applications: int
    registrations: int
    holders: int = Field(description="holders of the registrations (a joint one counts each)")
    enterprise_holders: int
    enterprise_share_bp: int | None = Field(description="basis points, rounded half up")
    industry_sections: int
    regions: int


class Monthly(BaseModel):
    month: str
    applications: int
    registrations: int


class Named(BaseModel):
    code: str = Field(description="the dimension's code; `-` when not identified")
    name: str
    name_en: str
    count: int
    share_bp: int | None
    section: str | None = Field(None, description="by_division only: its section")


class Cell(BaseModel):
    count: int
    amount_fen: int | None = Field(description="null when withheld (fewer than 3 contracts)")
    withheld: bool


class ValueKind(Cell):
    kind: str
    name: str
    name_en: str


class ValueTotal(BaseModel):
    count: int
    amount_fen: int | None


class ValueMonth(BaseModel):
    month: str
    licence: Cell
    trade: Cell
    pledge: Cell


class Value(BaseModel):
    min_cell: int
    kinds: list[ValueKind]
    total: ValueTotal
    monthly: list[ValueMonth]


class Durations(BaseModel):
    count: int
    median: int | None = Field(description="working days, nearest rank")
    p90: int | None = Field(description="working days, nearest rank")
    mean_x100: int | None = Field(description="the mean × 100, rounded half up")
    max: int | None


class Segment(Durations):
    segment: str
    name: str
    name_en: str


class ProcessingMonth(BaseModel):
    month: str
    accept: Durations
    decide: Durations
    certify: Durations
    overall: Durations


class Processing(BaseModel):
    unit: str
    percentile_method: str
    segments: list[Segment]
    monthly: list[ProcessingMonth]


class StatisticsRead(BaseModel):
    period: Period
    as_of: str | None = Field(description="when the month aggregates were last refreshed")
    totals: Totals
    monthly: list[Monthly]
    by_section: list[Named]
    by_division: list[Named]
    by_region: list[Named]
    by_holder_type: list[Named]
    by_source: list[Named]
    value: Value
    processing: Processing


@router.get("/statistics", response_model=StatisticsRead, response_model_by_alias=True)
def all_statistics(
    env: EnvDep, year: YearQ = None, date_from: FromQ = None, date_to: ToQ = None
) -> StatisticsRead:
    """Every published figure of the period (default: all months): totals, monthly trend, by
    industry section and division, region, holder type, data-source type, value realised
    (amounts in fen; a cell of fewer than 3 contracts is withheld, `amount_fen` null) and
    processing times (working days; median and P90 by nearest rank). Read from the monthly
    aggregates, refreshed daily (`as_of`)."""
    return StatisticsRead.model_validate(figures_of(env, year, date_from, date_to))


@router.get("/statistics/{table}")
def one_table(
    env: EnvDep,
    table: Annotated[str, Path(max_length=40, description="a table name; `.csv` for the file")],
    year: YearQ = None,
    date_from: FromQ = None,
    date_to: ToQ = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """One table of the statistics: totals, by-industry, by-division, by-region,
    by-holder-type, by-source, monthly, value-realised, processing-times."""
    name = table.removesuffix(".csv")
    if name not in _PART:
        raise DomainError(
            "statistics_table_not_found",
            "没有该统计表",
            "no such statistics table",
            status=404,
            details={"tables": list(_PART)},
        )
    fig = figures_of(env, year, date_from, date_to)
    if format == "csv" or table.endswith(".csv"):
        return csv_response(name, fig)
    return {"period": fig["period"], "as_of": fig["as_of"], name: fig[_PART[name]]}


class TypicalCaseCreate(Strict):
    registration_number: Line = Field(min_length=1, max_length=20)
    year: int = Field(ge=2000, le=2100)
    title: Line = Field(min_length=1, max_length=typical_cases.MAX_TITLE)
    text: str = Field(min_length=1, max_length=typical_cases.MAX_TEXT)


@router.get("/typical-cases")
def list_cases(env: EnvDep, year: YearQ = None) -> list[dict[str, Any]]:
    """The typical cases the registry curates (JS25§10), public."""
    return typical_cases.cases(env=env, year=year)


@router.post("/typical-cases", status_code=201)
def add_case(body: TypicalCaseCreate, env: EnvDep, identity: IdentityDep) -> dict[str, Any]:
    """Add a typical case (examiners and administrators). Its text is public: it is
    screened for personal data first and refused (`typical_case_personal_data`) if any."""
    return typical_cases.add(
        identity,
        env=env,
        number=body.registration_number,
        year=body.year,
        title=body.title,
        text=body.text,
    )


@router.delete("/typical-cases/{case_id}", status_code=204)
def remove_case(
    case_id: Annotated[int, Path(ge=1, le=2**31 - 1)], env: EnvDep, identity: IdentityDep
) -> Response:
    """Remove a typical case (examiners and administrators)."""
    typical_cases.remove(identity, env=env, case_id=case_id)
    return Response(status_code=204)
