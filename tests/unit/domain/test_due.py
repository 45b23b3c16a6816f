"""Issue 19 §1–2: how a due date stands (domain.due) and what is left of it — "剩余N个工作日"
never counts today, so the count does not change between morning and night of one day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dataip.domain.calendar import SHANGHAI, WorkingDayCalendar
from dataip.domain.due import DueState
from dataip.services.context import FixedClock
from tests.unit.domain.test_calendar import ARRANGEMENT_2026

CAL = WorkingDayCalendar({2026: ARRANGEMENT_2026})
DUE = date(2026, 10, 10)  # Sat 10 Oct 2026, a make-up working day


@pytest.mark.parametrize("hour", [0, 9, 16, 17, 23])
@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 9, 28), 5),  # Mon: 29, 30 Sep, 8, 9, 10 Oct — not Mon itself
        (date(2026, 9, 30), 3),  # Wed, already running out: 8, 9, 10 Oct
        (date(2026, 10, 9), 1),  # Fri: only Sat 10 Oct is left
        (DUE, 0),  # the last day itself: 0 left, it still ends at 24:00
        (date(2026, 10, 12), -1),  # Mon after: overdue by Mon 12 Oct (Sun 11 is off)
    ],
)
def test_r0_1_working_days_left_never_count_today_at_any_hour(
    today: date, left: int, hour: int
) -> None:
    clock = FixedClock(datetime(today.year, today.month, today.day, hour, 30, tzinfo=SHANGHAI))
    assert CAL.working_days_left(clock.now().date(), DUE) == left


def test_r0_1_working_days_left_is_the_same_count_at_09_00_and_at_23_59() -> None:
    clock = FixedClock(datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI))
    morning = CAL.working_days_left(clock.now().date(), DUE)
    clock.advance_to(clock.now() + timedelta(hours=14, minutes=59))
    assert CAL.working_days_left(clock.now().date(), DUE) == morning


@pytest.mark.parametrize(
    ("state", "today", "shown"),
    [
        (DueState(DUE, False), date(2026, 10, 9), "running"),
        (DueState(DUE, False), DUE, "last_day"),
        (DueState(DUE, False), date(2026, 10, 12), "overdue"),
        # met is met however late, and never shown overdue
        (DueState(DUE, False, status="met"), date(2026, 11, 30), "met"),
        (DueState(DUE, False, status="expired"), date(2026, 11, 30), "missed"),
        (DueState(DUE, False, status="cancelled"), date(2026, 11, 30), "cancelled"),
        # a period (公示期) that ran out is over, not overdue, open or closed
        (DueState(DUE, False, obligation=False), date(2026, 10, 12), "ended"),
        (DueState(DUE, False, status="ended", obligation=False), date(2026, 9, 30), "ended"),
    ],
)
def test_r_deadlines_shown_from_the_stored_state_not_the_calendar(
    state: DueState, today: date, shown: str
) -> None:
    assert state.shown(today) == shown
