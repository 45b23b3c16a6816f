"""R27 / Z§4.2, issue 22 §4: the hotness formula — the exact decay, hand-computed scores, caps,
the ranking's order and ties, the profile table; properties: bounded, monotonic (one more
counted signal never lowers a score), older signals never weigh more than newer ones."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.value.hotness import (
    KINDS,
    SCALE,
    DailyCount,
    HotnessPolicy,
    decay,
    decay_table,
    format_score,
    policy_from_table,
    rank,
    score,
    scores,
)

D = date(2026, 10, 15)


def _decimal_decay(age: int, half_life: int) -> int:
    """⌊1000 · 2^(−a/H)⌋ by 60-digit decimal arithmetic: a second way to the same table."""
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(SCALE) * Decimal(2) ** (Decimal(-age) / Decimal(half_life))
        return int(value.to_integral_value(rounding=ROUND_FLOOR))


def test_r27_decay_is_exact_at_whole_half_lives() -> None:
    assert decay(0, 30) == 1000
    assert decay(30, 30) == 500
    assert decay(60, 30) == 250
    assert decay(90, 30) == 125
    assert [decay(a, 1) for a in range(6)] == [1000, 500, 250, 125, 62, 31]
    # 2^(-1/30) = 0.977159968…, 2^(-7/30) = 0.850667…
    assert decay(1, 30) == 977 and decay(7, 30) == 850


@pytest.mark.parametrize("half_life", [1, 2, 3, 7, 14, 30, 45, 90, 365])
def test_r27_decay_table_matches_an_independent_decimal_computation(half_life: int) -> None:
    table = decay_table(half_life, 120)
    assert list(table) == [_decimal_decay(a, half_life) for a in range(120)]
    assert all(a >= b for a, b in itertools.pairwise(table))  # never rises


def test_r27_hand_computed_score() -> None:
    """H = 1 day, window 3 days: view 10 today (×1000), 2 verifications yesterday (3 × 500
    each), a trade the day before (30 × 250), 5 views 3 days ago (outside the window), one
    view tomorrow (after as-of: nothing)."""
    policy = HotnessPolicy(half_life_days=1, window_days=3)
    counts = [
        DailyCount(D, "view", 10),
        DailyCount(D - timedelta(days=1), "verification", 2),
        DailyCount(D - timedelta(days=2), "trade", 1),
        DailyCount(D - timedelta(days=3), "view", 5),
        DailyCount(D + timedelta(days=1), "view", 1),
    ]
    assert score(counts, policy, D) == 10 * 1000 + 2 * 3 * 500 + 30 * 250 == 20_500
    assert format_score(20_500) == "20.500"


def test_r27_rows_of_one_day_and_kind_are_one_count_under_the_cap() -> None:
    policy = HotnessPolicy(daily_caps={"view": 4})
    split = [DailyCount(D, "view", 3), DailyCount(D, "view", 3)]
    assert score(split, policy, D) == score([DailyCount(D, "view", 6)], policy, D) == 4000


def test_r27_daily_caps_limit_one_day_of_one_kind() -> None:
    policy = HotnessPolicy(half_life_days=30, window_days=90, daily_caps={"view": 4})
    assert score([DailyCount(D, "view", 10)], policy, D) == 4 * 1000
    two_days = [DailyCount(D, "view", 10), DailyCount(D - timedelta(days=1), "view", 10)]
    assert score(two_days, policy, D) == 4 * 1000 + 4 * 977
    assert score([DailyCount(D, "search", 10)], policy, D) == 10 * 1000  # no cap on searches


def test_r27_citations_and_unweighted_kinds_score_by_their_weight() -> None:
    policy = HotnessPolicy(weights={"view": 0, "citation": 10})
    assert score([DailyCount(D, "view", 100)], policy, D) == 0
    assert score([DailyCount(D, "citation", 1)], policy, D) == 10_000


def test_r27_rank_orders_by_score_then_registration_number() -> None:
    rows = rank({"2026B": 500, "2026A": 500, "2026C": 900, "2026Z": 0})
    assert [(r.rank, r.key, r.score) for r in rows] == [
        (1, "2026C", 900),
        (2, "2026A", 500),
        (3, "2026B", 500),
    ]


def test_r27_scores_of_many_equal_score_of_each() -> None:
    policy = HotnessPolicy()
    rows = [
        ("A", D, "view", 3),
        ("B", D - timedelta(days=5), "licence", 1),
        ("A", D - timedelta(days=40), "verification", 2),
        ("B", D - timedelta(days=100), "view", 9),
    ]
    many = scores(rows, policy, D)
    for key in ("A", "B"):
        mine = [DailyCount(d, k, c) for r, d, k, c in rows if r == key]
        assert many[key] == score(mine, policy, D)


def test_r27_format_score_is_exact() -> None:
    assert format_score(0) == "0.000"
    assert format_score(7) == "0.007"
    assert format_score(123_456_789) == "123456.789"
    with pytest.raises(ValueError):
        format_score(-1)


def test_r27_profile_table_is_checked() -> None:
    p = policy_from_table({"half_life_days": 7, "weights": {"view": 2}})
    assert p.half_life_days == 7 and p.weight("view") == 2 and p.weight("trade") == 30
    for bad in (
        {"half_life_days": 0},
        {"window_days": "90"},
        {"weights": {"likes": 1}},
        {"weights": {"view": -1}},
        {"weights": {"view": 1.5}},
        {"daily_caps": {"view": True}},
        {"visitor_daily_cap": 0},
        {"gravity": 1.8},
    ):
        with pytest.raises(ValueError):
            policy_from_table(bad)


# --- properties ------------------------------------------------------------------------------

_counts = st.lists(
    st.tuples(st.integers(0, 120), st.sampled_from(KINDS), st.integers(0, 5000)), max_size=40
)
_policies = st.builds(
    HotnessPolicy,
    half_life_days=st.integers(1, 120),
    window_days=st.integers(1, 120),
    daily_caps=st.dictionaries(st.sampled_from(KINDS), st.integers(0, 100), max_size=4),
)


def _rows(raw: list[tuple[int, str, int]]) -> list[DailyCount]:
    return [DailyCount(D - timedelta(days=age), kind, n) for age, kind, n in raw]


@settings(max_examples=300, deadline=None)
@given(_counts, _policies)
def test_r27_score_is_bounded(raw: list[tuple[int, str, int]], policy: HotnessPolicy) -> None:
    s = score(_rows(raw), policy, D)
    ceiling = sum(
        policy.weight(k) * (min(n, policy.cap(k)) if policy.cap(k) else n) * SCALE
        for age, k, n in raw
        if age < policy.window_days
    )
    assert 0 <= s <= ceiling


@settings(max_examples=300, deadline=None)
@given(_counts, _policies, st.integers(0, 120), st.sampled_from(KINDS))
def test_r27_one_more_counted_signal_never_lowers_a_score(
    raw: list[tuple[int, str, int]], policy: HotnessPolicy, age: int, kind: str
) -> None:
    before = score(_rows(raw), policy, D)
    after = score([*_rows(raw), DailyCount(D - timedelta(days=age), kind, 1)], policy, D)
    assert after >= before
    same = sum(n for a, k, n in raw if a == age and k == kind)
    if (
        age < policy.window_days
        and policy.weight(kind)
        and decay(age, policy.half_life_days) > 0
        and not (policy.cap(kind) and same >= policy.cap(kind))
    ):
        assert after > before  # a counted signal in the window adds its decayed weight


@settings(max_examples=200, deadline=None)
@given(_policies, st.sampled_from(KINDS), st.integers(1, 1000), st.integers(0, 119))
def test_r27_an_older_signal_never_weighs_more(
    policy: HotnessPolicy, kind: str, n: int, age: int
) -> None:
    newer = score([DailyCount(D - timedelta(days=age), kind, n)], policy, D)
    older = score([DailyCount(D - timedelta(days=age + 1), kind, n)], policy, D)
    assert older <= newer


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text("AB0123", min_size=1, max_size=4), st.integers(0, 10**9)))
def test_r27_rank_is_a_total_order_of_positive_scores(scored: dict[str, int]) -> None:
    rows = rank(scored)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert {r.key for r in rows} == {k for k, v in scored.items() if v > 0}
    keys = [(-r.score, r.key) for r in rows]
    assert keys == sorted(keys)
