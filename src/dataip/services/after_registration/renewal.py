"""Renewal (续展, G§19) and the certificate versions (证书版本) that renewals, changes and
transfers make (G§17, G§21), with the sample publication (样本公开, issue 7) that follows them.

Each renewal's term runs from the day after the previous expiry (the profile's validity
years), never past the data agreement's end (`validity`). Every new version is a
`registration_versions` row with its own certificate (`services/certificates.issue`); what
the public page shows of the sample follows it, and `publish_sample` is the holder's choice
of it (`services/sample_publication`).
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.services import certificates, sample_publication
from dataip.services.after_registration import validity
from dataip.services.after_registration.outcome import Outcome
from dataip.services.after_registration.roles import Caller, holder_users
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork


def _new_version(
    uow: UnitOfWork,
    env: Env,
    reg: m.Registration,
    reason: str,
    request_id: int | None = None,
    form: dict[str, Any] | None = None,
) -> m.RegistrationVersion:
    """Supersede the current certificate version (G§17, G§21) and issue its certificate."""
    prev = uow.registration_versions.latest(reg.id)
    reg.certificate_version = (prev.number if prev else 0) + 1
    version = uow.registration_versions.add(
        m.RegistrationVersion(
            registration_id=reg.id,
            number=reg.certificate_version,
            reason=reason,
            name=reg.name,
            industry_code=reg.industry_code,
            holders=[dict(h) for h in reg.holders],
            form=form if form is not None else (dict(prev.form) if prev else {}),
            valid_from=reg.valid_from,
            valid_until=reg.valid_until,
            effective_at=env.now(),
            request_id=request_id,
        )
    )
    certificates.issue(uow, env, reg, version.form)
    sample_publication.follow_new_version(uow, env, reg, reason)
    return version


def _renew(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§19: each renewal's term runs from the day after the previous expiry — and ends no
    later than the data agreement (R15/R16, G§18: `validity.renewal`)."""
    current = uow.registration_versions.latest(reg.id)
    v = validity.renewal(env, reg, current.form if current else {})
    previous = reg.valid_until
    reg.valid_until = v.valid_until
    reg.renewal_notice_for = None
    _new_version(uow, env, reg, "renewal")
    facts = {
        "previous_valid_until": previous.isoformat(),
        "term_start": v.valid_from.isoformat(),
        "valid_until": reg.valid_until.isoformat(),
        "capped_by_agreement": v.capped_by_agreement,
        "certificate_version": reg.certificate_version,
    }
    return Outcome(
        public=facts, announce="renewal", notify=[("renewal", holder_users(uow, reg), facts, None)]
    )


def _publish_sample(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """Issue 7: what the public page shows of the sample (see `sample_publication`)."""
    public, private = sample_publication.choose(
        uow, env, reg, str(payload["choice"]), identity.user_id
    )
    return Outcome(public=public, private=private)
