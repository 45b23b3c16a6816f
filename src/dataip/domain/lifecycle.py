"""The statutory procedure as one declarative transition table (登记程序, G§9–G§16, G§20).

Each row says: in these states, this actor may take this action (with this outcome), which
moves the application to that state, closes and opens these deadlines, records this event and
serves this notice. `decide` is the only place that reads the table; the services apply what it
returns, and the web UI asks `allowed_actions` which buttons to show. The table itself is
declared in `domain.transitions`, and re-exported here with its types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from dataip.domain.app_states import STATE_LABELS, AppState
from dataip.domain.errors import DomainError
from dataip.domain.procedural_requests import REQUEST_ACTIONS, RequestFacts, validate_ground
from dataip.domain.procedural_requests import guard as request_guard
from dataip.domain.refusal_grounds import validate_grounds
from dataip.domain.transitions import (
    ACTIONS,
    DEADLINE_LABELS,
    DEADLINE_RULES,
    OUTCOMES,
    TRANSITIONS,
    Actor,
    DeadlineRule,
    Transition,
    closing_status,
)

__all__ = [
    "ACTIONS",
    "DEADLINE_LABELS",
    "DEADLINE_RULES",
    "OUTCOMES",
    "TRANSITIONS",
    "Actor",
    "Context",
    "DeadlineRule",
    "Transition",
    "allowed_actions",
    "candidates",
    "closing_status",
    "decide",
    "not_verified",
    "own_application",
]

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
