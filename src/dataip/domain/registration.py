"""Registration dates and validity (G§16–G§18, R15): at approval, at renewal (G§19, R16), and
the term a registration is in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataip.domain.calendar import add_term, next_term_start
from dataip.domain.errors import DomainError
from dataip.domain.profile import Profile


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date
    capped_by_agreement: bool


def agreement_end(profile: Profile, form: Mapping[str, Any]) -> date | None:
    """R15 / G§18: the end date of the agreement the data was obtained by, when it limits
    validity (the profile's `agreement_end_caps`); None when nothing caps it."""
    methods = set((form.get("acquisition_methods") or {}).get("values") or [])
    raw_end = form.get("agreement_end_date")
    if profile.agreement_end_caps and "agreement" in methods and raw_end:
        return date.fromisoformat(str(raw_end))
    return None


def agreement_expired(agreement_end: date, *, renewal: bool = False) -> DomainError:
    """409 `agreement_expired`: nothing to register (or renew) past the agreement's end."""
    if renewal:
        return DomainError(
            "agreement_expired",
            f"数据获取协议已于{agreement_end.isoformat()}到期，续展前须先办理变更登记更新协议期限",
            f"the data agreement ended on {agreement_end.isoformat()}: file a change "
            "registration of its new end date before renewing",
            status=409,
            details={"agreement_end_date": agreement_end.isoformat()},
        )
    return DomainError(
        "agreement_expired",
        "数据获取协议已到期，不能核准登记",
        "the data agreement has already ended; the registration cannot be approved",
        status=409,
        details={"agreement_end_date": agreement_end.isoformat()},
    )


def term(profile: Profile, start: date, form: Mapping[str, Any]) -> Validity:
    """One term of validity from `start`: the profile's years, ended earlier by the data
    agreement's end date (R15 / G§18). The caller decides what an agreement that ended
    before `start` means."""
    end = add_term(start, years=profile.validity_years)
    cap = agreement_end(profile, form)
    if cap is not None and cap < end:
        return Validity(start, cap, True)
    return Validity(start, end, False)


def validity(
    profile: Profile,
    *,
    registration_date: date,
    announcement_date: date,
    form: Mapping[str, Any],
) -> Validity:
    """R15 / G§18: the profile's term from its start date; data obtained by agreement whose
    agreement ends earlier is valid only to the agreement's end date."""
    start = (
        registration_date if profile.validity_starts == "registration_date" else (announcement_date)
    )
    cap = agreement_end(profile, form)
    if cap is not None and cap < start:
        raise agreement_expired(cap)
    return term(profile, start, form)


def renewed(profile: Profile, *, previous_until: date, form: Mapping[str, Any]) -> Validity:
    """R16 / G§19: a renewal's term runs from the day after the previous expiry for the
    profile's years — and, like the first (R15 / G§18), never past the data agreement's end.
    An agreement that ends before the new term starts leaves nothing to renew: its new end
    date is registered by a change first (G§19: changed contents go through change
    registration)."""
    start = next_term_start(previous_until)
    cap = agreement_end(profile, form)
    if cap is not None and cap < start:
        raise agreement_expired(cap, renewal=True)
    return term(profile, start, form)


@dataclass(frozen=True)
class Term:
    """The term of validity a registration is in: from `start` (the first term's start, or
    the day after the previous expiry once renewed) to `end`; `renewals` so far (R16)."""

    start: date
    end: date
    renewals: int


def current_term(
    first_start: date, versions: Iterable[tuple[str, date]], valid_until: date
) -> Term:
    """The current term from the certificate versions in order, each `(reason, valid_until)`:
    a renewal's term starts the day after the expiry the version before it had (G§19)."""
    start, renewals, previous = first_start, 0, None
    for reason, until in versions:
        if reason == "renewal" and previous is not None:
            start, renewals = next_term_start(previous), renewals + 1
        previous = until
    return Term(start, valid_until, renewals)
