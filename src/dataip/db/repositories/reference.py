"""Reference data the registry keeps (参考数据): the GB/T 4754 industry classification
(国民经济行业分类) an application's industry code must name a class of, and the working-day
calendar's published holiday arrangements and administrators' overrides (R0.4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo
from dataip.domain import model as m


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

    def named(self, name: str) -> list[m.Industry]:
        """The industries (any level) whose name is exactly `name`, in code order."""
        c = t.industries.c
        return self._all(sa.select(m.Industry).where(c.name == name).order_by(c.code))

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
