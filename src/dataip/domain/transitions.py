"""The statutory procedure's transition table (登记程序, G§9–G§16, G§20), declared row by row.

Each row says: in these states, this actor may take this action (with this outcome), which
moves the application to that state, closes and opens these deadlines, records this event and
serves this notice. `domain.lifecycle` reads the table (`decide`, `allowed_actions`) and
re-exports it; the services import both from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from dataip.domain.app_states import IN_PROCEDURE, AppState

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
