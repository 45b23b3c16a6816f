"""The transition table itself: walked, not sampled."""

from __future__ import annotations

from datetime import date

import pytest

from dataip.domain.app_states import IN_PROCEDURE, TERMINAL, AppState
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import (
    ACTIONS,
    TRANSITIONS,
    Context,
    Transition,
    allowed_actions,
    decide,
)
from dataip.domain.procedural_requests import REQUEST_ACTIONS, RequestFacts
from dataip.domain.profile import OPTIONAL_PERIODS, PERIOD_KEYS
from dataip.domain.refusal_grounds import validate_grounds

CTX = Context(today=date(2026, 9, 28))


def test_every_state_is_reachable_from_draft() -> None:
    seen, frontier = {AppState.DRAFT}, [AppState.DRAFT]
    while frontier:
        s = frontier.pop()
        for t in TRANSITIONS:
            if s in t.sources and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(AppState)


# G§12: "无正当理由逾期不补正的，视为撤回" — with a good reason shown in time, a deemed
# withdrawal is undone (issue 19 §3): the one way out of an end state, and only by the registry
REINSTATEMENT = {"request_reinstatement", "reinstate", "refuse_reinstatement"}


def test_terminal_states_have_no_way_out() -> None:
    for t in TRANSITIONS:
        if t.action in REINSTATEMENT:
            assert t.sources == {AppState.DEEMED_WITHDRAWN}, t
            continue
        assert not (t.sources & TERMINAL), t


def test_g12_reinstatement_is_the_registry_s_decision_on_a_request() -> None:
    rows = {t.action: t for t in TRANSITIONS if t.action in REINSTATEMENT}
    assert rows["request_reinstatement"].actors == {"holder"}
    assert rows["request_reinstatement"].target == AppState.DEEMED_WITHDRAWN
    assert rows["request_reinstatement"].requires == ("ground", "statement")
    assert rows["reinstate"].actors == {"registry"}
    assert rows["reinstate"].target == AppState.AWAITING_CORRECTION
    assert [r.kind for r in rows["reinstate"].opens] == ["correction"]
    assert rows["refuse_reinstatement"].target == AppState.DEEMED_WITHDRAWN


def test_every_in_procedure_state_can_end_by_withdrawal_r17() -> None:
    withdraw = next(t for t in TRANSITIONS if t.action == "withdraw")
    assert withdraw.sources == IN_PROCEDURE and withdraw.requires == ("reason",)


def test_deadlines_name_profile_periods_and_consequences_name_actions() -> None:
    for t in TRANSITIONS:
        for rule in t.opens:
            assert rule.period in (*PERIOD_KEYS, *OPTIONAL_PERIODS)
            assert rule.on_expiry is None or rule.on_expiry in ACTIONS


def _facts(t: Transition) -> RequestFacts:
    """Facts under which a procedural request's row may be taken: asked for in time and not
    yet pending; decided when pending."""
    if t.action not in REQUEST_ACTIONS:
        return RequestFacts()
    kind, role = REQUEST_ACTIONS[t.action]
    return RequestFacts(
        pending=frozenset() if role == "request" else frozenset({kind}),
        correction_due=CTX.today,
        reinstatement_until=CTX.today,
    )


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.action}:{t.outcome}")
def test_each_row_decides_for_its_actor_and_refuses_others(t) -> None:  # type: ignore[no-untyped-def]
    source = sorted(t.sources)[0]
    ctx = Context(
        today=CTX.today,
        publicity_over=t.action == "approve",
        unnotified_objections=int(t.action == "notify_objection"),
        notified_objections=int(t.action == "answer_objection"),
        requests=_facts(t),
    )
    payload = dict.fromkeys(t.requires, "x")
    actor = sorted(t.actors)[0]
    assert decide(source, t.action, [actor], ctx, payload, t.outcome) is t
    others = {"holder", "registry", "public", "system"} - set(t.actors)
    for other in others:
        with pytest.raises(DomainError) as e:
            decide(source, t.action, [other], ctx, payload, t.outcome)
        assert e.value.code == "forbidden_action" and e.value.status == 403


def test_action_in_wrong_state_is_a_conflict() -> None:
    with pytest.raises(DomainError) as e:
        decide(AppState.DRAFT, "approve", ["registry"], CTX)
    assert e.value.code == "action_not_allowed_in_state" and e.value.status == 409


def test_outcome_required_and_checked() -> None:
    with pytest.raises(DomainError) as e:
        decide(AppState.OBJECTION_PENDING, "decide_objection", ["registry"], CTX, {"reason": "x"})
    assert e.value.code == "outcome_required"
    with pytest.raises(DomainError) as e:
        decide(
            AppState.OBJECTION_PENDING,
            "decide_objection",
            ["registry"],
            CTX,
            {"reason": "x"},
            "maybe",
        )
    assert e.value.code == "unknown_outcome"


def test_r12_approve_waits_for_publicity_and_objections() -> None:
    running = Context(today=CTX.today, publicity_over=False)
    assert "approve" not in allowed_actions(AppState.PUBLICISED, ["registry"], running)
    over = Context(today=CTX.today, publicity_over=True)
    assert "approve" in allowed_actions(AppState.PUBLICISED, ["registry"], over)
    blocked = Context(today=CTX.today, publicity_over=True, open_objections=1)
    with pytest.raises(DomainError) as e:
        decide(AppState.PUBLICISED, "approve", ["registry"], blocked)
    assert e.value.code == "objection_open"


def test_r11_objections_only_during_publicity() -> None:
    over = Context(today=CTX.today, publicity_over=True)
    with pytest.raises(DomainError) as e:
        decide(AppState.PUBLICISED, "file_objection", ["public"], over, {"statement": "x"})
    assert e.value.code == "publicity_over"


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ([4], [4]),
        ([6, 4, 4], [4, 6]),
        ([], None),
        (None, None),
        ([0], None),
        ([8], None),
        (["4"], None),
        ([True], None),
    ],
)
def test_r14_refusal_grounds(raw: object, ok: list[int] | None) -> None:
    if ok is None:
        with pytest.raises(DomainError):
            validate_grounds(raw)
    else:
        assert validate_grounds(raw) == ok


def test_i19_guards_know_the_caller_and_the_objections() -> None:
    """An applicant is never offered (nor allowed) an objection to its own application;
    notify/answer only when an objection awaits it — `allowed_actions` and `decide` agree."""
    S = AppState
    today = CTX.today
    cases = [
        (S.PUBLICISED, "file_objection", "public", Context(today, caller_is_applicant=True)),
        (S.OBJECTION_PENDING, "notify_objection", "registry", Context(today)),
        (
            S.OBJECTION_PENDING,
            "answer_objection",
            "holder",
            Context(today, unnotified_objections=1),
        ),
    ]
    codes = ["own_application", "no_objection_to_notify", "no_objection_to_answer"]
    for (state, action, actor, ctx), code in zip(cases, codes, strict=True):
        assert action not in allowed_actions(state, [actor], ctx)
        with pytest.raises(DomainError) as e:
            decide(state, action, [actor], ctx, {"statement": "x"})
        assert (e.value.code, e.value.status) == (code, 409)
    assert "file_objection" in allowed_actions(AppState.PUBLICISED, ["public"], Context(CTX.today))
