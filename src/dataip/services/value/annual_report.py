"""The annual report (年度发展报告, JS25§2): the year's statistics, processing times, value
realised, the typical cases the registry curates (JS25§10) and the rankings — as one
document (`dataip report annual 2026`, `/reports/annual/2026`, its PDF)."""

from __future__ import annotations

from typing import Any

from dataip.services.context import Env
from dataip.services.value import statistics_view, typical_cases

__all__ = ["contents", "rankings_for_year", "years"]


def rankings_for_year(*, env: Env, year: int) -> list[dict[str, Any]]:
    """HOOK for the hotness ranking (热度榜, issue 22 §4, built beside this on another branch):
    the year's top registrations, each ``{"rank", "registration_number", "name", "score",
    "industry"}``. Empty until that module is wired here; the report then says there is no
    ranking data rather than showing an empty table as if nobody ranked."""
    return []


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
