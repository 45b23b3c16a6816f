"""Registrations (登记) and what is recorded after them (G§16–G§24): the registration with its
validity (G§18), the expiries and renewal reminders `tick` works through (G§19) and the public
statistics; its versions and issued certificates (登记证书, G§17, G§21); the requests the
registry examines (G§20–G§24: change, transfer, cancellation, revocation, re-examination); the
filings of licence, pledge and trade (备案, G§22); and the numbered announcements (公告, G§16,
G§19–G§24) with their filtered listing (G§26)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo, read_memo
from dataip.db.search import announcement_filters
from dataip.domain import model as m


class Registrations(_Repo[m.Registration]):
    cls = m.Registration

    def by_application(self, application_id: int) -> m.Registration | None:
        c = t.registrations.c
        stmt = sa.select(m.Registration).where(c.application_id == application_id)
        return self.s.scalars(stmt).first()

    @read_memo
    def by_number(self, number: str) -> m.Registration | None:
        c = t.registrations.c
        stmt = sa.select(m.Registration).where(
            sa.or_(c.registration_number == number, c.certificate_number == number)
        )
        return self.s.scalars(stmt).first()

    def page(self, *, after_id: int = 0, limit: int = 50) -> list[m.Registration]:
        c = t.registrations.c
        stmt = sa.select(m.Registration).where(c.id > after_id).order_by(c.id).limit(limit)
        return self._all(stmt)

    def counts(self) -> dict[str, list[tuple[Any, int]]]:
        """Counts for the public statistics: by state, by industry division (the code's first
        two digits) and by registration date (grouped into months by the caller)."""
        c = t.registrations.c
        n = sa.func.count()
        division = sa.func.substr(c.industry_code, 1, 2)
        return {
            "state": [
                (k, int(v)) for k, v in self.s.execute(sa.select(c.state, n).group_by(c.state))
            ],
            "division": [
                (k, int(v)) for k, v in self.s.execute(sa.select(division, n).group_by(division))
            ],
            "date": [
                (k, int(v))
                for k, v in self.s.execute(
                    sa.select(c.registration_date, n).group_by(c.registration_date)
                )
            ],
        }

    def many(self, ids: Iterable[int]) -> list[m.Registration]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        return self._all(sa.select(m.Registration).where(t.registrations.c.id.in_(wanted)))

    def expired(
        self, before: date, *, limit: int, after: tuple[date, int] | None = None
    ) -> list[m.Registration]:
        """Registrations still in force whose validity ended before `before` (G§19), by
        expiry; `after` (valid_until, id) pages on past the last one seen."""
        c = t.registrations.c
        stmt = sa.select(m.Registration).where(
            c.state.in_(("valid", "revocation_pending")), c.valid_until < before
        )
        if after is not None:
            stmt = stmt.where(
                sa.or_(
                    c.valid_until > after[0], sa.and_(c.valid_until == after[0], c.id > after[1])
                )
            )
        return self._all(stmt.order_by(c.valid_until, c.id).limit(limit))

    def announcement_due(self, on: date, *, limit: int) -> list[m.Registration]:
        """Registrations whose registration announcement is due by `on` and not yet
        published (approved with a later announcement date, G§16)."""
        c, a = t.registrations.c, t.announcements.c
        published = sa.exists().where(a.registration_id == c.id, a.kind == "registration")
        stmt = (
            sa.select(m.Registration)
            .where(c.announcement_date <= on, c.announcement_date > c.registration_date)
            .where(~published)
            .order_by(c.announcement_date, c.id)
            .limit(limit)
        )
        return self._all(stmt)

    def expiring(self, until: date, *, limit: int) -> list[m.Registration]:
        """Valid registrations expiring by `until` not yet reminded of this expiry."""
        c = t.registrations.c
        stmt = (
            sa.select(m.Registration)
            .where(
                c.state.in_(("valid", "revocation_pending")),
                c.valid_until <= until,
                sa.or_(c.renewal_notice_for.is_(None), c.renewal_notice_for != c.valid_until),
            )
            .order_by(c.valid_until, c.id)
            .limit(limit)
        )
        return self._all(stmt)

    def count_by_state(self) -> dict[str, int]:
        c = t.registrations.c
        rows = self.s.execute(sa.select(c.state, sa.func.count()).group_by(c.state))
        return {state: int(n) for state, n in rows}


class RegistrationVersions(_Repo[m.RegistrationVersion]):
    cls = m.RegistrationVersion

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.RegistrationVersion]:
        c = t.registration_versions.c
        stmt = sa.select(m.RegistrationVersion).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.number))

    def latest(self, registration_id: int) -> m.RegistrationVersion | None:
        """The last of `for_registration` (a registration has a handful of versions): a page
        that shows them all and asks for the latest reads them once."""
        versions = self.for_registration(registration_id)
        return versions[-1] if versions else None


class RegistrationRequests(_Repo[m.RegistrationRequest]):
    cls = m.RegistrationRequest

    @read_memo
    def for_registration(
        self, registration_id: int, *, open_only: bool = False
    ) -> list[m.RegistrationRequest]:
        c = t.registration_requests.c
        stmt = sa.select(m.RegistrationRequest).where(c.registration_id == registration_id)
        if open_only:
            stmt = stmt.where(c.state.in_(("awaiting_consent", "pending")))
        return self._all(stmt.order_by(c.id))

    def provisional_re_examinations(self) -> list[m.RegistrationRequest]:
        """Decisions whose re-examination window is provisional (R0.4)."""
        c = t.registration_requests.c
        stmt = sa.select(m.RegistrationRequest).where(c.re_examination_provisional.is_(True))
        return self._all(stmt.order_by(c.id))

    def open_queue(self, *, limit: int) -> list[m.RegistrationRequest]:
        c = t.registration_requests.c
        stmt = sa.select(m.RegistrationRequest).where(c.state == "pending")
        return self._all(stmt.order_by(c.filed_at, c.id).limit(limit))


class Filings(_Repo[m.Filing]):
    cls = m.Filing

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.Filing]:
        c = t.filings.c
        stmt = sa.select(m.Filing).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.id))

    def provisional(self) -> list[m.Filing]:
        """Filings whose due date is provisional (R0.4)."""
        c = t.filings.c
        return self._all(sa.select(m.Filing).where(c.provisional.is_(True)).order_by(c.id))

    def by_number(self, number: str) -> m.Filing | None:
        return self.s.scalars(sa.select(m.Filing).where(t.filings.c.number == number)).first()


class Freezes(_Repo[m.Freeze]):
    """Court preservations (保全, issue 20 §7), by registration."""

    cls = m.Freeze

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.Freeze]:
        c = t.freezes.c
        stmt = sa.select(m.Freeze).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.id))

    def by_number(self, number: str) -> m.Freeze | None:
        return self.s.scalars(sa.select(m.Freeze).where(t.freezes.c.number == number)).first()


class PledgeProposals(_Repo[m.PledgeProposal]):
    """A bank's pledge proposals (issue 20 §6), by registration."""

    cls = m.PledgeProposal

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.PledgeProposal]:
        c = t.pledge_proposals.c
        stmt = sa.select(m.PledgeProposal).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.id))

    def by_number(self, number: str) -> m.PledgeProposal | None:
        c = t.pledge_proposals.c
        return self.s.scalars(sa.select(m.PledgeProposal).where(c.number == number)).first()


class Certificates(_Repo[m.Certificate]):
    cls = m.Certificate

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.Certificate]:
        c = t.certificates.c
        stmt = sa.select(m.Certificate).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.version))

    def in_status_range(self, lo: int, hi: int) -> list[tuple[int, str, int, int]]:
        """(status index, registration state, version, current version) of the certificates
        whose status index is in [lo, hi)."""
        c, r = t.certificates.c, t.registrations.c
        stmt = (
            sa.select(c.status_index, r.state, c.version, r.certificate_version)
            .join(t.registrations, r.id == c.registration_id)
            .where(c.status_index >= lo, c.status_index < hi)
        )
        return [(int(a), str(b), int(v), int(cv)) for a, b, v, cv in self.s.execute(stmt)]

    def issued(self, limit: int) -> list[tuple[str, m.Certificate]]:
        """(registration number, certificate) of every issued version, oldest first, at most
        `limit` (a backup drill verifies them after a restore)."""
        c, r = t.certificates.c, t.registrations.c
        stmt = (
            sa.select(r.registration_number, m.Certificate)
            .join(t.registrations, r.id == c.registration_id)
            .order_by(c.id)
            .limit(limit)
        )
        return [(str(number), cert) for number, cert in self.s.execute(stmt)]

    def without_proof(
        self, limit: int, *, ids: tuple[int, int] | None = None
    ) -> list[m.Certificate]:
        """Certificates that do not carry their log proof yet, oldest first; `ids`: only those
        with lo <= id < hi (a bulk load shares the work out among processes)."""
        c = t.certificates.c
        stmt = sa.select(m.Certificate).where(c.log_index.is_(None))
        if ids is not None:
            stmt = stmt.where(c.id >= ids[0], c.id < ids[1])
        return self._all(stmt.order_by(c.id).limit(limit))

    def with_ids(self, ids: Sequence[int]) -> list[m.Certificate]:
        c = t.certificates.c
        return self._all(sa.select(m.Certificate).where(c.id.in_(list(ids))).order_by(c.id))


class Announcements(_Repo[m.Announcement]):
    cls = m.Announcement

    def by_number(self, number: str) -> m.Announcement | None:
        c = t.announcements.c
        return self.s.scalars(sa.select(m.Announcement).where(c.number == number)).first()

    @read_memo
    def for_registration(self, registration_id: int) -> list[m.Announcement]:
        c = t.announcements.c
        stmt = sa.select(m.Announcement).where(c.registration_id == registration_id)
        return self._all(stmt.order_by(c.id))

    def search(
        self,
        *,
        kinds: Sequence[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        industry: str | None = None,
        region: str | None = None,
        registration_number: str | None = None,
        before_id: int | None = None,
        limit: int = 50,
    ) -> list[m.Announcement]:
        """Newest first, filtered (`db.search.announcement_filters`). Text is searched through
        the index, `uow.search`."""
        c = t.announcements.c
        stmt = sa.select(m.Announcement).where(
            *announcement_filters(
                kinds=kinds,
                date_from=date_from,
                date_to=date_to,
                industry=industry,
                region=region,
                registration_number=registration_number,
            )
        )
        if before_id is not None:
            stmt = stmt.where(c.id < before_id)
        return self._all(stmt.order_by(c.id.desc()).limit(limit))
