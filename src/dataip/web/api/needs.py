"""Service matching (服务撮合, R29; issue 23 §3–§4): usage intentions (需求), their matches,
the needs a registration matches, and contact through the platform."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from dataip.matching.needs import BUDGET_BANDS, Need, NeedFields
from dataip.schemas.text import Line, Strict
from dataip.services.matching import contacts as contact_svc
from dataip.services.matching import needs as svc
from dataip.web.deps import EnvDep, IdentityDep
from dataip.web.numbers import Number, NumberField

router = APIRouter(tags=["matching"])
MAX_ID = 2**31 - 1
NeedId = Annotated[int, Path(ge=1, le=MAX_ID)]
ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]
Scenario = Literal[
    "eco_environment",
    "transport",
    "sci_tech",
    "healthcare",
    "public_service",
    "education_culture",
    "geospatial",
    "labour_employment",
    "credit_service",
    "other",
]
Band = Literal["under_10k", "10k_100k", "100k_1m", "1m_10m", "over_10m", "negotiable"]
assert set(Band.__args__) == set(BUDGET_BANDS)  # type: ignore[attr-defined]


class NeedCreate(Strict):
    """A need, published under one of the caller's real-name verified parties. `title` and
    `data_wanted` are screened for personal data before anything is stored."""

    party_id: int = Field(ge=1, le=MAX_ID)
    title: Line = Field(min_length=1, max_length=100)
    scenario: Scenario
    industry_code: str = Field(pattern=r"^(?:[A-T]|[0-9]{2,4})$")
    data_wanted: str = Field(min_length=1, max_length=2000)
    region_code: str | None = Field(default=None, pattern=r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$")
    period_from: date
    period_to: date
    budget_band: Band
    expires_on: date


class NeedRead(BaseModel):
    """A need as published: never who published it (contact goes through the platform)."""

    id: int
    title: str
    scenario: str
    industry_code: str
    data_wanted: str
    region_code: str | None
    period_from: date
    period_to: date
    budget_band: str
    expires_on: date
    status: Literal["open", "withdrawn", "expired"]
    created_at: datetime
    mine: bool

    @classmethod
    def of(cls, n: Need, *, today: date, user_id: int | None) -> NeedRead:
        return cls(
            id=n.id,
            title=n.title,
            scenario=n.scenario,
            industry_code=n.industry_code,
            data_wanted=n.data_wanted,
            region_code=n.region_code,
            period_from=n.period_from,
            period_to=n.period_to,
            budget_band=n.budget_band,
            expires_on=n.expires_on,
            status=n.status_on(today),  # type: ignore[arg-type]
            created_at=n.created_at,
            mine=user_id is not None and n.author_user_id == user_id,
        )


class MatchRead(BaseModel):
    rank: int
    registration_number: str
    name: str
    industry_code: str | None
    holders: list[dict[str, Any]]
    valid_until: date
    strong: bool = Field(description="a strong match: its holders were told of the need")


class ContactCreate(Strict):
    registration_number: NumberField


class ContactDetails(BaseModel):
    parties: list[str]
    display_name: str | None
    email: str | None


class ContactRead(BaseModel):
    id: int
    need_id: int
    need_title: str
    registration_number: str
    registration_name: str
    proposed_by: Literal["author", "holder"]
    state: Literal["proposed", "accepted", "declined"]
    proposed_at: datetime
    answered_at: datetime | None
    side: Literal["author", "holder"]
    can_answer: bool
    other: ContactDetails | None = Field(
        description="the other side's contact details: only once both agreed (accepted)"
    )


def _need(env: Any, identity: Any, n: Need) -> NeedRead:
    return NeedRead.of(n, today=env.today(), user_id=identity.user_id)


@router.get("/needs", response_model=list[NeedRead])
def list_needs(
    env: EnvDep,
    scenario: Scenario | None = None,
    industry: Annotated[str | None, Query(pattern=r"^(?:[A-T]|[0-9]{2,4})$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{2,6}$")] = None,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NeedRead]:
    """Open needs, newest first (`cursor`: the last id seen)."""
    found = svc.list_open(
        env=env, scenario=scenario, industry=industry, region=region, cursor=cursor, limit=limit
    )
    return [NeedRead.of(n, today=env.today(), user_id=None) for n in found]


@router.post("/needs", status_code=201, response_model=NeedRead)
def publish(body: NeedCreate, env: EnvDep, identity: IdentityDep) -> NeedRead:
    fields = NeedFields(**body.model_dump(exclude={"party_id"}))
    need = svc.publish(identity, env=env, party_id=body.party_id, fields=fields)
    return _need(env, identity, need)


@router.get("/needs/{need_id}", response_model=NeedRead)
def get_need(need_id: NeedId, env: EnvDep, identity: IdentityDep) -> NeedRead:
    """An open need; its author also reads it withdrawn or expired."""
    return _need(env, identity, svc.get(identity, env=env, need_id=need_id))


@router.post("/needs/{need_id}/withdraw", response_model=NeedRead)
def withdraw(need_id: NeedId, env: EnvDep, identity: IdentityDep) -> NeedRead:
    return _need(env, identity, svc.withdraw(identity, env=env, need_id=need_id))


@router.get("/needs/{need_id}/matches", response_model=list[MatchRead])
def matches(
    need_id: NeedId,
    env: EnvDep,
    identity: IdentityDep,
    industry: Annotated[str | None, Query(pattern=r"^(?:[A-T]|[0-9]{2,4})$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{2,6}$")] = None,
) -> list[MatchRead]:
    """The valid registrations matching the need best (BM25 over jieba words of the public
    record; valid on the period's first day), narrowed by `industry` (a section letter or
    code prefix) and `region` (the holder's division-code prefix)."""
    found = svc.matches(identity, env=env, need_id=need_id, industry=industry, region=region)
    return [MatchRead.model_validate(m.as_dict()) for m in found]


@router.get("/registrations/{number}/needs", response_model=list[NeedRead])
def registration_needs(number: Number, env: EnvDep) -> list[NeedRead]:
    """The open needs a valid registration matches best (its own holders' needs left out)."""
    found = svc.needs_for_registration(svc.ANONYMOUS, env=env, number=number)
    return [NeedRead.of(n, today=env.today(), user_id=None) for n in found]


@router.post("/needs/{need_id}/contacts", status_code=201, response_model=ContactRead)
def propose_contact(
    need_id: NeedId, body: ContactCreate, env: EnvDep, identity: IdentityDep
) -> ContactRead:
    """Propose contact on a match, as the need's author or a holder of the registration."""
    c = contact_svc.propose(
        identity, env=env, need_id=need_id, registration_number=body.registration_number
    )
    return _contact(env, identity, c.id)


def _contact(env: Any, identity: Any, contact_id: int) -> ContactRead:
    view = next(
        v
        for v in contact_svc.for_user(identity, env=env, contact_id=contact_id)
        if v.contact.id == contact_id
    )
    return ContactRead.model_validate(view.as_dict())


@router.get("/contacts", response_model=list[ContactRead])
def list_contacts(
    env: EnvDep,
    identity: IdentityDep,
    need_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ContactRead]:
    """The contacts the caller is a side of, newest first; the other side's details only
    once accepted."""
    views = contact_svc.for_user(identity, env=env, need_id=need_id)
    return [ContactRead.model_validate(v.as_dict()) for v in views]


@router.post("/contacts/{contact_id}/accept", response_model=ContactRead)
def accept(contact_id: ContactId, env: EnvDep, identity: IdentityDep) -> ContactRead:
    c = contact_svc.answer(identity, env=env, contact_id=contact_id, accept=True)
    return _contact(env, identity, c.id)


@router.post("/contacts/{contact_id}/decline", response_model=ContactRead)
def decline(contact_id: ContactId, env: EnvDep, identity: IdentityDep) -> ContactRead:
    c = contact_svc.answer(identity, env=env, contact_id=contact_id, accept=False)
    return _contact(env, identity, c.id)
