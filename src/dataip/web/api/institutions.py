"""Institutions (issue 20 §1, §3): the admin's registry of institutional clients, the
institutions' audited reads of registrations, and the holder's view of who read theirs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field, HttpUrl

from dataip.schemas.text import Line, Strict
from dataip.services.sharing import institutions as svc
from dataip.services.sharing import reads
from dataip.sharing.clients import ACTIONS, STATES, Institution
from dataip.sharing.reads import RESOURCES, ReadRecord
from dataip.sharing.scopes import (
    KINDS,
    REGISTRATIONS_READ,
    REGISTRATIONS_READ_FULL,
    SCOPES,
    Principal,
)
from dataip.web.api.application_schemas import Label
from dataip.web.api.institution_auth import insufficient_scope, require_scopes
from dataip.web.api.registration_schemas import RegistrationDetail
from dataip.web.api.registrations import _detail
from dataip.web.deps import EnvDep, IdentityDep
from dataip.web.numbers import Number

router = APIRouter(tags=["institutions"])
Kind = Literal["court", "bank", "exchange", "registry", "agency", "appraisal"]
ClientId = Annotated[str, Path(pattern=r"^[a-z]{1,16}-[0-9a-f]{16}$")]
Action = Annotated[str, Path(max_length=32, description=", ".join(ACTIONS))]
Purpose = Annotated[
    str | None,
    Query(
        max_length=200,
        description="why the institution reads (required for `view=full` and the archive): "
        "a court's case number (案号, e.g. （2026）浙01民初123号), an agency's file reference. "
        "A query parameter, not a header: case numbers are Chinese text, which HTTP headers "
        "cannot carry",
    ),
]
AnyInstitution = Annotated[Principal, Depends(require_scopes())]


def _label(pair: tuple[str, str]) -> Label:
    return Label(zh=pair[0], en=pair[1])


class InstitutionCreate(Strict):
    kind: Kind
    name: Line = Field(min_length=1, max_length=200)
    uscc: Line = Field(min_length=1, max_length=30, description="统一社会信用代码 (GB 32100)")
    scopes: list[str] = Field(min_length=1, max_length=10)
    jwks: dict[str, Any] | None = Field(
        default=None, description="the client's public keys (RFC 7517), each with a `kid`"
    )
    jwks_uri: HttpUrl | None = Field(default=None, description="or an https URL serving them")


class KeysUpdate(Strict):
    jwks: dict[str, Any] | None = None
    jwks_uri: HttpUrl | None = None


class InstitutionRead(BaseModel):
    client_id: str
    kind: str
    kind_label: Label
    name: str
    uscc: str
    scopes: list[str]
    state: str
    state_label: Label
    jwks: dict[str, Any] | None
    jwks_uri: str | None
    kids: list[str]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, i: Institution) -> InstitutionRead:
        return cls(
            client_id=i.client_id,
            kind=i.kind,
            kind_label=_label(KINDS[i.kind]),
            name=i.name,
            uscc=i.uscc,
            scopes=sorted(i.scopes),
            state=i.state,
            state_label=_label(STATES[i.state]),
            jwks=dict(i.jwks) if i.jwks is not None else None,
            jwks_uri=i.jwks_uri,
            kids=i.kids,
            created_at=i.created_at,
            updated_at=i.updated_at,
            version=i.version,
        )


class ReadRecordRead(BaseModel):
    seq: int
    client_id: str
    institution_name: str
    kind: str
    kind_label: Label
    scope: str
    scope_label: Label
    registration_number: str
    resource: str
    resource_label: Label
    purpose: str
    read_at: datetime
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, r: ReadRecord) -> ReadRecordRead:
        return cls(
            seq=r.seq,
            client_id=r.client_id,
            institution_name=r.institution_name,
            kind=r.kind,
            kind_label=_label(KINDS.get(r.kind, (r.kind, r.kind))),
            scope=r.scope,
            scope_label=_label(SCOPES.get(r.scope, (r.scope, r.scope))),
            registration_number=r.registration_number,
            resource=r.resource,
            resource_label=_label(RESOURCES.get(r.resource, (r.resource, r.resource))),
            purpose=r.purpose,
            read_at=r.read_at,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )


# --- the admin ----------------------------------------------------------------------------


@router.post("/admin/institutions", status_code=201, response_model=InstitutionRead)
def register(body: InstitutionCreate, env: EnvDep, identity: IdentityDep) -> InstitutionRead:
    """Register an institution and its OAuth client (admins only). Scopes: only those its
    kind may hold (docs/sharing.md); keys: an inline JWKS or an https JWKS URL."""
    inst = svc.register(
        identity,
        env=env,
        kind=body.kind,
        name=body.name,
        uscc=body.uscc,
        scopes=body.scopes,
        jwks=body.jwks,
        jwks_uri=str(body.jwks_uri) if body.jwks_uri else None,
    )
    return InstitutionRead.of(inst)


@router.get("/admin/institutions", response_model=list[InstitutionRead])
def list_(env: EnvDep, identity: IdentityDep) -> list[InstitutionRead]:
    return [InstitutionRead.of(i) for i in svc.list_all(identity, env=env)]


@router.get("/admin/institutions/{client_id}", response_model=InstitutionRead)
def get(client_id: ClientId, env: EnvDep, identity: IdentityDep) -> InstitutionRead:
    return InstitutionRead.of(svc.get(identity, env=env, client_id=client_id))


@router.post("/admin/institutions/{client_id}/actions/{action}", response_model=InstitutionRead)
def act(client_id: ClientId, action: Action, env: EnvDep, identity: IdentityDep) -> InstitutionRead:
    """`suspend` (its tokens stop working at once), `reactivate`, `revoke` (final)."""
    return InstitutionRead.of(svc.act(identity, env=env, client_id=client_id, action=action))


@router.put("/admin/institutions/{client_id}/keys", response_model=InstitutionRead)
def replace_keys(
    client_id: ClientId, body: KeysUpdate, env: EnvDep, identity: IdentityDep
) -> InstitutionRead:
    """Replace the client's keys. Rotate without downtime: put the old and the new key,
    switch the signer to the new `kid`, then put the new one alone."""
    inst = svc.replace_keys(
        identity,
        env=env,
        client_id=client_id,
        jwks=body.jwks,
        jwks_uri=str(body.jwks_uri) if body.jwks_uri else None,
    )
    return InstitutionRead.of(inst)


class ScopesUpdate(Strict):
    scopes: list[str] = Field(min_length=1, max_length=10)


@router.put("/admin/institutions/{client_id}/scopes", response_model=InstitutionRead)
def replace_scopes(
    client_id: ClientId, body: ScopesUpdate, env: EnvDep, identity: IdentityDep
) -> InstitutionRead:
    """Change the client's scopes (only those its kind may hold); a narrowed scope leaves
    its live tokens at once."""
    inst = svc.replace_scopes(identity, env=env, client_id=client_id, scopes=body.scopes)
    return InstitutionRead.of(inst)


# --- institutions' reads --------------------------------------------------------------------


@router.get("/institutions/registrations/{number}", response_model=RegistrationDetail)
def institution_read(
    number: Number,
    env: EnvDep,
    principal: AnyInstitution,
    response: Response,
    view: Annotated[Literal["public", "full"], Query()] = "public",
    purpose: Purpose = None,
) -> RegistrationDetail:
    """A registration for an institution: `view=public` with `registrations:read`;
    `view=full` (private fields) with `registrations:read-full` and a `purpose`, recorded
    in the account of reads the holder sees."""
    if view == "public":
        if not (principal.allows(REGISTRATIONS_READ) or principal.allows(REGISTRATIONS_READ_FULL)):
            raise insufficient_scope([REGISTRATIONS_READ])
        return _detail(response, reads.public_record(principal, env=env, number=number))
    if not principal.allows(REGISTRATIONS_READ_FULL):
        raise insufficient_scope([REGISTRATIONS_READ_FULL])
    v = reads.full_record(principal, env=env, number=number, purpose=purpose)
    response.headers["Cache-Control"] = "no-store"
    return _detail(response, v)


@router.get("/institutions/registrations/{number}/archive")
def institution_archive(
    number: Number,
    env: EnvDep,
    principal: Annotated[Principal, Depends(require_scopes(REGISTRATIONS_READ_FULL))],
    purpose: Purpose = None,
) -> Response:
    """The registration archive (G§25) with `registrations:read-full` and a `purpose`;
    recorded in the account of reads."""
    dossier = reads.archive(principal, env=env, number=number, purpose=purpose)
    return Response(
        json.dumps(dossier, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


# --- the holder -----------------------------------------------------------------------------


@router.get("/registrations/{number}/reads", response_model=list[ReadRecordRead])
def who_read(number: Number, env: EnvDep, identity: IdentityDep) -> list[ReadRecordRead]:
    """Which institutions read this registration's private fields or archive, when, and
    for what stated purpose: its holders and the registry."""
    return [ReadRecordRead.of(r) for r in reads.for_registration(identity, env=env, number=number)]
