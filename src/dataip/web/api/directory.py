"""The service directory (服务机构名录, issue 23 §5): agencies, their suspension by the
registry, and service requests from holders of registrations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from dataip.domain.identifiers import province_name
from dataip.schemas.text import Line, Strict
from dataip.services.directory import agencies as svc
from dataip.services.directory import requests as req_svc
from dataip.services.directory.records import CATEGORIES, Agency
from dataip.web.deps import EnvDep, IdentityDep
from dataip.web.numbers import Number

router = APIRouter(tags=["directory"])
MAX_ID = 2**31 - 1
AgencyId = Annotated[int, Path(ge=1, le=MAX_ID)]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID)]
Category = Literal[
    "appraisal", "law_firm", "notary", "exchange", "broker", "bank", "evidence_platform"
]
assert set(Category.__args__) == set(CATEGORIES)  # type: ignore[attr-defined]


class AgencyCreate(Strict):
    """List one of the caller's verified legal-person parties; `description` is public and
    screened for personal data before anything is stored."""

    party_id: int = Field(ge=1, le=MAX_ID)
    categories: list[Category] = Field(min_length=1, max_length=7)
    description: str = Field(min_length=1, max_length=500)


class AgencyRead(BaseModel):
    id: int
    name: str
    categories: list[str]
    region_code: str
    region_name: str | None
    description: str
    state: Literal["listed", "suspended"]
    state_reason: str | None
    listed_at: datetime

    @classmethod
    def of(cls, a: Agency) -> AgencyRead:
        return cls(
            id=a.id,
            name=a.name,
            categories=a.category_list,
            region_code=a.region_code,
            region_name=province_name(a.region_code),
            description=a.description,
            state=a.state,  # type: ignore[arg-type]
            state_reason=a.state_reason,
            listed_at=a.listed_at,
        )


class StateChange(Strict):
    reason: Line = Field(min_length=1, max_length=200)


class ServiceRequestCreate(Strict):
    agency_id: int = Field(ge=1, le=MAX_ID)
    category: Category
    message: str = Field(min_length=1, max_length=500)


class Details(BaseModel):
    parties: list[str]
    display_name: str | None
    email: str | None


class ServiceRequestRead(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    registration_number: str
    registration_name: str
    category: str
    message: str
    state: Literal["requested", "accepted", "declined"]
    requested_at: datetime
    answered_at: datetime | None
    side: Literal["holder", "agency"]
    can_answer: bool
    other: Details | None = Field(
        description="the other side's contact details: only once the agency accepted"
    )


@router.get("/agencies", response_model=list[AgencyRead])
def list_agencies(
    env: EnvDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    category: Category | None = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
) -> list[AgencyRead]:
    """Listed agencies (suspended ones are hidden), by name substring, category, province."""
    found = svc.search(env=env, q=(q or "").strip() or None, category=category, region=region)
    return [AgencyRead.of(a) for a in found]


@router.post("/agencies", status_code=201, response_model=AgencyRead)
def create_agency(body: AgencyCreate, env: EnvDep, identity: IdentityDep) -> AgencyRead:
    a = svc.list_agency(
        identity,
        env=env,
        party_id=body.party_id,
        categories=list(body.categories),
        description=body.description,
    )
    return AgencyRead.of(a)


@router.get("/agencies/{agency_id}", response_model=AgencyRead)
def get_agency(agency_id: AgencyId, env: EnvDep) -> AgencyRead:
    """A listed agency (a suspended one is not found)."""
    return AgencyRead.of(svc.get(env=env, agency_id=agency_id))


@router.post("/agencies/{agency_id}/suspend", response_model=AgencyRead)
def suspend(
    agency_id: AgencyId, body: StateChange, env: EnvDep, identity: IdentityDep
) -> AgencyRead:
    a = svc.set_state(identity, env=env, agency_id=agency_id, suspend=True, reason=body.reason)
    return AgencyRead.of(a)


@router.post("/agencies/{agency_id}/reinstate", response_model=AgencyRead)
def reinstate(
    agency_id: AgencyId, body: StateChange, env: EnvDep, identity: IdentityDep
) -> AgencyRead:
    a = svc.set_state(identity, env=env, agency_id=agency_id, suspend=False, reason=body.reason)
    return AgencyRead.of(a)


def _one(env: EnvDep, identity: IdentityDep, request_id: int) -> ServiceRequestRead:
    (view,) = req_svc.for_user(identity, env=env, request_id=request_id)
    return ServiceRequestRead(**view.as_dict())


@router.post(
    "/registrations/{number}/service-requests", status_code=201, response_model=ServiceRequestRead
)
def ask(
    number: Number, body: ServiceRequestCreate, env: EnvDep, identity: IdentityDep
) -> ServiceRequestRead:
    """Ask a listed agency for a service, as a holder of the registration."""
    r = req_svc.ask(
        identity,
        env=env,
        registration_number=number,
        agency_id=body.agency_id,
        category=body.category,
        message=body.message,
    )
    return _one(env, identity, r.id)


@router.get("/service-requests", response_model=list[ServiceRequestRead])
def list_requests(
    env: EnvDep, identity: IdentityDep, side: Literal["holder", "agency"] | None = None
) -> list[ServiceRequestRead]:
    """The requests the caller sent (side holder) or its agencies received (side agency)."""
    views = req_svc.for_user(identity, env=env, side=side)
    return [ServiceRequestRead(**v.as_dict()) for v in views]


@router.post("/service-requests/{request_id}/accept", response_model=ServiceRequestRead)
def accept(request_id: RequestId, env: EnvDep, identity: IdentityDep) -> ServiceRequestRead:
    r = req_svc.answer(identity, env=env, request_id=request_id, accept=True)
    return _one(env, identity, r.id)


@router.post("/service-requests/{request_id}/decline", response_model=ServiceRequestRead)
def decline(request_id: RequestId, env: EnvDep, identity: IdentityDep) -> ServiceRequestRead:
    r = req_svc.answer(identity, env=env, request_id=request_id, accept=False)
    return _one(env, identity, r.id)
