"""The holder publishes a valuation made earlier, or withdraws a published one (issue 22 §2):
`If-Match` with the valuation's version (its ETag; each change adds one), a compare-and-set on
the version and the published flag, so two requests never both change it. Publishing needs
the registration still valuable (in force); withdrawing is always allowed. The log's events
(`ValuationPublished`, `ValuationWithdrawn`) carry the registration and valuation numbers and a
commitment to the figure, nothing typed. Shared with data quality: `publication`."""

from __future__ import annotations

from typing import Any

from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.preconditions import Expected, check
from dataip.services.recording import commitment, record_event
from dataip.services.value import publication
from dataip.services.value.valuation import _check_state
from dataip.services.value.valuation_reads import _may_read, get, not_found, registration

__all__ = ["publish", "withdraw"]


def _stale(current: int) -> DomainError:
    return DomainError(
        "stale_version",
        "该估值已被更改，请刷新后重试",
        "the valuation has changed: reload and retry",
        status=412,
        details={"current_version": current},
    )


REFUSALS: dict[bool, publication.Refusal] = {
    True: ("valuation_already_published", "该估值已公开", "this valuation is already published"),
    False: ("valuation_not_published", "该估值未公开", "this valuation is not published"),
}


def _set(
    identity: Identity, env: Env, number: str, valuation_number: str, if_match: Expected, on: bool
) -> dict[str, Any]:
    identity.require_login()
    with env.uow() as uow:
        reg = registration(uow, number)
        row = uow.valuations.by_number(valuation_number)
        if row is None or row["registration_id"] != reg.id:
            raise not_found()
        if not _may_read(uow, identity, reg, row):
            raise not_found()  # as for a valuation that does not exist
        uid = publication.holder(
            uow,
            identity,
            reg,
            "仅登记主体可公开或撤回估值",
            "only the holder publishes or withdraws a valuation",
        )
        if on:
            _check_state(reg)
        check(if_match, row["version"], _stale)
        done = row["published"] != on and uow.valuations.set_published(
            row["id"], published=on, version=row["version"]
        )
        if not done and row["published"] != on:  # another request changed it first
            now = uow.valuations.by_number(valuation_number)
            if now is not None and now["published"] != on:
                raise _stale(now["version"])
        publication.settle(done, REFUSALS[on])
        record_event(
            uow,
            subject_type="registration",
            subject_id=reg.id,
            type="ValuationPublished" if on else "ValuationWithdrawn",
            at=env.now(),
            actor_user_id=uid,
            public={
                "registration_number": reg.registration_number,
                "valuation_number": row["number"],
            },
            private={"value_fen": commitment(row["value_fen"])},
        )
        uow.commit()
    return get(identity, env=env, number=number, valuation_number=valuation_number)


def publish(
    identity: Identity, *, env: Env, number: str, valuation_number: str, if_match: Expected = None
) -> dict[str, Any]:
    """Show the valuation on the public record (409 ``valuation_already_published``)."""
    return _set(identity, env, number, valuation_number, if_match, True)


def withdraw(
    identity: Identity, *, env: Env, number: str, valuation_number: str, if_match: Expected = None
) -> dict[str, Any]:
    """Take the valuation off the public record (409 ``valuation_not_published``)."""
    return _set(identity, env, number, valuation_number, if_match, False)
