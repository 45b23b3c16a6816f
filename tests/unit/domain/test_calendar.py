"""R0.1–R0.4 period counting, on literal arrangements (no holiday library involved)."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from dataip.domain.calendar import (
    SHANGHAI,
    Deadline,
    WorkingDayCalendar,
    YearArrangement,
    add_term,
    next_term_start,
    renewal_window,
    statutory_arrangement,
)


def _days(start: date, end: date) -> frozenset[date]:
    return frozenset(start + datetime.timedelta(days=i) for i in range((end - start).days + 1))


# Excerpt of the published 2026 arrangement: Spring Festival Feb 15–23 (make-up Sat Feb 14,
# Sat Feb 28), Mid-Autumn Sep 25–27, National Day Oct 1–7 (make-up Sun Sep 20, Sat Oct 10).
ARRANGEMENT_2026 = YearArrangement(
    year=2026,
    holidays=_days(date(2026, 2, 15), date(2026, 2, 23))
    | _days(date(2026, 9, 25), date(2026, 9, 27))
    | _days(date(2026, 10, 1), date(2026, 10, 7)),
    makeup_workdays=frozenset(
        {date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)}
    ),
    published=True,
)
FALLBACK_2027 = statutory_arrangement(
    2027,
    lunar_new_year=date(2027, 2, 6),
    dragon_boat=date(2027, 6, 9),
    mid_autumn=date(2027, 9, 15),
    qingming=date(2027, 4, 5),
)
CAL = WorkingDayCalendar({2026: ARRANGEMENT_2026, 2027: FALLBACK_2027})


# --- R0.1 working days --------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "n", "due"),
    [
        (date(2026, 3, 9), 1, date(2026, 3, 10)),  # Mon → Tue: trigger day itself not counted
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Fri → Mon: weekend skipped
        (date(2026, 3, 14), 1, date(2026, 3, 16)),  # served on a Saturday
        (date(2026, 3, 9), 5, date(2026, 3, 16)),
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
    ],
)
def test_r0_1_trigger_day_is_not_counted(trigger: date, n: int, due: date) -> None:
    assert CAL.add_working_days(trigger, n) == Deadline(due, provisional=False)


@pytest.mark.parametrize(
    ("trigger", "n", "due"),
    [
        # REQUIREMENTS example: 29, 30 Sep, 8, 9 Oct, Sat 10 Oct (调休上班)
        (date(2026, 9, 28), 5, date(2026, 10, 10)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Fri → make-up Sunday
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri → make-up Saturday
        (date(2026, 2, 13), 3, date(2026, 2, 25)),  # 14 (Sat), [15–23 off], 24, 25
    ],
)
def test_r0_1_makeup_saturday_counts(trigger: date, n: int, due: date) -> None:
    assert CAL.add_working_days(trigger, n) == Deadline(due, provisional=False)


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (date(2026, 10, 1), False),  # National Day, Thu
        (date(2026, 10, 3), False),  # weekend inside the break
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 10, 12), True),
        (date(2027, 2, 5), False),  # fallback Spring Festival eve
        (date(2028, 1, 3), True),  # year with no arrangement: weekdays work
        (date(2028, 1, 1), False),  # … and weekends do not
    ],
)
def test_r0_1_working_day_definition(d: date, working: bool) -> None:
    assert CAL.is_working_day(d) is working


def test_r0_1_holiday_is_not_merely_a_weekend() -> None:
    assert CAL.is_holiday(date(2026, 10, 3))  # Saturday inside the National Day break
    assert not CAL.is_holiday(date(2026, 10, 11))  # ordinary Sunday
    assert not CAL.is_holiday(date(2026, 10, 10))  # make-up Saturday


@pytest.mark.parametrize(
    ("overrides", "trigger", "n", "due"),
    [
        ({date(2026, 3, 14): True}, date(2026, 3, 13), 1, date(2026, 3, 14)),  # Sat made working
        (
            {date(2026, 10, 5): True},
            date(2026, 9, 30),
            1,
            date(2026, 10, 5),
        ),  # holiday made working
        (
            {date(2026, 10, 10): False},
            date(2026, 10, 9),
            1,
            date(2026, 10, 12),
        ),  # make-up cancelled
        ({date(2026, 3, 16): False}, date(2026, 3, 13), 1, date(2026, 3, 17)),  # closure
    ],
)
def test_r0_1_override_wins(overrides: dict[date, bool], trigger: date, n: int, due: date) -> None:
    cal = WorkingDayCalendar({2026: ARRANGEMENT_2026}, overrides)
    assert cal.add_working_days(trigger, n).due_on == due


def test_r0_1_override_declaring_a_weekday_off_is_a_holiday() -> None:
    cal = WorkingDayCalendar({2026: ARRANGEMENT_2026}, {date(2026, 3, 16): False})
    assert cal.is_holiday(date(2026, 3, 16))
    assert not cal.is_holiday(date(2026, 3, 15))  # a weekend stays a weekend


def test_r0_1_negative_period_is_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 9), -1)


# --- R0.4 provisional years ---------------------------------------------------------


def test_r0_4_statutory_fallback_days() -> None:
    assert FALLBACK_2027.published is False
    assert FALLBACK_2027.makeup_workdays == frozenset()
    assert FALLBACK_2027.holidays == frozenset(
        {date(2027, 1, 1)}
        | _days(date(2027, 2, 5), date(2027, 2, 8))  # eve + 3 days
        | {date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9)}
        | {date(2027, 9, 15)}
        | _days(date(2027, 10, 1), date(2027, 10, 3))
    )


@pytest.mark.parametrize(
    ("trigger", "n", "due", "provisional"),
    [
        (date(2026, 12, 21), 5, date(2026, 12, 28), False),
        (date(2026, 12, 24), 5, date(2026, 12, 31), False),  # ends on the last day of 2026
        (date(2026, 12, 28), 5, date(2027, 1, 5), True),  # 29, 30, 31, [Jan 1 off], 4, 5
        (date(2027, 2, 4), 1, date(2027, 2, 9), True),  # fallback Spring Festival 5–8
        (date(2028, 3, 1), 1, date(2028, 3, 2), True),  # no arrangement at all
    ],
)
def test_r0_4_period_in_unpublished_year_is_provisional(
    trigger: date, n: int, due: date, provisional: bool
) -> None:
    assert CAL.add_working_days(trigger, n) == Deadline(due, provisional)


@pytest.mark.parametrize(("year", "provisional"), [(2026, False), (2027, True), (2028, True)])
def test_r0_4_is_provisional_year(year: int, provisional: bool) -> None:
    assert CAL.is_provisional_year(year) is provisional


def test_r0_4_loading_the_published_year_recomputes() -> None:
    published_2027 = YearArrangement(
        year=2027,
        holidays=_days(date(2027, 1, 1), date(2027, 1, 3)),
        makeup_workdays=frozenset(),
        published=True,
    )
    cal = WorkingDayCalendar({2026: ARRANGEMENT_2026, 2027: published_2027})
    assert cal.add_working_days(date(2026, 12, 28), 5) == Deadline(date(2027, 1, 5), False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"holidays": frozenset({date(2026, 1, 1)})},  # wrong year
        {"makeup_workdays": frozenset({date(2027, 1, 4)})},  # a Monday
        {
            "holidays": frozenset({date(2027, 1, 2)}),
            "makeup_workdays": frozenset({date(2027, 1, 2)}),
        },
    ],
)
def test_r0_4_inconsistent_arrangement_is_rejected(kwargs: dict[str, frozenset[date]]) -> None:
    fields: dict[str, frozenset[date]] = {"holidays": frozenset(), "makeup_workdays": frozenset()}
    fields.update(kwargs)
    with pytest.raises(ValueError):
        YearArrangement(year=2027, published=True, **fields)


def test_r0_4_arrangement_filed_under_wrong_year_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingDayCalendar({2025: ARRANGEMENT_2026})


# --- R0.2 calendar days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "n", "due", "provisional"),
    [
        (date(2026, 3, 1), 15, date(2026, 3, 16), False),  # trigger day not counted
        (date(2026, 9, 16), 15, date(2026, 10, 8), False),  # Oct 1 → after the break Oct 1–7
        (date(2026, 9, 19), 15, date(2026, 10, 8), False),  # Oct 4 (weekend inside the break)
        (date(2026, 9, 10), 15, date(2026, 9, 28), False),  # Mid-Autumn Sep 25–27
        (date(2026, 3, 6), 15, date(2026, 3, 23), False),  # a Saturday rest day moves to Monday
        (date(2026, 9, 5), 15, date(2026, 9, 20), False),  # make-up Sunday: not moved
        (date(2026, 12, 20), 15, date(2027, 1, 4), True),
        (date(2027, 1, 21), 15, date(2027, 2, 9), True),  # fallback Spring Festival 5–8
    ],
)
def test_r0_2_last_day_on_holiday_moves_past_it(
    trigger: date, n: int, due: date, provisional: bool
) -> None:
    assert CAL.add_calendar_days(trigger, n) == Deadline(due, provisional)


def test_r0_2_negative_period_is_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_calendar_days(date(2026, 3, 1), -15)


# --- R0.3 year and month terms ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "months", "last_day"),
    [
        (date(2026, 3, 10), 2, 0, date(2028, 3, 9)),
        (date(2024, 2, 29), 2, 0, date(2026, 2, 28)),
        (date(2024, 3, 1), 2, 0, date(2026, 2, 28)),  # (2024-02-29) + 2y, clamped
        (date(2028, 3, 10), 2, 0, date(2030, 3, 9)),  # the renewed term
        (date(2026, 1, 1), 1, 0, date(2026, 12, 31)),
        (date(2026, 4, 1), 0, 1, date(2026, 4, 30)),  # (Mar 31) + 1 month → Apr 30
        (date(2026, 11, 15), 0, 3, date(2027, 2, 14)),
        (date(2026, 1, 1), 0, 14, date(2027, 2, 28)),
    ],
)
def test_r0_3_term_counted_from_start(start: date, years: int, months: int, last_day: date) -> None:
    assert add_term(start, years=years, months=months) == last_day


@pytest.mark.parametrize(("years", "months"), [(-1, 0), (0, -1), (0, 0)])
def test_r0_3_empty_or_negative_term_is_rejected(years: int, months: int) -> None:
    with pytest.raises(ValueError):
        add_term(date(2026, 3, 10), years=years, months=months)


@pytest.mark.parametrize(
    ("expiry", "window"),
    [
        (date(2028, 3, 9), (date(2028, 2, 10), date(2028, 3, 9))),
        (date(2028, 3, 31), (date(2028, 3, 1), date(2028, 3, 31))),  # Feb 29 + 1
        (date(2027, 1, 15), (date(2026, 12, 16), date(2027, 1, 15))),
    ],
)
def test_r0_3_renewal_window_is_the_month_before_expiry(
    expiry: date, window: tuple[date, date]
) -> None:
    assert renewal_window(expiry) == window


def test_r0_3_renewal_window_rejects_zero_months() -> None:
    with pytest.raises(ValueError):
        renewal_window(date(2028, 3, 9), months=0)


def test_r0_3_renewal_starts_the_day_after_expiry() -> None:
    start = next_term_start(date(2028, 3, 9))
    assert start == date(2028, 3, 10)
    assert add_term(start, years=2) == date(2030, 3, 9)


# --- deadline end: 24:00 Asia/Shanghai ----------------------------------------------

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("as_of", "expired"),
    [
        (datetime.datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI), False),
        (datetime.datetime(2026, 10, 11, 0, 0, 0, tzinfo=SHANGHAI), True),
        (datetime.datetime(2026, 10, 10, 15, 59, 59, tzinfo=UTC), False),  # 23:59:59 +08
        (datetime.datetime(2026, 10, 10, 16, 0, 0, tzinfo=UTC), True),  # 00:00 +08 next day
        (datetime.datetime(2026, 10, 9, 23, 0, 0, tzinfo=UTC), False),  # Oct 10 07:00 +08
    ],
)
def test_r0_1_period_ends_at_midnight_shanghai(as_of: datetime.datetime, expired: bool) -> None:
    assert Deadline(date(2026, 10, 10), provisional=False).expired(as_of) is expired


def test_r0_1_expired_requires_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        Deadline(date(2026, 10, 10), provisional=False).expired(datetime.datetime(2026, 10, 11))
