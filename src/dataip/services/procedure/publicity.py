"""Publicity and objections (公示与异议): what publicity shows (R10/G§14), objections under a
verified real name with evidence (R11/G§14), the holder notified and answering, the
registry's decision on both sides' evidence and the court's or arbitrator's (R11/G§15;
registration is suspended meanwhile).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import own_application
from dataip.services import blobs as uploads
from dataip.services import screening
from dataip.services.applications import public_applicants
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.procedure.step import _Step, _text
from dataip.services.recording import commitment


def _publicise(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§14: only applicant, name, scenario, data source, scope and rules become public."""
    # R26, issue 18: the examination passes only with every sample file's screening result
    screening.require_screened(uow, screening.samples_of(app.form))
    f = app.form
    app.public_fields = {
        "applicants": public_applicants(uow, app),
        "name": app.name,
        "scenarios": f.get("scenarios"),
        "data_source": {"kinds": f.get("source_kinds"), "methods": f.get("acquisition_methods")},
        "scope": f.get("scope"),
        "processing_rules": f.get("processing_rules"),
        "application_number": app.application_number,
    }
    return _Step(public={"fields": sorted(app.public_fields)})


def _verified_own_party(uow: UnitOfWork, identity: Identity, party_id: Any) -> m.Party:
    party = uow.parties.get(party_id) if isinstance(party_id, int) else None
    if party is None or party.owner_user_id != identity.user_id:
        raise DomainError(
            "party_not_found",
            "请选择您名下的登记主体作为异议人",
            "choose one of your own parties as the objector",
            status=422,
        )
    if party.verification_status != "verified":
        raise DomainError(
            "party_not_verified",
            "异议须实名提出（异议人须通过实名核验）",
            "objections are made under a verified real name",
            status=422,
        )
    return party


def _file_objection(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§14: anyone, under real name, with true and necessary evidence — anyone but the
    applicants themselves, and with evidence the objector uploaded."""
    party = _verified_own_party(uow, identity, payload.get("objector_party_id"))
    if party.id in {ap.party_id for ap in uow.app_parties.for_application(app.id)}:
        raise own_application()  # the table's guard refused the applicants already
    statement = _text(payload, "statement")
    blobs = payload.get("evidence_blobs")
    if not isinstance(blobs, list) or not blobs or not all(isinstance(b, str) for b in blobs):
        raise DomainError(
            "evidence_required",
            "异议须提供证据材料",
            "an objection needs evidence (uploaded files)",
            status=422,
        )
    for b in blobs:  # the objector's own uploads: someone else's file stays unseen
        uploads.require_own(uow, identity.user_id, b, field="evidence_blobs")
    obj = uow.objections.add(
        m.Objection(
            application_id=app.id,
            objector_user_id=identity.require_login(),
            objector_party_id=party.id,
            statement=statement,
            evidence_blobs=list(blobs),
            filed_at=now,
        )
    )
    uow.flush()
    return _Step(
        public={"objection_id": obj.id},
        private={"objection": commitment([party.id, statement, blobs])},
    )


def _notify_objection(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    filed = [o for o in uow.objections.for_application(app.id) if o.status == "filed"]
    if not filed:
        raise DomainError(
            "no_objection_to_notify",
            "没有待通知的异议",
            "no objection is waiting to be notified",
            status=409,
        )
    items = []
    for o in filed:
        o.status = "notified"
        objector = uow.parties.get(o.objector_party_id)
        items.append(
            {
                "objection_id": o.id,
                "objector": objector.name if objector else None,
                "statement": o.statement,
                "evidence_blobs": o.evidence_blobs,
            }
        )
    return _Step(notice_body={"objections": items}, public={"objections": [o.id for o in filed]})


def _answer_objection(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    statement = _text(payload, "statement")
    notified = [o for o in uow.objections.for_application(app.id) if o.status == "notified"]
    if not notified:
        raise DomainError(
            "no_objection_to_answer",
            "没有待答复的异议",
            "no notified objection awaits an answer",
            status=409,
        )
    for o in notified:
        o.status = "answered"
        o.answer = statement
        o.answered_at = now
    return _Step(private={"answer": commitment(statement)})


def _decide_objection(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§15: the registry decides on both sides' evidence and informs both."""
    reason = _text(payload, "reason")
    outcome = str(payload["outcome"])
    open_ = [o for o in uow.objections.for_application(app.id) if o.status != "decided"]
    for o in open_:
        o.status = "decided"
        o.outcome = outcome
        o.decided_at = now
    if outcome == "revoke":
        app.outcome_reason = reason
    return _Step(
        notice_body={"outcome": outcome, "reason": reason},
        private={"reason": commitment(reason)},
        extra_recipients=list(dict.fromkeys(o.objector_user_id for o in open_)),
    )


def _record_judgment(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§15: act on the court judgment, ruling or arbitral award."""
    instrument = _text(payload, "instrument")
    reason = _text(payload, "reason")
    if payload["outcome"] == "revoke":
        app.outcome_reason = reason
    objectors = [o.objector_user_id for o in uow.objections.for_application(app.id)]
    return _Step(
        notice_body={"instrument": instrument, "reason": reason},
        private={"instrument": commitment(instrument), "reason": commitment(reason)},
        extra_recipients=list(dict.fromkeys(objectors)),
    )
