"""Parties (登记主体), real-name verification and agents' powers of attorney."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from dataip.domain import model as m
from dataip.domain.identifiers import mask_resident_id
from dataip.schemas.text import Line, Strict
from dataip.services import parties
from dataip.services.context import Identity
from dataip.services.party_refs import PartyRef
from dataip.web.deps import EnvDep, IdentityDep

router = APIRouter(tags=["parties"])
Sha256 = Field(pattern=r"^[0-9a-f]{64}$")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
PartyId = Annotated[int, Path(ge=1, le=MAX_ID)]
AuthorisationId = Annotated[int, Path(ge=1, le=MAX_ID)]


_Strict = Strict  # no unknown fields, no control characters (pages parse into these too)


class PartyCreate(_Strict):
    kind: Literal["natural_person", "legal_person", "unincorporated"]
    name: Line = Field(min_length=1, max_length=200)
    id_number: Line = Field(min_length=1, max_length=40)
    address: Line = Field(min_length=1, max_length=500)


class PartyRead(BaseModel):
    id: int
    kind: str
    name: str
    id_number: str
    address: str
    verification_status: str
    verification_method: str | None
    verified_at: datetime | None
    warnings: list[str]

    @classmethod
    def of(cls, p: m.Party, identity: Identity) -> PartyRead:
        number = p.id_number
        # Resident ID numbers are masked except for their holder (UI.md, privacy in view).
        if p.kind == "natural_person" and p.owner_user_id != identity.user_id:
            number = mask_resident_id(number)
        return cls(
            id=p.id,
            kind=p.kind,
            name=p.name,
            id_number=number,
            address=p.address,
            verification_status=p.verification_status,
            verification_method=p.verification_method,
            verified_at=p.verified_at,
            warnings=p.warnings,
        )


class VerificationCreate(_Strict):
    method: Line = Field(min_length=1, max_length=64)
    evidence_blob: str = Sha256


class Decision(_Strict):
    approve: bool
    note: str = Field(default="", max_length=2000)


class AuthorisationCreate(_Strict):
    """The principal as a filer names someone else's party (issue 18): `id_number`, its
    unified social credit code or resident ID number (a real-name verified party); or
    `party_id` for a party the agent already acts for (a renewed power of attorney)."""

    id_number: str | None = Field(default=None, min_length=1, max_length=32)
    party_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    poa_blob: str = Sha256


class AuthorisationRead(BaseModel):
    id: int
    party_id: int
    agent_user_id: int
    status: str
    created_at: datetime
    note: str | None

    @classmethod
    def of(cls, a: m.AgentAuthorisation) -> AuthorisationRead:
        return cls(
            id=a.id,
            party_id=a.party_id,
            agent_user_id=a.agent_user_id,
            status=a.status,
            created_at=a.created_at,
            note=a.note,
        )


@router.post("/parties", status_code=201, response_model=PartyRead)
def create(body: PartyCreate, env: EnvDep, identity: IdentityDep) -> PartyRead:
    p = parties.create_party(
        identity,
        env=env,
        kind=body.kind,
        name=body.name,
        id_number=body.id_number,
        address=body.address,
    )
    return PartyRead.of(p, identity)


@router.get("/parties", response_model=list[PartyRead])
def list_(env: EnvDep, identity: IdentityDep) -> list[PartyRead]:
    """Your parties; for examiners, the parties awaiting verification."""
    return [PartyRead.of(p, identity) for p in parties.list_parties(identity, env=env)]


@router.get("/parties/{party_id}", response_model=PartyRead)
def get(party_id: PartyId, env: EnvDep, identity: IdentityDep) -> PartyRead:
    return PartyRead.of(parties.get_party(identity, env=env, party_id=party_id), identity)


@router.post("/parties/{party_id}/verification", response_model=PartyRead)
def request_verification(
    party_id: PartyId, body: VerificationCreate, env: EnvDep, identity: IdentityDep
) -> PartyRead:
    p = parties.request_verification(
        identity, env=env, party_id=party_id, method=body.method, evidence_blob=body.evidence_blob
    )
    return PartyRead.of(p, identity)


@router.post("/parties/{party_id}/verification/decision", response_model=PartyRead)
def decide_verification(
    party_id: PartyId, body: Decision, env: EnvDep, identity: IdentityDep
) -> PartyRead:
    p = parties.decide_verification(
        identity, env=env, party_id=party_id, approve=body.approve, note=body.note
    )
    return PartyRead.of(p, identity)


@router.post("/authorisations", status_code=201, response_model=AuthorisationRead)
def file_poa(body: AuthorisationCreate, env: EnvDep, identity: IdentityDep) -> AuthorisationRead:
    principal = PartyRef(party_id=body.party_id, id_number=body.id_number)
    a = parties.request_authorisation(
        identity, env=env, principal=principal, poa_blob=body.poa_blob
    )
    return AuthorisationRead.of(a)


@router.get("/authorisations", response_model=list[AuthorisationRead])
def list_poa(env: EnvDep, identity: IdentityDep) -> list[AuthorisationRead]:
    return [AuthorisationRead.of(a) for a in parties.list_authorisations(identity, env=env)]


@router.post("/authorisations/{authorisation_id}/decision", response_model=AuthorisationRead)
def decide_poa(
    authorisation_id: AuthorisationId, body: Decision, env: EnvDep, identity: IdentityDep
) -> AuthorisationRead:
    a = parties.decide_authorisation(
        identity, env=env, authorisation_id=authorisation_id, accept=body.approve, note=body.note
    )
    return AuthorisationRead.of(a)
