"""Court preservation (保全) and evidence packages (证据包), issue 20 §7.

A registrar records a freeze through the registration's actions (`freeze`, `lift_freeze`);
a court's institutional client through the routes under `/institutions/` (scope `freezes:write`).
The evidence package is served to anyone (public), to holders and the registry in full
(`?full=true`), and to an institution with `registrations:read-full` and a stated purpose.
Routers stay three lines; the use cases are in `services/sharing`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from dataip.schemas.text import Line
from dataip.services.ledger import integrate
from dataip.services.sharing import evidence_package as package
from dataip.services.sharing import preservation as svc
from dataip.sharing.evidence_package import MEDIA_TYPE
from dataip.sharing.scopes import FREEZES_WRITE, REGISTRATIONS_READ_FULL, Principal
from dataip.web.api.application_schemas import _Strict
from dataip.web.api.institution_auth import require_scopes
from dataip.web.deps import EnvDep, IdentityDep
from dataip.web.numbers import Number

router = APIRouter(tags=["preservation"])
FreezeNumber = Annotated[str, Path(pattern=r"^BQ[0-9]{4}[0-9A-Z]{4}[0-9]{7}$")]
CourtClient = Annotated[Principal, Depends(require_scopes(FREEZES_WRITE))]
ReadFullClient = Annotated[Principal, Depends(require_scopes(REGISTRATIONS_READ_FULL))]


class FreezeCreate(_Strict):
    """A court's preservation: its case number (案号), the court, the ruling's operative
    part (committed to, never published) and the term the ruling sets."""

    case_number: Annotated[Line, Field(max_length=40, examples=["（2026）黔01民初123号"])]
    court: Annotated[Line, Field(max_length=100, examples=["贵州省贵阳市中级人民法院"])]
    ruling: Annotated[str, Field(max_length=10_000)]
    term_end: date | None = None


class FreezeLift(_Strict):
    case_number: Annotated[Line, Field(max_length=40)]
    reason: Annotated[str, Field(max_length=10_000)]


class FreezeRead(BaseModel):
    number: str
    registration_number: str
    case_number: str
    court: str | None
    term_end: date | None
    state: str
    lift_case_number: str | None


def _read(number: str, f: Any) -> FreezeRead:
    return FreezeRead(
        number=f.number,
        registration_number=number,
        case_number=f.case_number,
        court=f.details.get("court"),
        term_end=f.term_end,
        state=f.state,
        lift_case_number=f.lift_case_number,
    )


def _package(doc: dict[str, Any], number: str) -> Response:
    return Response(
        json.dumps(doc, ensure_ascii=False, indent=1),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="evidence-{number}.json"'},
    )


def _integrated(request: Request) -> None:
    """Without a running publisher (`log_interval_seconds` 0: tests, one process), cover the
    latest events with a checkpoint first; with one, the package proves what it covers and
    lists the rest as unproven."""
    registry = request.app.state.registry
    if registry.settings.log_interval_seconds <= 0:
        integrate(registry.env, registry.log_keys)


@router.get(
    "/registrations/{number}/evidence-package",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "the evidence package"}},
)
def evidence_package(
    number: Number,
    env: EnvDep,
    identity: IdentityDep,
    request: Request,
    full: Annotated[bool, Query(description="with the archive: holders and the registry")] = False,
) -> Response:
    """The registration's evidence package (one JSON document, verifiable offline with
    `dataip verify-package`; docs/sharing.md "Evidence packages")."""
    doc = package.build(
        identity, env=env, number=number, full=full, before_proofs=lambda: _integrated(request)
    )
    return _package(doc, number)


@router.get(
    "/institutions/registrations/{number}/evidence-package",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "the full evidence package"}},
)
def institution_evidence_package(
    number: Number,
    env: EnvDep,
    principal: ReadFullClient,
    request: Request,
    purpose: Annotated[str, Query(max_length=200, description="e.g. the court's case number")],
) -> Response:
    """An institution's full evidence package (`registrations:read-full`), with its purpose;
    the read is access-logged."""
    doc = package.build(
        principal,
        env=env,
        number=number,
        full=True,
        purpose=purpose,
        before_proofs=lambda: _integrated(request),
    )
    return _package(doc, number)


@router.post("/institutions/registrations/{number}/freezes", status_code=201)
def court_freeze(
    number: Number, body: FreezeCreate, env: EnvDep, principal: CourtClient
) -> FreezeRead:
    """A court preserves (freezes) a registration (`freezes:write`)."""
    f = svc.freeze(principal, env=env, number=number, **body.model_dump())
    return _read(number, f)


@router.post("/institutions/registrations/{number}/freezes/{freeze_number}/lift")
def court_lift(
    number: Number,
    freeze_number: FreezeNumber,
    body: FreezeLift,
    env: EnvDep,
    principal: CourtClient,
) -> FreezeRead:
    """The court lifts its preservation (`freezes:write`)."""
    f = svc.lift(
        principal, env=env, number=number, freeze_number=freeze_number, **body.model_dump()
    )
    return _read(number, f)
