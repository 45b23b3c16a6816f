"""Applications (登记申请) and their parts: the application itself and the work lists over it
(the holder's, the workbench's, the same subject filed twice); its joint applicants (G§5); the
frozen versions of its form (R5: the submission and each correction); its deadlines (R0, G§12,
G§14 publicity) and what `tick` takes from them; the notices served on it (电子送达, G§11); and
the objections raised during its publicity (G§15)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo, read_memo
from dataip.domain import model as m


class Applications(_Repo[m.Application]):
    cls = m.Application

    def page(
        self,
        *,
        ids: Iterable[int] | None = None,
        states: Iterable[str] | None = None,
        after_id: int = 0,
        limit: int = 50,
    ) -> list[m.Application]:
        c = t.applications.c
        stmt = sa.select(m.Application).where(c.id > after_id)
        if ids is not None:
            stmt = stmt.where(c.id.in_(list(ids)))
        if states is not None:
            stmt = stmt.where(c.state.in_(list(states)))
        return self._all(stmt.order_by(c.id).limit(limit))

    def for_holder(
        self,
        *,
        user_id: int,
        party_ids: Iterable[int],
        states: Iterable[str] | None,
        after_id: int,
        limit: int,
    ) -> list[m.Application]:
        """Applications the user filed or that name one of the parties it acts for."""
        c, ap = t.applications.c, t.application_parties.c
        sub = sa.select(ap.application_id).where(ap.party_id.in_(list(party_ids)))
        stmt = sa.select(m.Application).where(
            c.id > after_id, sa.or_(c.filer_user_id == user_id, c.id.in_(sub))
        )
        if states is not None:
            stmt = stmt.where(c.state.in_(list(states)))
        return self._all(stmt.order_by(c.id).limit(limit))

    def same_subject(
        self,
        party_ids: Sequence[int],
        *,
        evidence_hash: str | None,
        name: str,
        exclude_id: int,
        register: str = "data_ip",
    ) -> list[m.Application]:
        """Applications of any of these parties filing the same evidence hash or data name in
        the same register (issue 24: the same data filed for data IP and data property is
        two registrations, not a duplicate)."""
        c, ap = t.applications.c, t.application_parties.c
        match = c.name == name
        if evidence_hash:
            match = sa.or_(match, c.evidence_hash == evidence_hash)
        stmt = (
            sa.select(m.Application)
            .join(t.application_parties, ap.application_id == c.id)
            .where(
                ap.party_id.in_(list(party_ids)),
                c.id != exclude_id,
                c.state != "draft",
                c.register == register,
                match,
            )
            .distinct()
        )
        return self._all(stmt)

    def by_number(self, number: str) -> m.Application | None:
        c = t.applications.c
        return self.s.scalars(
            sa.select(m.Application).where(c.application_number == number)
        ).first()

    def dossier_of(self, application_id: int) -> int | None:
        """The one-window filing an application belongs to, if any: one column, not the
        application and its form (a registration's page asks it of every registration)."""
        c = t.applications.c
        found = self.s.scalar(sa.select(c.dossier_id).where(c.id == application_id))
        return None if found is None else int(found)

    def of_dossier(self, dossier_id: int) -> list[m.Application]:
        """The applications of one one-window filing, in filing order (issue 24 §2)."""
        c = t.applications.c
        return self._all(sa.select(m.Application).where(c.dossier_id == dossier_id).order_by(c.id))

    def count_by_state(self) -> dict[str, int]:
        c = t.applications.c
        rows = self.s.execute(sa.select(c.state, sa.func.count()).group_by(c.state))
        return {state: n for state, n in rows}


class AppParties(_Repo[m.ApplicationParty]):
    cls = m.ApplicationParty

    @read_memo  # an application's view asks twice (its applicants, its checks)
    def for_application(self, application_id: int) -> list[m.ApplicationParty]:
        c = t.application_parties.c
        stmt = sa.select(m.ApplicationParty).where(c.application_id == application_id)
        return self._all(stmt.order_by(c.position))

    def for_applications(self, ids: Sequence[int]) -> list[m.ApplicationParty]:
        c = t.application_parties.c
        stmt = sa.select(m.ApplicationParty).where(c.application_id.in_(list(ids)))
        return self._all(stmt.order_by(c.application_id, c.position))

    def owners(self, ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """(application_id, party_id, owner_user_id) of these applications' applicant parties,
        by application and party id: one query for a whole batch. The owner is a correlated
        primary-key lookup, not a join: given a join, PostgreSQL hashes the whole parties table
        for a 500-application batch (45 ms at 60,000 parties against 2 ms)."""
        c, p = t.application_parties.c, t.parties.c
        owner = sa.select(p.owner_user_id).where(p.id == c.party_id).scalar_subquery()
        stmt = (
            sa.select(c.application_id, c.party_id, owner)
            .where(c.application_id.in_(list(ids)))
            .order_by(c.application_id, c.party_id)
        )
        return [(a, b, o) for a, b, o in self.s.execute(stmt) if o is not None]

    def application_ids_for_parties(self, party_ids: Iterable[int]) -> list[int]:
        c = t.application_parties.c
        stmt = sa.select(c.application_id).where(c.party_id.in_(list(party_ids))).distinct()
        return list(self.s.scalars(stmt))

    def delete_for_application(self, application_id: int) -> None:
        for row in self.for_application(application_id):
            self.s.delete(row)
        self.s.flush()


class Versions(_Repo[m.ApplicationVersion]):
    cls = m.ApplicationVersion

    def for_application(self, application_id: int) -> list[m.ApplicationVersion]:
        c = t.application_versions.c
        stmt = sa.select(m.ApplicationVersion).where(c.application_id == application_id)
        return self._all(stmt.order_by(c.number))


class Deadlines(_Repo[m.Deadline]):
    cls = m.Deadline

    def for_application(self, application_id: int, *, open_only: bool = False) -> list[m.Deadline]:
        c = t.deadlines.c
        stmt = sa.select(m.Deadline).where(c.application_id == application_id)
        if open_only:
            stmt = stmt.where(c.status == "open")
        return self._all(stmt.order_by(c.id))

    def many(self, ids: Sequence[int]) -> list[m.Deadline]:
        c = t.deadlines.c
        return self._all(sa.select(m.Deadline).where(c.id.in_(list(ids)))) if ids else []

    def for_applications(self, ids: Sequence[int]) -> list[m.Deadline]:
        """The open deadlines of these applications. Selected by application alone and filtered
        here: given `status = 'open'` too, SQLite (no ANALYZE statistics) walks the
        (status, on_expiry, due_on) index over every open deadline rather than the
        application_id index, which made each `tick` batch cost O(open deadlines)."""
        c = t.deadlines.c
        stmt = sa.select(m.Deadline).where(c.application_id.in_(list(ids))).order_by(c.id)
        return [d for d in self._all(stmt) if d.status == "open"]

    def expired_with_consequence(self, before: date, *, limit: int) -> list[m.Deadline]:
        """Open holder deadlines whose last day is before `before` and that have a consequence."""
        c = t.deadlines.c
        stmt = (
            sa.select(m.Deadline)
            .where(c.status == "open", c.on_expiry.is_not(None), c.due_on < before)
            .order_by(c.due_on, c.id)
            .limit(limit)
        )
        return self._all(stmt)

    def ended_publicity(self, before: date, *, limit: int, after_id: int = 0) -> list[m.Deadline]:
        c, a = t.deadlines.c, t.applications.c
        stmt = (
            sa.select(m.Deadline)
            .join(t.applications, a.id == c.application_id)
            .where(
                c.status == "open",
                c.kind == "publicity",
                c.due_on < before,
                a.state == "publicised",
                c.id > after_id,
            )
            .order_by(c.id)
            .limit(limit)
        )
        return self._all(stmt)

    def running_publicity(
        self, today: date, states: Sequence[str], *, limit: int
    ) -> list[tuple[m.Deadline, m.Application]]:
        """Open publicity periods whose last day is today or later, of applications in
        `states`, the soonest ending first (one query, not one per application)."""
        c, a = t.deadlines.c, t.applications.c
        stmt = (
            sa.select(m.Deadline, m.Application)
            .join(m.Application, a.id == c.application_id)
            .where(
                c.status == "open",
                c.kind == "publicity",
                c.due_on >= today,
                a.state.in_(list(states)),
            )
            .order_by(c.due_on, c.application_id)
            .limit(limit)
        )
        return [(d, app) for d, app in self.s.execute(stmt)]

    def provisional_open(self) -> list[m.Deadline]:
        c = t.deadlines.c
        return self._all(sa.select(m.Deadline).where(c.status == "open", c.provisional.is_(True)))

    def examiner_tasks(self, today: date, *, limit: int) -> list[tuple[m.Deadline, m.Application]]:
        """The examiner's actionable tasks (the workbench queue), in queue order, in one query:
        every open registry deadline except a publicity period still running (G§14: a
        period, not a task); an ended one is a task (approve, G§16) only while its application
        is still publicised (an objection being handled has its own deadlines). Filtering in
        SQL, before the LIMIT, is what keeps running periods from pushing tasks out."""
        c, a = t.deadlines.c, t.applications.c
        stmt = (
            sa.select(m.Deadline, m.Application)
            .join(m.Application, a.id == c.application_id)
            .where(
                c.status == "open",
                c.party == "registry",
                sa.or_(
                    c.kind != "publicity",
                    sa.and_(c.due_on < today, a.state == "publicised"),
                ),
            )
            .order_by(*examiner_queue_order())
            .limit(limit)
        )
        return [(d, app) for d, app in self.s.execute(stmt)]


def examiner_queue_order() -> list[sa.ColumnElement[object]]:
    """The examiner queue's ORDER BY, the one place it is defined: fast-track applications
    first (R8, Z§2.1), then by statutory due date, then by deadline id (a total order, so
    pages and limits are stable). Extend here, not at the call sites."""
    c, a = t.deadlines.c, t.applications.c
    return [a.fast_track.desc(), c.due_on, c.id]


class Notices(_Repo[m.Notice]):
    cls = m.Notice

    def for_user(
        self, user_id: int, *, application_id: int | None = None, limit: int = 100
    ) -> list[m.Notice]:
        c = t.notices.c
        stmt = sa.select(m.Notice).where(c.recipient_user_id == user_id)
        if application_id is not None:
            stmt = stmt.where(c.application_id == application_id)
        return self._all(stmt.order_by(c.served_at.desc(), c.id.desc()).limit(limit))

    def for_application(self, application_id: int) -> list[m.Notice]:
        c = t.notices.c
        stmt = sa.select(m.Notice).where(c.application_id == application_id)
        return self._all(stmt.order_by(c.id))


class Objections(_Repo[m.Objection]):
    cls = m.Objection

    def for_application(self, application_id: int) -> list[m.Objection]:
        c = t.objections.c
        stmt = sa.select(m.Objection).where(c.application_id == application_id)
        return self._all(stmt.order_by(c.id))


class ProceduralRequests(_Repo[m.ProceduralRequest]):
    """Fast-track, extension and reinstatement requests (R8, G§12), oldest first."""

    cls = m.ProceduralRequest

    @read_memo  # an application's view asks twice (the table's guards, its panel)
    def for_application(self, application_id: int) -> list[m.ProceduralRequest]:
        c = t.procedural_requests.c
        stmt = sa.select(m.ProceduralRequest).where(c.application_id == application_id)
        return self._all(stmt.order_by(c.id))
