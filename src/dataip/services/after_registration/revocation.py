"""Revocation (撤销) and re-examination (复审), G§20.

Anyone may ask for a registration's revocation, under a verified real name, in writing and
with evidence; the registry decides (`decisions`). The registry may also revoke ex officio on
the grounds G§20 lists. Either decision is served with the 15 days to ask for re-examination
(`decisions._re_exam_due`): the holder may contest a revocation, the requester a refusal
(`roles._contestable`). The re-examination upholds or overturns the decision; the
registration ends revoked or is valid again. Revocations and re-examination decisions are
announced with their reasons masked (`services/decision_text`).
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import RegState, validate_revocation_grounds
from dataip.services import decision_text
from dataip.services.after_registration import encumbrances
from dataip.services.after_registration.decisions import _re_exam_due, _request
from dataip.services.after_registration.outcome import Outcome, _end, ended_facts
from dataip.services.after_registration.payload import _bad, _blob, _text
from dataip.services.after_registration.roles import Caller, _contestable, holder_users
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment


def _verified_party(uow: UnitOfWork, identity: Identity, who: Caller, pid: Any) -> m.Party:
    party = uow.parties.get(pid) if isinstance(pid, int) and not isinstance(pid, bool) else None
    if party is None or party.id not in who.party_ids:
        raise _bad(
            "party_not_found",
            "请选择您名下的主体作为申请人",
            "choose one of your own parties as the requester",
        )
    if party.verification_status != "verified":
        raise _bad(
            "party_not_verified",
            "撤销申请须实名提出",
            "revocation requests are made under a verified real name",
        )
    return party


def _request_revocation(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: anyone may ask, in writing and with evidence, for revocation."""
    party = _verified_party(uow, identity, who, payload.get("party_id"))
    statement = _text(payload, "statement")
    raw = payload.get("evidence_blobs")
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        raise _bad(
            "missing_fields", "请提供证据材料", "evidence is required", fields=["evidence_blobs"]
        )
    evidence = [_blob(uow, identity, b, "evidence_blobs") for b in raw]
    r = _request(
        uow,
        env,
        identity,
        reg,
        "revocation",
        {"statement": statement, "evidence_blobs": evidence},
        party_id=party.id,
    )
    return Outcome(
        public={"request_id": r.id},
        private={"statement": commitment(statement), "evidence": commitment(evidence)},
        notify=[
            ("revocation_request", holder_users(uow, reg), {"request_id": r.id}, None),
            (
                "request_received",
                [identity.user_id or 0],
                {"request_id": r.id, "kind": "revocation"},
                None,
            ),
        ],
        result=r,
    )


def _revoke(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the registry revokes ex officio, serves the decision, announces it."""
    grounds = validate_revocation_grounds(payload.get("grounds"))
    reason = _text(payload, "reason")
    due, provisional = _re_exam_due(env)
    r = _request(
        uow,
        env,
        identity,
        reg,
        "revocation",
        {"ex_officio": True, "grounds": grounds, "statement": reason},
    )
    r.state, r.outcome, r.decision_reason = "approved", "approve", reason
    r.decided_at, r.decided_by = env.now(), identity.user_id
    r.re_examination_due, r.re_examination_provisional = due, provisional
    ended = _end(uow, env, reg, RegState.REVOKED, reason)
    facts = {
        "grounds": grounds,
        "ex_officio": True,
        "re_examination_due": due.isoformat(),
        **ended_facts(ended),
    }
    notice = {**facts, "reason": reason, "request_id": r.id}  # its re-examination window
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§20
        announce="revocation",
        notify=[("revocation_decision", holder_users(uow, reg), notice, (due, provisional))],
        result=r,
    )


def _request_re_examination(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: within 15 days of receiving the decision, a party may ask for re-examination."""
    decision = _contestable(
        uow.requests.for_registration(reg.id), who.actors, identity.user_id, env.today()
    )
    assert decision is not None  # the table's guard checked it
    reason = _text(payload, "reason")
    r = _request(
        uow,
        env,
        identity,
        reg,
        "re_examination",
        {"reason": reason, "prior_state": reg.state, "decision_outcome": decision.outcome},
        related=decision.id,
    )
    return Outcome(
        public={"request_id": r.id, "decision_request_id": decision.id},
        private={"reason": commitment(reason)},
        result=r,
        notify=[
            (
                "request_received",
                [identity.user_id or 0, *holder_users(uow, reg)],
                {"request_id": r.id, "kind": "re_examination"},
                None,
            )
        ],
    )


def _decide_re_examination(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """G§20: the re-examination upholds or overturns the revocation decision."""
    r = next(
        (
            o
            for o in uow.requests.for_registration(reg.id, open_only=True)
            if o.kind == "re_examination"
        ),
        None,
    )
    if r is None:
        raise _bad("no_pending_request", "没有待复审的申请", "no re-examination is pending", 409)
    outcome = payload.get("outcome")
    if outcome not in ("uphold", "overturn"):
        raise _bad(
            "unknown_outcome",
            "复审结果须为 uphold 或 overturn",
            "outcome is uphold or overturn",
            outcomes=["uphold", "overturn"],
        )
    reason = _text(payload, "reason")
    r.state, r.outcome, r.decision_reason = "approved", outcome, reason
    r.decided_at, r.decided_by = env.now(), identity.user_id
    revoked = (r.payload["decision_outcome"] == "approve") == (outcome == "uphold")
    changed: dict[str, Any] = {}
    if revoked:
        reg.state, reg.state_reason = RegState.REVOKED.value, reason
        reg.ended_on = reg.ended_on or env.today()
        # the right ends now, if the refused revocation is overturned: its filings with it
        changed = ended_facts(encumbrances.end_with_right(uow, env, reg))
    else:
        reg.state, reg.state_reason, reg.ended_on = RegState.VALID.value, None, None
        # the revocation is overturned: the right never ended, nor what rested on it
        back = encumbrances.reinstate_with_right(uow, env, reg)
        changed = {"filings_reinstated": back} if back else {}
    facts = {"request_id": r.id, "outcome": outcome, "result": reg.state, **changed}
    decision = uow.requests.get(r.related_request_id)
    parties = [r.requester_user_id, decision.requester_user_id, *holder_users(uow, reg)]
    return Outcome(
        public=facts,
        private={"reason": commitment(reason)},
        announced={"reason": decision_text.masked(uow, reg, reason)},  # G§20
        announce="re_examination",
        result=r,
        notify=[("re_examination_decision", parties, {**facts, "reason": reason}, None)],
    )
