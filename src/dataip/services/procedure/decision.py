"""How an application ends (决定与登记): refused on named grounds (不予登记, R14/G§13),
withdrawn with a reason (撤回, R17/G§20), or approved — registered with its certificate
number, validity (R15/G§18), certificate (R13/G§17) and announcement (R12/G§16).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain import numbering
from dataip.domain.profile import Profile
from dataip.domain.refusal_grounds import validate_grounds
from dataip.domain.registration import validity
from dataip.services import announcements, certificates
from dataip.services.applications import public_applicants
from dataip.services.context import Env, Identity
from dataip.services.one_window import siblings
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
    profile = env.profile_for(app.register)  # issue 24 §1: the register's validity and numbers
    v = validity(profile, registration_date=today, announcement_date=announce_on, form=app.form)
    cert_no = _certificate_number(uow, profile, today, payload)
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
            register=app.register,
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
    siblings.approved(uow, env, app, reg)  # issue 24 §2: the one-window sibling's certificate
    facts = announcement_date.facts(reg, v.capped_by_agreement)
    # G§16: approval is announced in the registration system — now, or on the later
    # announcement date the approval names (published by `tick`: `announcement_date`)
    if announce_on == today:
        notice = announcements.publish(uow, env, reg, kind="registration", at=now, body=dict(facts))
        facts["announcement_number"] = notice.number
    return _Step(notice_body=facts, public=facts)


def _certificate_number(
    uow: UnitOfWork, profile: Profile, today: date, payload: dict[str, Any]
) -> str:
    """The certificate number: the national layout's, a prefixed register's own series
    (issue 24 §1), or — for a filing forwarded to another body — the number that body gave
    (`payload["certificate_number"]`, set by services/property_authority, never by a caller:
    only the `authority` actor approves a forwarded filing)."""
    given = payload.get("certificate_number")
    if profile.authority == "forward" and isinstance(given, str) and given.strip():
        return given.strip()[:17]
    if not profile.number_prefix:
        serial = uow.next_value(f"certificate:{profile.registry_code}:{today.year}")
        return numbering.certificate_number(
            year=today.year, month=today.month, registry_code=profile.registry_code, serial=serial
        )
    key = f"certificate:{profile.number_prefix}:{profile.registry_code}:{today.year}"
    return numbering.prefixed_certificate_number(
        prefix=profile.number_prefix,
        year=today.year,
        month=today.month,
        registry_code=profile.registry_code,
        serial=uow.next_value(key),
    )
