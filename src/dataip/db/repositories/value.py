"""Value's rows (issue 22): data-quality assessments.

Contracts the services rely on: ``add`` inserts a new assessment (two at once are two rows,
the later one the latest); ``publish`` is a compare-and-set on ``published`` (of two
concurrent publications of one row exactly one changes it and is told so), ``withdraw``
likewise for every published row of a registration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t


@dataclass(frozen=True)
class QualityRow:
    id: int
    registration_id: int
    certificate_version: int
    assessed_at: datetime
    assessed_by: int | None
    overall_bp: int
    grade: str
    declared: dict[str, Any]
    result: dict[str, Any]
    samples_sha256: str
    published: bool
    published_at: datetime | None


def _row(r: Mapping[Any, Any]) -> QualityRow:
    return QualityRow(**{k: r[k] for k in QualityRow.__dataclass_fields__})


class QualityAssessments:
    """Table ``quality_assessments``."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **values: Any) -> int:
        stmt = sa.insert(t.quality_assessments).values(**values)
        return int(self.s.execute(stmt.returning(t.quality_assessments.c.id)).scalar_one())

    def latest(self, registration_id: int, *, published: bool = False) -> QualityRow | None:
        """The newest assessment of the registration (``published``: the newest published)."""
        c = t.quality_assessments.c
        stmt = sa.select(t.quality_assessments).where(c.registration_id == registration_id)
        if published:
            stmt = stmt.where(c.published.is_(True))
        row = self.s.execute(stmt.order_by(c.id.desc()).limit(1)).first()
        return _row(row._mapping) if row else None

    def publish(self, assessment_id: int, at: datetime) -> bool:
        """Publish one assessment; False when it already was (another request did it)."""
        c = t.quality_assessments.c
        done = self.s.execute(
            sa.update(t.quality_assessments)
            .where(c.id == assessment_id, c.published.is_(False))
            .values(published=True, published_at=at)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def withdraw_others(self, registration_id: int, keep: int) -> None:
        """Withdraw the registration's published assessments other than ``keep``."""
        c = t.quality_assessments.c
        self.s.execute(
            sa.update(t.quality_assessments)
            .where(c.registration_id == registration_id, c.published.is_(True), c.id != keep)
            .values(published=False, published_at=None)
        )

    def withdraw(self, registration_id: int) -> int:
        """Withdraw every published assessment of the registration; how many were."""
        c = t.quality_assessments.c
        done = self.s.execute(
            sa.update(t.quality_assessments)
            .where(c.registration_id == registration_id, c.published.is_(True))
            .values(published=False, published_at=None)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]
