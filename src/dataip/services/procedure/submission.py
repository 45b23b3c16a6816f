"""Submission and correction (提交申请与补正): the filing (R7/G§10: the filing date; R1/G§6:
real-name verified applicants; R3/G§5: every co-applicant consented; R4, R14(3)/G§13(3):
the same subject's duplicate) with its application number and frozen version, the registry's
one consolidated correction notice (一次性告知, R9/G§12) and the corrected filing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain import numbering
from dataip.domain.errors import DomainError
from dataip.domain.registers import filing_defects
from dataip.services import screening
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.procedure.step import _Step, _text
from dataip.services.recording import commitment


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
        list(parties),
        evidence_hash=app.evidence_hash,
        name=app.name,
        exclude_id=app.id,
        register=app.register,
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
    profile = env.profile_for(app.register)
    codes = profile.source_codes or numbering.DATA_SOURCE_CODES
    type_codes = profile.applicant_type_codes or numbering.APPLICANT_TYPE_CODES
    type_key = "joint" if len(rows) > 1 else parties[rows[0].party_id].kind
    year = now.year
    if profile.number_prefix:  # issue 24 §1: another register numbers in its own series
        app.application_number = numbering.prefixed_registration_number(
            prefix=profile.number_prefix,
            year=year,
            applicant_type_code=type_codes[type_key],
            sequence=uow.next_value(f"application:{profile.number_prefix}:{year}"),
        )
    else:
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
    if app.register != "data_ip":  # issue 24 §1: the register, a code
        public["register"] = app.register
    if app.dossier_id is not None:  # issue 24 §2: filed in one window
        public["dossier_id"] = app.dossier_id
    if any(a.state in ("withdrawn", "deemed_withdrawn") for a in same):
        public["refiled_after_withdrawal"] = True  # G§13(3): the examiner judges the reason
    return _Step(notice_body=dict(public), public=public, private={"form": commitment(app.form)})


def _require_complete(uow: UnitOfWork, env: Env, app: m.Application) -> None:
    defects = filing_defects(
        app.form, app.register, industry_is_class=uow.industries.is_class, today=env.today()
    )
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
