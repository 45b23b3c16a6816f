"""Life after registration as one declarative table (G§19–G§24).

A registration is `valid` until it ends: `abandoned` (G§20, the holder gives it up),
`cancelled` (G§19 expired unrenewed or evident defects, G§23 on request or when a right is
extinguished) or `revoked` (G§20). A revocation request makes it `revocation_pending` until the
registry decides; a request for re-examination of that decision makes it `re_examination`.
Licences and pledges are records on the registration (filings), not states.

Each row says who may take an action in which states, which event it records, the state it
moves to (None: the state stays; the action files a request or a record) and whether a pledge
in force blocks it until the pledgee's consent is recorded (G§22 and the pledge contract). The
services apply the rows' effects; the UI asks `allowed` which buttons to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from dataip.domain.after_registration_codes import REVOCATION_GROUNDS
from dataip.domain.calendar import next_term_start
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import region_code
from dataip.domain.registration import agreement_expired


class RegState(StrEnum):
    VALID = "valid"  # 有效
    REVOCATION_PENDING = "revocation_pending"  # 撤销审查中
    RE_EXAMINATION = "re_examination"  # 复审中
    CANCELLED = "cancelled"  # 已注销
    ABANDONED = "abandoned"  # 已放弃
    REVOKED = "revoked"  # 已撤销


REG_STATE_LABELS: dict[RegState, tuple[str, str]] = {
    RegState.VALID: ("有效", "Valid"),
    RegState.REVOCATION_PENDING: ("撤销审查中", "Revocation pending"),
    RegState.RE_EXAMINATION: ("复审中", "Under re-examination"),
    RegState.CANCELLED: ("已注销", "Cancelled"),
    RegState.ABANDONED: ("已放弃", "Abandoned"),
    RegState.REVOKED: ("已撤销", "Revoked"),
}

# In force: the certificate still proves holding (G§17) until an ending takes effect.
IN_FORCE = frozenset({RegState.VALID, RegState.REVOCATION_PENDING})
ENDED = frozenset({RegState.CANCELLED, RegState.ABANDONED, RegState.REVOKED})

# "court": an institutional client of a people's court (issue 20 §7), acting on its ruling;
# "bank": a bank's institutional client (pledges:write, issue 20 §6), "pledgee" when its
# institution is the pledgee of a pledge in force on the registration
RegActor = Literal[
    "holder", "transferee", "requester", "registry", "public", "system", "court", "bank", "pledgee"
]

REQUEST_KINDS = ("change", "transfer", "cancellation", "revocation", "re_examination")
OPEN_REQUEST_STATES = frozenset({"awaiting_consent", "pending"})

# Issue 20 §7: what a court's preservation (保全) of the data IP blocks until it is lifted —
# every disposal of the right: transfer (and a pending one's confirmation), licence, pledge and
# trade filings, abandonment and the holder's cancellation. Renewal (it keeps the frozen right
# alive), change of the holder's details, the sample choice and the registry's own decisions
# (revocation, cancellation ex officio) are not disposals and stay possible.
FROZEN_BLOCKS = frozenset(
    {
        "request_transfer",
        "confirm_transfer",
        "file_licence",
        "file_pledge",
        "propose_pledge",
        "confirm_pledge",
        "file_trade",
        "abandon",
        "request_cancellation",
    }
)

S = RegState
_ALL = frozenset(RegState)
_HOLDER: frozenset[RegActor] = frozenset({"holder"})
_REGISTRY: frozenset[RegActor] = frozenset({"registry"})
_PLEDGEE: frozenset[RegActor] = frozenset({"pledgee"})


@dataclass(frozen=True)
class RegAction:
    action: str
    sources: frozenset[RegState]
    actors: frozenset[RegActor]
    event: str
    target: RegState | None = None
    requires: tuple[str, ...] = ()
    consent_for: str | None = None  # a pledge in force blocks it without this consent


ACTIONS: tuple[RegAction, ...] = (
    # G§19: renew within the window before expiry.
    RegAction("renew", IN_FORCE, _HOLDER, "RegistrationRenewed"),
    # G§21: change of subject details, source, update frequency, evidence …; examined.
    RegAction("request_change", frozenset({S.VALID}), _HOLDER, "ChangeRequested"),
    # G§21: a transfer by both parties (the transferee confirms), or by one party alone on
    # inheritance, bequest, a court/arbitral/administrative instrument or another legal ground.
    RegAction(
        "request_transfer",
        frozenset({S.VALID}),
        frozenset({"holder", "public"}),
        "TransferRequested",
        consent_for="transfer",
    ),
    RegAction(
        "confirm_transfer", frozenset({S.VALID}), frozenset({"transferee"}), "TransferConfirmed"
    ),
    # G§22: trading, pledge and licence are filed within 10 working days of the contract.
    # Every field a filing cannot do without is listed, so a request missing several is
    # told all of them at once (422 `missing_fields`), before any value is judged.
    RegAction(
        "file_licence",
        IN_FORCE,
        _HOLDER,
        "LicenceFiled",
        requires=(
            "contract_date",
            "licence_type",
            "licensee",
            "scope",
            "territory",
            "term_end",
            "fee_fen",
        ),
    ),
    RegAction(
        "file_pledge",
        IN_FORCE,
        _HOLDER,
        "PledgeFiled",
        requires=("contract_date", "pledgee", "secured_amount_fen"),
    ),
    RegAction(
        "file_trade",
        IN_FORCE,
        _HOLDER,
        "TradeFiled",
        requires=("contract_date", "counterparty", "price_fen"),
    ),
    # Issue 20 §6: a bank proposes a pledge with itself as pledgee; the holder confirms it
    # (the pledge is filed as by `file_pledge`, G§22's period running from the contract
    # date) or declines it; the bank may withdraw it while it awaits the holder.
    RegAction(
        "propose_pledge",
        IN_FORCE,
        frozenset({"bank"}),
        "PledgeProposed",
        requires=("contract_date", "secured_amount_fen", "loan_reference"),
    ),
    RegAction("confirm_pledge", IN_FORCE, _HOLDER, "PledgeFiled", requires=("proposal_number",)),
    RegAction(
        "decline_pledge", _ALL, _HOLDER, "PledgeProposalDeclined", requires=("proposal_number",)
    ),
    RegAction(
        "withdraw_pledge_proposal",
        _ALL,
        frozenset({"bank"}),
        "PledgeProposalWithdrawn",
        requires=("proposal_number",),
    ),
    # the pledgee records the pledge's number at the national movable-property financing
    # registry (中登网), and the pledge's enforcement (Civil Code Art. 436, 446)
    RegAction(
        "record_pledge_reference",
        _ALL,
        _PLEDGEE,
        "PledgeReferenceRecorded",
        requires=("filing_number", "zdw_reference"),
    ),
    RegAction(
        "enforce_pledge",
        IN_FORCE,
        _PLEDGEE,
        "PledgeEnforced",
        requires=("filing_number", "method", "enforced_on", "amount_realised_fen"),
    ),
    RegAction(
        "release_pledge",
        _ALL,
        frozenset({"holder", "registry", "pledgee"}),
        "PledgeReleased",
        requires=("filing_number",),
    ),
    RegAction(
        "record_pledgee_consent",
        IN_FORCE,
        _HOLDER,
        "PledgeeConsentRecorded",
        requires=("filing_number", "for_action", "instrument"),
    ),
    # Issue 20 §6: the pledgee bank gives its consent through its own client — the
    # authenticated call is the written consent, so no instrument is uploaded.
    RegAction(
        "give_pledgee_consent",
        IN_FORCE,
        _PLEDGEE,
        "PledgeeConsentRecorded",
        requires=("filing_number", "for_action"),
    ),
    # G§20: after announcement the holder may abandon, giving a reason.
    RegAction(
        "abandon",
        frozenset({S.VALID}),
        _HOLDER,
        "RegistrationAbandoned",
        target=S.ABANDONED,
        requires=("reason",),
        consent_for="abandon",
    ),
    # G§23: the holder, or the new right holder under a legal instrument, asks to cancel.
    RegAction(
        "request_cancellation",
        frozenset({S.VALID}),
        frozenset({"holder", "public"}),
        "CancellationRequested",
        requires=("reason",),
        consent_for="cancellation",
    ),
    # G§19 / G§23: the registry cancels (expired, evident defects, right extinguished).
    RegAction(
        "cancel",
        IN_FORCE,
        frozenset({"registry", "system"}),
        "RegistrationCancelled",
        target=S.CANCELLED,
        requires=("ground", "reason"),
    ),
    # G§20: anyone may ask for revocation, with evidence.
    RegAction(
        "request_revocation",
        IN_FORCE,
        frozenset({"public"}),
        "RevocationRequested",
        target=S.REVOCATION_PENDING,
        requires=("statement", "evidence_blobs"),
    ),
    # G§20: the registry revokes ex officio.
    RegAction(
        "revoke",
        IN_FORCE,
        _REGISTRY,
        "RegistrationRevoked",
        target=S.REVOKED,
        requires=("grounds", "reason"),
    ),
    # G§20, G§24: the registry decides a pending request (approve or refuse, with reasons).
    RegAction(
        "decide_request",
        frozenset({S.VALID, S.REVOCATION_PENDING}),
        _REGISTRY,
        "RequestDecided",
        requires=("request_id", "outcome", "reason"),
    ),
    # G§20: a party may ask for re-examination within 15 days of the decision notice.
    RegAction(
        "request_re_examination",
        frozenset({S.VALID, S.REVOKED}),
        frozenset({"holder", "requester"}),
        "ReExaminationRequested",
        target=S.RE_EXAMINATION,
        requires=("reason",),
    ),
    RegAction(
        "decide_re_examination",
        frozenset({S.RE_EXAMINATION}),
        _REGISTRY,
        "ReExaminationDecided",
        requires=("outcome", "reason"),
    ),
    # Issue 7: the holder chooses whether the registration's public page shows the sample's
    # first rows — none (the default), as read (only when screening found nothing) or masked.
    RegAction("publish_sample", IN_FORCE, _HOLDER, "SamplePublicationChosen", requires=("choice",)),
    # Issue 20 §7: a people's court preserves (保全, freezes) the data IP by its ruling and the
    # notice of assistance in enforcement; the registry records it (a registrar acting on the
    # court's notice, or the court's own institutional client) and lifts it on the court's
    # ruling lifting the preservation. A freeze is a record on the registration, not a state.
    RegAction(
        "freeze",
        frozenset({S.VALID, S.REVOCATION_PENDING, S.RE_EXAMINATION}),
        frozenset({"registry", "court"}),
        "RegistrationFrozen",
        requires=("case_number", "court", "ruling"),
    ),
    RegAction(
        "lift_freeze",
        _ALL,
        frozenset({"registry", "court"}),
        "FreezeLifted",
        requires=("freeze_number", "case_number", "reason"),
    ),
    RegAction(
        "withdraw_request",
        frozenset({S.VALID, S.REVOCATION_PENDING, S.RE_EXAMINATION}),
        frozenset({"requester"}),
        "RequestWithdrawn",
        requires=("request_id",),
    ),
)

ACTION_NAMES = tuple(a.action for a in ACTIONS)
_BY_NAME = {a.action: a for a in ACTIONS}


@dataclass(frozen=True)
class RegContext:
    """Facts the guards need beyond the state."""

    today: date
    renewal_opens: date
    renewal_closes: date
    pending_requests: int = 0  # awaiting the registry's decision
    awaiting_my_consent: int = 0  # transfers naming a party the caller acts for
    my_open_requests: int = 0
    re_examination_open: bool = False  # a decision the caller may contest is within 15 days
    pledges_in_force: int = 0
    pending_change_or_transfer: bool = False
    # issue 20 §7: the numbers of the court preservations (freezes) in force
    freezes_in_force: tuple[str, ...] = ()
    # issue 20 §6: the banks' pledge proposals awaiting the holder, and the caller's own
    pledge_proposals: tuple[str, ...] = ()
    my_pledge_proposals: tuple[str, ...] = ()
    # for each consent kind (transfer, abandon, cancellation): the pledges in force without
    # their pledgee's recorded consent to it
    pledges_blocking: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # R15/R16, G§18: the data agreement's end date where it caps validity
    agreement_end: date | None = None
    # G§20: a revocation request is made under a verified real name — the caller acts for a
    # verified party
    caller_verified: bool = True


def _err(code: str, zh: str, en: str, status: int = 409, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def pledged(filings: Iterable[str]) -> DomainError:
    """G§22 and the pledge contract: no transfer, abandonment or cancellation of pledged data
    IP without the pledgee's consent."""
    return _err(
        "pledged",
        "该数据知识产权已出质，须经质权人同意或解除质押后方可办理",
        "the data IP is pledged: record the pledgee's consent or release the pledge first",
        pledges=list(filings),
    )


def frozen(freezes: Iterable[str]) -> DomainError:
    """Issue 20 §7: a preserved (frozen) registration cannot be disposed of until the court
    lifts the preservation (Civil Procedure Law Art. 103–106; 保全)."""
    return _err(
        "registration_frozen",
        "该数据知识产权已被人民法院采取保全措施，解除保全前不得办理转让、许可、质押、交易、放弃或注销",
        "the data IP is frozen by a court's preservation: no transfer, licence, pledge, trade, "
        "abandonment or cancellation until the freeze is lifted",
        freezes=list(freezes),
    )


# The requests made under a verified real name (G§20, G§21, G§23): action -> (zh, en, whether
# the holders make it too without that check — their own transfer and cancellation)
REAL_NAME_REQUESTS: dict[str, tuple[str, str, bool]] = {
    "request_revocation": ("撤销申请", "a revocation request", False),
    "request_transfer": ("单方申请转让", "a one-sided transfer request", True),
    "request_cancellation": (
        "新权利人申请注销",
        "a cancellation request by the new right holder",
        True,
    ),
}


def lookup(action: str) -> RegAction:
    row = _BY_NAME.get(action)
    if row is None:
        raise _err("unknown_action", f"未知的操作：{action}", f"unknown action: {action}", 404)
    return row


def _guard(a: RegAction, actors: set[RegActor], ctx: RegContext) -> DomainError | None:
    if a.action == "renew":
        if ctx.today < ctx.renewal_opens:
            return _err(
                "renewal_window_not_open",
                f"续展须在 {ctx.renewal_opens} 至 {ctx.renewal_closes} 之间提出",
                f"renewal is possible from {ctx.renewal_opens} to {ctx.renewal_closes}",
                opens=ctx.renewal_opens.isoformat(),
                closes=ctx.renewal_closes.isoformat(),
            )
        if ctx.today > ctx.renewal_closes:
            return _err(
                "renewal_window_closed",
                f"续展期限已于 {ctx.renewal_closes} 届满",
                f"the renewal window closed on {ctx.renewal_closes}",
                opens=ctx.renewal_opens.isoformat(),
                closes=ctx.renewal_closes.isoformat(),
            )
        if ctx.agreement_end is not None and ctx.agreement_end < next_term_start(
            ctx.renewal_closes
        ):
            return agreement_expired(ctx.agreement_end, renewal=True)
    if a.action in {"request_change", "request_transfer"} and ctx.pending_change_or_transfer:
        return _err(
            "request_pending",
            "已有待审查的变更或转让申请",
            "a change or transfer request is already pending",
        )
    real_name = REAL_NAME_REQUESTS.get(a.action)
    # G§20, G§21, G§23: a request about someone else's registration — revocation, and a
    # one-sided transfer or cancellation by the new right holder — is made under a verified
    # real name; the holders keep their own transfer and cancellation regardless
    if real_name and not ctx.caller_verified and not (real_name[2] and "holder" in actors):
        return _err(
            "party_not_verified",
            f"{real_name[0]}须实名提出：您名下尚无通过实名核验的登记主体",
            f"{real_name[1]} is made under a verified real name: none of your parties is verified",
            422,
        )
    if a.action == "confirm_transfer" and not ctx.awaiting_my_consent:
        return _err("nothing_to_confirm", "没有待您确认的转让", "no transfer awaits your consent")
    if a.action == "decide_request" and not ctx.pending_requests:
        return _err("no_pending_request", "没有待审查的申请", "no request is pending")
    if a.action == "withdraw_request" and not ctx.my_open_requests:
        return _err("no_open_request", "没有可撤回的申请", "you have no open request to withdraw")
    if a.action == "request_re_examination" and not ctx.re_examination_open:
        return _err(
            "re_examination_not_available",
            "没有可申请复审的撤销决定，或已超过十五日期限",
            "no revocation decision you may contest, or the 15-day period has passed",
        )
    if a.action in FROZEN_BLOCKS and ctx.freezes_in_force:
        return frozen(ctx.freezes_in_force)
    if a.action == "lift_freeze" and not ctx.freezes_in_force:
        return _err("no_freeze_in_force", "没有有效的保全", "no freeze is in force")
    blocking = ctx.pledges_blocking.get(a.consent_for or "")
    if blocking and "holder" in actors:
        return pledged(blocking)
    if a.action in ("confirm_pledge", "decline_pledge") and not ctx.pledge_proposals:
        return _err("no_pledge_proposal", "没有待确认的质押申请", "no pledge proposal awaits you")
    if a.action == "withdraw_pledge_proposal" and not ctx.my_pledge_proposals:
        return _err("no_pledge_proposal", "没有可撤回的质押申请", "no pledge proposal to withdraw")
    if a.action in _ON_PLEDGE and not ctx.pledges_in_force:
        return _err("no_pledge_in_force", "没有有效的质押", "no pledge is in force")
    return None


_ON_PLEDGE = frozenset(
    {
        "release_pledge",
        "record_pledgee_consent",
        "give_pledgee_consent",
        "record_pledge_reference",
        "enforce_pledge",
    }
)


def decide(
    state: RegState,
    action: str,
    actors: Iterable[RegActor],
    ctx: RegContext,
    payload: Mapping[str, object] | None = None,
) -> RegAction:
    """Return the row to apply, or raise a DomainError saying why not."""
    a = lookup(action)
    actor_set = set(actors)
    if state not in a.sources:
        zh, en = REG_STATE_LABELS[state]
        raise _err(
            "action_not_allowed_in_state",
            f"登记当前状态（{zh}）不允许此操作",
            f"{action} is not allowed while the registration is {state.value} ({en})",
            state=state.value,
            action=action,
        )
    if not actor_set & a.actors:
        raise _err("forbidden_action", "您无权执行此操作", f"you may not {action} here", 403)
    guard = _guard(a, actor_set, ctx)
    if guard is not None:
        raise guard
    payload = payload or {}
    missing = [f for f in a.requires if payload.get(f) in (None, "", [], {})]
    if "grounds" in missing:
        # G§20: a revocation naming no ground answers with its own code (grounds_required),
        # as a refusal does for G§13 (domain.lifecycle).
        validate_revocation_grounds(payload.get("grounds"))
    if missing:
        raise _err(
            "missing_fields",
            f"缺少必填项：{'、'.join(missing)}",
            f"missing required fields: {', '.join(missing)}",
            422,
            fields=missing,
        )
    return a


def allowed(state: RegState, actors: Iterable[RegActor], ctx: RegContext) -> list[str]:
    """Actions the caller could take now (payload aside): what the UI shows as buttons. The
    same rows and guards as `decide`, so an action offered here is refused only for its
    payload (tests/e2e/api/test_i19_allowed_actions.py walks the states and callers)."""
    actor_set = set(actors)
    return [
        a.action
        for a in ACTIONS
        if state in a.sources and actor_set & a.actors and _guard(a, actor_set, ctx) is None
    ]


def validate_revocation_grounds(raw: object) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise _err(
            "grounds_required",
            "撤销登记须说明依据（《办法》第二十条）",
            "a revocation must name at least one ground of Art. 20 of the Measures",
            422,
        )
    out: set[int] = set()
    for g in raw:
        if isinstance(g, bool) or not isinstance(g, int) or g not in REVOCATION_GROUNDS:
            raise _err(
                "invalid_ground",
                f"无效的撤销依据：{g}",
                f"invalid revocation ground: {g}",
                422,
                valid=sorted(REVOCATION_GROUNDS),
            )
        out.add(g)
    return sorted(out)


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 JSON Merge Patch: a change names only what changes (nested objects merge,
    null removes a member). Ten lines of the RFC's own pseudocode; no library needed."""
    if not isinstance(patch, Mapping):
        return patch
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def filing_is_late(filed_on: date, due_on: date) -> bool:
    """G§22: due within 10 working days of the contract; later filings are accepted, flagged."""
    return filed_on > due_on


def region_of(credit_code: str | None) -> str | None:
    """GB 32100-2015: characters 3–8 of a unified social credit code are the registering
    authority's administrative division code (e.g. 520100 Guiyang)."""
    if not credit_code or len(credit_code) != 18:
        return None
    code = region_code(credit_code)
    return code if code.isdigit() else None
