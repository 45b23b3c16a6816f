"""Validity after registration (有效期, R15/R16, G§18–G§19): a renewal's term, and validity
recomputed when a change registration changes what caps it.

Validity never outlives the data-source agreement's end date (`domain.registration`): not at
registration, not at renewal — an agreement that has ended before the renewed term would
start must first be brought up to date by a change registration — and not after a change.
A change that registers a new agreement end date (or a new way the data was obtained)
recomputes the current term's end from the term's start; the decision's event in the log
carries the old and new end, and the change's new certificate version states it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.registration import Term, Validity, agreement_end, current_term, renewed, term
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

# The form items that decide whether and where an agreement caps validity (G§18).
CAPPING_ITEMS = ("acquisition_methods", "agreement_end_date")


def term_of(uow: UnitOfWork, reg: m.Registration) -> Term:
    """The term `reg` is in now (its start moves with each renewal, G§19)."""
    versions = uow.registration_versions.for_registration(reg.id)
    return current_term(
        reg.valid_from, ((v.reason, v.valid_until) for v in versions), reg.valid_until
    )


def renewal(env: Env, reg: m.Registration, form: Mapping[str, Any]) -> Validity:
    """R16 / G§19: the renewed term, capped by the agreement in the registered form; refused
    (409 `agreement_expired`) when the agreement ends before the new term starts."""
    return renewed(env.profile, previous_until=reg.valid_until, form=form)


def check_changed_agreement(env: Env, form: Mapping[str, Any], before: Mapping[str, Any]) -> None:
    """A change registration may register a later or earlier agreement end, but not one
    already past: data whose agreement has ended is no longer held by it (G§18, G§23 —
    the holder asks for cancellation instead)."""
    end = agreement_end(env.profile, form)
    if end is None or end == agreement_end(env.profile, before):
        return
    if end < env.today():
        raise DomainError(
            "agreement_expired",
            "变更后的数据获取协议截止日期已过；协议已终止的，请申请注销登记",
            "the changed agreement end date has passed; where the agreement has ended, "
            "request cancellation instead",
            status=409,
            details={"agreement_end_date": end.isoformat()},
        )


def after_change(
    uow: UnitOfWork,
    env: Env,
    reg: m.Registration,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> dict[str, Any]:
    """R15 / G§18 after an approved change: where the items that cap validity changed, the
    current term's end is computed again from the term's start. Returns the facts for the
    decision's event (empty when nothing that caps validity changed)."""
    if all(before.get(k) == after.get(k) for k in CAPPING_ITEMS):
        return {}
    now = term_of(uow, reg)
    v = term(env.profile, now.start, after)
    previous: date = reg.valid_until
    reg.valid_until = v.valid_until  # a new expiry gets its own renewal reminder (scheduler)
    return {
        "previous_valid_until": previous.isoformat(),
        "valid_until": reg.valid_until.isoformat(),
        "capped_by_agreement": v.capped_by_agreement,
    }
