"""A bank's pledges through its institutional client (issue 20 §6), and the encumbrance
query a bank or another institution makes for due diligence.

Every step goes through the one after-registration entry point (`after_registration.perform`,
handlers in `after_registration.pledges`) under the bank's identity (`acting_identity`:
role ``bank``, username its client id), once the token holds ``pledges:write``: the same
table rows, guards (a frozen registration refuses a proposal, 409 `registration_frozen`),
ledger leaves, announcements and notices as when a holder files.

The encumbrance query (`encumbrances`) answers what a lender checks before it lends against
a data IP: the registration's state and validity; the pledges, court preservations and
exclusive or sole licences in force; a pending revocation or re-examination and open
transfer or cancellation requests; and the calling bank's own pledges and proposals in full.
It states a purpose (a loan reference; a court its case number) and is recorded in the
account of reads (resource ``encumbrances``), so the holder sees who checked its right.
"""

from __future__ import annotations

from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import IN_FORCE, REG_STATE_LABELS, RegState
from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services.after_registration.payload import _public_party
from dataip.services.after_registration.pledges import proposal_dict
from dataip.services.after_registration.preservation import freeze_dict
from dataip.services.after_registration.roles import freezes_in_force, proposals_awaiting
from dataip.services.context import Env
from dataip.services.registrations import filing_dict
from dataip.services.sharing.preservation import acting_identity
from dataip.services.sharing.reads import _record, check_purpose
from dataip.sharing.scopes import PLEDGES_WRITE, REGISTRATIONS_READ, Principal

__all__ = ["act", "encumbrances", "proposal_dict", "propose"]


def propose(
    principal: Principal, *, env: Env, number: str, body: dict[str, Any]
) -> m.PledgeProposal:
    """The bank proposes a pledge with itself as pledgee; it awaits the holder."""
    p: m.PledgeProposal
    _, p = actions.perform(
        acting_identity(principal, PLEDGES_WRITE),
        env=env,
        number=number,
        action="propose_pledge",
        payload=body,
    )
    return p


def act(
    principal: Principal,
    *,
    env: Env,
    number: str,
    action: str,
    payload: dict[str, Any],
) -> Any:
    """One of the pledgee's actions: withdraw a proposal, record the 中登网 reference,
    consent to a transfer, abandonment or cancellation, enforce, release."""
    assert action in (
        "withdraw_pledge_proposal",
        "record_pledge_reference",
        "give_pledgee_consent",
        "enforce_pledge",
        "release_pledge",
    )
    _, result = actions.perform(
        acting_identity(principal, PLEDGES_WRITE),
        env=env,
        number=number,
        action=action,
        payload=payload,
    )
    return result


def _public_pledge(f: dict[str, Any], own: bool) -> dict[str, Any]:
    pledgee = f.get("pledgee") or {}
    return {
        "filing_number": f["number"],
        "pledgee": _public_party(pledgee) if pledgee else None,
        "term_start": f.get("term_start"),
        "term_end": f.get("term_end"),
        "zdw_reference": f.get("zdw_reference"),
        "contract_date": f["contract_date"],
        "filed_on": f["filed_on"],
        "late": f["late"],
        "own": own,
    }


def _forbidden_scope() -> DomainError:
    return DomainError(
        "insufficient_scope",
        "访问令牌缺少所需权限：读取公开登记信息或办理质押",
        "the access token lacks the scope registrations:read or pledges:write",
        status=403,
        details={"required_scopes": [REGISTRATIONS_READ, PLEDGES_WRITE]},
    )


def encumbrances(
    principal: Principal, *, env: Env, number: str, purpose: str | None
) -> dict[str, Any]:
    """What burdens registration `number` today (scope registrations:read or pledges:write;
    a stated purpose, accounted)."""
    scope = next((s for s in (PLEDGES_WRITE, REGISTRATIONS_READ) if principal.allows(s)), None)
    if scope is None:
        raise _forbidden_scope()
    stated = check_purpose(principal, purpose)
    today = env.today()
    with env.read() as uow:
        found = uow.registrations.by_number(number)
        if found is None:
            raise actions.not_found()
        reg = found
        inst = uow.sharing.institution(principal.client_id) if principal.kind == "bank" else None
        mine = inst.uscc if inst is not None and principal.allows(PLEDGES_WRITE) else None
        filings = [
            (f, filing_dict(f, full=True, today=today))
            for f in uow.filings.for_registration(reg.id)
        ]
        in_force = set(freezes_in_force(uow, reg, today))
        freezes = [
            freeze_dict(f, full=False, today=today)
            for f in uow.freezes.for_registration(reg.id)
            if f.number in in_force
        ]
        open_requests = uow.requests.for_registration(reg.id, open_only=True)
        proposals = uow.pledge_proposals.for_registration(reg.id)
        awaiting = proposals_awaiting(uow, reg, today)

        def own(f: m.Filing) -> bool:
            return mine is not None and (f.details.get("pledgee") or {}).get("credit_code") == mine

        out: dict[str, Any] = {
            "registration_number": reg.registration_number,
            "name": reg.name,
            "state": reg.state,
            "state_label": list(REG_STATE_LABELS[RegState(reg.state)]),
            "in_force": RegState(reg.state) in IN_FORCE,
            "valid_from": reg.valid_from.isoformat(),
            "valid_until": reg.valid_until.isoformat(),
            "as_of": today.isoformat(),
            "frozen": bool(freezes),
            "pledges": [
                _public_pledge(d, own(f))
                for f, d in filings
                if f.kind == "pledge" and d["state"] == "in_force"
            ],
            "pledge_proposals_awaiting": len(awaiting),
            "freezes": freezes,
            "exclusive_licences": [
                {
                    "filing_number": d["number"],
                    "licence_type": d.get("licence_type"),
                    "licensee": _public_party(d["licensee"]) if d.get("licensee") else None,
                    "term_start": d.get("term_start"),
                    "term_end": d.get("term_end"),
                }
                for f, d in filings
                if f.kind == "licence"
                and d["state"] == "in_force"
                and d.get("licence_type") in ("exclusive", "sole")
            ],
            "pending": {
                "revocation": reg.state == RegState.REVOCATION_PENDING.value,
                "re_examination": reg.state == RegState.RE_EXAMINATION.value,
                "requests": sorted({r.kind for r in open_requests}),
            },
            "own_pledges": [d for f, d in filings if f.kind == "pledge" and own(f)],
            "own_proposals": [
                proposal_dict(p, today=today)
                for p in proposals
                if mine is not None and p.client_id == principal.client_id
            ],
        }
    _record(
        env,
        principal,
        number=reg.registration_number,
        resource="encumbrances",
        purpose=stated,
        scope=scope,
    )
    return out
