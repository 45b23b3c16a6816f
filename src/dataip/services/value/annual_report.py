"""The annual report (年度发展报告, JS25§2): the year's statistics, processing times, value
realised, the typical cases the registry curates (JS25§10) and the rankings — as one
document (`dataip report annual 2026`, `/reports/annual/2026`, its PDF)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dataip.services.context import Env
from dataip.services.value import hotness, signals, statistics_view, typical_cases

__all__ = ["contents", "rankings_for_year", "years"]


def rankings_for_year(*, env: Env, year: int) -> list[dict[str, Any]]:
    """The year's 热度榜 (issue 22 §4): the ranking as it stood on 31 December — or, for the
    year in progress, on the last closed day — by the published formula over the published
    daily counts (`hotness.top_as_of`), top 10, each ``{"rank", "registration_number",
    "name", "score"}``. Empty before any day of the year has closed."""
    closed = signals.closed_through(env)
    if closed is None or closed.year < year:
        return []
    return hotness.top_as_of(env, min(closed, date(year, 12, 31)), limit=10)


def years(*, env: Env) -> list[int]:
    """The years with any statistics, newest first (the page's year choice)."""
    with env.read() as uow:
        first, last = uow.statistics.months()
    if first is None or last is None:
        return []
    return list(range(int(last[:4]), int(first[:4]) - 1, -1))


def contents(*, env: Env, year: int) -> dict[str, Any]:
    first, last = f"{year:04d}-01", f"{year:04d}-12"
    return {
        "year": year,
        "registry": env.profile.registry_name_zh,
        "figures": statistics_view.figures(env=env, first=first, last=last),
        "cases": typical_cases.cases(env=env, year=year),
        "rankings": rankings_for_year(env=env, year=year),
    }
