"""Registrations as announced (公告): public reads; renewal (R16)."""

from __future__ import annotations

from dataip.domain import model as m
from dataip.domain.calendar import add_term, next_term_start, renewal_window
from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.procedure import holder_recipients_of
from dataip.services.recording import record_event


def list_registrations(*, env: Env, after_id: int = 0, limit: int = 50) -> list[m.Registration]:
    with env.uow() as uow:
        return uow.registrations.page(after_id=after_id, limit=max(1, min(limit, 200)))


def get_registration(*, env: Env, number: str) -> m.Registration:
    with env.uow() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise DomainError(
                "registration_not_found", "登记不存在", "registration not found", status=404
            )
        return reg


def renew(identity: Identity, *, env: Env, number: str) -> m.Registration:
    """R16 / G§19: a holder renews within the profile's window before expiry (1 month by
    default, both ends inclusive); the new term runs from the day after the previous expiry.

    Renewal with changed contents goes through change registration (not modelled yet)."""
    uid = identity.require_login()
    today = env.today()
    with env.uow() as uow:
        found = uow.registrations.by_number(number)
        if found is None:
            raise DomainError(
                "registration_not_found", "登记不存在", "registration not found", status=404
            )
        reg = uow.registrations.get(found.id, for_update=True)  # one renewal at a time
        app = uow.applications.get(reg.application_id)
        if uid not in holder_recipients_of(uow, [app])[app.id]:
            raise DomainError(
                "forbidden", "仅登记主体可申请续展", "only the holder may renew", status=403
            )
        if reg.state != "valid":
            raise DomainError(
                "registration_not_valid",
                "登记已失效，不能续展",
                "the registration is no longer valid and cannot be renewed",
                status=409,
                details={"state": reg.state},
            )
        opens, closes = renewal_window(reg.valid_until, months=env.profile.renewal_window_months)
        if not opens <= today <= closes:
            raise DomainError(
                "renewal_window_closed" if today > closes else "renewal_window_not_open",
                f"续展须在 {opens} 至 {closes} 之间提出",
                f"renewal is possible from {opens} to {closes}",
                status=409,
                details={"opens": opens.isoformat(), "closes": closes.isoformat()},
            )
        previous = reg.valid_until
        reg.valid_until = add_term(next_term_start(previous), years=env.profile.validity_years)
        record_event(
            uow,
            subject_type="registration",
            subject_id=reg.id,
            type="RegistrationRenewed",
            at=env.now(),
            actor_user_id=uid,
            public={
                "registration_number": reg.registration_number,
                "previous_valid_until": previous.isoformat(),
                "valid_until": reg.valid_until.isoformat(),
            },
        )
        uow.commit()
        return reg
