"""Builds the working-day calendar from official and computed holiday data (R0.1–R0.4).

Adapter around ``chinese_calendar`` (the State Council's published arrangements) and
``lunardate`` (lunar festivals for years not yet published). The counting rules live in
the pure :mod:`dataip.domain.calendar`.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Mapping

from chinese_calendar import constants as _cc
from lunardate import LunarDate

from dataip.domain.calendar import WorkingDayCalendar, YearArrangement, statutory_arrangement

__all__ = [
    "build_calendar",
    "fallback_arrangement",
    "published_arrangements",
    "qingming",
]

DEFAULT_YEARS = range(2004, 2051)


@functools.cache
def _published() -> Mapping[int, YearArrangement]:
    holidays: defaultdict[int, set[datetime.date]] = defaultdict(set)
    makeup: defaultdict[int, set[datetime.date]] = defaultdict(set)
    for d in _cc.holidays:
        holidays[d.year].add(d)
    for d in _cc.workdays:
        makeup[d.year].add(d)
    return {
        year: YearArrangement(
            year=year,
            holidays=frozenset(holidays[year]),
            makeup_workdays=frozenset(makeup[year]),
            published=True,
        )
        for year in sorted(holidays.keys() | makeup.keys())
    }


def published_arrangements() -> dict[int, YearArrangement]:
    """Every year ``chinese_calendar`` covers, as published arrangements (a fresh dict)."""
    return dict(_published())


def qingming(year: int) -> datetime.date:
    """The Qingming solar term (清明, Pure Brightness): April 4 or 5 in the 21st century.

    Standard formula ``int(Y*D + C) - L`` with Y the two-digit year, D = 0.2422,
    C = 4.81 for the 21st century and L the leap days so far, ``int(Y/4)``: Qingming falls
    after Feb 29, so the current year's leap day counts. (``int((Y-1)/4)`` is only right
    for January/February terms; for Qingming it is a day late in every leap year.) No
    21st-century exception is known for this term; tests check 2004–2050.
    """
    if not 2001 <= year <= 2099:
        raise ValueError(f"Qingming formula here covers 2001–2099, got {year}")
    y = year % 100
    return datetime.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


@functools.cache
def fallback_arrangement(year: int) -> YearArrangement:
    """R0.4: statutory holidays for ``year`` with lunar dates computed (``published=False``)."""
    return statutory_arrangement(
        year,
        lunar_new_year=LunarDate(year, 1, 1).to_solar_date(),
        dragon_boat=LunarDate(year, 5, 5).to_solar_date(),
        mid_autumn=LunarDate(year, 8, 15).to_solar_date(),
        qingming=qingming(year),
    )


def build_calendar(
    *,
    overrides: Mapping[datetime.date, bool] | None = None,
    extra: Mapping[int, YearArrangement] | None = None,
    years: range = DEFAULT_YEARS,
) -> WorkingDayCalendar:
    """The registry's calendar: published years, R0.4 fallback for the rest of ``years``.

    ``extra`` (e.g. an arrangement an administrator loaded from the database) replaces
    both published and fallback data for its years; ``overrides`` (date → is a working
    day) win over everything. Years outside ``years`` with no data count weekends only
    and are provisional.
    """
    known = {**_published(), **(extra or {})}
    arrangements = {year: fallback_arrangement(year) for year in years if year not in known}
    arrangements.update(known)
    return WorkingDayCalendar(arrangements, overrides)
