"""Repositories: the queries the services need, one class per aggregate."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo
from dataip.db.repositories.accounts import (
    Authorisations,
    Idempotency,
    LoginAttempts,
    Parties,
    Tokens,
    Users,
)
from dataip.db.repositories.applications import (
    Applications,
    AppParties,
    Deadlines,
    Notices,
    Objections,
    Versions,
)
from dataip.db.repositories.registrations import (
    Announcements,
    Certificates,
    Filings,
    RegistrationRequests,
    Registrations,
    RegistrationVersions,
)
from dataip.domain import model as m

__all__ = [
    "Announcements",
    "AppParties",
    "Applications",
    "Authorisations",
    "Blobs",
    "Calendar",
    "Certificates",
    "Deadlines",
    "Deposits",
    "Events",
    "Filings",
    "Idempotency",
    "Industries",
    "Ledger",
    "LoginAttempts",
    "Notices",
    "Objections",
    "Parties",
    "RegistrationRequests",
    "RegistrationVersions",
    "Registrations",
    "SamplePublications",
    "ScreeningJobs",
    "ScreeningReports",
    "Tokens",
    "Users",
    "Versions",
]


class Events(_Repo[m.Event]):
    cls = m.Event

    def for_subject(self, subject_type: str, subject_id: int) -> list[m.Event]:
        c = t.events.c
        stmt = sa.select(m.Event).where(c.subject_type == subject_type, c.subject_id == subject_id)
        return self._all(stmt.order_by(c.id))

    def count(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.count()).select_from(t.events)) or 0)


class Industries(_Repo[m.Industry]):
    cls = m.Industry

    def is_class(self, code: str) -> bool:
        row = self.get(code)
        return row is not None and row.level == "class"

    def count(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.count()).select_from(t.industries)) or 0)

    def search(
        self, *, q: str = "", level: str | None = None, parent: str | None = None, limit: int = 50
    ) -> list[m.Industry]:
        c = t.industries.c
        stmt = sa.select(m.Industry)
        if q:
            stmt = stmt.where(sa.or_(c.code.startswith(q), c.name.contains(q)))
        if level:
            stmt = stmt.where(c.level == level)
        if parent:
            stmt = stmt.where(c.parent == parent)
        return self._all(stmt.order_by(c.code).limit(limit))

    def replace_all(self, rows: Sequence[m.Industry]) -> None:
        self.s.execute(sa.delete(t.industries))
        self.s.execute(
            sa.insert(t.industries),
            [
                {
                    "code": r.code,
                    "level": r.level,
                    "name": r.name,
                    "parent": r.parent,
                    "section": r.section,
                    "edition": r.edition,
                }
                for r in rows
            ],
        )


class Calendar:
    def __init__(self, session: Session) -> None:
        self.s = session

    def overrides(self) -> list[m.CalendarOverride]:
        return list(self.s.scalars(sa.select(m.CalendarOverride)))

    def years(self) -> list[m.CalendarYear]:
        return list(self.s.scalars(sa.select(m.CalendarYear)))

    def get_override(self, day: date) -> m.CalendarOverride | None:
        return self.s.get(m.CalendarOverride, day)

    def get_year(self, year: int) -> m.CalendarYear | None:
        return self.s.get(m.CalendarYear, year)

    def add(self, obj: Any) -> Any:
        self.s.add(obj)
        return obj

    def delete(self, obj: Any) -> None:
        self.s.delete(obj)


class Blobs(_Repo[m.Blob]):
    """Uploads, one row per user and content (issue 18). There is deliberately no lookup by
    content alone for the services' forms: a file is always someone's."""

    cls = m.Blob

    def get(self, key: Any, *, for_update: bool = False) -> m.Blob | None:
        if not isinstance(key, int):  # a sha256 names content, not an upload: see owned()
            raise TypeError("Blobs.get takes an upload id; use owned(sha256, user_id)")
        return super().get(key, for_update=for_update)

    def owned(self, sha256: str, user_id: int | None) -> m.Blob | None:
        """The caller's own upload of these bytes, if any."""
        if user_id is None:
            return None
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256, c.uploaded_by == user_id)
        return self.s.scalars(stmt).first()

    def first_owned(self, sha256: str, user_ids: Sequence[int]) -> m.Blob | None:
        """These bytes as the first of `user_ids` (in that order) that uploaded them: a form's
        file as its author uploaded it."""
        if not user_ids:
            return None
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256, c.uploaded_by.in_(list(user_ids)))
        found = {b.uploaded_by: b for b in self.s.scalars(stmt)}
        return next((found[u] for u in user_ids if u in found), None)

    def earliest(self, sha256: str) -> m.Blob | None:
        """The first upload of these bytes — for the registry, which may read every upload."""
        c = t.blobs.c
        stmt = sa.select(m.Blob).where(c.sha256 == sha256).order_by(c.id).limit(1)
        return self.s.scalars(stmt).first()


class ScreeningReports(_Repo[m.ScreeningReport]):
    cls = m.ScreeningReport

    def many(self, shas: Sequence[str]) -> dict[str, m.ScreeningReport]:
        if not shas:
            return {}
        c = t.screening_reports.c
        stmt = sa.select(m.ScreeningReport).where(c.blob_sha256.in_(sorted(set(shas))))
        return {r.blob_sha256: r for r in self.s.scalars(stmt)}


class ScreeningJobs(_Repo[m.ScreeningJob]):
    """The queue of sample files to screen (issue 18). Claims are compare-and-set updates on
    wall-clock UTC times, so exactly one worker holds a file until its claim lapses."""

    cls = m.ScreeningJob

    def request(self, shas: Sequence[str], at: Any, by: int | None = None) -> None:
        """Queue each file not queued yet (a concurrent request of the same file is not an
        error: the insert does nothing)."""
        if not shas:
            return
        rows = [
            {"blob_sha256": sha, "requested_at": at, "attempts": 0, "requested_by": by}
            for sha in shas
        ]
        insert = (
            postgresql.insert if self.s.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        self.s.execute(insert(t.screening_jobs).values(rows).on_conflict_do_nothing())

    def queued(self, shas: Sequence[str]) -> dict[str, m.ScreeningJob]:
        if not shas:
            return {}
        c = t.screening_jobs.c
        stmt = sa.select(m.ScreeningJob).where(c.blob_sha256.in_(sorted(set(shas))))
        return {j.blob_sha256: j for j in self.s.scalars(stmt)}

    def claimable(self, now: Any, limit: int) -> list[str]:
        """Files no one holds (never claimed, or the claim lapsed): the oldest request first,
        and of files requested together the smallest first (a few rows of CSV are not kept
        waiting behind a large workbook)."""
        c, b = t.screening_jobs.c, t.blobs.c
        size = sa.select(sa.func.min(b.size)).where(b.sha256 == c.blob_sha256).scalar_subquery()
        stmt = (
            sa.select(c.blob_sha256)
            .where(sa.or_(c.claimed_until.is_(None), c.claimed_until < now))
            .order_by(c.requested_at, size, c.blob_sha256)
            .limit(limit)
        )
        return list(self.s.scalars(stmt))

    def claim(self, sha: str, holder: str, now: Any, until: Any) -> int | None:
        """Take the file if no one holds it; the number of this attempt, or None."""
        c = t.screening_jobs.c
        stmt = (
            sa.update(t.screening_jobs)
            .where(
                c.blob_sha256 == sha,
                sa.or_(c.claimed_until.is_(None), c.claimed_until < now),
            )
            .values(claimed_by=holder, claimed_until=until, attempts=c.attempts + 1)
            .returning(c.attempts)
        )
        row = self.s.execute(stmt).first()
        return None if row is None else int(row[0])

    def release(self, sha: str, holder: str, *, done: bool) -> None:
        """Done: remove the file from the queue. Otherwise give it back for another worker."""
        c = t.screening_jobs.c
        where = (c.blob_sha256 == sha, c.claimed_by == holder)
        if done:
            self.s.execute(sa.delete(t.screening_jobs).where(*where))
        else:
            self.s.execute(sa.update(t.screening_jobs).where(*where).values(claimed_until=None))


class SamplePublications(_Repo[m.SamplePublication]):
    cls = m.SamplePublication


class Deposits(_Repo[m.Deposit]):
    cls = m.Deposit

    def by_number(self, number: str) -> m.Deposit | None:
        return self.s.scalars(sa.select(m.Deposit).where(t.deposits.c.number == number)).first()

    def find(self, depositor_user_id: int, hash_name: str, root: str) -> m.Deposit | None:
        c = t.deposits.c
        stmt = sa.select(m.Deposit).where(
            c.depositor_user_id == depositor_user_id, c.hash == hash_name, c.root == root
        )
        return self.s.scalars(stmt).first()

    def for_user(self, user_id: int, *, limit: int = 100) -> list[m.Deposit]:
        c = t.deposits.c
        stmt = sa.select(m.Deposit).where(c.depositor_user_id == user_id)
        return self._all(stmt.order_by(c.id.desc()).limit(limit))


@functools.lru_cache(maxsize=256)
def _probe_sql(terms: int, mark: str) -> str:
    """OR of (level = ? AND idx = ?), one index probe per term on both backends. Plain SQL,
    cached by size: building the same expression with SQLAlchemy cost more than the query
    (and a row-value IN makes SQLite scan the whole table)."""
    probe = f"(level = {mark} AND idx = {mark})"
    return "SELECT level, idx, hash FROM log_nodes WHERE " + " OR ".join([probe] * terms)


class Ledger:
    """The transparency log's storage: the leaf outbox, full-subtree hashes, checkpoints.

    Plain Core statements in bulk (executemany): the integrator writes thousands of rows per
    second and the ORM's unit-of-work bookkeeping would be most of the cost.
    """

    SIZE_COUNTER = "log_size"

    def __init__(self, session: Session) -> None:
        self.s = session
        self._later: list[tuple[m.Event, Callable[[m.Event], bytes]]] = []

    # --- outbox ---------------------------------------------------------------------------
    def stage(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Insert (event_id, leaf) rows now."""
        if rows:
            self.s.execute(
                sa.insert(t.log_entries), [{"event_id": e, "leaf": leaf} for e, leaf in rows]
            )

    def stage_later(self, event: m.Event, leaf_of: Callable[[m.Event], bytes]) -> None:
        """Stage an event's leaf at commit, once the event has its id: one flush and one
        multi-row insert per transaction instead of a flush and an insert per event."""
        self._later.append((event, leaf_of))

    def write_staged(self) -> None:
        """Called by the unit of work just before it commits (same transaction)."""
        if not self._later:
            return
        later, self._later = self._later, []
        self.s.flush()
        self.stage([(event.id, leaf_of(event)) for event, leaf_of in later])

    def pending(self, limit: int) -> list[tuple[int, bytes]]:
        c = t.log_entries.c
        stmt = (
            sa.select(c.event_id, c.leaf).where(c.idx.is_(None)).order_by(c.event_id).limit(limit)
        )
        return [(int(r[0]), bytes(r[1])) for r in self.s.execute(stmt)]

    def pending_count(self) -> int:
        c = t.log_entries.c
        stmt = sa.select(sa.func.count()).select_from(t.log_entries).where(c.idx.is_(None))
        return int(self.s.scalar(stmt) or 0)

    def events_without_leaf(self, *, after_id: int = 0, limit: int = 1000) -> list[m.Event]:
        e, le = t.events.c, t.log_entries.c
        missing = ~sa.exists().where(le.event_id == e.id)
        stmt = sa.select(m.Event).where(e.id > after_id, missing).order_by(e.id).limit(limit)
        return list(self.s.scalars(stmt))

    def assign(self, rows: Sequence[tuple[int, int]]) -> None:
        """Give staged leaves their log indices: (event_id, idx) pairs."""
        if not rows:
            return
        c = t.log_entries.c
        stmt = (
            sa.update(t.log_entries)
            .where(c.event_id == sa.bindparam("eid"), c.idx.is_(None))
            .values(idx=sa.bindparam("new_idx"))
        )
        self.s.connection().execute(stmt, [{"eid": e, "new_idx": i} for e, i in rows])

    # --- tree -----------------------------------------------------------------------------
    def size(self) -> int:
        c = t.counters.c
        value = self.s.scalar(sa.select(c.value).where(c.name == self.SIZE_COUNTER))
        return int(value or 0)

    def advance(self, old: int, new: int) -> bool:
        """Compare-and-swap the integrated tree size; False if another integrator moved it.

        Done first in an integrator's transaction: on PostgreSQL the row lock makes a second
        integrator wait here, then fail the comparison, before it writes anything."""
        c = t.counters.c
        stmt = (
            sa.update(t.counters)
            .where(c.name == self.SIZE_COUNTER, c.value == old)
            .values(value=new)
        )
        if self.s.execute(stmt).rowcount:  # type: ignore[attr-defined]
            return True
        if old != 0:
            return False
        try:
            with self.s.begin_nested():
                self.s.execute(sa.insert(t.counters).values(name=self.SIZE_COUNTER, value=new))
            return True
        except IntegrityError:
            return False

    def add_nodes(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        if nodes:
            self.s.connection().execute(
                sa.insert(t.log_nodes),
                [{"level": lv, "idx": i, "hash": h} for lv, i, h in nodes],
            )

    def hash_at(self, level: int, index: int) -> bytes | None:
        c = t.log_nodes.c
        value = self.s.scalar(sa.select(c.hash).where(c.level == level, c.idx == index))
        return None if value is None else bytes(value)

    def hashes(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Many full-subtree hashes in one round trip (what a proof needs)."""
        wanted = sorted(set(pairs))
        if not wanted:
            return {}
        conn = self.s.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        params = tuple(x for pair in wanted for x in pair)
        rows = conn.exec_driver_sql(_probe_sql(len(wanted), mark), params)
        return {(int(r[0]), int(r[1])): bytes(r[2]) for r in rows}

    def level_range(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]:
        """Hashes at one level with start <= idx < end, in order."""
        c = t.log_nodes.c
        stmt = (
            sa.select(c.idx, c.hash)
            .where(c.level == level, c.idx >= start, c.idx < end)
            .order_by(c.idx)
        )
        return [(int(r[0]), bytes(r[1])) for r in self.s.execute(stmt)]

    # --- entries --------------------------------------------------------------------------
    def entries(self, start: int, end: int) -> list[tuple[int, int, bytes]]:
        """(idx, event_id, leaf) for start <= idx < end, in order."""
        c = t.log_entries.c
        stmt = (
            sa.select(c.idx, c.event_id, c.leaf).where(c.idx >= start, c.idx < end).order_by(c.idx)
        )
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in self.s.execute(stmt)]

    def index_of_event(self, event_id: int) -> int | None:
        c = t.log_entries.c
        value = self.s.scalar(sa.select(c.idx).where(c.event_id == event_id))
        return None if value is None else int(value)

    def indices_of_events(self, event_ids: Sequence[int]) -> dict[int, int]:
        if not event_ids:
            return {}
        c = t.log_entries.c
        stmt = sa.select(c.event_id, c.idx).where(
            c.event_id.in_(list(event_ids)), c.idx.is_not(None)
        )
        return {int(r[0]): int(r[1]) for r in self.s.execute(stmt)}

    def events(self, ids: Sequence[int]) -> dict[int, m.Event]:
        if not ids:
            return {}
        stmt = sa.select(m.Event).where(t.events.c.id.in_(list(ids)))
        return {e.id: e for e in self.s.scalars(stmt)}

    # --- checkpoints ----------------------------------------------------------------------
    def add_checkpoint(self, size: int, root_hash: bytes, note: str, at: Any) -> None:
        self.s.execute(
            sa.insert(t.log_checkpoints).values(
                size=size, root_hash=root_hash, note=note, created_at=at
            )
        )

    def latest_checkpoint(self) -> tuple[int, bytes, str] | None:
        c = t.log_checkpoints.c
        row = self.s.execute(
            sa.select(c.size, c.root_hash, c.note).order_by(c.size.desc()).limit(1)
        ).first()
        return None if row is None else (int(row[0]), bytes(row[1]), str(row[2]))

    def checkpoints(
        self, *, above: int | None = None, upto: int | None = None
    ) -> list[tuple[int, bytes, str]]:
        """Stored checkpoints with above < size <= upto, by size."""
        c = t.log_checkpoints.c
        stmt = sa.select(c.size, c.root_hash, c.note).order_by(c.size)
        if above is not None:
            stmt = stmt.where(c.size > above)
        if upto is not None:
            stmt = stmt.where(c.size <= upto)
        return [(int(r[0]), bytes(r[1]), str(r[2])) for r in self.s.execute(stmt)]

    def latest_states(self, subject_type: str) -> list[tuple[int, int, str]]:
        """(subject id, event id, public "state") of each subject's latest event naming a state."""
        e = t.events.c
        state = e.public["state"].as_string()
        last = (
            sa.select(sa.func.max(e.id).label("eid"))
            .where(e.subject_type == subject_type, state.is_not(None))
            .group_by(e.subject_id)
            .subquery()
        )
        stmt = (
            sa.select(e.subject_id, e.id, state)
            .join(last, last.c.eid == e.id)
            .order_by(e.subject_id)
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in self.s.execute(stmt)]

    def application_states(self) -> dict[int, str]:
        c = t.applications.c
        return {int(r[0]): str(r[1]) for r in self.s.execute(sa.select(c.id, c.state))}

    def registration_states(self) -> dict[int, str]:
        c = t.registrations.c
        return {int(r[0]): str(r[1]) for r in self.s.execute(sa.select(c.id, c.state))}
