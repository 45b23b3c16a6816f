"""Service matching's rows (issue 23 §3–§4): needs, pushes, contacts, and the registrations'
public facts the matching index is built from.

Contracts the services rely on:

* ``withdraw`` and ``answer_contact`` are compare-and-swap on the row's version: of two
  concurrent writers exactly one changes it;
* ``add_push`` is idempotent per (need, registration, direction, recipient): a second insert
  (two ticks at once) is told it was there (False);
* ``add_contact`` inserts under the one-per-match constraint; the loser of a race gets the
  unit of work's ``ConcurrencyConflict`` naming ``uq_need_contacts_match``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.matching.needs import Contact, Need

_n = t.needs.c
_k = t.need_contacts.c
_r = t.registrations.c


def _need(row: Mapping[Any, Any]) -> Need:
    return Need(**{k: row[k] for k in Need.__dataclass_fields__})


def _contact(row: Mapping[Any, Any]) -> Contact:
    return Contact(**{k: row[k] for k in Contact.__dataclass_fields__})


class Matching:
    """Tables `needs`, `need_pushes`, `need_contacts`; reads of `registrations`."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- needs -----------------------------------------------------------------------------
    def add_need(self, **values: Any) -> Need:
        new_id = self.s.execute(sa.insert(t.needs).values(**values).returning(_n.id)).scalar_one()
        need = self.need(int(new_id))
        assert need is not None
        return need

    def need(self, need_id: int) -> Need | None:
        row = self.s.execute(sa.select(t.needs).where(_n.id == need_id)).first()
        return _need(row._mapping) if row else None

    def needs(self, ids: Sequence[int]) -> dict[int, Need]:
        if not ids:
            return {}
        rows = self.s.execute(sa.select(t.needs).where(_n.id.in_(sorted(set(ids)))))
        return {int(r.id): _need(r._mapping) for r in rows}

    def open_needs(
        self,
        today: date,
        *,
        scenario: str | None = None,
        industry: str | None = None,
        region: str | None = None,
        before_id: int | None = None,
        limit: int = 50,
    ) -> list[Need]:
        """Open, unexpired needs, newest first; `industry` a code prefix, `region` a prefix
        of the need's region (a need for the whole country is listed under every region)."""
        stmt = sa.select(t.needs).where(_n.state == "open", _n.expires_on >= today)
        if scenario:
            stmt = stmt.where(_n.scenario == scenario)
        if industry:
            stmt = stmt.where(_n.industry_code.startswith(industry, autoescape=True))
        if region:
            stmt = stmt.where(
                sa.or_(
                    _n.region_code.is_(None),
                    _n.region_code.startswith(region, autoescape=True),
                    sa.literal(region).startswith(_n.region_code),
                )
            )
        if before_id is not None:
            stmt = stmt.where(_n.id < before_id)
        return [_need(r._mapping) for r in self.s.execute(stmt.order_by(_n.id.desc()).limit(limit))]

    def by_author(self, user_id: int, *, limit: int = 200) -> list[Need]:
        stmt = sa.select(t.needs).where(_n.author_user_id == user_id)
        return [_need(r._mapping) for r in self.s.execute(stmt.order_by(_n.id.desc()).limit(limit))]

    def withdraw(self, need_id: int, version: int, at: datetime) -> bool:
        done = self.s.execute(
            sa.update(t.needs)
            .where(_n.id == need_id, _n.version == version, _n.state == "open")
            .values(state="withdrawn", withdrawn_at=at, version=version + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def needs_signature(self, today: date) -> tuple[Any, ...]:
        """(count, largest id, sum of versions, newest creation, total title length) of the
        open, unexpired needs: changes when one is published, withdrawn or expires."""
        row = self.s.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.max(_n.id), 0),
                sa.func.coalesce(sa.func.sum(_n.version), 0),
                sa.func.max(_n.created_at),
                sa.func.coalesce(sa.func.sum(sa.func.length(_n.title)), 0),
            ).where(_n.state == "open", _n.expires_on >= today)
        ).one()
        return tuple(row)

    def open_need_rows(self, today: date) -> list[Need]:
        stmt = sa.select(t.needs).where(_n.state == "open", _n.expires_on >= today)
        return [_need(r._mapping) for r in self.s.execute(stmt.order_by(_n.id))]

    # --- the registrations matched (public facts only) -----------------------------------
    def corpus_signature(self) -> tuple[Any, ...]:
        """(count, largest id, sum of certificate versions, newest creation, total name
        length) of the valid registrations: changes when one is granted, ends or changes (a
        change makes a new certificate version)."""
        row = self.s.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.max(_r.id), 0),
                sa.func.coalesce(sa.func.sum(_r.certificate_version), 0),
                sa.func.max(_r.created_at),
                sa.func.coalesce(sa.func.sum(sa.func.length(_r.name)), 0),
            ).where(_r.state == "valid")
        ).one()
        return tuple(row)

    def corpus_rows(self, *, after_id: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """The valid registrations' public facts: name, industry, holders' credit codes (for
        the region), validity, certificate version, and the publicity's scenarios, scope and
        rules (the application's `public_fields`, G§14)."""
        a = t.applications.c
        stmt = (
            sa.select(
                _r.id,
                _r.name,
                _r.industry_code,
                _r.holders,
                _r.valid_until,
                _r.certificate_version,
                a.public_fields,
            )
            .join(t.applications, a.id == _r.application_id)
            .where(_r.state == "valid", _r.id > after_id)
            .order_by(_r.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [dict(r._mapping) for r in self.s.execute(stmt)]

    def last_registration_id(self) -> int:
        return int(self.s.execute(sa.select(sa.func.coalesce(sa.func.max(_r.id), 0))).scalar_one())

    def valid_registration_ids(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        stmt = sa.select(_r.id).where(_r.id.in_(sorted(set(ids))), _r.state == "valid")
        return {int(i) for i in self.s.scalars(stmt)}

    def industries(self) -> dict[str, tuple[str, str]]:
        """GB/T 4754: code → (name, section letter)."""
        c = t.industries.c
        return {
            str(r[0]): (str(r[1]), str(r[2] or ""))
            for r in self.s.execute(sa.select(c.code, c.name, c.section))
        }

    # --- pushes ------------------------------------------------------------------------------
    def add_push(self, **values: Any) -> bool:
        """Record a push; False if this one was recorded already (nothing written)."""
        try:
            with self.s.begin_nested():
                self.s.execute(sa.insert(t.need_pushes).values(**values))
        except IntegrityError:
            return False
        return True

    def pushed(self, *, need_id: int) -> list[dict[str, Any]]:
        c = t.need_pushes.c
        stmt = sa.select(t.need_pushes).where(c.need_id == need_id).order_by(c.id)
        return [dict(r._mapping) for r in self.s.execute(stmt)]

    # --- contacts ----------------------------------------------------------------------------
    def add_contact(self, **values: Any) -> Contact:
        new_id = self.s.execute(
            sa.insert(t.need_contacts).values(**values).returning(_k.id)
        ).scalar_one()
        got = self.contact(int(new_id))
        assert got is not None
        return got

    def contact(self, contact_id: int) -> Contact | None:
        row = self.s.execute(sa.select(t.need_contacts).where(_k.id == contact_id)).first()
        return _contact(row._mapping) if row else None

    def contact_for(self, need_id: int, registration_id: int) -> Contact | None:
        row = self.s.execute(
            sa.select(t.need_contacts).where(
                _k.need_id == need_id, _k.registration_id == registration_id
            )
        ).first()
        return _contact(row._mapping) if row else None

    def contacts(
        self, *, need_ids: Sequence[int] = (), registration_ids: Sequence[int] = ()
    ) -> list[Contact]:
        """The contacts on these needs or these registrations, oldest first."""
        where = []
        if need_ids:
            where.append(_k.need_id.in_(sorted(set(need_ids))))
        if registration_ids:
            where.append(_k.registration_id.in_(sorted(set(registration_ids))))
        if not where:
            return []
        stmt = sa.select(t.need_contacts).where(sa.or_(*where)).order_by(_k.id)
        return [_contact(r._mapping) for r in self.s.execute(stmt)]

    def contacts_recent(self, limit: int) -> list[Contact]:
        stmt = sa.select(t.need_contacts).order_by(_k.id.desc()).limit(limit)
        return [_contact(r._mapping) for r in self.s.execute(stmt)]

    def answer_contact(
        self, contact_id: int, version: int, *, state: str, at: datetime, holder_user_id: int | None
    ) -> bool:
        values: dict[str, Any] = {"state": state, "answered_at": at, "version": version + 1}
        if holder_user_id is not None:
            values["holder_user_id"] = holder_user_id
        done = self.s.execute(
            sa.update(t.need_contacts)
            .where(_k.id == contact_id, _k.version == version, _k.state == "proposed")
            .values(**values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]
