"""Issue 25 §1: the working-day calendar agrees across server processes. Each process keeps the
calendar it built; a change made in one bumps the calendar's generation in the database, and
every other process uses the changed calendar for the next date it computes — not a minute
later, when its cache would have expired. Two environments built from the same settings stand
for two processes (the two-server end-to-end test proves the same over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from dataip.bootstrap import Registry, build
from dataip.services import accounts, reference
from dataip.services.context import Env, FixedClock, Identity


@pytest.fixture
def other(registry: Registry, clock: FixedClock, env: Env) -> Iterator[Env]:
    second = build(registry.settings, clock=clock)  # another server process's environment
    yield second.env
    second.dispose()


def _accept_due(env: Env) -> date:
    return reference.due_date_for_day(env=env, period="accept", trigger=date(2027, 3, 1)).due_on


def test_i25_a_calendar_change_in_one_process_is_used_by_another_at_once(
    env: Env, other: Env
) -> None:
    admin = accounts.create_user_as_operator(
        env=env, username="cal-admin", password="pass-word-1", display_name="a",
        role="registrar_admin",
    )  # fmt: skip
    who = Identity(user_id=admin.id, role="registrar_admin", username="cal-admin")
    other.calendar_display_seconds = 3600  # a display may use the calendar it checked last
    assert _accept_due(other) == date(2027, 3, 4)  # Monday + 3 working days; cached now
    shown = other.calendar(exact=False)
    reference.set_override(who, env=env, day=date(2027, 3, 2), is_working_day=False, note="测试")
    assert _accept_due(other) == date(2027, 3, 5)  # the generation moved: reloaded at once
    assert other.calendar(exact=False) is not shown  # and the display has it too now
    assert not other.calendar(exact=False).is_working_day(date(2027, 3, 2))
