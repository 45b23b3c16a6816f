"""Derivation and benefit distribution (数据来源与收益分配), issue 23 §1–§2.

A registration's holder declares its upstream sources; the upstream's holder (the registry,
for a source not registered here) confirms or disputes each; the graph is public. The holder
records an income and gets its penetrating distribution; each beneficiary its statement
(JSON or PDF) with the opening of its commitment and the log receipt to check it with
(docs/distribution.md). Routers stay three lines; the use cases are in
`services/distribution`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from dataip.schemas.text import Line
from dataip.services import ledger
from dataip.services.distribution import incomes, sources
from dataip.web.api.application_schemas import _Strict
from dataip.web.deps import EnvDep, IdentityDep
from dataip.web.numbers import Number, NumberField

router = APIRouter(tags=["distribution"])
LinkId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DistributionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Beneficiary = Annotated[
    str, Path(pattern=r"^([0-9]{15}[0-9X]-[0-9]{1,3}|[0-9]{4}:[0-9X]{16,17}|E[0-9]{1,12})$")
]
StageName = Literal["collection", "processing", "circulation", "application"]


class SourceCreate(_Strict):
    """An upstream source: a registration here (`number`), one at a listed registry
    (`agency_code` + `number`) or an external source (`name`)."""

    kind: Literal["registration", "foreign", "external"]
    number: NumberField | None = None
    agency_code: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    name: Annotated[Line, Field(min_length=1, max_length=200)] | None = None
    weight_bp: Annotated[int, Field(ge=1, le=10_000, strict=True)] = Field(
        description="the contribution weight in basis points (10 000 = 100 %)", examples=[3000]
    )
    stage: StageName = Field(description="JS23§14: 采集、加工、流通、应用")


class SourceDispute(_Strict):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class SourceRead(BaseModel):
    id: int
    downstream_number: str | None
    upstream_kind: str
    upstream_number: str | None
    upstream_agency_code: str | None
    upstream_name: str | None
    external_name: str | None = Field(description="the holders' and the registry's only")
    weight_bp: int
    stage: str
    state: Literal["pending", "confirmed", "disputed"]
    declared_at: datetime
    decided_at: datetime | None


class SourcesRead(BaseModel):
    registration_number: str
    sources: list[SourceRead]
    derived: list[SourceRead] = Field(description="declarations naming this registration")


class GraphNode(BaseModel):
    key: str
    kind: str
    number: str | None
    agency_code: str | None = None
    name: str | None
    state: str | None


class GraphEdge(BaseModel):
    id: int
    downstream: str
    upstream: str
    weight_bp: int
    stage: str
    state: str


class GraphRead(BaseModel):
    registration_number: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class DistributionCreate(_Strict):
    """An income: an amount the holder enters, or a licence or trade filing's fee or price."""

    income_fen: Annotated[int, Field(ge=1, le=10**15, strict=True)] | None = Field(
        default=None, description="the income in fen (分)", examples=[1_000_000]
    )
    filing_number: Annotated[str, Field(pattern=r"^BA[0-9]{4}[0-9A-Z]{4}[0-9]{7}$")] | None = None


class FlowRead(BaseModel):
    path: list[str]
    share: str


class PartRead(BaseModel):
    position: int
    beneficiary: str
    kind: Literal["holder", "foreign", "external"]
    node: str
    name: str | None
    share: str = Field(description="exact fraction of the income, n/d")
    amount_fen: int | None = Field(description="the holders' and the registry's only")
    flows: list[FlowRead]
    paths_complete: bool
    readable: bool = Field(description="whether the caller may read this part's statement")


class DistributionRead(BaseModel):
    id: int
    registration_number: str
    registration_name: str
    income_fen: int | None
    source: Literal["filing", "entered"]
    filing_number: str | None
    retention_bp: int
    graph_version: int
    links: list[dict[str, Any]]
    recorded_at: datetime
    log_index: int | None
    parts: list[PartRead]


class Opening(BaseModel):
    salt: str
    value: dict[str, Any]


class StatementRead(BaseModel):
    registration_number: str
    registration_name: str
    distribution_id: int
    position: int
    beneficiary: str
    kind: str
    node: str
    name: str | None
    share: str
    amount_fen: int
    income_fen: int
    retention_bp: int
    flows: list[FlowRead]
    paths_complete: bool
    recorded_at: datetime
    opening: Opening = Field(description="the salt and value of the part's commitment")
    log_index: int | None
    receipt: str | None = Field(description="C2SP tlog-proof of the leaf, with the leaf")


def _receipt(request: Request, event_id: int | None) -> tuple[int | None, str | None]:
    if event_id is None:
        return None, None
    registry = request.app.state.registry
    return ledger.await_receipt(
        registry.env,
        registry.log_keys,
        event_id,
        publisher_interval=registry.settings.log_interval_seconds,
        timeout=3.0,
    )


def statement_with_receipt(
    request: Request, env: Any, identity: Any, number: str, distribution_id: int, who: str
) -> dict[str, Any]:
    doc = incomes.statement(
        identity, env=env, number=number, distribution_id=distribution_id, beneficiary=who
    )
    index, receipt = _receipt(request, doc.pop("event_id"))
    return doc | {"log_index": index, "receipt": receipt}


@router.get("/registrations/{number}/sources", response_model=SourcesRead)
def list_sources(number: Number, env: EnvDep, identity: IdentityDep) -> Any:
    """The registration's declared sources and the declarations naming it as a source."""
    return sources.sources(identity, env=env, number=number)


@router.post("/registrations/{number}/sources", response_model=SourceRead, status_code=201)
def declare_source(body: SourceCreate, number: Number, env: EnvDep, identity: IdentityDep) -> Any:
    """The holder declares an upstream source (pending until its holder confirms)."""
    up = sources.Upstream(
        kind=body.kind, number=body.number, agency_code=body.agency_code, name=body.name
    )
    link = sources.declare(
        identity, env=env, number=number, upstream=up, weight_bp=body.weight_bp, stage=body.stage
    )
    return _one(identity, env, number, link.id)


def _one(identity: Any, env: Any, number: str, link_id: int) -> Any:
    found = [
        s
        for s in sources.sources(identity, env=env, number=number)["sources"]
        if s["id"] == link_id
    ]
    return found[0]


@router.post("/registrations/{number}/sources/{link_id}/confirm", response_model=SourceRead)
def confirm_source(number: Number, link_id: LinkId, env: EnvDep, identity: IdentityDep) -> Any:
    """The upstream's holder (the registry, for a source not registered here) confirms."""
    sources.confirm(identity, env=env, number=number, link_id=link_id)
    return _one(identity, env, number, link_id)


@router.post("/registrations/{number}/sources/{link_id}/dispute", response_model=SourceRead)
def dispute_source(
    body: SourceDispute, number: Number, link_id: LinkId, env: EnvDep, identity: IdentityDep
) -> Any:
    """The upstream's holder (or the registry) disputes; the reason is committed, not shown."""
    sources.dispute(identity, env=env, number=number, link_id=link_id, reason=body.reason)
    return _one(identity, env, number, link_id)


@router.get("/registrations/{number}/graph", response_model=GraphRead)
def derivation_graph(number: Number, env: EnvDep) -> Any:
    """The public derivation graph: numbers, weights, stages and states."""
    return sources.graph(env=env, number=number)


@router.post(
    "/registrations/{number}/distributions", response_model=DistributionRead, status_code=201
)
def record_distribution(
    body: DistributionCreate, number: Number, env: EnvDep, identity: IdentityDep, request: Request
) -> Any:
    """The holder records an income; the answer is its penetrating distribution."""
    row = incomes.record(
        identity,
        env=env,
        number=number,
        income_fen=body.income_fen,
        filing_number=body.filing_number,
    )
    return _distribution(request, identity, env, number, row.id)


def _distribution(request: Request, identity: Any, env: Any, number: str, did: int) -> Any:
    doc = incomes.get(identity, env=env, number=number, distribution_id=did)
    registry = request.app.state.registry
    return doc | {"log_index": ledger.index_of_event(registry.env, doc.pop("event_id") or 0)}


@router.get(
    "/registrations/{number}/distributions/{distribution_id}", response_model=DistributionRead
)
def get_distribution(
    number: Number,
    distribution_id: DistributionId,
    env: EnvDep,
    identity: IdentityDep,
    request: Request,
) -> Any:
    """A distribution: shares and paths (public), amounts (the holders and the registry)."""
    return _distribution(request, identity, env, number, distribution_id)


@router.get(
    "/registrations/{number}/distributions/{distribution_id}/statements/{beneficiary}",
    response_model=StatementRead,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_statement(
    number: Number,
    distribution_id: DistributionId,
    beneficiary: Beneficiary,
    env: EnvDep,
    identity: IdentityDep,
    request: Request,
    format: Annotated[Literal["json", "pdf"], Query(description="json or pdf")] = "json",
) -> Any:
    """A beneficiary's statement, with the opening of its commitment and the log receipt."""
    doc = statement_with_receipt(request, env, identity, number, distribution_id, beneficiary)
    if format == "pdf":
        from dataip.web.pages.distribution_pdf import statement_pdf

        pdf = statement_pdf(doc, lang="zh-CN")
        name = f"statement-{number}-{distribution_id}-{doc['position']}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return doc
