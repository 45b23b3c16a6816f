"""Statistics (R30): the raw rows a refresh aggregates, the monthly aggregates it writes and
the pages read, and the registry's typical cases (JS25§10).

Contracts the services rely on:

* the raw reads take a half-open range of days (or of instants, for events) and return only
  what happened in it, so that a month's aggregates depend on that month's rows alone;
* ``replace`` deletes every aggregate row of the given months and inserts the new ones in the
  caller's transaction: readers see the old month or the new one, never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t

#: The event types a processing time is measured between (services/value/statistics.py).
APPLICATION_STEPS = (
    "ApplicationSubmitted",
    "ApplicationAccepted",
    "ApplicationPublicised",
    "ApplicationRefused",
)
CERTIFICATE_ISSUED = "CertificateIssued"

_CHUNK = 500


@dataclass(frozen=True)
class TypicalCase:
    id: int
    registration_id: int
    registration_number: str
    name: str
    industry_code: str | None
    year: int
    title: str
    text: str
    created_at: datetime


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class Statistics:
    """Tables `statistics_counts`, `statistics_value`, `statistics_durations`,
    `typical_cases`; reads of `registrations`, `registration_versions`, `applications`,
    `filings` and `events` for the refresh."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- raw rows ---------------------------------------------------------------------------
    def registrations_made(
        self, first: date | None, end: date | None
    ) -> Iterator[tuple[date, str, str | None, list[dict[str, Any]]]]:
        """(registration date, number, industry, holders) of the registrations made in
        [first, end), as registered: the first version's industry and holders (a later change
        or transfer does not move a registration between the months' dimensions)."""
        r, v = t.registrations.c, t.registration_versions.c
        stmt = sa.select(r.registration_date, r.registration_number, v.industry_code, v.holders)
        stmt = stmt.join_from(
            t.registrations,
            t.registration_versions,
            sa.and_(v.registration_id == r.id, v.number == 1),
        )
        if first is not None:
            stmt = stmt.where(r.registration_date >= first)
        if end is not None:
            stmt = stmt.where(r.registration_date < end)
        for row in self.s.execute(stmt, execution_options={"yield_per": 5000}):
            yield row[0], row[1], row[2], list(row[3] or [])

    def applications_filed(self, first: date | None, end: date | None) -> list[tuple[date, int]]:
        """(filing date, applications filed that day) in [first, end) (R7)."""
        c = t.applications.c
        stmt = sa.select(c.filing_date, sa.func.count()).where(c.filing_date.is_not(None))
        if first is not None:
            stmt = stmt.where(c.filing_date >= first)
        if end is not None:
            stmt = stmt.where(c.filing_date < end)
        return [(d, int(n)) for d, n in self.s.execute(stmt.group_by(c.filing_date))]

    def filings_value(
        self, first: date | None, end: date | None
    ) -> list[tuple[date, str, int, int]]:
        """(day filed, kind, how many, the sum of their amounts in fen) in [first, end):
        licence fees, trade prices, pledges' secured amounts (G§22)."""
        c = t.filings.c
        amount = sa.case(
            (c.kind == "licence", c.details["fee_fen"].as_integer()),
            (c.kind == "trade", c.details["price_fen"].as_integer()),
            (c.kind == "pledge", c.details["secured_amount_fen"].as_integer()),
            else_=None,
        )
        stmt = sa.select(
            c.filed_on, c.kind, sa.func.count(), sa.func.sum(sa.func.coalesce(amount, 0))
        )
        if first is not None:
            stmt = stmt.where(c.filed_on >= first)
        if end is not None:
            stmt = stmt.where(c.filed_on < end)
        stmt = stmt.group_by(c.filed_on, c.kind)
        return [(d, str(k), int(n), int(a or 0)) for d, k, n, a in self.s.execute(stmt)]

    def applications_with_step_in(self, since: datetime, until: datetime) -> list[int]:
        """The applications one of whose measured steps happened in [since, until)."""
        e, r = t.events.c, t.registrations.c
        own = sa.select(e.subject_id).where(
            e.type.in_(APPLICATION_STEPS[1:]),
            e.subject_type == "application",
            e.occurred_at >= since,
            e.occurred_at < until,
        )
        certified = (
            sa.select(r.application_id)
            .join_from(t.events, t.registrations, r.id == e.subject_id)
            .where(
                e.type == CERTIFICATE_ISSUED,
                e.subject_type == "certificate",
                e.occurred_at >= since,
                e.occurred_at < until,
            )
        )
        return sorted({int(i) for (i,) in self.s.execute(sa.union(own, certified))})

    def step_events(self, application_ids: Sequence[int] | None) -> Iterator[tuple[int, str, Any]]:
        """(application id, event type, when) of every measured step of these applications
        (None: of every application) — a certificate's issuance under its application."""
        e, r = t.events.c, t.registrations.c
        own = sa.select(e.subject_id, e.type, e.occurred_at).where(
            e.type.in_(APPLICATION_STEPS), e.subject_type == "application"
        )
        certified = (
            sa.select(r.application_id, e.type, e.occurred_at)
            .join_from(t.events, t.registrations, r.id == e.subject_id)
            .where(e.type == CERTIFICATE_ISSUED, e.subject_type == "certificate")
        )
        if application_ids is None:
            for stmt in (own, certified):
                for row in self.s.execute(stmt, execution_options={"yield_per": 10000}):
                    yield row[0], row[1], row[2]
            return
        # By subject, with no condition on the type (filtered here): a type condition leads
        # SQLite's planner to the (type, occurred_at) index and a scan of every such event per
        # chunk (bench/registry_statistics.py: 108 s for two months at a million on SQLite).
        by_subject_own = sa.select(e.subject_id, e.type, e.occurred_at).where(
            e.subject_type == "application"
        )
        by_subject_cert = (
            sa.select(r.application_id, e.type, e.occurred_at)
            .join_from(t.registrations, t.events, r.id == e.subject_id)
            .where(e.subject_type == "certificate")
        )
        wanted = {*APPLICATION_STEPS, CERTIFICATE_ISSUED}
        for ids in _chunks(application_ids):
            for stmt in (
                by_subject_own.where(e.subject_id.in_(ids)),
                by_subject_cert.where(r.application_id.in_(ids)),
            ):
                for row in self.s.execute(stmt):
                    if row[1] in wanted:
                        yield row[0], row[1], row[2]

    def newest_event_id(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.max(t.events.c.id))) or 0)

    def events_after(self, event_id: int) -> tuple[int, list[datetime]]:
        """(the newest event id, the times of the events after ``event_id``)."""
        c = t.events.c
        newest = self.newest_event_id()
        times = [a for (a,) in self.s.execute(sa.select(c.occurred_at).where(c.id > event_id))]
        return newest, times

    def industry_sections(self, levels: Sequence[str] = ()) -> dict[str, tuple[str, str]]:
        """code → (name, section letter) of the industries (GB/T 4754) of ``levels`` (all)."""
        c = t.industries.c
        stmt = sa.select(c.code, c.name, c.section)
        if levels:
            stmt = stmt.where(c.level.in_(levels))
        return {str(code): (str(name), str(sec)) for code, name, sec in self.s.execute(stmt)}

    # --- aggregates -------------------------------------------------------------------------
    def replace(
        self,
        months: Iterable[str] | None,
        *,
        counts: Iterable[tuple[str, str, str, int]],
        value: Iterable[tuple[str, str, int, int]],
        durations: Iterable[tuple[str, str, int, int]],
    ) -> None:
        """Replace the aggregates of ``months`` (None: all of them) by these rows."""
        tables = (t.statistics_counts, t.statistics_value, t.statistics_durations)
        wanted = None if months is None else sorted(set(months))
        for table in tables:
            if wanted is None:
                self.s.execute(sa.delete(table))
            else:
                for part in range(0, len(wanted), _CHUNK):
                    chunk = wanted[part : part + _CHUNK]
                    self.s.execute(sa.delete(table).where(table.c.month.in_(chunk)))
        rows_of = {
            t.statistics_counts: [
                {"month": mo, "measure": me, "key": k, "count": n} for mo, me, k, n in counts
            ],
            t.statistics_value: [
                {"month": mo, "kind": k, "count": n, "amount_fen": a} for mo, k, n, a in value
            ],
            t.statistics_durations: [
                {"month": mo, "segment": sg, "days": d, "count": n} for mo, sg, d, n in durations
            ],
        }
        for table, rows in rows_of.items():
            for part in range(0, len(rows), 5000):
                self.s.execute(sa.insert(table), rows[part : part + 5000])

    def _range(self, table: sa.Table, first: str | None, last: str | None) -> sa.Select[Any]:
        stmt = sa.select(table)
        if first is not None:
            stmt = stmt.where(table.c.month >= first)
        if last is not None:
            stmt = stmt.where(table.c.month <= last)
        return stmt

    def _where(self, stmt: Any, table: sa.Table, first: str | None, last: str | None) -> Any:
        if first is not None:
            stmt = stmt.where(table.c.month >= first)
        if last is not None:
            stmt = stmt.where(table.c.month <= last)
        return stmt

    def count_totals(self, first: str | None, last: str | None) -> list[tuple[str, str, int]]:
        """(measure, key, count) summed over the months in [first, last]: the database adds
        up the months, the page reads a row per dimension value."""
        c = t.statistics_counts.c
        stmt = sa.select(c.measure, c.key, sa.func.sum(c.count)).group_by(c.measure, c.key)
        rows = self.s.execute(self._where(stmt, t.statistics_counts, first, last))
        return [(str(me), str(k), int(n)) for me, k, n in rows]

    def monthly_counts(self, first: str | None, last: str | None) -> list[tuple[str, str, int]]:
        """(month, measure, count) of the plain totals (applications, registrations)."""
        c = t.statistics_counts.c
        stmt = sa.select(c.month, c.measure, c.count).where(c.key == "")
        rows = self.s.execute(self._where(stmt, t.statistics_counts, first, last))
        return [(str(mo), str(me), int(n)) for mo, me, n in rows]

    def duration_totals(self, first: str | None, last: str | None) -> list[tuple[str, int, int]]:
        """(segment, working days, count) summed over the months in [first, last]."""
        c = t.statistics_durations.c
        stmt = sa.select(c.segment, c.days, sa.func.sum(c.count)).group_by(c.segment, c.days)
        rows = self.s.execute(self._where(stmt, t.statistics_durations, first, last))
        return [(str(sg), int(d), int(n)) for sg, d, n in rows]

    def counts(self, first: str | None, last: str | None) -> list[tuple[str, str, str, int]]:
        """(month, measure, key, count) of the months in [first, last] (inclusive keys)."""
        rows = self.s.execute(self._range(t.statistics_counts, first, last))
        return [(str(mo), str(me), str(k), int(n)) for mo, me, k, n in rows]

    def value(self, first: str | None, last: str | None) -> list[tuple[str, str, int, int]]:
        rows = self.s.execute(self._range(t.statistics_value, first, last))
        return [(str(mo), str(k), int(n), int(a)) for mo, k, n, a in rows]

    def durations(self, first: str | None, last: str | None) -> list[tuple[str, str, int, int]]:
        rows = self.s.execute(self._range(t.statistics_durations, first, last))
        return [(str(mo), str(sg), int(d), int(n)) for mo, sg, d, n in rows]

    def months(self) -> tuple[str | None, str | None]:
        """The first and last month with any counted fact."""
        c = t.statistics_counts.c
        row = self.s.execute(sa.select(sa.func.min(c.month), sa.func.max(c.month))).one()
        return row[0], row[1]

    # --- typical cases ----------------------------------------------------------------------
    def add_case(
        self,
        *,
        registration_id: int,
        year: int,
        title: str,
        text: str,
        at: datetime,
        by: int | None,
    ) -> int:
        new_id = self.s.scalar(
            sa.insert(t.typical_cases)
            .returning(t.typical_cases.c.id)
            .values(
                registration_id=registration_id,
                year=year,
                title=title,
                text=text,
                created_at=at,
                created_by=by,
            )
        )
        return int(new_id)

    def remove_case(self, case_id: int) -> bool:
        c = t.typical_cases.c
        result = self.s.execute(sa.delete(t.typical_cases).where(c.id == case_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def cases(self, year: int | None = None, case_id: int | None = None) -> list[TypicalCase]:
        c, r = t.typical_cases.c, t.registrations.c
        stmt = sa.select(
            c.id,
            c.registration_id,
            r.registration_number,
            r.name,
            r.industry_code,
            c.year,
            c.title,
            c.text,
            c.created_at,
        ).join_from(t.typical_cases, t.registrations, r.id == c.registration_id)
        if year is not None:
            stmt = stmt.where(c.year == year)
        if case_id is not None:
            stmt = stmt.where(c.id == case_id)
        rows = self.s.execute(stmt.order_by(c.year, c.id))
        return [TypicalCase(*row) for row in rows]
