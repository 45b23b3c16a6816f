"""The calendar built from chinese_calendar (published years) and lunardate (R0.4 fallback)."""

from __future__ import annotations

import datetime
from datetime import date

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from dataip.domain.calendar import Deadline, YearArrangement
from dataip.services.workdays import (
    build_calendar,
    fallback_arrangement,
    published_arrangements,
    qingming,
)

CAL = build_calendar()


@pytest.mark.parametrize(
    ("trigger", "n", "due"),
    [
        # REQUIREMENTS R0.1 example: 29, 30 Sep, 8, 9 Oct, Sat 10 Oct (make-up day)
        (date(2026, 9, 28), 5, date(2026, 10, 10)),
        # National Day 2025: Oct 1–8 off, make-up Sun Sep 28 and Sat Oct 11
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        (date(2025, 9, 30), 4, date(2025, 10, 13)),
        # Spring Festival 2026: Feb 15–23 off, make-up Sat Feb 14 and Sat Feb 28
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        (date(2026, 2, 26), 2, date(2026, 2, 28)),
        # New Year 2026: Jan 1–3 off, make-up Sun Jan 4
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
    ],
)
def test_r0_1_makeup_saturday_counts(trigger: date, n: int, due: date) -> None:
    assert CAL.add_working_days(trigger, n) == Deadline(due, provisional=False)


@pytest.mark.parametrize(
    ("trigger", "n", "due", "provisional"),
    [
        (date(2026, 12, 21), 5, date(2026, 12, 28), False),
        (date(2026, 12, 24), 5, date(2026, 12, 31), False),
        (date(2026, 12, 28), 5, date(2027, 1, 5), True),
        (date(2027, 2, 4), 1, date(2027, 2, 9), True),  # fallback Spring Festival Feb 5–8
    ],
)
def test_r0_4_period_crossing_into_2027_is_provisional(
    trigger: date, n: int, due: date, provisional: bool
) -> None:
    assert CAL.add_working_days(trigger, n) == Deadline(due, provisional)


@pytest.mark.parametrize(
    ("trigger", "due"),
    [
        (date(2026, 9, 16), date(2026, 10, 8)),  # Oct 1 → after National Day Oct 1–7
        (date(2025, 9, 20), date(2025, 10, 9)),  # Oct 5 → after Oct 1–8
        (date(2026, 2, 1), date(2026, 2, 24)),  # Feb 16 → after Spring Festival Feb 15–23
        (date(2026, 3, 6), date(2026, 3, 23)),  # a Saturday rest day moves to Monday
    ],
)
def test_r0_2_15_days_ending_in_holiday_extend_past_it(trigger: date, due: date) -> None:
    assert CAL.add_calendar_days(trigger, 15) == Deadline(due, provisional=False)


def test_r0_4_published_years_are_2004_to_2026() -> None:
    published = published_arrangements()
    assert set(published) == set(range(2004, 2027))
    assert all(a.published for a in published.values())
    assert not CAL.is_provisional_year(2026)
    assert CAL.is_provisional_year(2027)


def test_r0_4_published_arrangements_returns_a_fresh_dict() -> None:
    published_arrangements().clear()
    assert 2026 in published_arrangements()


def test_r0_4_2027_spring_festival_fallback() -> None:
    arrangement = fallback_arrangement(2027)
    assert arrangement.published is False
    spring = {d for d in arrangement.holidays if d.month == 2}
    assert spring == {date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)}


@pytest.mark.parametrize("year", [2025, 2026])
def test_r0_4_fallback_is_subset_of_published_holidays(year: int) -> None:
    # The 2024 amendment (Spring Festival from the eve) applies from 2025.
    fallback = fallback_arrangement(year).holidays
    published = published_arrangements()[year].holidays
    assert fallback <= published, sorted(fallback - published)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_r0_4_qingming_formula_matches_published_holiday(year: int) -> None:
    # Qingming became a public holiday in 2008; the solar-term day lies in the break.
    tomb_sweeping = {d for d, name in cc.holidays.items() if d.year == year and "Tomb" in name}
    assert qingming(year) in tomb_sweeping


@pytest.mark.parametrize("year", range(2004, 2051))
def test_r0_4_qingming_formula_matches_solar_term_table(year: int) -> None:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    assert [d for d, name in terms if name == "清明"] == [qingming(year)]


def test_r0_4_every_default_year_has_an_arrangement() -> None:
    for year in range(2004, 2051):
        d = date(year, 1, 1)
        assert not CAL.is_working_day(d), year  # New Year's Day, published or statutory


def test_r0_4_extra_arrangement_replaces_fallback() -> None:
    loaded = YearArrangement(
        year=2027,
        holidays=frozenset({date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}),
        makeup_workdays=frozenset({date(2027, 2, 20)}),
        published=True,
    )
    cal = build_calendar(extra={2027: loaded})
    assert not cal.is_provisional_year(2027)
    assert cal.is_working_day(date(2027, 2, 5))  # fallback eve no longer applies
    assert cal.is_working_day(date(2027, 2, 20))
    assert cal.add_working_days(date(2026, 12, 28), 5) == Deadline(date(2027, 1, 5), False)


def test_r0_1_override_making_a_day_a_working_day_wins() -> None:
    cal = build_calendar(overrides={date(2026, 10, 5): True})
    assert cal.is_working_day(date(2026, 10, 5))
    assert cal.add_working_days(date(2026, 9, 30), 1).due_on == date(2026, 10, 5)
    assert CAL.add_working_days(date(2026, 9, 30), 1).due_on == date(2026, 10, 8)


def test_r0_4_year_outside_range_counts_weekends_only() -> None:
    cal = build_calendar(years=range(2004, 2027))
    assert cal.is_provisional_year(2027)
    assert cal.is_working_day(date(2027, 1, 1))  # a Friday, no arrangement loaded
    assert cal.add_working_days(date(2027, 1, 1), 1) == Deadline(
        date(2027, 1, 1) + datetime.timedelta(days=3), True
    )
