"""Valuations (issue 22 §2): plain Core queries over `valuations`, answering with dicts."""

from __future__ import annotations

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
        row = self.s.execute(
            sa.select(t.valuations).where(t.valuations.c.number == number)
        ).first()
        return dict(row._mapping) if row else None

    def for_registration(self, registration_id: int) -> list[dict[str, Any]]:
        c = t.valuations.c
        rows = self.s.execute(
            sa.select(t.valuations).where(c.registration_id == registration_id).order_by(c.id)
        )
        return [dict(r._mapping) for r in rows]
