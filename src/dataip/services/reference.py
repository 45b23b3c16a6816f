"""Reference data the registry keeps: the GB/T 4754 industry table and the working-day
calendar's published arrangements and overrides (R0.4)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from importlib import resources
from typing import Any

from dataip.domain import model as m
from dataip.domain.calendar import Deadline, WorkingDayCalendar, YearArrangement
from dataip.domain.errors import DomainError
from dataip.services.context import Env, Identity
from dataip.services.recompute import recompute_provisional
from dataip.services.recording import commitment, due_date, record_event
from dataip.services.workdays import build_calendar

INDUSTRY_LEVELS = ("section", "division", "group", "class")
_CODE = re.compile(r"^[A-Z0-9]{1,8}$")
_SECTION = re.compile(r"^[A-Z]$")
DEFAULT_EDITION = "GB/T 4754-2017"


def parse_industry_csv(text: str, *, edition: str) -> list[m.Industry]:
    """Parse `code, level, name, parent, section` rows; every problem is reported at once."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames, records = reader.fieldnames, list(reader)
    except csv.Error as e:  # e.g. a field over the csv module's size limit
        raise DomainError(
            "invalid_industry_table",
            "行业表不是有效的 CSV 文件",
            f"the table is not a valid CSV file: {e}",
            status=422,
        ) from None
    need = {"code", "level", "name", "parent", "section"}
    if fieldnames is None or not need <= set(fieldnames):
        raise DomainError(
            "invalid_industry_table",
            "行业表须包含 code, level, name, parent, section 列",
            "the table needs columns code, level, name, parent, section",
            status=422,
        )
    rows: list[m.Industry] = []
    errors: list[str] = []
    codes: set[str] = set()
    for i, r in enumerate(records, start=2):
        code, level = (r["code"] or "").strip(), (r["level"] or "").strip()
        name, section = (r["name"] or "").strip(), (r["section"] or "").strip()
        if (
            not _CODE.fullmatch(code)
            or level not in INDUSTRY_LEVELS
            or not name
            or len(name) > 200
            or any(ch < " " or ch == "\x7f" for ch in name)  # control characters, NUL
            or not _SECTION.fullmatch(section)
        ):
            errors.append(f"line {i}: bad code/level/name/section")
            continue
        if code in codes:
            errors.append(f"line {i}: duplicate code {code}")
            continue
        codes.add(code)
        rows.append(
            m.Industry(
                code=code,
                level=level,
                name=name,
                parent=(r["parent"] or "").strip() or None,
                section=section,
                edition=edition,
            )
        )
    orphans = [x.code for x in rows if x.parent and x.parent not in codes]
    errors += [f"code {c}: parent not in table" for c in orphans[:20]]
    if not any(x.level == "class" for x in rows):
        errors.append("no class-level rows")
    if errors:
        raise DomainError(
            "invalid_industry_table",
            "行业表有误",
            "the industry table is invalid",
            status=422,
            details={"errors": errors[:50]},
        )
    return rows


def shipped_industry_csv() -> str:
    return resources.files("dataip.data").joinpath("gbt4754-2017.csv").read_text("utf-8")


def load_industries(
    identity: Identity, *, env: Env, text: str | None = None, edition: str = DEFAULT_EDITION
) -> int:
    """Replace the industry table (an admin loads a newer official table; no code change)."""
    if text is not None:
        identity.require_admin()
    rows = parse_industry_csv(text if text is not None else shipped_industry_csv(), edition=edition)
    with env.uow() as uow:
        uow.industries.replace_all(rows)
        record_event(
            uow,
            subject_type="reference",
            subject_id=0,
            type="IndustryTableLoaded",
            at=env.now(),
            actor_user_id=identity.user_id,
            public={"edition": edition, "rows": len(rows)},
        )
        uow.commit()
    env.forget_remembered()  # the industries kept by industries_at and matching among them
    return len(rows)


def search_industries(
    *, env: Env, q: str = "", level: str | None = None, parent: str | None = None, limit: int = 50
) -> list[m.Industry]:
    if level is not None and level not in INDUSTRY_LEVELS:
        raise DomainError(
            "invalid_level", f"无效的层级：{level}", f"invalid level: {level}", status=422
        )
    with env.uow() as uow:
        return uow.industries.search(
            q=q.strip()[:50], level=level, parent=parent, limit=max(1, min(limit, 500))
        )


def industry_name(*, env: Env, code: str | None) -> str:
    """The GB/T 4754 name of a code (``""`` for none or an unknown code): pages show
    ``5411 城市公共交通运输``, never the bare code."""
    if not code:
        return ""
    with env.read() as uow:
        row = uow.industries.get(code)
    return row.name if row is not None else ""


INDUSTRIES_KEPT_SECONDS = 60.0


def industries_at(*, env: Env, level: str) -> list[m.Industry]:
    """Every industry of one level (GB/T 4754-2017 has 1,382 classes), in code order: the
    form's picker and the search page's filter. Kept by each process for
    `INDUSTRIES_KEPT_SECONDS`: the table changes once an edition (`load_industries`, which
    forgets it in its own process; the others see a new table within that time), and the
    search page read its sections and divisions — 117 rows — on every request."""
    if level not in INDUSTRY_LEVELS:
        raise DomainError(
            "invalid_level", f"无效的层级：{level}", f"invalid level: {level}", status=422
        )

    def read() -> list[m.Industry]:
        with env.read() as uow:
            return uow.industries.search(level=level, limit=10_000)

    return list(env.remembered(f"industries:{level}", None, read, ttl=INDUSTRIES_KEPT_SECONDS))


# --- calendar --------------------------------------------------------------------------------


CALENDAR_GENERATION = "calendar:generation"  # counter: one more at every calendar change


def calendar_generation(uow_factory: Any) -> int:
    """How many times the calendar was changed (0 before the first): a cheap read that tells
    each process when to reload it."""
    with uow_factory() as uow:
        return int(uow.values(CALENDAR_GENERATION).get(CALENDAR_GENERATION, 0))


def calendar_from_db(uow_factory: Any) -> WorkingDayCalendar:
    """The calendar the registry uses: chinese-calendar's published years, the statutory
    fallback for the rest, years an admin loaded, and admin overrides on top."""
    with uow_factory() as uow:
        overrides = {o.day: o.is_working_day for o in uow.calendar.overrides()}
        extra = {
            y.year: YearArrangement(
                year=y.year,
                holidays=frozenset(date.fromisoformat(d) for d in y.holidays),
                makeup_workdays=frozenset(date.fromisoformat(d) for d in y.makeup_workdays),
                published=True,
            )
            for y in uow.calendar.years()
        }
    return build_calendar(overrides=overrides, extra=extra)


def set_override(
    identity: Identity, *, env: Env, day: date, is_working_day: bool, note: str
) -> None:
    uid = identity.require_admin()
    if not note.strip():
        raise DomainError(
            "missing_fields",
            "请说明调整依据",
            "give the basis for the override",
            status=422,
            details={"fields": ["note"]},
        )
    with env.uow() as uow:
        row = uow.calendar.get_override(day)
        if row is None:
            uow.calendar.add(
                m.CalendarOverride(
                    day=day,
                    is_working_day=is_working_day,
                    note=note.strip(),
                    created_at=env.now(),
                    created_by=uid,
                )
            )
        else:
            row.is_working_day, row.note = is_working_day, note.strip()
        record_event(
            uow,
            subject_type="reference",
            subject_id=0,
            type="CalendarOverrideSet",
            at=env.now(),
            actor_user_id=uid,
            public={"day": day.isoformat(), "is_working_day": is_working_day},
            private={"note": commitment(note.strip())} if note.strip() else None,
        )
        uow.next_value(CALENDAR_GENERATION)  # every process reloads it
        uow.commit()
    env.invalidate_calendar()


def load_year(
    identity: Identity,
    *,
    env: Env,
    year: int,
    holidays: list[date],
    makeup_workdays: list[date],
    source: str,
) -> int:
    """Load a year's State Council arrangement; provisional deadlines are then recomputed."""
    uid = identity.require_admin()
    try:
        YearArrangement(
            year=year,
            holidays=frozenset(holidays),
            makeup_workdays=frozenset(makeup_workdays),
            published=True,
        )
    except ValueError as e:
        raise DomainError(
            "invalid_arrangement", "节假日安排有误", f"invalid arrangement: {e}", status=422
        ) from None
    with env.uow() as uow:
        row = uow.calendar.get_year(year)
        hol = sorted(d.isoformat() for d in holidays)
        mk = sorted(d.isoformat() for d in makeup_workdays)
        if row is None:
            uow.calendar.add(
                m.CalendarYear(
                    year=year, holidays=hol, makeup_workdays=mk, loaded_at=env.now(), source=source
                )
            )
        else:
            row.holidays, row.makeup_workdays, row.source = hol, mk, source
            row.loaded_at = env.now()
        record_event(
            uow,
            subject_type="reference",
            subject_id=0,
            type="CalendarYearLoaded",
            at=env.now(),
            actor_user_id=uid,
            public={"year": year},
            private={"source": commitment(source)},  # free text: committed, not published
        )
        uow.next_value(CALENDAR_GENERATION)  # every process reloads it
        uow.commit()
    return recompute_provisional(env=env)


def due_date_for_day(*, env: Env, period: str, trigger: date) -> Deadline:
    """The due date of a profile period triggered on a day (R0), for checking by hand."""
    if period not in env.profile.periods:
        raise DomainError(
            "unknown_period",
            f"未知的期限：{period}",
            f"unknown period: {period}",
            status=422,
            details={"periods": sorted(env.profile.periods)},
        )
    try:
        return due_date(env, period, datetime.combine(trigger, time(12), tzinfo=env.now().tzinfo))
    except OverflowError:  # counting days off the end of the calendar (year 9999)
        raise DomainError(
            "date_out_of_range",
            "日期超出可计算的范围",
            "the date is outside the range deadlines can be computed for",
            status=422,
        ) from None
