"""The statutory procedure as one declarative transition table (登记程序, G§9–G§16, G§20).

Each row says: in these states, this actor may take this action (with this outcome), which
moves the application to that state, closes and opens these deadlines, records this event and
serves this notice. `decide` is the only place that reads the table; the services apply what it
returns, and the web UI asks `allowed_actions` which buttons to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dataip.domain.app_states import IN_PROCEDURE, STATE_LABELS, AppState
from dataip.domain.errors import DomainError
from dataip.domain.procedural_requests import REQUEST_ACTIONS, RequestFacts, validate_ground
from dataip.domain.procedural_requests import guard as request_guard
from dataip.domain.refusal_grounds import validate_grounds

# Who acts. The service works out which of these the caller is for one application.
# `authority`: another body deciding a register's filings that this registry forwards to it
# (issue 24 §1, R31; services/property_authority applies its decisions through this table).
Actor = Literal["holder", "registry", "public", "system", "authority"]
Party = Literal["registry", "holder"]


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline a transition opens: `period` names the profile period, `party` who owes it.

    `on_expiry` is the action `dataip tick` applies when a holder's deadline passes unmet
    (G§12: no correction in time → deemed withdrawn); registry deadlines are SLA timers only.
    `obligation` is False for a period that simply runs (公示期, G§14): nobody owes an act
    within it, so it is never "missed"; once over it has ended (已届满).
    """

    kind: str
    period: str
    party: Party
    on_expiry: str | None = None
    obligation: bool = True


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[AppState]
    target: AppState
    actors: frozenset[Actor]
    event: str
    outcome: str | None = None
    opens: tuple[DeadlineRule, ...] = ()
    # the open deadlines the transition closes ("all": every one), and how (`closing_status`):
    # those it `meets` are met, those it `lapses` expired, the rest moot (a period: ended)
    closes: frozenset[str] | Literal["all"] = frozenset()
    meets: frozenset[str] = frozenset()
    lapses: frozenset[str] = frozenset()
    # periods that resume: the latest ended one of the kind opens again (G§15: a registration
    # suspended by the objection goes on once the judgment keeps it)
    resumes: frozenset[str] = frozenset()
    notice: str | None = None
    requires: tuple[str, ...] = ()  # payload fields that must be non-empty


# what each deadline (and the examiner's queue task) is called; "approve" is the queue's task
# once a publicity period ended without objection
DEADLINE_LABELS: dict[str, tuple[str, str]] = {
    "accept": ("受理", "Acceptance"),
    "examine": ("审查", "Examination"),
    "correction": ("补正", "Correction"),
    "publicity": ("公示期", "Publicity period"),
    "approve": ("公示期满，待核准登记", "Publicity over: approve"),
    "notify_objection": ("通知异议", "Notify the objection"),
    "answer_objection": ("答复异议", "Answer the objection"),
    # the registry's decision on a procedural request (domain.procedural_requests)
    "decide_fast_track": ("审查快速审查请求", "Decide the fast-track request"),
    "decide_extension": ("审查延期请求", "Decide the extension request"),
    "decide_reinstatement": ("审查恢复请求", "Decide the reinstatement request"),
}

ALL_OPEN = frozenset(IN_PROCEDURE)
_ACCEPT = DeadlineRule("accept", "accept", "registry")
_EXAMINE = DeadlineRule("examine", "examine", "registry")
_CORRECTION = DeadlineRule("correction", "correction", "holder", on_expiry="deem_withdrawn")
_PUBLICITY = DeadlineRule("publicity", "publicity", "registry", obligation=False)
_NOTIFY = DeadlineRule("notify_objection", "notify_objection", "registry")
_ANSWER = DeadlineRule("answer_objection", "answer_objection", "holder")
_DECIDE_FAST_TRACK = DeadlineRule("decide_fast_track", "decide_request", "registry")
_DECIDE_EXTENSION = DeadlineRule("decide_extension", "decide_request", "registry")
_DECIDE_REINSTATEMENT = DeadlineRule("decide_reinstatement", "decide_request", "registry")

S = AppState
_HOLDER: frozenset[Actor] = frozenset({"holder"})
_REGISTRY: frozenset[Actor] = frozenset({"registry"})
_OBJECTION_STATES = frozenset({S.OBJECTION_PENDING})
# R8 / Z§2.1: where the registry has examination work a fast track can bring forward
FAST_TRACK_STATES = (
    S.SUBMITTED,
    S.UNDER_EXAMINATION,
    S.AWAITING_CORRECTION,
    S.PUBLICISED,
    S.OBJECTION_PENDING,
)


def _staying(
    action: str,
    states: Iterable[AppState],
    actors: frozenset[Actor],
    event: str,
    **kw: object,
) -> tuple[Transition, ...]:
    """One row per state for an action that leaves the state as it is (a request, a
    decision on it): the table's target is the state it was taken in."""
    return tuple(
        Transition(action, frozenset({s}), s, actors, event, **kw)  # type: ignore[arg-type]
        for s in states
    )


TRANSITIONS: tuple[Transition, ...] = (
    # G§10: the filing date is the day the registry receives a successful submission.
    Transition(
        "submit",
        frozenset({S.DRAFT}),
        S.SUBMITTED,
        _HOLDER,
        "ApplicationSubmitted",
        opens=(_ACCEPT,),
        notice="receipt",
    ),
    # G§12: accept within 3 working days of receipt and start examining.
    Transition(
        "accept",
        frozenset({S.SUBMITTED}),
        S.UNDER_EXAMINATION,
        _REGISTRY,
        "ApplicationAccepted",
        opens=(_EXAMINE,),
        closes=frozenset({"accept"}),
        meets=frozenset({"accept"}),
        notice="acceptance",
    ),
    # G§12: one consolidated correction notice (一次性告知); 7 working days to correct.
    Transition(
        "request_correction",
        frozenset({S.UNDER_EXAMINATION}),
        S.AWAITING_CORRECTION,
        _REGISTRY,
        "CorrectionRequested",
        opens=(_CORRECTION,),
        closes=frozenset({"examine"}),
        meets=frozenset({"examine"}),
        notice="correction_notice",
        requires=("defects",),
    ),
    Transition(
        "submit_correction",
        frozenset({S.AWAITING_CORRECTION}),
        S.UNDER_EXAMINATION,
        _HOLDER,
        "CorrectionSubmitted",
        opens=(_EXAMINE,),
        closes=frozenset({"correction"}),
        meets=frozenset({"correction"}),
    ),
    Transition(
        "deem_withdrawn",
        frozenset({S.AWAITING_CORRECTION}),
        S.DEEMED_WITHDRAWN,
        frozenset({"system"}),
        "ApplicationDeemedWithdrawn",
        closes="all",
        lapses=frozenset({"correction"}),
        notice="deemed_withdrawn",
    ),
    # G§13: refusal names its ground(s).
    Transition(
        "refuse",
        frozenset({S.SUBMITTED, S.UNDER_EXAMINATION}),
        S.REFUSED,
        _REGISTRY,
        "ApplicationRefused",
        closes="all",
        meets=frozenset({"accept", "examine"}),
        notice="refusal",
        requires=("grounds",),
    ),
    # G§14: 5 working days of publicity; only the G§14 fields become public.
    Transition(
        "publicise",
        frozenset({S.UNDER_EXAMINATION}),
        S.PUBLICISED,
        _REGISTRY,
        "ApplicationPublicised",
        opens=(_PUBLICITY,),
        closes=frozenset({"examine"}),
        meets=frozenset({"examine"}),
        notice="publicity",
    ),
    # G§14: anyone may object during publicity, under real name, with evidence.
    Transition(
        "file_objection",
        frozenset({S.PUBLICISED, S.OBJECTION_PENDING}),
        S.OBJECTION_PENDING,
        frozenset({"public"}),
        "ObjectionFiled",
        opens=(_NOTIFY,),
        requires=("statement",),
    ),
    # G§15: notify the subject within 3 working days; the subject answers within 7.
    Transition(
        "notify_objection",
        _OBJECTION_STATES,
        S.OBJECTION_PENDING,
        _REGISTRY,
        "ObjectionNotified",
        opens=(_ANSWER,),
        closes=frozenset({"notify_objection"}),
        meets=frozenset({"notify_objection"}),
        notice="objection_notice",
    ),
    Transition(
        "answer_objection",
        _OBJECTION_STATES,
        S.OBJECTION_PENDING,
        _HOLDER,
        "ObjectionAnswered",
        closes=frozenset({"answer_objection"}),
        meets=frozenset({"answer_objection"}),
        requires=("statement",),
    ),
    # G§15: outcomes the parties accept: keep, revoke, re-publicise; else court or arbitration.
    Transition(
        "decide_objection",
        _OBJECTION_STATES,
        S.PUBLICISED,
        _REGISTRY,
        "ObjectionDecided",
        outcome="keep",
        closes=frozenset({"notify_objection", "answer_objection"}),
        notice="objection_decision",
        requires=("reason",),
    ),
    Transition(
        "decide_objection",
        _OBJECTION_STATES,
        S.REVOKED,
        _REGISTRY,
        "ObjectionDecided",
        outcome="revoke",
        closes="all",
        notice="objection_decision",
        requires=("reason",),
    ),
    Transition(
        "decide_objection",
        _OBJECTION_STATES,
        S.PUBLICISED,
        _REGISTRY,
        "ObjectionDecided",
        outcome="republicise",
        opens=(_PUBLICITY,),
        closes=frozenset({"notify_objection", "answer_objection", "publicity"}),
        notice="objection_decision",
        requires=("reason",),
    ),
    Transition(
        "decide_objection",
        _OBJECTION_STATES,
        S.AWAITING_JUDGMENT,
        _REGISTRY,
        "ObjectionDecided",
        outcome="unresolved",
        # G§15: the matter goes to court or arbitration; publicity is over meanwhile
        closes=frozenset({"notify_objection", "answer_objection", "publicity"}),
        notice="objection_decision",
        requires=("reason",),
    ),
    Transition(
        "record_judgment",
        frozenset({S.AWAITING_JUDGMENT}),
        S.PUBLICISED,
        _REGISTRY,
        "JudgmentRecorded",
        outcome="keep",
        resumes=frozenset({"publicity"}),
        notice="judgment",
        requires=("instrument", "reason"),
    ),
    Transition(
        "record_judgment",
        frozenset({S.AWAITING_JUDGMENT}),
        S.REVOKED,
        _REGISTRY,
        "JudgmentRecorded",
        outcome="revoke",
        closes="all",
        notice="judgment",
        requires=("instrument", "reason"),
    ),
    Transition(
        "record_judgment",
        frozenset({S.AWAITING_JUDGMENT}),
        S.PUBLICISED,
        _REGISTRY,
        "JudgmentRecorded",
        outcome="republicise",
        opens=(_PUBLICITY,),
        closes=frozenset({"publicity"}),
        notice="judgment",
        requires=("instrument", "reason"),
    ),
    # G§16: publicity over with no upheld objection → approve, certificate, announcement.
    Transition(
        "approve",
        frozenset({S.PUBLICISED}),
        S.REGISTERED,
        frozenset({"registry", "system"}),
        "ApplicationApproved",
        closes="all",
        notice="registration",
    ),
    # G§20: the applicant may withdraw during the procedure, giving a reason.
    Transition(
        "withdraw",
        ALL_OPEN,
        S.WITHDRAWN,
        _HOLDER,
        "ApplicationWithdrawn",
        closes="all",
        notice="withdrawal",
        requires=("reason",),
    ),
    # R8 / Z§2.1: fast track is asked for on a ground the profile admits and granted or
    # refused by the registry — or granted on its own motion; only a grant reorders the queue.
    *_staying(
        "request_fast_track",
        FAST_TRACK_STATES,
        _HOLDER,
        "FastTrackRequested",
        opens=(_DECIDE_FAST_TRACK,),
        requires=("ground",),
    ),
    *_staying(
        "grant_fast_track",
        FAST_TRACK_STATES,
        _REGISTRY,
        "FastTrackGranted",
        closes=frozenset({"decide_fast_track"}),
        notice="fast_track_decision",
    ),
    *_staying(
        "refuse_fast_track",
        FAST_TRACK_STATES,
        _REGISTRY,
        "FastTrackRefused",
        closes=frozenset({"decide_fast_track"}),
        notice="fast_track_decision",
        requires=("reason_code",),
    ),
    # G§12 (无正当理由逾期不补正): a correction period extended on a request made before it ends
    *_staying(
        "request_extension",
        (S.AWAITING_CORRECTION,),
        _HOLDER,
        "ExtensionRequested",
        opens=(_DECIDE_EXTENSION,),
        requires=("ground", "statement"),
    ),
    *_staying(
        "grant_extension",
        (S.AWAITING_CORRECTION,),
        _REGISTRY,
        "CorrectionPeriodExtended",
        closes=frozenset({"decide_extension"}),
        notice="extension_decision",
        requires=("due_on",),
    ),
    *_staying(
        "refuse_extension",
        (S.AWAITING_CORRECTION,),
        _REGISTRY,
        "ExtensionRefused",
        closes=frozenset({"decide_extension"}),
        notice="extension_decision",
        requires=("reason_code",),
    ),
    # G§12: a deemed-withdrawn application reinstated on a good reason shown within the
    # profile's period; it waits for its correction again, with a new period.
    *_staying(
        "request_reinstatement",
        (S.DEEMED_WITHDRAWN,),
        _HOLDER,
        "ReinstatementRequested",
        opens=(_DECIDE_REINSTATEMENT,),
        requires=("ground", "statement"),
    ),
    Transition(
        "reinstate",
        frozenset({S.DEEMED_WITHDRAWN}),
        S.AWAITING_CORRECTION,
        _REGISTRY,
        "ApplicationReinstated",
        opens=(_CORRECTION,),
        closes=frozenset({"decide_reinstatement"}),
        notice="reinstatement",
    ),
    *_staying(
        "refuse_reinstatement",
        (S.DEEMED_WITHDRAWN,),
        _REGISTRY,
        "ReinstatementRefused",
        closes=frozenset({"decide_reinstatement"}),
        notice="reinstatement",
        requires=("reason_code",),
    ),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
DEADLINE_RULES: dict[str, DeadlineRule] = {
    r.kind: r for r in (_ACCEPT, _EXAMINE, _CORRECTION, _PUBLICITY, _NOTIFY, _ANSWER)
}


def closing_status(t: Transition, kind: str) -> str | None:
    """What transition `t` does to an open deadline of `kind`: None (it stays open), "met"
    (the transition is the act it waited for), "expired" (the transition is the consequence
    of its passing unmet), "ended" (a period the transition ends) or "cancelled" (moot: the
    act it waited for will never be needed, e.g. after a withdrawal)."""
    if kind in t.meets:
        return "met"
    if kind in t.lapses:
        return "expired"
    if t.closes != "all" and kind not in t.closes:
        return None
    rule = DEADLINE_RULES.get(kind)
    return "ended" if rule is not None and not rule.obligation else "cancelled"


OUTCOMES: dict[str, tuple[str, ...]] = {
    a: tuple(t.outcome for t in TRANSITIONS if t.action == a and t.outcome) for a in ACTIONS
}

_NO_REQUESTS = RequestFacts()


@dataclass(frozen=True)
class Context:
    """Facts the table's guards need that are not the state itself."""

    today: date
    publicity_over: bool = False
    open_objections: int = 0
    unnotified_objections: int = 0
    notified_objections: int = 0  # served on the subject, awaiting its answer (G§15)
    # who the caller is, beyond its actors: it filed the application or acts for a party
    # named on it (consented or not) — an applicant cannot object to its own (G§14)
    caller_is_applicant: bool = False
    # G§14: objections are made under a verified real name — the caller owns a verified party
    caller_verified: bool = True
    requests: RequestFacts = _NO_REQUESTS  # fast track, extension, reinstatement
    # issue 24 §1: another body decides (a forwarded register): its approval is its own, on
    # its own publicity period, which this registry does not time
    decided_elsewhere: bool = False


def _err(code: str, zh: str, en: str, status: int = 409, **details: object) -> DomainError:
    return DomainError(code, zh, en, status=status, details=dict(details))


def candidates(
    action: str, outcome: str | None, table: tuple[Transition, ...] = TRANSITIONS
) -> list[Transition]:
    rows = [t for t in table if t.action == action]
    if not rows:
        raise _err("unknown_action", f"未知的操作：{action}", f"unknown action: {action}", 404)
    if any(t.outcome for t in rows):
        if outcome is None:
            raise _err(
                "outcome_required",
                "请选择处理结果",
                "an outcome is required",
                422,
                outcomes=list(OUTCOMES[action]),
            )
        rows = [t for t in rows if t.outcome == outcome]
        if not rows:
            raise _err(
                "unknown_outcome",
                f"未知的处理结果：{outcome}",
                f"unknown outcome: {outcome}",
                422,
                outcomes=list(OUTCOMES[action]),
            )
    return rows


def _guard(t: Transition, ctx: Context) -> DomainError | None:
    if t.action in REQUEST_ACTIONS:
        return request_guard(t.action, ctx.requests, ctx.today)
    if t.action == "approve" and not ctx.decided_elsewhere:
        if not ctx.publicity_over:
            return _err(
                "publicity_not_over", "公示期尚未届满", "the publicity period has not ended"
            )
        if ctx.open_objections:
            return _err("objection_open", "存在未处理的异议", "an objection is still open")
    if t.action == "decide_objection" and ctx.unnotified_objections:
        return _err(
            "objection_not_notified",
            "异议尚未通知登记主体",
            "the subject has not been notified of the objection",
        )
    if t.action == "file_objection" and ctx.publicity_over:
        return _err(
            "publicity_over",
            "公示期已届满，不能再提出异议",
            "the publicity period is over; objections are closed",
        )
    if t.action == "file_objection" and ctx.caller_is_applicant:
        return own_application()
    if t.action == "file_objection" and not ctx.caller_verified:
        return not_verified(
            "异议须实名提出：您名下尚无通过实名核验的登记主体",
            "objections are made under a verified real name: none of your parties is verified",
        )
    if t.action == "notify_objection" and not ctx.unnotified_objections:
        return _err(
            "no_objection_to_notify", "没有待通知的异议", "no objection is waiting to be notified"
        )
    if t.action == "answer_objection" and not ctx.notified_objections:
        return _err(
            "no_objection_to_answer", "没有待答复的异议", "no notified objection awaits an answer"
        )
    return None


def not_verified(zh: str, en: str) -> DomainError:
    """A filing made under a real name (an objection, G§14; a revocation request, G§20) by a
    caller none of whose parties is verified: not offered, and refused alike."""
    return _err("party_not_verified", zh, en, 422)


def own_application() -> DomainError:
    """G§14: objections are the public's; an applicant cannot object to its own filing."""
    return _err(
        "own_application",
        "申请人不能对本人的申请提出异议",
        "an applicant cannot object to its own application",
    )


def decide(
    state: AppState,
    action: str,
    actors: Iterable[Actor],
    ctx: Context,
    payload: Mapping[str, object] | None = None,
    outcome: str | None = None,
    table: tuple[Transition, ...] = TRANSITIONS,
) -> Transition:
    """Return the transition to apply, or raise a DomainError saying why not. `table` is the
    register's (`transitions_for`); data IP's unless said."""
    payload = payload or {}
    rows = candidates(action, outcome, table)
    actor_set = set(actors)
    in_state = [t for t in rows if state in t.sources]
    if not in_state:
        zh, en = STATE_LABELS[state]
        raise _err(
            "action_not_allowed_in_state",
            f"当前状态（{zh}）不允许此操作",
            f"{action} is not allowed in state {state.value} ({en})",
            state=state.value,
            action=action,
        )
    allowed = [t for t in in_state if actor_set & t.actors]
    if not allowed:
        raise _err("forbidden_action", "您无权执行此操作", f"you may not {action} here", 403)
    t = allowed[0]
    guard = _guard(t, ctx)
    if guard is not None:
        raise guard
    missing = [f for f in t.requires if not payload.get(f)]
    if "grounds" in missing:
        # G§13: a refusal naming no ground answers with its own code (grounds_required).
        validate_grounds(payload.get("grounds"))
    if "ground" in missing:
        # R8, G§12: a request names its ground (ground_required), whatever else it lacks
        validate_ground(REQUEST_ACTIONS[t.action][0], None, ())
    if missing:
        raise _err(
            "missing_fields",
            f"缺少必填项：{'、'.join(missing)}",
            f"missing required fields: {', '.join(missing)}",
            422,
            fields=missing,
        )
    return t


def allowed_actions(
    state: AppState,
    actors: Iterable[Actor],
    ctx: Context,
    table: tuple[Transition, ...] = TRANSITIONS,
) -> list[str]:
    """Actions the caller could take now (payload aside) — what the UI shows as buttons.
    The same rows and guards as `decide`, so an action offered here is refused only for its
    payload (tests/e2e/api/test_i19_allowed_actions.py walks every state and caller)."""
    actor_set = set(actors)
    out: list[str] = []
    for t in table:
        if t.action in out or state not in t.sources or not actor_set & t.actors:
            continue
        if _guard(t, ctx) is None:
            out.append(t.action)
    return out
