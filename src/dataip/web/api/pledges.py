"""A bank's pledges (质押) and the encumbrance query (权利负担查询), issue 20 §6.

A bank's client (scope ``pledges:write``) proposes a pledge with its own institution as the
pledgee; the holder confirms or declines it through the registration's actions
(``confirm_pledge``, ``decline_pledge``) or the portal. The pledgee then records the pledge's
中登网 number, records its enforcement (质权实现) and releases it. Any institution holding
``registrations:read`` or ``pledges:write`` asks what burdens a registration, stating a
purpose (accounted). Routers stay three lines; the use cases are in `services/sharing/pledges`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from dataip.domain import model as m
from dataip.schemas.text import Line
from dataip.services.sharing import pledges as svc
from dataip.sharing.scopes import PLEDGES_WRITE, Principal
from dataip.web.api.application_schemas import _Strict
from dataip.web.api.institution_auth import require_scopes
from dataip.web.deps import EnvDep
from dataip.web.numbers import Number

router = APIRouter(tags=["pledges"])
FilingNumber = Annotated[str, Path(pattern=r"^BA[0-9]{4}[0-9A-Z]{4}[0-9]{7}$")]
ProposalNumber = Annotated[str, Path(pattern=r"^ZY[0-9]{4}[0-9A-Z]{4}[0-9]{7}$")]
BankClient = Annotated[Principal, Depends(require_scopes(PLEDGES_WRITE))]
AnyClient = Annotated[Principal, Depends(require_scopes())]
Fen = Annotated[int, Field(ge=0, le=10**15, strict=True)]
Reference = Annotated[Line, Field(min_length=1, max_length=100)]


class PledgeProposalCreate(_Strict):
    """A bank's pledge proposal: the pledgee is the calling bank's institution."""

    contract_date: date = Field(description="the pledge contract's date (G§22's period runs)")
    secured_amount_fen: Annotated[int, Field(ge=1, le=10**15, strict=True)] = Field(
        description="the secured claim in fen (分)", examples=[500_000_000]
    )
    loan_reference: Reference = Field(
        description="the loan this pledge secures (the bank's purpose)", examples=["贷2026-0042"]
    )
    term_start: date | None = Field(default=None, description="default: the contract date")
    term_end: date | None = None
    contract_reference: Reference | None = Field(default=None, examples=["质字2026第17号"])
    pledgee_credit_code: Annotated[str, Field(max_length=18)] | None = Field(
        default=None,
        description="optional; if given, the bank's own credit code (403 `pledgee_not_caller`)",
    )


class ReferenceIn(_Strict):
    zdw_reference: Annotated[str, Field(max_length=40)] = Field(
        description="the pledge's 登记证明编号 at 中登网: 20 digits",
        examples=["04093727000235578371"],
    )


class ConsentIn(_Strict):
    """The pledgee's written consent (G§22, the pledge contract) to one disposal of the
    pledged right; it is used up when that disposal takes effect."""

    for_action: Literal["transfer", "abandon", "cancellation"] = Field(
        description="转让, 放弃 or 注销"
    )


class EnforcementIn(_Strict):
    """质权实现 (Civil Code Art. 436, 446): how, when, for how much, and a reference such as
    the court's case number or the auction's reference."""

    method: Literal["discount", "auction", "sale"] = Field(description="折价, 拍卖 or 变卖")
    enforced_on: date
    amount_realised_fen: Fen
    reference: Reference | None = None


class ReleaseIn(_Strict):
    reason: Annotated[str, Field(max_length=2000)] | None = None


class PartyRef(BaseModel):
    kind: str
    name: str
    credit_code: str | None = None


class PledgeProposalRead(BaseModel):
    number: str
    registration_number: str
    state: Literal["awaiting", "confirmed", "declined", "withdrawn", "lapsed"]
    pledgee: PartyRef
    contract_date: date
    secured_amount_fen: int
    term_start: date | None
    term_end: date | None
    loan_reference: str | None
    contract_reference: str | None
    proposed_at: datetime
    lapses_on: date = Field(description="awaits the holder until this day (inclusive)")
    decided_at: datetime | None
    filing_number: str | None = Field(description="the pledge filed on confirmation")


class EnforcementRead(BaseModel):
    method: str
    enforced_on: date
    amount_realised_fen: int | None = None
    reference: str | None = None


class PledgeRead(BaseModel):
    """A pledge as its pledgee sees it."""

    filing_number: str
    registration_number: str
    state: Literal["in_force", "released", "enforced", "ended"]
    pledgee: PartyRef
    contract_date: date
    filed_on: date
    due_on: date
    late: bool
    term_start: date | None
    term_end: date | None
    secured_amount_fen: int | None
    zdw_reference: str | None
    proposal_number: str | None
    enforcement: EnforcementRead | None
    released_at: datetime | None


class PublicPledge(BaseModel):
    filing_number: str
    pledgee: PartyRef | None
    term_start: date | None
    term_end: date | None
    zdw_reference: str | None
    contract_date: date
    filed_on: date
    late: bool = Field(description="filed after G§22's 10 working days")
    own: bool = Field(description="the calling bank is the pledgee")


class FreezeInForce(BaseModel):
    number: str
    case_number: str
    court: str | None
    frozen_at: datetime
    term_end: date | None


class ExclusiveLicence(BaseModel):
    filing_number: str
    licence_type: Literal["exclusive", "sole"]
    licensee: PartyRef | None
    term_start: date | None
    term_end: date | None


class Pending(BaseModel):
    revocation: bool = Field(description="a revocation request awaits the registry")
    re_examination: bool
    requests: list[str] = Field(description="kinds of open requests (transfer, cancellation…)")


class EncumbranceReport(BaseModel):
    """What burdens a registration today, for due diligence."""

    registration_number: str
    name: str
    state: str
    state_label: list[str] = Field(description="[zh, en]")
    in_force: bool = Field(description="valid or revocation pending: the right subsists")
    valid_from: date
    valid_until: date
    as_of: date
    frozen: bool
    pledges: list[PublicPledge] = Field(description="pledges in force")
    pledge_proposals_awaiting: int
    freezes: list[FreezeInForce] = Field(description="court preservations in force")
    exclusive_licences: list[ExclusiveLicence] = Field(
        description="exclusive and sole licences in force"
    )
    pending: Pending
    own_pledges: list[dict[str, Any]] = Field(
        description="the calling bank's pledges, in any state, in full"
    )
    own_proposals: list[dict[str, Any]] = Field(description="the calling bank's proposals")


def _proposal(number: str, p: m.PledgeProposal, today: date) -> PledgeProposalRead:
    d = svc.proposal_dict(p, today=today)
    return PledgeProposalRead.model_validate({**d, "registration_number": number})


def _pledge(number: str, f: m.Filing) -> PledgeRead:
    d = f.details
    enforced = d.get("enforcement")
    return PledgeRead(
        filing_number=f.number,
        registration_number=number,
        state=f.state,  # type: ignore[arg-type]
        pledgee=PartyRef.model_validate(d["pledgee"]),
        contract_date=f.contract_date,
        filed_on=f.filed_on,
        due_on=f.due_on,
        late=f.late,
        term_start=d.get("term_start"),
        term_end=d.get("term_end"),
        secured_amount_fen=d.get("secured_amount_fen"),
        zdw_reference=d.get("zdw_reference"),
        proposal_number=d.get("proposal_number"),
        enforcement=EnforcementRead.model_validate(enforced) if enforced else None,
        released_at=f.released_at,
    )


@router.post("/institutions/registrations/{number}/pledges", status_code=201)
def propose(
    number: Number,
    body: PledgeProposalCreate,
    env: EnvDep,
    principal: BankClient,
) -> PledgeProposalRead:
    """A bank proposes a pledge with itself as pledgee (`pledges:write`); it awaits the
    holder's confirmation until `lapses_on`."""
    payload = body.model_dump(mode="json", exclude_none=True)
    p = svc.propose(principal, env=env, number=number, body=payload)
    return _proposal(number, p, env.today())


@router.post("/institutions/registrations/{number}/pledges/proposals/{proposal_number}/withdraw")
def withdraw(
    number: Number, proposal_number: ProposalNumber, env: EnvDep, principal: BankClient
) -> PledgeProposalRead:
    """The bank withdraws its proposal while it awaits the holder."""
    p = svc.act(
        principal,
        env=env,
        number=number,
        action="withdraw_pledge_proposal",
        payload={"proposal_number": proposal_number},
    )
    return _proposal(number, p, env.today())


def _on_pledge(
    principal: Principal, env: Any, number: str, filing: str, action: str, body: dict[str, Any]
) -> PledgeRead:
    payload = {**body, "filing_number": filing}
    f = svc.act(principal, env=env, number=number, action=action, payload=payload)
    return _pledge(number, f)


@router.post("/institutions/registrations/{number}/pledges/{filing_number}/reference")
def reference(
    number: Number,
    filing_number: FilingNumber,
    body: ReferenceIn,
    env: EnvDep,
    principal: BankClient,
) -> PledgeRead:
    """The pledgee records the pledge's 登记证明编号 at 中登网 (public, 20 digits)."""
    return _on_pledge(
        principal, env, number, filing_number, "record_pledge_reference", body.model_dump()
    )


@router.post("/institutions/registrations/{number}/pledges/{filing_number}/consents")
def consent(
    number: Number,
    filing_number: FilingNumber,
    body: ConsentIn,
    env: EnvDep,
    principal: BankClient,
) -> PledgeRead:
    """The pledgee consents to one transfer, abandonment or cancellation of the pledged
    right (without it, the pledge blocks them: 409 `pledged`)."""
    return _on_pledge(
        principal, env, number, filing_number, "give_pledgee_consent", body.model_dump()
    )


@router.post("/institutions/registrations/{number}/pledges/{filing_number}/enforcement")
def enforce(
    number: Number,
    filing_number: FilingNumber,
    body: EnforcementIn,
    env: EnvDep,
    principal: BankClient,
) -> PledgeRead:
    """The pledgee records the pledge's enforcement (质权实现); announced. The right passes
    to the buyer by a separate transfer request."""
    payload = body.model_dump(mode="json", exclude_none=True)
    return _on_pledge(principal, env, number, filing_number, "enforce_pledge", payload)


@router.post("/institutions/registrations/{number}/pledges/{filing_number}/release")
def release(
    number: Number,
    filing_number: FilingNumber,
    env: EnvDep,
    principal: BankClient,
    body: ReleaseIn | None = None,
) -> PledgeRead:
    """The pledgee releases its pledge (质押注销); announced."""
    payload = body.model_dump(exclude_none=True) if body else {}
    return _on_pledge(principal, env, number, filing_number, "release_pledge", payload)


@router.get("/institutions/registrations/{number}/encumbrances")
def encumbrances(
    number: Number,
    env: EnvDep,
    principal: AnyClient,
    purpose: Annotated[
        str, Query(max_length=200, description="a loan reference; a court gives its case number")
    ],
) -> EncumbranceReport:
    """What burdens a registration (`registrations:read` or `pledges:write`): state and
    validity, pledges, freezes and exclusive or sole licences in force, pending revocation or
    re-examination, and the calling bank's own pledges and proposals in full. Accounted in
    the registration's account of reads."""
    report = svc.encumbrances(principal, env=env, number=number, purpose=purpose)
    return EncumbranceReport.model_validate(report)
