"""Applications: drafts, the procedure's actions, versions, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from dataip.domain import model as m
from dataip.domain import procedural_requests as pr
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import ACTIONS
from dataip.domain.registers import REGISTER_LABELS
from dataip.services import applications as svc
from dataip.services import procedure
from dataip.services.applications import ApplicationView
from dataip.web.api.application_schemas import (
    ActionIn,
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    ApplicationUpdate,
    DeadlineRead,
    Label,
    Page,
    ProceduralRequestRead,
    RegistrationRead,
)
from dataip.web.deps import EnvDep, IdentityDep, IfMatch, IfMatchRequired

router = APIRouter(tags=["applications"])
AppId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _read(v: ApplicationView) -> ApplicationRead:
    a = v.application
    zh, en = svc.state_label(a.state)
    full = v.visibility == "full"
    reg = v.registration
    return ApplicationRead(
        id=a.id,
        register_kind=a.register,
        register_label=Label(zh=REGISTER_LABELS[a.register][0], en=REGISTER_LABELS[a.register][1]),
        dossier_id=a.dossier_id,
        state=a.state,
        state_label=Label(zh=zh, en=en),
        version=a.version,
        visibility=v.visibility,  # type: ignore[arg-type]
        application_number=a.application_number,
        name=a.name,
        industry_code=a.industry_code if full else None,
        filing_date=a.filing_date,
        fast_track=a.fast_track if full else False,
        form=a.form if full else None,
        public_fields=a.public_fields,
        applicants=v.applicants,
        deadlines=[
            DeadlineRead(
                kind=d.kind,
                party=d.party,
                trigger_at=d.trigger_at,
                due_on=d.due_on,
                provisional=d.provisional,
                status=d.status,
            )
            for d in v.deadlines
        ],
        allowed_actions=v.allowed_actions,
        registration=RegistrationRead(
            register_kind=reg.register,
            registration_number=reg.registration_number,
            certificate_number=reg.certificate_number,
            name=reg.name,
            industry_code=reg.industry_code,
            registration_date=reg.registration_date,
            announcement_date=reg.announcement_date,
            valid_from=reg.valid_from,
            valid_until=reg.valid_until,
            holders=reg.holders,
            state=reg.state,
        )
        if reg
        else None,
        objections=[
            {
                "id": o.id,
                "status": o.status,
                "statement": o.statement,
                "answer": o.answer,
                "outcome": o.outcome,
                "filed_at": o.filed_at,
            }
            for o in v.objections
        ],
        checks=v.checks,
        outcome_reason=a.outcome_reason if full else None,
        grounds=a.grounds,
        requests=[_request(r) for r in v.requests],
    )


def _label(table: dict[str, tuple[str, str]], code: str) -> Label:
    zh, en = table.get(code, (code, code))
    return Label(zh=zh, en=en)


def _request(r: m.ProceduralRequest) -> ProceduralRequestRead:
    grounds = pr.FAST_TRACK_GROUNDS if r.kind == "fast_track" else pr.RELIEF_GROUNDS
    return ProceduralRequestRead(
        id=r.id,
        kind=r.kind,
        kind_label=_label(pr.REQUEST_KIND_LABELS, r.kind),
        status=r.status,
        status_label=_label(pr.REQUEST_STATE_LABELS, r.status),
        ground=r.ground,
        ground_label=_label(grounds, r.ground),
        statement=r.statement,
        evidence_blobs=list(r.evidence_blobs),
        own_motion=r.own_motion,
        filed_at=r.filed_at,
        decided_at=r.decided_at,
        reason_code=r.reason_code,
        reason_label=_label(pr.REFUSAL_REASONS, r.reason_code) if r.reason_code else None,
        note=r.note,
        due_on=r.due_on,
    )


def _respond(response: Response, v: ApplicationView) -> ApplicationRead:
    response.headers["ETag"] = f'"{v.application.version}"'
    return _read(v)


@router.post("/applications", status_code=201, response_model=ApplicationRead)
def create(
    body: ApplicationCreate, env: EnvDep, identity: IdentityDep, response: Response
) -> ApplicationRead:
    if body.fast_track:
        # R8 / Z§2.1: no applicant puts itself first; it asks, on a ground, and the registry
        # decides (`request_fast_track`)
        raise DomainError(
            "fast_track_needs_grounds",
            "快速审查须在提交申请后说明理由提出请求，由登记机构决定",
            "fast track is requested with a ground (request_fast_track) and granted by the "
            "registry; it cannot be set on a draft",
            status=422,
        )
    a = svc.create_draft(
        identity,
        env=env,
        form=body.form.as_form(),
        applicants=[svc.ApplicantIn(**x.model_dump()) for x in body.applicants],
        register=body.register_kind,
    )
    response.headers["Location"] = f"/api/v1/applications/{a.id}"
    return _respond(response, svc.view(identity, env=env, application_id=a.id))


@router.get("/applications", response_model=Page)
def list_(
    env: EnvDep,
    identity: IdentityDep,
    state: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,10}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    # ids are 32-bit: a larger cursor selects what the largest does (PostgreSQL refuses it)
    after = min(int(cursor or 0), 2**31 - 1)
    items = svc.list_for(identity, env=env, state=state, after_id=after, limit=limit)
    out = []
    for a in items:
        zh, en = svc.state_label(a.state)
        out.append(
            ApplicationSummary(
                id=a.id,
                state=a.state,
                state_label=Label(zh=zh, en=en),
                application_number=a.application_number,
                name=a.name,
                filing_date=a.filing_date,
                version=a.version,
            )
        )
    nxt = str(items[-1].id) if len(items) == limit else None
    return Page(items=out, next_cursor=nxt)


@router.get("/applications/{application_id}", response_model=ApplicationRead)
def get(
    application_id: AppId, env: EnvDep, identity: IdentityDep, response: Response
) -> ApplicationRead:
    return _respond(response, svc.view(identity, env=env, application_id=application_id))


@router.patch("/applications/{application_id}", response_model=ApplicationRead)
def update(
    application_id: AppId,
    body: ApplicationUpdate,
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatch,
    response: Response,
) -> ApplicationRead:
    svc.update_draft(
        identity,
        env=env,
        application_id=application_id,
        if_match=expected,
        form=body.form.as_form() if body.form is not None else None,
        applicants=[svc.ApplicantIn(**x.model_dump()) for x in body.applicants]
        if body.applicants is not None
        else None,
    )
    return _respond(response, svc.view(identity, env=env, application_id=application_id))


@router.post("/applications/{application_id}/consent", response_model=ApplicationRead)
def consent(
    application_id: AppId,
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatchRequired,
    response: Response,
) -> ApplicationRead:
    """A co-applicant confirms the joint filing as it read it: `If-Match` is required."""
    svc.consent(identity, env=env, application_id=application_id, if_match=expected)
    return _respond(response, svc.view(identity, env=env, application_id=application_id))


@router.post(
    "/applications/{application_id}/actions/{action}",
    response_model=ApplicationRead,
    description="Perform one transition of the procedure. Actions: " + ", ".join(ACTIONS),
)
def act(
    application_id: AppId,
    action: Annotated[str, Path(max_length=32)],
    env: EnvDep,
    identity: IdentityDep,
    expected: IfMatch,
    response: Response,
    body: ActionIn | None = None,
) -> ApplicationRead:
    payload: dict[str, Any] = body.model_dump(mode="json", exclude_none=True) if body else {}
    procedure.perform(
        identity,
        env=env,
        application_id=application_id,
        action=action,
        if_match=expected,
        payload=payload,
    )
    return _respond(response, svc.view(identity, env=env, application_id=application_id))


@router.get("/applications/{application_id}/versions")
def versions(application_id: AppId, env: EnvDep, identity: IdentityDep) -> list[dict[str, Any]]:
    return svc.versions(identity, env=env, application_id=application_id)


@router.get("/applications/{application_id}/history")
def history(application_id: AppId, env: EnvDep, identity: IdentityDep) -> list[dict[str, Any]]:
    """The archive of the application (G§25): every event, with time and actor role."""
    return svc.history(identity, env=env, application_id=application_id)
