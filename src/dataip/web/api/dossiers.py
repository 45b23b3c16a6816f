"""One window (一窗受理, issue 24 §2, R31): one combined filing for data IP and data property
registration, and the dossier its applicant and both registers' examiners read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from dataip.schemas.application_form import ApplicationForm
from dataip.services import applications as svc
from dataip.services.one_window import dossiers
from dataip.services.one_window.dossiers import DossierView
from dataip.web.api.application_schemas import ApplicantIn, ApplicationRead, _Strict
from dataip.web.api.applications import _read
from dataip.web.deps import EnvDep, IdentityDep, IfMatch

router = APIRouter(tags=["one window"])
DossierId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class DossierCreate(_Strict):
    registers: list[Literal["data_ip", "data_property"]] = Field(
        min_length=1,
        max_length=2,
        description="the registrations applied for: data IP (数据知识产权登记), data property "
        "(数据产权登记), or both",
    )
    form: ApplicationForm = Field(
        default_factory=ApplicationForm,
        description="the shared parts, filled once; `property` carries the data property items",
    )
    applicants: list[ApplicantIn] = Field(min_length=1, max_length=50)


class DossierRead(BaseModel):
    id: int
    registers: list[str]
    created_at: datetime
    version: int
    applications: list[ApplicationRead]


class DossierPage(BaseModel):
    items: list[DossierRead]


def _dossier(response: Response | None, d: DossierView) -> DossierRead:
    if response is not None:
        response.headers["ETag"] = f'"{d.version}"'
    return DossierRead(
        id=d.id,
        registers=d.registers,
        created_at=d.created_at,
        version=d.version,
        applications=[_read(v) for v in d.applications],
    )


@router.post("/dossiers", status_code=201, response_model=DossierRead)
def create(
    body: DossierCreate, env: EnvDep, identity: IdentityDep, response: Response
) -> DossierRead:
    """File once for one or both registers: one draft per register chosen, sharing the form
    and the applicants; submit them together with `POST /dossiers/{id}/submit`."""
    d = dossiers.file(
        identity,
        env=env,
        registers=body.registers,
        form=body.form.as_form(),
        applicants=[svc.ApplicantIn(**x.model_dump()) for x in body.applicants],
    )
    response.headers["Location"] = f"/api/v1/dossiers/{d.id}"
    return _dossier(response, d)


@router.get("/dossiers", response_model=DossierPage)
def mine(env: EnvDep, identity: IdentityDep) -> DossierPage:
    """The caller's one-window filings, newest first."""
    return DossierPage(items=[_dossier(None, d) for d in dossiers.mine(identity, env=env)])


@router.get("/dossiers/{dossier_id}", response_model=DossierRead)
def read(
    dossier_id: DossierId, env: EnvDep, identity: IdentityDep, response: Response
) -> DossierRead:
    """The dossier: each register's application with its state, deadlines, allowed actions
    and registration — for the applicant and for the registers' examiners."""
    return _dossier(response, dossiers.read(identity, env=env, dossier_id=dossier_id))


@router.post("/dossiers/{dossier_id}/submit", response_model=DossierRead)
def submit(
    dossier_id: DossierId,
    env: EnvDep,
    identity: IdentityDep,
    response: Response,
    if_match: IfMatch = None,
) -> DossierRead:
    """Submit every draft of the dossier at once (all or none); each then proceeds under its
    own register's rules, through `POST /applications/{id}/actions/{action}`."""
    d = dossiers.submit(identity, env=env, dossier_id=dossier_id, if_match=if_match)
    return _dossier(response, d)
