"""The one entry point for an action after registration (`perform`, 登记后事项) and the table of
its handlers (G§19–G§24).

`perform` locks the registration row (one action at a time), checks `If-Match` against its
version (412 `stale_version`) and applies the action in one transaction. `apply` works out who
the caller is for this registration (`roles.caller`), asks the declarative table
(`domain.after_registration.decide`) whether the action is allowed, runs the action's handler,
moves the registration to the state the table names, bumps its version (the ETag), publishes
the announcement, records the event (its ledger leaf) and serves the notices. A refused action
changes nothing. `tick` applies the system's actions through `apply`, in its own unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import ACTION_NAMES, RegState, decide
from dataip.domain.errors import DomainError
from dataip.services import announcements, preconditions, sample_publication
from dataip.services.after_registration.change import (
    _confirm_transfer,
    _request_change,
    _request_transfer,
)
from dataip.services.after_registration.decisions import _decide_request, _withdraw_request
from dataip.services.after_registration.ending import _abandon, _cancel, _request_cancellation
from dataip.services.after_registration.filings import _file, _record_pledgee_consent
from dataip.services.after_registration.outcome import Handler
from dataip.services.after_registration.payload import _bad
from dataip.services.after_registration.pledges import (
    _confirm,
    _decline,
    _enforce,
    _give_consent,
    _propose,
    _record_reference,
    _release,
    _withdraw,
)
from dataip.services.after_registration.preservation import _freeze, _lift_freeze
from dataip.services.after_registration.renewal import _publish_sample, _renew
from dataip.services.after_registration.revocation import (
    _decide_re_examination,
    _request_re_examination,
    _request_revocation,
    _revoke,
)
from dataip.services.after_registration.roles import caller
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import record_event, serve_notice


def not_found() -> DomainError:
    return _bad("registration_not_found", "登记不存在", "registration not found", 404)


def stale(current: int) -> DomainError:
    return _bad(
        "stale_version",
        "登记已被他人修改，请刷新后重试",
        "the registration changed since you read it; reload and retry",
        412,
        current_version=current,
    )


def perform(
    identity: Identity,
    *,
    env: Env,
    number: str,
    action: str,
    payload: Mapping[str, Any] | None = None,
    if_match: preconditions.Expected = None,
) -> tuple[m.Registration, Any]:
    """Perform one action on one registration, in one transaction."""
    payload = dict(payload or {})
    # issue 20 §6–§7: a court's or a bank's institutional client acts without a user account
    if identity.user_id is None and identity.role not in ("system", "court", "bank"):
        identity.require_login()
    if action in ("publish_sample", "decide_request"):  # issue 18: before the transaction
        sample_publication.prepare(env, number, action, payload)
    with env.uow() as uow:
        found = uow.registrations.by_number(number)
        if found is None:
            raise not_found()
        reg = uow.registrations.get(found.id, for_update=True)  # one action at a time
        preconditions.check(if_match, reg.version, stale)
        result = apply(uow, env, identity, reg, action, payload)
        uow.commit()
        return reg, result


def apply(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    action: str,
    payload: dict[str, Any],
) -> Any:
    """Apply one action inside the caller's unit of work (the registration row locked)."""
    who = caller(uow, env, identity, reg)
    row = decide(RegState(reg.state), action, who.actors, who.ctx, payload)
    now = env.now()
    before = reg.state
    out = _HANDLERS[action](uow, env, identity, reg, who, payload)
    if row.target is not None and reg.state == before:
        reg.state = row.target.value
    reg.version += 1
    if out.announce:
        body = {**out.public, **out.announced}
        a = announcements.publish(uow, env, reg, kind=out.announce, at=now, body=body)
        out.public["announcement_number"] = a.number
    record_event(
        uow,
        subject_type="registration",
        subject_id=reg.id,
        type=row.event,
        at=now,
        actor_user_id=identity.user_id,
        public={"registration_number": reg.registration_number, "state": reg.state, **out.public},
        private=out.private,
    )
    for kind, recipients, body, due in out.notify:
        for uid in dict.fromkeys(recipients):
            serve_notice(
                uow,
                application_id=reg.application_id,
                kind=kind,
                recipient_user_id=uid,
                at=now,
                body={"registration_number": reg.registration_number, **body},
                due_on=due[0] if due else None,
                provisional=due[1] if due else False,
            )
    return out.result


_HANDLERS: dict[str, Handler] = {
    "renew": _renew,
    "request_change": _request_change,
    "request_transfer": _request_transfer,
    "confirm_transfer": _confirm_transfer,
    "file_licence": _file("licence"),
    "file_pledge": _file("pledge"),
    "file_trade": _file("trade"),
    "release_pledge": _release,
    "propose_pledge": _propose,
    "confirm_pledge": _confirm,
    "decline_pledge": _decline,
    "withdraw_pledge_proposal": _withdraw,
    "record_pledge_reference": _record_reference,
    "enforce_pledge": _enforce,
    "give_pledgee_consent": _give_consent,
    "record_pledgee_consent": _record_pledgee_consent,
    "abandon": _abandon,
    "request_cancellation": _request_cancellation,
    "cancel": _cancel,
    "request_revocation": _request_revocation,
    "revoke": _revoke,
    "decide_request": _decide_request,
    "publish_sample": _publish_sample,
    "request_re_examination": _request_re_examination,
    "decide_re_examination": _decide_re_examination,
    "withdraw_request": _withdraw_request,
    "freeze": _freeze,
    "lift_freeze": _lift_freeze,
}
assert set(_HANDLERS) == set(ACTION_NAMES), "every row of the table has a handler"
