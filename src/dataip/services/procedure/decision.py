"""How an application ends (决定与登记): refused on named grounds (不予登记, R14/G§13),
withdrawn with a reason (撤回, R17/G§20), or approved — registered with its certificate
number, validity (R15/G§18), certificate (R13/G§17) and announcement (R12/G§16).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain import numbering
from dataip.domain.refusal_grounds import validate_grounds
from dataip.domain.registration import validity
from dataip.services import announcements, certificates
from dataip.services.applications import public_applicants
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.procedure import announcement_date
from dataip.services.procedure.step import _Step, _text
from dataip.services.recording import commitment


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
    """G§16–G§18: approve, number the certificate, compute validity (from the registration
    or the announcement date, as the profile says), announce."""
    today = now.date()
    announce_on = announcement_date.requested(payload, today)
    v = validity(env.profile, registration_date=today, announcement_date=announce_on, form=app.form)
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
            announcement_date=announce_on,
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
    facts = announcement_date.facts(reg, v.capped_by_agreement)
    # G§16: approval is announced in the registration system — now, or on the later
    # announcement date the approval names (published by `tick`: `announcement_date`)
    if announce_on == today:
        notice = announcements.publish(uow, env, reg, kind="registration", at=now, body=dict(facts))
        facts["announcement_number"] = notice.number
    return _Step(notice_body=facts, public=facts)
