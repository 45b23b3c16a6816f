"""The statutory procedure: one `perform` for every action of the transition table, and
`tick`, which applies the consequences of passed deadlines (G§12) and, when the profile says
so, approves applications whose publicity ended cleanly (G§16)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain import numbering
from dataip.domain.application import check_complete
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import (
    AppState,
    Transition,
    decide,
    validate_grounds,
)
from dataip.domain.registration import validity
from dataip.services import announcements, certificates, preconditions, screening
from dataip.services import blobs as uploads
from dataip.services.applications import (
    actors_for,
    conflict,
    context_for,
    load,
    public_applicants,
    stale,
)
from dataip.services.context import Env, Identity
from dataip.services.ports import ConcurrencyConflict, UnitOfWork
from dataip.services.recording import (
    commitment,
    open_deadline,
    record_event,
    serve_notice,
)
from dataip.services.screening_worker import settle, setup

MAX_TEXT = 10_000


def _text(payload: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DomainError(
            "missing_fields",
            f"缺少必填项：{key}",
            f"missing required field: {key}",
            status=422,
            details={"fields": [key]},
        )
    if len(value) > MAX_TEXT:
        raise DomainError(
            "text_too_long",
            f"{key}不得超过{MAX_TEXT}字",
            f"{key}: at most {MAX_TEXT} characters",
            status=422,
        )
    return value.strip()


def _holder_recipients(uow: UnitOfWork, app: m.Application) -> list[int]:
    return holder_recipients_of(uow, [app])[app.id]


def holder_recipients_of(uow: UnitOfWork, apps: Sequence[m.Application]) -> dict[int, list[int]]:
    """Who is served the holder's notices, per application: the filer, then the owners of its
    applicant parties by party id, each once. One query however many applications: `tick`
    loads a batch's up front, so no query (and no autoflush) runs per application."""
    owners: dict[int, list[int]] = {a.id: [] for a in apps}
    for app_id, _party_id, owner in uow.app_parties.owners(list(owners)) if apps else []:
        owners[app_id].append(owner)
    return {a.id: list(dict.fromkeys([a.filer_user_id, *owners[a.id]])) for a in apps}


@dataclass
class _Step:
    """What an action adds to the generic transition: notice body, public event fields."""

    notice_body: dict[str, Any] = field(default_factory=dict)
    public: dict[str, Any] = field(default_factory=dict)
    private: dict[str, Any] = field(default_factory=dict)
    extra_recipients: list[int] = field(default_factory=list)


def perform(
    identity: Identity,
    *,
    env: Env,
    application_id: int,
    action: str,
    if_match: preconditions.Expected = None,
    payload: Mapping[str, Any] | None = None,
) -> m.Application:
    """Perform one transition of the procedure on one application, in one transaction."""
    payload = dict(payload or {})
    outcome = payload.get("outcome")
    if outcome is not None and not isinstance(outcome, str):
        raise DomainError(
            "invalid_outcome", "处理结果格式无效", "outcome must be a string", status=422
        )
    if action in ("submit", "submit_correction", "publicise"):
        _await_screening(identity, env, application_id, action)
    try:
        with env.uow() as uow:
            app = load(uow, identity, application_id)
            preconditions.check(if_match, app.version, stale)
            apply_action(uow, env, identity, app, action, payload, outcome)
            uow.commit()
            return app
    except ConcurrencyConflict as e:  # at commit, or at an autoflush before it
        raise conflict() from e


_AWAITS_SCREENING = {
    "submit": AppState.DRAFT,
    "submit_correction": AppState.AWAITING_CORRECTION,
    "publicise": AppState.UNDER_EXAMINATION,
}


def _await_screening(identity: Identity, env: Env, application_id: int, action: str) -> None:
    """Issue 18: before the transaction of a submission (or of the examination's passing)
    opens, give the screening of the sample files a bounded time to finish (they were queued
    when the draft was saved), so that the examiner usually finds the reports there. What is
    not done by then is filed as pending (a submission) or refused (``publicise``)."""
    with env.read() as uow:
        app = load(uow, identity, application_id)
    if app.state == _AWAITS_SCREENING[action].value:
        settle(
            env,
            screening.samples_of(app.form),
            timeout=setup(env).submit_wait_seconds,
            owner=app.filer_user_id,
        )


def apply_action(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    action: str,
    payload: dict[str, Any],
    outcome: str | None,
    deadlines: Sequence[m.Deadline] | None = None,
    holders: Sequence[int] | None = None,
) -> Transition:
    """Apply one transition inside the caller's unit of work. `deadlines` (the application's
    open ones) and `holders` (its holder recipients) may be passed preloaded by a batch."""
    now = env.now()
    actors = actors_for(uow, identity, app)
    if not actors:
        raise DomainError("unauthenticated", "请先登录", "authentication required", status=401)
    if deadlines is None:
        deadlines = uow.deadlines.for_application(app.id, open_only=True)
    ctx = context_for(uow, env, app, deadlines)
    t = decide(AppState(app.state), action, actors, ctx, payload, outcome)
    step = _BEFORE[action](uow, env, identity, app, payload, now) if action in _BEFORE else _Step()
    app.state = t.target.value
    app.updated_at = now
    # Close what the transition ends; open what it starts (G§12, G§14, G§15 periods).
    for d in deadlines:
        if t.closes == "all" or d.kind in t.closes:
            d.status = "met" if d.party == "registry" or action != "deem_withdrawn" else "expired"
            d.closed_at = now
    opened = [open_deadline(uow, env, application_id=app.id, rule=r, trigger=now) for r in t.opens]
    holder_due = next((d for d in opened if d.party == "holder"), None)
    if t.notice:
        body = {"action": action, "state": app.state, **step.notice_body}
        if holders is None:
            holders = _holder_recipients(uow, app)
        for uid in [*holders, *step.extra_recipients]:
            serve_notice(
                uow,
                application_id=app.id,
                kind=t.notice,
                recipient_user_id=uid,
                at=now,
                body=body,
                due=holder_due,
            )
    public = {"action": action, "state": app.state, **step.public}
    if outcome:
        public["outcome"] = outcome
    if opened:
        public["due"] = {d.kind: d.due_on.isoformat() for d in opened}
    record_event(
        uow,
        subject_type="application",
        subject_id=app.id,
        type=t.event,
        at=now,
        actor_user_id=identity.user_id,
        public=public,
        private=step.private,
    )
    return t


# --- per-action steps ------------------------------------------------------------------------


def _submit(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    _require_complete(uow, env, app)
    rows = uow.app_parties.for_application(app.id)
    parties = {p.id: p for p in uow.parties.many([r.party_id for r in rows])}
    # R1 / G§6: only real-name verified subjects apply.
    unverified = [p.id for p in parties.values() if p.verification_status != "verified"]
    if unverified:
        raise DomainError(
            "party_not_verified",
            "申请人尚未通过实名核验",
            "every applicant must be real-name verified first",
            status=422,
            details={"parties": unverified},
        )
    # G§5: co-processors apply together — each co-applicant has confirmed the filing.
    pending = [r.party_id for r in rows if r.consented_at is None]
    if pending:
        raise DomainError(
            "co_applicant_consent_missing",
            "共同申请人尚未确认",
            "co-applicants have not confirmed the joint filing",
            status=422,
            details={"parties": pending},
        )
    # R4 / R14(3): the same subject filing the same data again is a duplicate; another
    # subject with similar data is not. Earlier withdrawn filings are flagged for the examiner.
    same = uow.applications.same_subject(
        list(parties), evidence_hash=app.evidence_hash, name=app.name, exclude_id=app.id
    )
    live = [a for a in same if a.state not in ("withdrawn", "deemed_withdrawn", "refused")]
    if live:
        raise DomainError(
            "duplicate_registration",
            "同一主体已就相同数据（相同存证哈希或名称）提出申请或已登记",
            "the same subject already filed or registered this data (same evidence hash or name)",
            status=409,
            details={"applications": [a.id for a in live], "ground": 3},
        )
    kinds = (app.form.get("source_kinds") or {}).get("values") or []
    codes = env.profile.source_codes or numbering.DATA_SOURCE_CODES
    type_codes = env.profile.applicant_type_codes or numbering.APPLICANT_TYPE_CODES
    type_key = "joint" if len(rows) > 1 else parties[rows[0].party_id].kind
    year = now.year
    app.application_number = numbering.registration_number(
        year=year,
        source_code=numbering.source_code_for(kinds, codes=codes),
        applicant_type_code=type_codes[type_key],
        sequence=uow.next_value(f"application:{year}"),
    )
    app.filed_at = now
    app.filing_date = now.date()  # G§10: the day the registry receives it
    _freeze(uow, app, rows, now, "submission")
    # R26: for the examiner; queued, never screened here (issue 18: no parsing in a
    # transaction), and usually done already (`_await_screening`)
    screening.request(uow, env, screening.samples_of(app.form), owner=app.filer_user_id)
    public: dict[str, Any] = {
        "application_number": app.application_number,
        "filing_date": app.filing_date.isoformat(),
    }
    if any(a.state in ("withdrawn", "deemed_withdrawn") for a in same):
        public["refiled_after_withdrawal"] = True  # G§13(3): the examiner judges the reason
    return _Step(notice_body=dict(public), public=public, private={"form": commitment(app.form)})


def _require_complete(uow: UnitOfWork, env: Env, app: m.Application) -> None:
    defects = check_complete(app.form, industry_is_class=uow.industries.is_class, today=env.today())
    if defects:
        raise DomainError(
            "incomplete_application",
            "申请材料不完整或不符合要求",
            "the application is incomplete or non-conforming",
            status=422,
            details={"defects": [d.as_dict() for d in defects]},
        )


def _freeze(
    uow: UnitOfWork,
    app: m.Application,
    rows: Sequence[m.ApplicationParty],
    now: datetime,
    reason: str,
) -> None:
    app.version_no += 1
    uow.versions.add(
        m.ApplicationVersion(
            application_id=app.id,
            number=app.version_no,
            form=dict(app.form),
            applicants=[
                {"party_id": r.party_id, "share_bp": r.share_bp, "rights_bounds": r.rights_bounds}
                for r in rows
            ],
            frozen_at=now,
            reason=reason,
        )
    )


def _submit_correction(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    _require_complete(uow, env, app)
    _freeze(uow, app, uow.app_parties.for_application(app.id), now, "correction")
    screening.request(uow, env, screening.samples_of(app.form), owner=app.filer_user_id)
    note = _text(payload, "note", required=False)
    return _Step(
        public={"version_no": app.version_no},
        private={"form": commitment(app.form), "note": commitment(note)},
    )


def _request_correction(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§12: one consolidated notice (一次性告知) listing every defect."""
    raw = payload.get("defects")
    if not isinstance(raw, list) or not raw or len(raw) > 200:
        raise DomainError(
            "defects_required",
            "补正通知须列明全部需补正事项",
            "list every defect (1–200 items) in one notice",
            status=422,
        )
    defects = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            defects.append({"field": None, "zh": item.strip(), "en": item.strip()})
        elif isinstance(item, dict) and str(item.get("zh") or item.get("en") or "").strip():
            defects.append(
                {
                    "field": item.get("field"),
                    "zh": str(item.get("zh") or item["en"]),
                    "en": str(item.get("en") or item["zh"]),
                }
            )
        else:
            raise DomainError(
                "invalid_defect", "补正事项格式无效", "invalid defect item", status=422
            )
    return _Step(
        notice_body={"defects": defects},
        public={"defect_count": len(defects)},
        private={"defects": commitment(defects)},
    )


def _refuse(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    grounds = validate_grounds(payload.get("grounds"))
    reason = _text(payload, "reason")
    app.grounds = grounds
    app.outcome_reason = reason
    return _Step(
        notice_body={"grounds": grounds, "reason": reason},
        public={"grounds": grounds},
        private={"reason": commitment(reason)},
    )


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
        raise DomainError(
            "own_application",
            "申请人不能对本人的申请提出异议",
            "an applicant cannot object to its own application",
            status=409,
        )
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


def _withdraw(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§20: withdrawal states its reason."""
    app.outcome_reason = _text(payload, "reason")
    return _Step(
        notice_body={"reason": app.outcome_reason},
        private={"reason": commitment(app.outcome_reason)},
    )


def _approve(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    app: m.Application,
    payload: dict[str, Any],
    now: datetime,
) -> _Step:
    """G§16–G§18: approve, number the certificate, compute validity, announce."""
    today = now.date()
    v = validity(env.profile, registration_date=today, announcement_date=today, form=app.form)
    serial = uow.next_value(f"certificate:{env.profile.registry_code}:{today.year}")
    cert_no = numbering.certificate_number(
        year=today.year, month=today.month, registry_code=env.profile.registry_code, serial=serial
    )
    holders = []
    for ap, pub in zip(
        uow.app_parties.for_application(app.id), public_applicants(uow, app), strict=True
    ):
        holders.append(
            {
                **pub,
                "party_id": ap.party_id,
                "share_bp": ap.share_bp,
                "rights_bounds": ap.rights_bounds,
            }
        )
    reg = uow.registrations.add(
        m.Registration(
            application_id=app.id,
            registration_number=app.application_number or "",
            certificate_number=cert_no,
            name=app.name,
            industry_code=app.industry_code,
            registration_date=today,
            announcement_date=today,
            valid_from=v.valid_from,
            valid_until=v.valid_until,
            holders=holders,
            created_at=now,
        )
    )
    uow.flush()
    uow.registration_versions.add(
        m.RegistrationVersion(
            registration_id=reg.id,
            number=1,
            reason="registration",
            name=reg.name,
            industry_code=reg.industry_code,
            holders=[dict(h) for h in holders],
            form=dict(app.form),
            valid_from=reg.valid_from,
            valid_until=reg.valid_until,
            effective_at=now,
        )
    )
    certificates.issue(uow, env, reg, app.form)  # G§17: issued electronically on approval
    facts: dict[str, Any] = {
        "registration_number": reg.registration_number,
        "certificate_number": cert_no,
        "registration_date": today.isoformat(),
        "valid_from": v.valid_from.isoformat(),
        "valid_until": v.valid_until.isoformat(),
        "capped_by_agreement": v.capped_by_agreement,
    }
    # G§16: approval is announced in the registration system.
    notice = announcements.publish(uow, env, reg, kind="registration", at=now, body=dict(facts))
    facts["announcement_number"] = notice.number
    return _Step(notice_body=facts, public=facts)


_BEFORE = {
    "submit": _submit,
    "submit_correction": _submit_correction,
    "request_correction": _request_correction,
    "refuse": _refuse,
    "publicise": _publicise,
    "file_objection": _file_objection,
    "notify_objection": _notify_objection,
    "answer_objection": _answer_objection,
    "decide_objection": _decide_objection,
    "record_judgment": _record_judgment,
    "withdraw": _withdraw,
    "approve": _approve,
}
