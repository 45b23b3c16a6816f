"""Approval's result: registration dates and validity (G§16–G§18, R15)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataip.domain.calendar import add_term
from dataip.domain.errors import DomainError
from dataip.domain.profile import Profile


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date
    capped_by_agreement: bool


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
    end = add_term(start, years=profile.validity_years)
    methods = set((form.get("acquisition_methods") or {}).get("values") or [])
    raw_end = form.get("agreement_end_date")
    if profile.agreement_end_caps and "agreement" in methods and raw_end:
        agreement_end = date.fromisoformat(str(raw_end))
        if agreement_end < start:
            raise DomainError(
                "agreement_expired",
                "数据获取协议已到期，不能核准登记",
                "the data agreement has already ended; the registration cannot be approved",
                status=409,
                details={"agreement_end_date": agreement_end.isoformat()},
            )
        if agreement_end < end:
            return Validity(start, agreement_end, True)
    return Validity(start, end, False)
