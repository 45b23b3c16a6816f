"""Requests the registry examines (申请) and its decisions on them (审查决定), G§20, G§24.

A change, transfer, cancellation, revocation or re-examination is a request
(`registration_requests`: `awaiting_consent` → `pending` → `approved` / `refused`, or
`withdrawn`, or `lapsed` when the registration ends). The registry approves or refuses a
pending request with reasons. An approved change or transfer makes a new certificate version
(`renewal._new_version`) — a changed form validated again as at the request, its samples
screened (R26, issue 18) — and an approved cancellation or revocation ends the registration.
A revocation decision, either way, opens 15 days to ask for re-examination (G§20; electronic
service is receipt, G§11); re-examination itself is decided in `revocation`. The requester
may withdraw an open request.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from dataip.domain import model as m
from dataip.domain.after_registration import OPEN_REQUEST_STATES, RegState, frozen, merge_patch
from dataip.schemas.application_form import validate_form
from dataip.services import announcements, decision_text, screening
from dataip.services.after_registration import validity
from dataip.services.after_registration.outcome import Outcome, _end, ended_facts
from dataip.services.after_registration.payload import (
    _bad,
    _holder_from_party,
    _public_party,
    _text,
)
from dataip.services.after_registration.renewal import _new_version
from dataip.services.after_registration.roles import (
    Caller,
    _pledge_check,
    freezes_in_force,
    holder_users,
)
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment


def _request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    kind: str,
    payload: dict[str, Any],
    *,
    state: str = "pending",
    party_id: int | None = None,
    related: int | None = None,
) -> m.RegistrationRequest:
    r = uow.requests.add(
        m.RegistrationRequest(
            registration_id=reg.id,
            kind=kind,
            state=state,
            requester_user_id=identity.user_id or 0,
            requester_party_id=party_id,
            filed_at=env.now(),
            payload=payload,
            related_request_id=related,
        )
    )
    uow.flush()
    return r


def _re_exam_due(env: Env, served_on: date | None = None) -> tuple[date, bool]:
    """G§20: 15 days from receipt of the decision; electronic service is receipt (G§11).
    `served_on` defaults to today (R0.4 recomputes from the day it was served)."""
    period = env.profile.period("re_examination")
    cal = env.calendar()
    day = served_on or env.today()
    d = (
        cal.add_calendar_days(day, period.days)
        if period.unit == "calendar_days"
        else cal.add_working_days(day, period.days)
    )
    return d.due_on, d.provisional


def _request_named(
    uow: UnitOfWork, reg: m.Registration, payload: dict[str, Any]
) -> m.RegistrationRequest | None:
    """The request `payload["request_id"]` names, if it is one of this registration's."""
    rid = payload.get("request_id")
    r = uow.requests.get(rid) if isinstance(rid, int) and not isinstance(rid, bool) else None
    return r if r is not None and r.registration_id == reg.id else None


def _decide_request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20, G§24: the registry examines a request and approves or refuses it, with reasons."""
    r = _request_named(uow, reg, payload)
    if r is None or r.kind == "re_examination":
        raise _bad("request_not_found", "申请不存在", "no such request on this registration", 404)
    if r.state != "pending":
        raise _bad(
            "request_not_pending",
            "该申请不在待审查状态",
            "the request is not pending",
            409,
            state=r.state,
        )
    outcome = payload.get("outcome")
    if outcome not in ("approve", "refuse"):
        raise _bad(
            "unknown_outcome",
            "审查结果须为 approve 或 refuse",
            "outcome is approve or refuse",
            outcomes=["approve", "refuse"],
        )
    reason = _text(payload, "reason")
    freezes = freezes_in_force(uow, reg, env.today())
    if outcome == "approve" and r.kind in ("transfer", "cancellation") and freezes:
        # issue 20 §7: a transfer or cancellation filed before the court's preservation does
        # not take effect while it is in force
        raise frozen(freezes)
    now = env.now()
    r.outcome, r.decision_reason, r.decided_at, r.decided_by = (
        outcome,
        reason,
        now,
        identity.user_id,
    )
    r.state = "approved" if outcome == "approve" else "refused"
    facts: dict[str, Any] = {"request_id": r.id, "request_kind": r.kind, "outcome": outcome}
    out = Outcome(public=facts, private={"reason": commitment(reason)}, result=r)
    parties = [r.requester_user_id, *holder_users(uow, reg)]
    if r.kind == "revocation":
        due, provisional = _re_exam_due(env)
        r.re_examination_due, r.re_examination_provisional = due, provisional
        facts.update(re_examination_due=due.isoformat())
        if outcome == "approve":
            facts.update(ended_facts(_end(uow, env, reg, RegState.REVOKED, reason)))
            out.announced["reason"] = decision_text.masked(uow, reg, reason)  # G§20
            out.announce = "revocation"
        elif not any(
            o.kind == "revocation" and o.state == "pending" and o.id != r.id
            for o in uow.requests.for_registration(reg.id, open_only=True)
        ):
            reg.state = RegState.VALID.value
        notice = {**facts, "reason": reason}
        out.notify.append(("revocation_decision", parties, notice, (due, provisional)))
        return out
    out.notify.append(("request_decision", parties, {**facts, "reason": reason}, None))
    if outcome == "refuse":
        return out
    if r.kind == "change":
        current = uow.registration_versions.latest(reg.id)
        form = cast(
            dict[str, Any], merge_patch(current.form if current else {}, r.payload["changes"])
        )
        form = validate_form(form, at=("changes",))  # as at the request: never registered else
        screening.require_screened(uow, screening.samples_of(form))  # R26, issue 18
        reg.name = str(form.get("name") or reg.name)
        reg.industry_code = form.get("industry_code") or reg.industry_code
        renames = {int(s["party_id"]): s["name"] for s in r.payload.get("subject", [])}
        # a natural person's new name is kept masked, like the name registered (G§14)
        reg.holders = [
            {**h, **_public_party({"kind": h.get("kind"), "name": renames[h["party_id"]]})}
            if h.get("party_id") in renames
            else h
            for h in reg.holders
        ]
        # R15 / G§18: a new agreement end date recomputes validity, stated by the new version
        recomputed = validity.after_change(uow, env, reg, current.form if current else {}, form)
        _new_version(uow, env, reg, "change", r.id, form)
        facts.update(
            fields=sorted(r.payload.get("changes", {})) + (["subject"] if renames else []),
            certificate_version=reg.certificate_version,
            **recomputed,
        )
        out.announce = "change"
    elif r.kind == "transfer":
        if r.payload.get("basis") == "agreement":  # not against a court's or heir's title
            _pledge_check(uow, env, reg, "transfer", use=True)
        old = [announcements.public_holder(h) for h in reg.holders]
        parties_by_id = {
            p.id: p for p in uow.parties.many([t["party_id"] for t in r.payload["transferees"]])
        }
        reg.holders = [
            _holder_from_party(parties_by_id[t["party_id"]], t["share_bp"])
            for t in r.payload["transferees"]
        ]
        _new_version(uow, env, reg, "transfer", r.id)
        facts.update(basis=r.payload.get("basis"), certificate_version=reg.certificate_version)
        out.announced["previous_holders"] = old
        out.announce = "transfer"
        out.notify.append(
            (
                "request_decision",
                holder_users(uow, reg),
                {**facts, "previous_holders": old, "reason": reason},
                None,
            )
        )
    elif r.kind == "cancellation":
        if r.requester_party_id is None:
            _pledge_check(uow, env, reg, "cancellation", use=True)
        ended = _end(
            uow, env, reg, RegState.CANCELLED, f"holder_request: {r.payload.get('reason')}"
        )
        facts.update(
            ground="holder_request" if r.requester_party_id is None else "right_extinguished",
            ended_on=env.today().isoformat(),
            **ended_facts(ended),
        )
        out.announce = "cancellation"
    return out


def _withdraw_request(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The requester withdraws an open request; the registration's state goes back."""
    r = _request_named(uow, reg, payload)
    if r is None or r.requester_user_id != identity.user_id or r.state not in OPEN_REQUEST_STATES:
        raise _bad("request_not_found", "没有可撤回的该申请", "no such open request of yours", 404)
    r.state, r.decided_at = "withdrawn", env.now()
    if r.kind == "re_examination":
        reg.state = r.payload["prior_state"]
    elif r.kind == "revocation" and not any(
        o.kind == "revocation" and o.state == "pending"
        for o in uow.requests.for_registration(reg.id, open_only=True)
        if o.id != r.id
    ):
        reg.state = RegState.VALID.value
    return Outcome(public={"request_id": r.id, "request_kind": r.kind}, result=r)
