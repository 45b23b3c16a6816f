"""Valuations (issue 22 §2): plain Core queries over `valuations`, answering with dicts."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t


class Valuations:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **values: Any) -> dict[str, Any]:
        row = self.s.execute(
            sa.insert(t.valuations).values(**values).returning(*t.valuations.c)
        ).one()
        return dict(row._mapping)

    def by_number(self, number: str) -> dict[str, Any] | None:
        row = self.s.execute(sa.select(t.valuations).where(t.valuations.c.number == number)).first()
        return dict(row._mapping) if row else None

    def set_published(self, valuation_id: int, *, published: bool, version: int) -> bool:
        """Compare-and-set: publish or withdraw the valuation when it is at ``version`` and
        not already so; False (nothing changed) otherwise."""
        c = t.valuations.c
        done = self.s.execute(
            sa.update(t.valuations)
            .where(c.id == valuation_id, c.version == version, c.published == (not published))
            .values(published=published, version=c.version + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def by_jws(self, jws: str) -> dict[str, Any] | None:
        digest = hashlib.sha256(jws.encode()).hexdigest()
        row = self.s.execute(
            sa.select(t.valuations).where(t.valuations.c.jws_sha256 == digest)
        ).first()
        return dict(row._mapping) if row else None

    def for_registration(self, registration_id: int) -> list[dict[str, Any]]:
        c = t.valuations.c
        rows = self.s.execute(
            sa.select(t.valuations).where(c.registration_id == registration_id).order_by(c.id)
        )
        return [dict(r._mapping) for r in rows]

    def comparable_filings(
        self, *, exclude_registration_id: int, since: date, until: date, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Licence and trade filings of other registrations with a contract in [since, until],
        newest first: (kind, details, contract_date, registration_id, industry_code)."""
        f, r = t.filings.c, t.registrations.c
        stmt = (
            sa.select(f.kind, f.details, f.contract_date, f.registration_id, r.industry_code)
            .join(t.registrations, r.id == f.registration_id)
            .where(
                f.kind.in_(("licence", "trade")),
                f.registration_id != exclude_registration_id,
                f.contract_date >= since,
                f.contract_date <= until,
            )
            .order_by(f.contract_date.desc(), f.id.desc())
            .limit(limit)
        )
        return [dict(row._mapping) for row in self.s.execute(stmt)]
