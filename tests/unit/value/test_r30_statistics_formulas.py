"""R30: the statistics' formulas, with hand-computed cases — working-day durations (R0.1:
the start day not counted), nearest-rank percentiles (from values and from a histogram),
shares in basis points, amounts in integer fen, holder types and regions from credit codes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataip.domain.identifiers import PROVINCES
from dataip.services.workdays import build_calendar
from dataip.value import statistics as f

CAL = build_calendar()


def test_r30_duration_counts_working_days_after_the_start_day() -> None:
    # R0.1's example: after Mon 2026-09-28 the working days are 29, 30 Sep, 8, 9 Oct and
    # Sat 10 Oct, a make-up working day (the National Day holiday is not): 5 by the 10th
    assert f.working_days_between(date(2026, 9, 28), date(2026, 10, 10), CAL.is_working_day) == 5
    monday, tuesday = date(2026, 9, 28), date(2026, 9, 29)
    assert f.working_days_between(monday, monday, CAL.is_working_day) == 0  # same day
    assert f.working_days_between(monday, tuesday, CAL.is_working_day) == 1
    # filed Friday 2026-09-25, accepted Monday the 28th: one working day (the weekend is not)
    assert f.working_days_between(date(2026, 9, 25), monday, CAL.is_working_day) == 1
    # the end before the start is no time at all
    assert f.working_days_between(tuesday, monday, CAL.is_working_day) == 0


def test_r30_duration_matches_the_deadline_rule() -> None:
    """An act on the due date of an N-working-day period took N working days."""
    for start in (date(2026, 9, 28), date(2026, 1, 30), date(2026, 2, 13), date(2027, 4, 30)):
        for n in (1, 3, 5, 7, 10):
            due = CAL.add_working_days(start, n).due_on
            assert f.working_days_between(start, due, CAL.is_working_day) == n, (start, n)


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=0, max_value=400),
)
def test_r30_workday_index_equals_the_day_by_day_count(start: date, span: int) -> None:
    index = f.WorkdayIndex(date(2025, 6, 1), date(2026, 12, 31), CAL.is_working_day)
    end = start + timedelta(days=span)
    assert index.between(start, end) == f.working_days_between(start, end, CAL.is_working_day)


def test_r30_nearest_rank_percentiles_hand_computed() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    # median: rank ⌈0.5 × 10⌉ = 5 → 5 (the lower middle value); P90: rank ⌈9⌉ = 9 → 9
    assert f.nearest_rank(values, 50) == 5
    assert f.nearest_rank(values, 90) == 9
    # five values: median rank ⌈2.5⌉ = 3 → 30; P90 rank ⌈4.5⌉ = 5 → 50
    assert f.nearest_rank([10, 20, 30, 40, 50], 50) == 30
    assert f.nearest_rank([10, 20, 30, 40, 50], 90) == 50
    assert f.nearest_rank([7], 50) == f.nearest_rank([7], 90) == 7
    assert f.nearest_rank([], 50) is None
    with pytest.raises(ValueError):
        f.nearest_rank([1], 0)


def test_r30_histogram_percentiles_hand_computed() -> None:
    # durations 0,0,0,1,1,2,2,2,5,9 → N 10; median rank 5 → 1; P90 rank 9 → 5
    h = {0: 3, 1: 2, 2: 3, 5: 1, 9: 1}
    assert f.histogram_percentile(h, 50) == 1
    assert f.histogram_percentile(h, 90) == 5
    s = f.summarise(h)
    # mean = (0+0+0+1+1+2+2+2+5+9)/10 = 2.2 → 220 hundredths
    assert (s.count, s.median, s.p90, s.mean_x100, s.max) == (10, 1, 5, 220, 9)
    assert f.summarise({}) == f.DurationSummary(0, None, None, None, None)
    # a year's histogram is the sum of its months'
    assert f.merge_histograms([{0: 1, 2: 1}, {2: 2, 3: 1}]) == {0: 1, 2: 3, 3: 1}


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=200))
def test_r30_histogram_percentile_equals_the_sorted_list(values: list[int]) -> None:
    h: dict[int, int] = {}
    for v in values:
        h[v] = h.get(v, 0) + 1
    for p in (50, 90, 100):
        assert f.histogram_percentile(h, p) == f.nearest_rank(sorted(values), p)
    s = f.summarise(h)
    assert s.median is not None and s.p90 is not None and s.max is not None
    assert min(values) <= s.median <= s.p90 <= s.max  # monotonic in the percentile


def test_r30_shares_in_basis_points_rounded_half_up() -> None:
    assert f.share_bp(1, 3) == 3333  # 3333.33…
    assert f.share_bp(2, 3) == 6667  # 6666.67
    assert f.share_bp(1, 8) == 1250
    assert f.share_bp(1, 20_000) == 1  # 0.5 bp rounds up
    assert f.share_bp(0, 5) == 0 and f.share_bp(5, 5) == 10_000
    assert f.share_bp(1, 0) is None
    assert f.percent_text(3333) == "33.33%" and f.percent_text(None) == "—"


def test_r30_amounts_are_integer_fen_shown_in_yuan_and_wan_yuan() -> None:
    assert f.yuan_text(12_000_050) == "120,000.50"
    assert f.yuan_text(-5) == "-0.05"
    # 1 万元 = 1,000,000 fen; two decimals, half up: 12,345,678 fen = 12.345678 万元 → 12.35
    assert f.wan_yuan_text(12_345_678) == "12.35"
    assert f.wan_yuan_text(1_130_000_000) == "1,130.00"
    assert f.wan_yuan_text(4_999) == "0.00" and f.wan_yuan_text(5_000) == "0.01"


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [
        ("legal_person", "91520115MA6DKX7E3C", "enterprise"),
        ("legal_person", "92520115MA6DKX7E3C", "individual_business"),
        ("legal_person", "93520115MA6DKX7E3C", "cooperative"),
        ("legal_person", "12520000MB1234567X", "public_institution"),
        ("legal_person", "11520000000000000X", "government"),
        ("unincorporated", "52520000MJ1234567X", "social_organisation"),
        ("legal_person", "31520000MD1234567X", "other"),  # a law firm
        ("natural_person", None, "natural_person"),
        ("legal_person", None, "other"),
    ],
)
def test_r30_holder_type_from_the_credit_code(kind: str, code: str | None, expected: str) -> None:
    assert f.holder_type(kind=kind, credit_code=code) == expected


def test_r30_region_is_the_province_of_the_credit_code() -> None:
    assert f.province_of("91520115MA6DKX7E3C", PROVINCES) == "52"
    assert f.province_of("91330106MA6DKX7E3C", PROVINCES) == "33"
    assert f.province_of("911000001000013428", PROVINCES) == f.UNKNOWN  # national level
    assert f.province_of(None, PROVINCES) == f.UNKNOWN
    assert f.province_of("9152", PROVINCES) == f.UNKNOWN


def test_r30_months() -> None:
    assert f.month_key(date(2026, 3, 9)) == "2026-03"
    assert f.month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert f.month_range("2026-02", "2026-01") == []
