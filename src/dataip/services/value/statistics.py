"""Statistics of the register (R30, 登记统计): the monthly aggregates, their refresh, and the
figures the statistics page, the API, the CSV files and the annual report show.

**Pre-aggregated, refreshed daily.** Every figure is a sum over month rows (tables
``statistics_counts``, ``statistics_value``, ``statistics_durations``), so a page reads a few
hundred rows whatever the size of the register. `refresh` runs from `dataip tick` at most once
a day (Asia/Shanghai): it recomputes the months in which anything happened since the last
refresh (events after a watermark) plus the current and the previous month, from the raw rows;
`rebuild` (`dataip statistics rebuild`) recomputes every month. Why not in each event's
transaction: every approval would then update the same few month rows, a hot spot every
procedure step would queue on, and a mistake in a statistic could refuse a registration;
published statistics are a day old in every registry that publishes them. The current and
previous months are always recomputed because an event id is taken before its transaction
commits: one committed later with a smaller id than the watermark is still counted.

**What is counted, and when** (docs/statistics.md):

* an application in the month of its filing date (R7: the day the registry received it);
* a registration in the month of its registration date, with the industry and holders it was
  registered with (version 1): its GB/T 4754 section and division, the region (province) of
  its first holder's credit code, its data-source type (the registration number's fifth
  character, R5.6), and each of its holders by type (so the holder counts add up to holders,
  not registrations);
* value realised in the month a licence, trade or pledge was filed (G§22), as a count and the
  sum of the fees, prices and secured amounts in fen;
* a processing time in the month its later step happened, once per application: filing →
  acceptance (`ApplicationAccepted`), acceptance → examination decision (the first
  `ApplicationPublicised` or `ApplicationRefused`), decision → certificate (the first
  `CertificateIssued`), and filing → certificate, in working days (`dataip.value.statistics`).
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dataip.domain import numbering
from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES
from dataip.services.context import SHANGHAI, Env
from dataip.services.ports import UnitOfWork
from dataip.value import statistics as f

__all__ = [
    "Aggregates",
    "RefreshReport",
    "aggregate",
    "period",
    "rebuild",
    "refresh",
    "stored",
]

WATERMARK = "statistics:watermark"
REFRESHED_ON = "statistics:refreshed_on"  # the day (ordinal) of the last refresh
REFRESHED_AT = "statistics:refreshed_at"  # unix seconds
GENERATION = "statistics:generation"  # a new random number at every refresh: a cache key

# event type → the step it marks (the first of each per application counts)
_STEP_OF = {
    "ApplicationSubmitted": "filed",
    "ApplicationAccepted": "accepted",
    "ApplicationPublicised": "decided",
    "ApplicationRefused": "decided",
    "CertificateIssued": "certified",
}
# segment → (from step, to step)
SEGMENT_STEPS = {
    "accept": ("filed", "accepted"),
    "decide": ("accepted", "decided"),
    "certify": ("decided", "certified"),
    "overall": ("filed", "certified"),
}


@dataclass
class Aggregates:
    """The aggregate rows of some months: (month, measure, key, count), (month, kind, count,
    fen), (month, segment, days, count) — sorted, so two can be compared."""

    counts: list[tuple[str, str, str, int]]
    value: list[tuple[str, str, int, int]]
    durations: list[tuple[str, str, int, int]]


@dataclass
class RefreshReport:
    months: list[str]
    seconds: float
    skipped: bool = False


def _month_start(key: str) -> date:
    return date(int(key[:4]), int(key[5:7]), 1)


def _next_month(key: str) -> str:
    y, m = int(key[:4]), int(key[5:7])
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def _instant(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)


def _source_keys(env: Env) -> dict[str, str]:
    codes = env.profile.source_codes or numbering.DATA_SOURCE_CODES
    return {code: key for key, code in codes.items()}


def aggregate(uow: UnitOfWork, env: Env, months: list[str] | None) -> Aggregates:
    """The aggregate rows of ``months`` (a contiguous, sorted run; None: every month),
    computed from the raw rows. In a unit of work, not `env.read()`: the rows are streamed
    (yield_per), a server-side cursor on PostgreSQL, which needs a transaction."""
    first = _month_start(months[0]) if months else None
    end = _month_start(_next_month(months[-1])) if months else None
    counts: Counter[tuple[str, str, str]] = Counter()
    for day, n in uow.statistics.applications_filed(first, end):
        counts[(f.month_key(day), "applications", "")] += n
    industries = uow.statistics.industry_sections()
    sources = _source_keys(env)
    for day, number, industry, holders in uow.statistics.registrations_made(first, end):
        mo = f.month_key(day)
        counts[(mo, "registrations", "")] += 1
        known = industries.get(industry or "")
        counts[(mo, "section", known[1] if known else f.UNKNOWN)] += 1
        division = industry[:2] if industry and industry[:2].isdigit() else f.UNKNOWN
        counts[(mo, "division", division if division in industries else f.UNKNOWN)] += 1
        lead = holders[0] if holders else {}
        counts[(mo, "region", f.province_of(lead.get("credit_code"), PROVINCES))] += 1
        source = sources.get(number[4:5], f.UNKNOWN) if len(number) == 16 else f.UNKNOWN
        counts[(mo, "source", source)] += 1
        for h in holders:
            kind = f.holder_type(kind=h.get("kind"), credit_code=h.get("credit_code"))
            counts[(mo, "holder_type", kind)] += 1
    value: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for day, kind, n, fen in uow.statistics.filings_value(first, end):
        cell = value[(f.month_key(day), kind)]
        cell[0] += n
        cell[1] += fen
    durations = _durations(uow, env, months)
    return Aggregates(
        counts=sorted((mo, me, k, n) for (mo, me, k), n in counts.items()),
        value=sorted((mo, k, n, a) for (mo, k), (n, a) in value.items()),
        durations=sorted((mo, s, d, n) for (mo, s, d), n in durations.items()),
    )


def _durations(
    uow: UnitOfWork, env: Env, months: list[str] | None
) -> Counter[tuple[str, str, int]]:
    """Histogram rows (month, segment, working days) of the segments that ended in ``months``."""
    ids: list[int] | None = None
    if months is not None:
        since = _instant(_month_start(months[0]))
        until = _instant(_month_start(_next_month(months[-1])))
        ids = uow.statistics.applications_with_step_in(since, until)
        if not ids:
            return Counter()
    steps: dict[int, dict[str, date]] = defaultdict(dict)
    for app_id, type_, at in uow.statistics.step_events(ids):
        day = at.astimezone(SHANGHAI).date()
        step = steps[app_id]
        key = _STEP_OF[type_]
        if key not in step or day < step[key]:
            step[key] = day
    out: Counter[tuple[str, str, int]] = Counter()
    if not steps:
        return out
    days = [d for s in steps.values() for d in s.values()]
    index = f.WorkdayIndex(min(days), max(days), env.calendar().is_working_day)
    wanted = set(months) if months is not None else None
    for s in steps.values():
        for segment, (a, b) in SEGMENT_STEPS.items():
            if a in s and b in s:
                mo = f.month_key(s[b])
                if wanted is None or mo in wanted:
                    out[(mo, segment, index.between(s[a], s[b]))] += 1
    return out


def stored(uow: UnitOfWork, months: list[str] | None = None) -> Aggregates:
    """The aggregate rows as stored (of ``months``, or all), sorted like `aggregate`'s."""
    first, last = (months[0], months[-1]) if months else (None, None)
    return Aggregates(
        counts=sorted(uow.statistics.counts(first, last)),
        value=sorted(uow.statistics.value(first, last)),
        durations=sorted(uow.statistics.durations(first, last)),
    )


def rebuild(*, env: Env) -> RefreshReport:
    """Every month recomputed from the raw rows (`dataip statistics rebuild`)."""
    started = time.monotonic()
    with env.uow() as uow:
        newest = uow.statistics.newest_event_id()
        rows = aggregate(uow, env, None)
        uow.statistics.replace(None, counts=rows.counts, value=rows.value, durations=rows.durations)
        _mark(uow, env, newest)
        uow.commit()
        months = sorted({r[0] for r in rows.counts} | {r[0] for r in rows.durations})
    return RefreshReport(months=months, seconds=time.monotonic() - started)


def refresh(*, env: Env, force: bool = False) -> RefreshReport:
    """The daily refresh (`dataip tick`): the months with events since the last refresh, and
    the current and the previous month; nothing when it already ran today (unless ``force``)."""
    started = time.monotonic()
    today = env.today()
    with env.read() as uow:
        values = uow.values("statistics:")
    if not force and values.get(REFRESHED_ON) == today.toordinal():
        return RefreshReport(months=[], seconds=0.0, skipped=True)
    if WATERMARK not in values:  # never aggregated: every month, once
        return rebuild(env=env)
    with env.uow() as uow:
        newest, times = uow.statistics.events_after(values.get(WATERMARK, 0))
        this_month = f.month_key(today)
        dirty = {f.month_key(at.astimezone(SHANGHAI).date()) for at in times}
        dirty |= {this_month, f.month_key(today.replace(day=1) - timedelta(days=1))}
        months = f.month_range(min(dirty), max(dirty))
        rows = aggregate(uow, env, months)
        uow.statistics.replace(
            months, counts=rows.counts, value=rows.value, durations=rows.durations
        )
        _mark(uow, env, newest)
        uow.commit()
    return RefreshReport(months=months, seconds=time.monotonic() - started)


def _mark(uow: UnitOfWork, env: Env, watermark: int) -> None:
    uow.set_value(GENERATION, secrets.randbits(53))  # random: a restored or emptied database
    uow.set_value(WATERMARK, watermark)  # never meets a cache filled before it
    uow.set_value(REFRESHED_ON, env.today().toordinal())
    uow.set_value(REFRESHED_AT, int(env.now().timestamp()))


# --- the period a page or the API asks for ---------------------------------------------------


def _bad_period(zh: str, en: str) -> DomainError:
    return DomainError("invalid_period", zh, en, status=422)


def _month_arg(raw: str, name: str) -> str:
    text = raw.strip()
    if len(text) == 10:  # a date names its month
        text = text[:7]
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        raise _bad_period(
            f"{name} 的格式应为 YYYY-MM（或 YYYY-MM-DD）", f"{name} is YYYY-MM (or YYYY-MM-DD)"
        )
    if not (1 <= int(text[5:]) <= 12 and 2000 <= int(text[:4]) <= 2100):
        raise _bad_period(f"{name} 不是有效的月份", f"{name} is not a valid month")
    return text


def period(
    *, year: int | None = None, first: str | None = None, last: str | None = None
) -> tuple[str | None, str | None]:
    """(first month, last month) of ``year`` or of ``first``..``last`` (either may be open)."""
    if year is not None:
        if first or last:
            raise _bad_period("year 与 from/to 不能同时使用", "give year or from/to, not both")
        if not 2000 <= year <= 2100:
            raise _bad_period("年份无效（应为2000至2100年）", "not a valid year (2000–2100)")
        return f"{year:04d}-01", f"{year:04d}-12"
    a = _month_arg(first, "from") if first else None
    b = _month_arg(last, "to") if last else None
    if a and b and a > b:
        raise _bad_period("from 晚于 to", "from is after to")
    return a, b


def generation(uow: UnitOfWork) -> int:
    """Which refresh the stored aggregates are from (0: never refreshed)."""
    return int(uow.values(GENERATION).get(GENERATION, 0))


def refreshed_at(uow: UnitOfWork) -> datetime | None:
    at = uow.values("statistics:").get(REFRESHED_AT)
    return None if at is None else datetime.fromtimestamp(at, SHANGHAI)


def months_between(rows: Iterable[str], first: str | None, last: str | None) -> list[str]:
    """The months a trend shows: ``first``..``last`` where given, else the span of ``rows``."""
    keys = sorted(set(rows))
    lo = first or (keys[0] if keys else None)
    hi = last or (keys[-1] if keys else None)
    if lo is None or hi is None:
        return []
    return f.month_range(lo, hi)
