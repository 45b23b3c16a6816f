"""One-window dossiers and forwarded filings (issue 24 §1–§2): tables `dossiers`,
`property_forwardings`.

Contracts: `add_forwarding` inserts under `uq_property_forwardings_application_id` (of two
concurrent forwarders of one filing, the loser gets the unit of work's ConcurrencyConflict);
`update_forwarding` is compare-and-swap on the row's version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.services.ports import ConcurrencyConflict

_d = t.dossiers.c
_f = t.property_forwardings.c


@dataclass(frozen=True)
class Dossier:
    id: int
    filer_user_id: int
    registers: list[str]
    created_at: datetime
    version: int


@dataclass(frozen=True)
class Forwarding:
    id: int
    application_id: int
    remote_id: str | None
    remote_state: str
    forwarded_at: datetime | None
    polled_at: datetime | None
    attempts: int
    last_error: str | None
    version: int


def _dossier(row: Mapping[Any, Any]) -> Dossier:
    return Dossier(**{k: row[k] for k in Dossier.__dataclass_fields__})


def _forwarding(row: Mapping[Any, Any]) -> Forwarding:
    return Forwarding(**{k: row[k] for k in Forwarding.__dataclass_fields__})


class Registers:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- dossiers (一窗受理) -----------------------------------------------------------------
    def add_dossier(self, *, filer_user_id: int, registers: list[str], at: datetime) -> Dossier:
        new_id = self.s.execute(
            sa.insert(t.dossiers)
            .values(filer_user_id=filer_user_id, registers=registers, created_at=at, version=1)
            .returning(_d.id)
        ).scalar_one()
        got = self.dossier(int(new_id))
        assert got is not None
        return got

    def dossier(self, dossier_id: int) -> Dossier | None:
        row = self.s.execute(sa.select(t.dossiers).where(_d.id == dossier_id)).mappings().first()
        return _dossier(row) if row else None

    def dossiers_of(self, filer_user_id: int, *, limit: int = 100) -> list[Dossier]:
        q = (
            sa.select(t.dossiers)
            .where(_d.filer_user_id == filer_user_id)
            .order_by(_d.id.desc())
            .limit(limit)
        )
        return [_dossier(r) for r in self.s.execute(q).mappings()]

    def bump_dossier(self, dossier_id: int, version: int) -> None:
        """Compare-and-swap the dossier's version (its submission is one act)."""
        done = self.s.execute(
            sa.update(t.dossiers)
            .where(_d.id == dossier_id, _d.version == version)
            .values(version=version + 1)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict("dossiers changed")

    # --- forwarded filings ----------------------------------------------------------------
    def add_forwarding(self, **values: Any) -> Forwarding:
        values = {"attempts": 0, "version": 1, **values}
        new_id = self.s.execute(
            sa.insert(t.property_forwardings).values(**values).returning(_f.id)
        ).scalar_one()
        got = self.forwarding_by_id(int(new_id))
        assert got is not None
        return got

    def forwarding_by_id(self, forwarding_id: int) -> Forwarding | None:
        q = sa.select(t.property_forwardings).where(_f.id == forwarding_id)
        row = self.s.execute(q).mappings().first()
        return _forwarding(row) if row else None

    def forwarding(self, application_id: int) -> Forwarding | None:
        q = sa.select(t.property_forwardings).where(_f.application_id == application_id)
        row = self.s.execute(q).mappings().first()
        return _forwarding(row) if row else None

    def unforwarded(self, register: str, limit: int) -> list[Any]:
        """Filings of `register` submitted and not yet forwarded (oldest first)."""
        from dataip.domain import model as m

        a = t.applications.c
        q = (
            sa.select(m.Application)
            .where(
                a.register == register,
                a.state == "submitted",
                ~sa.exists().where(_f.application_id == a.id),
            )
            .order_by(a.id)
            .limit(limit)
        )
        return list(self.s.scalars(q))

    def open_forwardings(self, terminal: frozenset[str], *, limit: int = 200) -> list[Forwarding]:
        q = (
            sa.select(t.property_forwardings)
            .where(_f.remote_state.not_in(sorted(terminal)), _f.remote_id.is_not(None))
            .order_by(_f.id)
            .limit(limit)
        )
        return [_forwarding(r) for r in self.s.execute(q).mappings()]

    def update_forwarding(self, row: Forwarding, **values: Any) -> None:
        done = self.s.execute(
            sa.update(t.property_forwardings)
            .where(_f.id == row.id, _f.version == row.version)
            .values(version=row.version + 1, **values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict("property_forwardings changed")
