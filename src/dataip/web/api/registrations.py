"""Registrations (登记): the public record and status, the actions after registration
(G§19–G§24) and the registration archive (G§25)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from dataip.domain.after_registration import ACTION_NAMES
from dataip.services import after_registration as actions
from dataip.services import registrations as svc
from dataip.services.registrations import RegistrationView
from dataip.web.api.application_schemas import Label, RegistrationRead
from dataip.web.api.registration_schemas import (
    RegistrationActionIn,
    RegistrationDetail,
    SampleRead,
)
from dataip.web.deps import EnvDep, IdentityDep, IfMatch
from dataip.web.numbers import Number

router = APIRouter(tags=["registrations"])


def _read(r: object) -> RegistrationRead:
    return RegistrationRead.model_validate(r, from_attributes=True)


def _detail(response: Response, v: RegistrationView) -> RegistrationDetail:
    r = v.registration
    response.headers["ETag"] = f'"{r.version}"'
    zh, en = v.state_label
    return RegistrationDetail(
        registration_number=r.registration_number,
        certificate_number=r.certificate_number,
        certificate_version=r.certificate_version,
        name=r.name,
        industry_code=r.industry_code,
        registration_date=r.registration_date,
        announcement_date=r.announcement_date,
        valid_from=r.valid_from,
        valid_until=r.valid_until,
        state=r.state,
        state_label=Label(zh=zh, en=en),
        state_reason=r.state_reason,
        ended_on=r.ended_on,
        holders=v.holders,
        visibility=v.visibility,  # type: ignore[arg-type]
        version=r.version,
        allowed_actions=v.allowed_actions,
        encumbrances=v.encumbrances,
        filings=v.filings,
        requests=v.requests,
        versions=v.versions,
        announcements=v.announcements,
        sample=SampleRead.model_validate(v.sample) if v.sample else None,
        sample_choice=v.sample_choice,  # type: ignore[arg-type]
        freezes=v.freezes,
        pledge_proposals=v.pledge_proposals,
        identifiers=v.identifiers,
    )


@router.get("/registrations", response_model=list[RegistrationRead])
def list_(
    env: EnvDep,
    cursor: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RegistrationRead]:
    return [_read(r) for r in svc.list_registrations(env=env, after_id=cursor, limit=limit)]


@router.get("/registrations/{number}", response_model=RegistrationDetail)
def get(
    number: Number, env: EnvDep, identity: IdentityDep, response: Response
) -> RegistrationDetail:
    """By registration number (16 chars) or certificate number (17 digits): the public
    record, current status, encumbrances and the caller's `allowed_actions`."""
    return _detail(response, svc.view(identity, env=env, number=number))


@router.post(
    "/registrations/{number}/actions/{action}",
    response_model=RegistrationDetail,
    description="Perform one action on a registration. Actions: " + ", ".join(ACTION_NAMES),
)
def act(
    number: Number,
    action: Annotated[str, Path(max_length=32)],
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatch,
    response: Response,
    body: RegistrationActionIn | None = None,
) -> RegistrationDetail:
    payload: dict[str, Any] = body.model_dump(mode="json", exclude_none=True) if body else {}
    actions.perform(
        identity, env=env, number=number, action=action, payload=payload, if_match=expected
    )
    return _detail(response, svc.view(identity, env=env, number=number))


@router.get("/registrations/{number}/archive")
def archive(
    number: Number,
    env: EnvDep,
    identity: IdentityDep,
    download: Annotated[bool, Query()] = False,
) -> Response:
    """The registration archive (G§25): holders and the registry. `?download=true` serves it
    as a dossier file."""
    dossier = svc.archive(identity, env=env, number=number)
    headers = {}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="archive-{number}.json"'
    return Response(
        json.dumps(dossier, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=headers,
    )
