"""How statutory periods are counted (REQUIREMENTS.md R0.1–R0.4).

Pure: standard library only. The official holiday data is supplied by the caller
(see ``dataip.services.workdays``), so every rule here is testable with literal dates.

- R0.1 working-day periods (工作日): trigger day not counted; due on the N-th working day
  after it, where a working day is Mon–Fri unless a public holiday, plus the weekend
  make-up working days (调休上班).
- R0.2 calendar-day periods: trigger day not counted; a last day that falls on a
  statutory holiday moves to the day after the holiday ends (Civil Code Arts. 201, 203).
- R0.3 year/month terms counted from a date, clamped to month end (Civil Code Art. 202).
- R0.4 a year whose arrangement is not published is computed from the statutory holidays
  and weekends, and every deadline touching it is flagged ``provisional``.

Every period ends at 24:00 Asia/Shanghai on its last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "SHANGHAI",
    "Deadline",
    "WorkingDayCalendar",
    "YearArrangement",
    "add_term",
    "next_term_start",
    "renewal_window",
    "statutory_arrangement",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_ONE_DAY = datetime.timedelta(days=1)
_SATURDAY = 5


def _is_weekend(d: datetime.date) -> bool:
    return d.weekday() >= _SATURDAY


@dataclass(frozen=True)
class Deadline:
    """The last day of a period; the period ends at 24:00 Asia/Shanghai on ``due_on``.

    ``provisional`` is True when the computation relied on a year whose official holiday
    arrangement was not yet published (R0.4); such a deadline must be shown as
    provisional and recomputed once the year's arrangement is loaded.
    """

    due_on: datetime.date
    provisional: bool

    def expired(self, as_of: datetime.datetime) -> bool:
        """True once ``as_of`` is at or past 00:00 Asia/Shanghai of the day after ``due_on``.

        ``as_of`` must be timezone-aware (any zone; it is converted to Asia/Shanghai).
        """
        if as_of.tzinfo is None or as_of.tzinfo.utcoffset(as_of) is None:
            raise ValueError("as_of must be a timezone-aware datetime")
        return as_of.astimezone(SHANGHAI).date() > self.due_on


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement (the State Council's 放假安排, or the R0.4 fallback).

    - ``holidays``: days off for a public holiday — weekdays given off, and weekend days
      that fall inside a holiday break (published data lists the whole break).
    - ``makeup_workdays``: weekend days that are working days (调休上班).
    - ``published``: False for the R0.4 statutory fallback; deadlines in such a year are
      provisional.
    """

    year: int
    holidays: frozenset[datetime.date]
    makeup_workdays: frozenset[datetime.date]
    published: bool

    def __post_init__(self) -> None:
        stray = [d for d in self.holidays | self.makeup_workdays if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)}")
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"days both holiday and make-up workday: {sorted(both)}")
        weekdays = [d for d in self.makeup_workdays if not _is_weekend(d)]
        if weekdays:
            raise ValueError(f"make-up workdays must be weekend days: {sorted(weekdays)}")


def _run(start: datetime.date, days: int) -> Iterable[datetime.date]:
    return (start + datetime.timedelta(days=i) for i in range(days))


def statutory_arrangement(
    year: int,
    lunar_new_year: datetime.date,
    dragon_boat: datetime.date,
    mid_autumn: datetime.date,
    qingming: datetime.date,
) -> YearArrangement:
    """The R0.4 fallback for a year whose arrangement is not yet published.

    Statutory holidays per 全国年节及纪念日放假办法 (as amended 2024): New Year's Day
    (1 day), Spring Festival (4 days from New Year's Eve, i.e. ``lunar_new_year`` − 1
    through ``lunar_new_year`` + 2), Qingming (1), Labour Day (May 1–2), Dragon Boat (1),
    Mid-Autumn (1) and National Day (Oct 1–3). The caller supplies the lunar-calendar and
    solar-term dates. Make-up workdays (调休) are unknowable until publication, so none
    are set; the result has ``published=False``.

    A Spring Festival eve falling in the previous year (it cannot, in practice: the lunar
    new year is never before Jan 21) would raise ``ValueError``.
    """
    days: set[datetime.date] = {datetime.date(year, 1, 1)}
    days.update(_run(lunar_new_year - _ONE_DAY, 4))
    days.add(qingming)
    days.update(_run(datetime.date(year, 5, 1), 2))
    days.add(dragon_boat)
    days.add(mid_autumn)
    days.update(_run(datetime.date(year, 10, 1), 3))
    return YearArrangement(
        year=year,
        holidays=frozenset(days),
        makeup_workdays=frozenset(),
        published=False,
    )


class WorkingDayCalendar:
    """The official working-day calendar (工作日) in Asia/Shanghai, with admin overrides.

    ``arrangements`` maps a year to its :class:`YearArrangement`; a year with none is
    treated as weekends-only and provisional. ``overrides`` maps a date to "is a working
    day" and wins over everything else.
    """

    def __init__(
        self,
        arrangements: Mapping[int, YearArrangement],
        overrides: Mapping[datetime.date, bool] | None = None,
    ) -> None:
        for year, arrangement in arrangements.items():
            if arrangement.year != year:
                raise ValueError(f"arrangement for {arrangement.year} filed under {year}")
        self._arrangements: Mapping[int, YearArrangement] = MappingProxyType(dict(arrangements))
        self._overrides: Mapping[datetime.date, bool] = MappingProxyType(dict(overrides or {}))

    def is_provisional_year(self, year: int) -> bool:
        """R0.4: no arrangement, or only the unpublished statutory fallback."""
        arrangement = self._arrangements.get(year)
        return arrangement is None or not arrangement.published

    def working_days_left(self, today: datetime.date, due_on: datetime.date) -> int:
        """Whole working days left after ``today`` through ``due_on`` ("剩余N个工作日");
        negative when overdue: minus the working days after ``due_on`` up to ``today``.

        Today never counts: once it has begun it is already running out, so the count is
        the same at 09:00 and at 23:00, and on the last day it is 0 (the period still ends
        at 24:00 that day, R0.1). The one rule every page, queue and API answer shows."""
        if today <= due_on:
            span = range(1, (due_on - today).days + 1)
            return sum(self.is_working_day(today + datetime.timedelta(days=i)) for i in span)
        span = range(1, (today - due_on).days + 1)
        return -sum(self.is_working_day(due_on + datetime.timedelta(days=i)) for i in span)

    def is_holiday(self, d: datetime.date) -> bool:
        """A public-holiday day off (not merely a weekend).

        An override wins: declared a working day → not a holiday; declared a day off on a
        Monday–Friday → a holiday (a day off that would otherwise be a working day).
        """
        override = self._overrides.get(d)
        if override is True:
            return False
        if override is False and not _is_weekend(d):
            return True
        arrangement = self._arrangements.get(d.year)
        return arrangement is not None and d in arrangement.holidays

    def is_working_day(self, d: datetime.date) -> bool:
        """R0.1: Mon–Fri unless a holiday; a weekend day only if a make-up workday (调休上班)."""
        override = self._overrides.get(d)
        if override is not None:
            return override
        arrangement = self._arrangements.get(d.year)
        if arrangement is None:
            return not _is_weekend(d)
        if d in arrangement.holidays:
            return False
        if _is_weekend(d):
            return d in arrangement.makeup_workdays
        return True

    def add_working_days(self, trigger: datetime.date, n: int) -> Deadline:
        """R0.1: the N-th working day after ``trigger`` (the trigger day is not counted).

        Provisional when any day examined, from ``trigger`` + 1 to the due day, lies in a
        provisional year (R0.4). ``n == 0`` yields ``trigger`` itself.
        """
        if n < 0:
            raise ValueError(f"working days must be >= 0, got {n}")
        d = trigger
        provisional = False
        remaining = n
        while remaining:
            d += _ONE_DAY
            provisional = provisional or self.is_provisional_year(d.year)
            if self.is_working_day(d):
                remaining -= 1
        return Deadline(due_on=d, provisional=provisional)

    def add_calendar_days(self, trigger: datetime.date, n: int) -> Deadline:
        """R0.2: ``trigger`` + N days; a last day that is not a working day moves on.

        Civil Code Art. 203 moves a last day falling on a 法定休假日 to the day after the
        rest ends; the Supreme People's Court has long read rest days to include the weekly
        rest day (民通意见 198: "星期日或者其他法定休假日"), and a make-up working Saturday
        (调休上班) is not a rest day. So the period ends on the first working day on or after
        ``trigger`` + N. Provisional when any day examined lies in a provisional year (R0.4).
        ``n == 0`` yields ``trigger`` itself, unmoved.
        """
        if n < 0:
            raise ValueError(f"calendar days must be >= 0, got {n}")
        d = trigger + datetime.timedelta(days=n)
        if n == 0:
            return Deadline(due_on=d, provisional=False)
        provisional = self.is_provisional_year(d.year)
        while not self.is_working_day(d):
            d += _ONE_DAY
            provisional = provisional or self.is_provisional_year(d.year)
        return Deadline(due_on=d, provisional=provisional)


def _shift_months(d: datetime.date, months: int) -> datetime.date:
    """``d`` moved by ``months`` (may be negative), clamped to the target month's last day."""
    year, month0 = divmod(d.year * 12 + (d.month - 1) + months, 12)
    next_year, next_month0 = divmod(year * 12 + month0 + 1, 12)
    last = (datetime.date(next_year, next_month0 + 1, 1) - _ONE_DAY).day
    return datetime.date(year, month0 + 1, min(d.day, last))


def add_term(start: datetime.date, *, years: int = 0, months: int = 0) -> datetime.date:
    """R0.3: the last day of a term of ``years`` + ``months`` counted from ``start`` inclusive.

    The term ends on (``start`` − 1 day) + the term, clamped to the month's last day
    (Civil Code Art. 202): 2026-03-10 + 2 years → 2028-03-09; 2024-02-29 + 2 years →
    2026-02-28; 2024-03-01 + 2 years → (2024-02-29 →) 2026-02-28.
    """
    if years < 0 or months < 0:
        raise ValueError(f"term must not be negative: years={years}, months={months}")
    if years == 0 and months == 0:
        raise ValueError("term must be at least one month")
    return _shift_months(start - _ONE_DAY, years * 12 + months)


def renewal_window(
    expiry: datetime.date, *, months: int = 1
) -> tuple[datetime.date, datetime.date]:
    """R0.3/R16: the window "within ``months`` before expiry", both ends inclusive.

    From the day after the same date ``months`` earlier (clamped to month end) up to the
    expiry date: expiry 2028-03-09 → (2028-02-10, 2028-03-09).
    """
    if months < 1:
        raise ValueError(f"renewal window must be at least one month, got {months}")
    return _shift_months(expiry, -months) + _ONE_DAY, expiry


def next_term_start(expiry: datetime.date) -> datetime.date:
    """R0.3/R16: a renewal's new term starts the day after the previous expiry."""
    return expiry + _ONE_DAY
