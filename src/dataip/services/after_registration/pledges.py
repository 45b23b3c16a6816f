"""A bank's pledge (质押), issue 20 §6: proposed by the bank, confirmed by the holder, its
中登网 number recorded, enforced or released by the bank — each an action of the one table
(`domain.after_registration`), recorded exactly as when a holder files.

* `propose_pledge` (a bank's client, `pledges:write`): the pledgee is the bank's own
  institution (its credit code, verified when the admin registered it) — a bank cannot file
  for another pledgee (403 `pledgee_not_caller`). The proposal states the contract date,
  the secured amount (fen), the term, the contract's reference and the loan reference (the
  purpose the bank acts for). It awaits the holder until the end of the filing period
  counted from the day it is proposed (`filing_due`, G§22's 10 working days): as long as the
  parties have to file a contract, the holder has to confirm a proposal; after that it
  lapses (no event: it is simply no longer awaiting) and the bank proposes again.
* `confirm_pledge` (the holder): the pledge is filed by `filings._file("pledge")` — the
  same `PledgeFiled` leaf (naming the proposal), 质押备案公告, `BA` number, and the
  10-working-day rule counted from the *contract* date (a late confirmation is accepted and
  flagged late). `decline_pledge` (the holder) and `withdraw_pledge_proposal` (the bank)
  end a proposal.
* `record_pledge_reference`, `give_pledgee_consent`, `enforce_pledge`, `release_pledge` (the
  pledgee bank): only on
  a pledge whose pledgee is the caller's institution (403 `not_pledgee`).

The log publishes numbers, codes and dates only: amounts, the loan and contract references,
the pledgee and a reason are commitments. The bank has no inbox; it follows its proposals
through the event feed or a webhook (`pledge.proposed`, `filing.recorded` naming the
proposal, `pledge.proposal.declined`).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from dataip.domain import model as m
from dataip.domain.pledges import ENFORCEMENT_METHODS, zdw_reference
from dataip.services import decision_text
from dataip.services.after_registration.filings import (
    _contract_date,
    _file,
    _filing,
    _release_pledge,
    _term,
    add_consent,
    filing_due,
)
from dataip.services.after_registration.outcome import Outcome
from dataip.services.after_registration.payload import _bad, _choice, _date, _fen, _missing
from dataip.services.after_registration.roles import Caller, bank_uscc, holder_users, pledgee_uscc
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment

MAX_REFERENCE = 100  # a loan, contract, court case or auction reference


def _reference(payload: dict[str, Any], key: str, *, required: bool) -> str | None:
    raw = payload.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise _missing(key)
        return None
    text = unicodedata.normalize("NFC", raw.strip()) if isinstance(raw, str) else ""
    if (
        not text
        or len(text) > MAX_REFERENCE
        or any(unicodedata.category(ch).startswith("C") for ch in text)
    ):
        raise _bad(
            "invalid_reference",
            f"{key}须为1至{MAX_REFERENCE}个可见字符",
            f"{key} is 1–{MAX_REFERENCE} printable characters",
            field=key,
        )
    return text


def _bank(uow: UnitOfWork, identity: Identity) -> tuple[str, str]:
    """The calling bank's credit code and name."""
    uscc = bank_uscc(uow, identity)
    inst = uow.sharing.institution(identity.username) if uscc else None
    if inst is None:  # the table's actors make this unreachable; kept for the type checker
        raise _bad("forbidden_action", "您无权执行此操作", "only a bank's client may do this", 403)
    return inst.uscc, inst.name


def _proposal(uow: UnitOfWork, env: Env, reg: m.Registration, payload: dict[str, Any]) -> Any:
    number = payload.get("proposal_number")
    if number is None or number == "":
        raise _missing("proposal_number")
    p = uow.pledge_proposals.by_number(str(number))
    if p is None or p.registration_id != reg.id:
        raise _bad(
            "pledge_proposal_not_found", "未找到该质押申请", "no such pledge proposal here", 404
        )
    if p.state != "awaiting" or p.lapses_on < env.today():
        state = p.state if p.state != "awaiting" else "lapsed"
        raise _bad(
            "pledge_proposal_not_awaiting",
            "该质押申请已不在待确认状态",
            f"the pledge proposal is no longer awaiting confirmation ({state})",
            409,
            state=state,
        )
    return p


def _own_pledge(
    uow: UnitOfWork, identity: Identity, reg: m.Registration, payload: dict[str, Any]
) -> m.Filing:
    """The pledge in force `filing_number` names, if the caller's institution is its
    pledgee (a holder or the registry may act on any)."""
    f = _filing(uow, reg, payload, "pledge")
    if identity.role == "bank" and pledgee_uscc(f) != bank_uscc(uow, identity):
        raise _bad(
            "not_pledgee",
            "该质押的质权人不是贵机构",
            "your institution is not this pledge's pledgee",
            403,
            filing_number=f.number,
        )
    return f


def _propose(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    uscc, name = _bank(uow, identity)
    named = payload.get("pledgee_credit_code")
    if named is not None and named != uscc:
        raise _bad(
            "pledgee_not_caller",
            "银行只能以本机构为质权人申请质押备案",
            "a bank proposes pledges only with its own institution as the pledgee",
            403,
        )
    contract = _contract_date(env, payload)
    start, end = _term(payload)
    amount = _fen(payload, "secured_amount_fen", positive=True)
    loan = _reference(payload, "loan_reference", required=True)
    contract_ref = _reference(payload, "contract_reference", required=False)
    today = env.today()
    lapse = filing_due(env, today)
    serial = uow.next_value(f"pledge_proposal:{env.profile.registry_code}:{today.year}")
    pledgee = {"kind": "legal_person", "name": name, "credit_code": uscc}
    p = uow.pledge_proposals.add(
        m.PledgeProposal(
            number=f"ZY{today.year:04d}{env.profile.registry_code}{serial:07d}",
            registration_id=reg.id,
            client_id=str(identity.username),
            pledgee_uscc=uscc,
            contract_date=contract,
            proposed_at=env.now(),
            lapses_on=lapse.due_on,
            details={
                "pledgee": pledgee,
                "secured_amount_fen": amount,
                "term_start": (start or contract).isoformat(),
                "term_end": end.isoformat() if end else None,
                "loan_reference": loan,
                "contract_reference": contract_ref,
            },
        )
    )
    facts = {
        "proposal_number": p.number,
        "contract_date": contract.isoformat(),
        "due_on": filing_due(env, contract).due_on.isoformat(),
        "lapses_on": p.lapses_on.isoformat(),
    }
    private = {
        "pledgee": commitment(pledgee),
        "secured_amount_fen": commitment(amount),
        "loan_reference": commitment(loan),
        "client": commitment(identity.username),
    }
    if contract_ref:
        private["contract_reference"] = commitment(contract_ref)
    body = {**facts, "pledgee": name, "secured_amount_fen": amount}
    return Outcome(
        public=facts,
        private=private,
        result=p,
        notify=[
            ("pledge_proposal", holder_users(uow, reg), body, (lapse.due_on, lapse.provisional))
        ],
    )


def _confirm(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    p = _proposal(uow, env, reg, payload)
    d = p.details
    filed = {
        "contract_date": p.contract_date.isoformat(),
        "pledgee": d["pledgee"],
        "secured_amount_fen": d["secured_amount_fen"],
        "term_start": d["term_start"],
        "term_end": d["term_end"],
    }
    if payload.get("contract_blob") is not None:
        filed["contract_blob"] = payload["contract_blob"]
    out = _file("pledge")(uow, env, identity, reg, who, filed)
    f: m.Filing = out.result
    f.details = {
        **f.details,
        "proposal_number": p.number,
        "proposed_by": {"client_id": p.client_id},
        "loan_reference": d.get("loan_reference"),
        "contract_reference": d.get("contract_reference"),
    }
    p.state = "confirmed"
    p.decided_at = env.now()
    p.filing_number = f.number
    out.public["proposal_number"] = p.number
    return out


def _decline(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    p = _proposal(uow, env, reg, payload)
    reason = _reference(payload, "reason", required=False)
    p.state = "declined"
    p.decided_at = env.now()
    p.details = {**p.details, "decline_reason": reason}
    private = {"reason": commitment(reason)} if reason else {}
    return Outcome(public={"proposal_number": p.number}, private=private, result=p)


def _withdraw(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    p = _proposal(uow, env, reg, payload)
    if p.client_id != identity.username:
        raise _bad(
            "not_own_proposal",
            "只能撤回本机构提出的质押申请",
            "a bank withdraws only its own pledge proposals",
            403,
        )
    p.state = "withdrawn"
    p.decided_at = env.now()
    facts = {"proposal_number": p.number}
    return Outcome(
        public=facts,
        result=p,
        notify=[("pledge_proposal_withdrawn", holder_users(uow, reg), facts, None)],
    )


def _record_reference(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    f = _own_pledge(uow, identity, reg, payload)
    number = zdw_reference(payload.get("zdw_reference"))
    f.details = {
        **f.details,
        "zdw_reference": number,
        "zdw_recorded_at": env.now().isoformat(),
    }
    return Outcome(public={"filing_number": f.number, "zdw_reference": number}, result=f)


def _enforce(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """Civil Code Art. 436, 446: the pledgee realises the pledge (折价, 拍卖, 变卖); the
    pledge is then `enforced` (no longer in force). The right passes to the buyer by a
    separate transfer (G§21), which no longer waits on this pledgee's consent."""
    f = _own_pledge(uow, identity, reg, payload)
    method = _choice(
        payload,
        "method",
        ENFORCEMENT_METHODS,
        "invalid_enforcement_method",
        "实现方式须为折价、拍卖或变卖",
        "method is discount, auction or sale",
    )
    on = _date(payload, "enforced_on")
    assert on is not None
    if on > env.today() or on < f.contract_date:
        raise _bad(
            "invalid_date",
            "实现日期须在质押合同日期与今日之间",
            "enforced_on lies between the pledge contract's date and today",
            field="enforced_on",
        )
    amount = _fen(payload, "amount_realised_fen")
    ref = _reference(payload, "reference", required=False)
    f.state = "enforced"
    f.released_at = env.now()
    f.details = {
        **f.details,
        "enforcement": {
            "method": method,
            "enforced_on": on.isoformat(),
            "reference": ref,
            "amount_realised_fen": amount,
            "recorded_at": env.now().isoformat(),
        },
    }
    facts = {"filing_number": f.number, "method": method, "enforced_on": on.isoformat()}
    private = {"amount_realised_fen": commitment(amount)}
    if ref:
        private["reference"] = commitment(ref)
    announced = {"pledgee": decision_text.counterparty(uow, reg, f.details["pledgee"])}
    return Outcome(
        public=facts,
        private=private,
        announced=announced,
        announce="pledge_enforcement",
        result=f,
        notify=[("filing_receipt", holder_users(uow, reg), {**facts, **announced}, None)],
    )


def _give_consent(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledgee bank's consent to one transfer, abandonment or cancellation (G§22 and the
    pledge contract), given by its own client: its own pledges only. Recorded as the holder's
    upload of the consent document is (`record_pledgee_consent`), with the client instead of
    an instrument; used up when the action it consents to takes effect."""
    f = _own_pledge(uow, identity, reg, payload)
    return add_consent(
        f, env, payload, instrument=None, given_by_client=identity.username, recorded_by=None
    )


def _release(
    uow: UnitOfWork,
    env: Env,
    identity: Identity,
    reg: m.Registration,
    who: Caller,
    payload: dict[str, Any],
) -> Outcome:
    """The pledge ends by the holder's filing, the registry's record, or — issue 20 §6 —
    the pledgee bank's own release (its own pledges only)."""
    f = _own_pledge(uow, identity, reg, payload)
    out = _release_pledge(uow, env, identity, reg, who, payload)
    if identity.role == "bank":
        f.details = {**f.details, "released_by": {"client_id": identity.username}}
    return out


def proposal_state(p: m.PledgeProposal, today: date) -> str:
    """`awaiting`, `confirmed`, `declined`, `withdrawn`, or `lapsed` (not confirmed in time)."""
    if p.state == "awaiting" and p.lapses_on < today:
        return "lapsed"
    return p.state


def proposal_dict(p: m.PledgeProposal, *, today: date) -> dict[str, Any]:
    """A proposal as its bank and the registration's holders see it."""
    d = p.details
    return {
        "number": p.number,
        "state": proposal_state(p, today),
        "pledgee": d.get("pledgee"),
        "contract_date": p.contract_date.isoformat(),
        "secured_amount_fen": d.get("secured_amount_fen"),
        "term_start": d.get("term_start"),
        "term_end": d.get("term_end"),
        "loan_reference": d.get("loan_reference"),
        "contract_reference": d.get("contract_reference"),
        "proposed_at": p.proposed_at.isoformat(),
        "lapses_on": p.lapses_on.isoformat(),
        "decided_at": p.decided_at.isoformat() if p.decided_at else None,
        "filing_number": p.filing_number,
    }
