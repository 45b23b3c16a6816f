"""The registration announcement's date (登记公告日), G§16–G§18.

The registry approves a registration on its registration date and announces it — at once, or
on a later announcement date it names in the approval (`announcement_date`, at most
`ANNOUNCE_WITHIN_DAYS` later: announcements published in a weekly bulletin, say). A profile
whose validity starts at the announcement date (`beijing-3y`: three years "自登记公告之日起")
counts the term from it; one that starts at the registration date (`guizhou-2024`, G§18)
does not. A later announcement is published by `tick` on its date (`publish_due`), logged as
`RegistrationAnnounced`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.registration import term
from dataip.services import announcements
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork
from dataip.services.recording import record_event

ANNOUNCE_WITHIN_DAYS = 30


def requested(payload: dict[str, Any], today: date) -> date:
    """The announcement date the approval names: today unless it names a later one."""
    raw = payload.get("announcement_date")
    if raw in (None, ""):
        return today
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        day = None
    if day is None or not today <= day <= today + timedelta(days=ANNOUNCE_WITHIN_DAYS):
        raise DomainError(
            "invalid_announcement_date",
            f"公告日期须为今日起{ANNOUNCE_WITHIN_DAYS}日内的日期（YYYY-MM-DD）",
            f"the announcement date is a date (YYYY-MM-DD) from today to "
            f"{ANNOUNCE_WITHIN_DAYS} days ahead",
            status=422,
            details={
                "field": "announcement_date",
                "earliest": today.isoformat(),
                "latest": (today + timedelta(days=ANNOUNCE_WITHIN_DAYS)).isoformat(),
            },
        )
    return day


def facts(reg: m.Registration, capped_by_agreement: bool) -> dict[str, Any]:
    """What the registration announcement states (and the approval's event logs)."""
    return {
        "registration_number": reg.registration_number,
        "certificate_number": reg.certificate_number,
        "registration_date": reg.registration_date.isoformat(),
        "announcement_date": reg.announcement_date.isoformat(),
        "valid_from": reg.valid_from.isoformat(),
        "valid_until": reg.valid_until.isoformat(),
        "capped_by_agreement": capped_by_agreement,
    }


def publish_due(env: Env, batch_size: int = 500) -> int:
    """`tick`: publish the registration announcements whose date has come."""
    done = 0
    while True:
        with env.uow() as uow:
            due = uow.registrations.announcement_due(env.today(), limit=batch_size)
            if not due:
                return done
            for found in due:
                reg = uow.registrations.get(found.id, for_update=True)
                _publish(uow, env, reg)
            uow.commit()
            done += len(due)


def _publish(uow: UnitOfWork, env: Env, reg: m.Registration) -> None:
    now = env.now()
    version = uow.registration_versions.latest(reg.id)
    capped = term(env.profile, reg.valid_from, version.form if version else {}).capped_by_agreement
    notice = announcements.publish(
        uow, env, reg, kind="registration", at=now, body=facts(reg, capped)
    )
    record_event(
        uow,
        subject_type="registration",
        subject_id=reg.id,
        type="RegistrationAnnounced",
        at=now,
        actor_user_id=None,
        public={
            "registration_number": reg.registration_number,
            "announcement_number": notice.number,
            "announcement_date": reg.announcement_date.isoformat(),
        },
    )
