"""Benefit distribution's rows (issue 23 §1–§2): derivation links, distributions, parts.

Contracts the services rely on:

* declarations are serialised by the caller taking the `derivation_graph` counter
  (``uow.next_value``) first: the row lock (PostgreSQL) or the write lock (SQLite) is held to
  the commit, so a cycle check reads every link committed before it;
* ``decide_link`` is a compare-and-set from ``pending``: of two concurrent decisions exactly
  one moves the link;
* ``distributions.filing_id`` is unique: one distribution per filing, the loser of a race
  gets an IntegrityError (the unit of work's ``concurrent_update``, or the service's check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.db.repositories._repo import read_memo
from dataip.services.distribution.records import LIVE, DistributionRow, LinkRow, PartRow


def _row(cls: Any, row: Mapping[Any, Any]) -> Any:
    return cls(**{k: row[k] for k in cls.__dataclass_fields__})


class Distribution:
    """Tables `derivation_links`, `distributions`, `distribution_parts`."""

    def __init__(self, session: Session, *, memo: dict[Any, Any] | None = None) -> None:
        self.s = session
        self._memo = memo  # `read_memo`'s answers: a read-only unit of work's, shared

    # --- links -----------------------------------------------------------------------------
    def add_link(self, **values: Any) -> int:
        result = self.s.execute(sa.insert(t.derivation_links).values(**values))
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    def link(self, link_id: int) -> LinkRow | None:
        row = self.s.execute(
            sa.select(t.derivation_links).where(t.derivation_links.c.id == link_id)
        ).first()
        return _row(LinkRow, row._mapping) if row else None

    def _links(self, *where: Any) -> list[LinkRow]:
        c = t.derivation_links.c
        rows = self.s.execute(sa.select(t.derivation_links).where(*where).order_by(c.id))
        return [_row(LinkRow, r._mapping) for r in rows]

    def live_links(self) -> list[LinkRow]:
        """Every pending or confirmed link: the graph the rules are checked on."""
        return self._links(t.derivation_links.c.state.in_(LIVE))

    def live_links_from(self, registration_ids: Iterable[int]) -> list[LinkRow]:
        """The pending or confirmed sources these registrations declared (one step of a walk
        up the graph)."""
        c = t.derivation_links.c
        ids = sorted(set(registration_ids))
        return self._links(c.state.in_(LIVE), c.downstream_registration_id.in_(ids)) if ids else []

    @read_memo
    def links_from(self, registration_id: int) -> list[LinkRow]:
        """The sources a registration declared (every state)."""
        return self._links(t.derivation_links.c.downstream_registration_id == registration_id)

    @read_memo
    def links_to(self, registration_id: int) -> list[LinkRow]:
        """The declarations naming a registration here as their source (every state)."""
        return self._links(t.derivation_links.c.upstream_registration_id == registration_id)

    def links_by_ids(self, ids: Iterable[int]) -> list[LinkRow]:
        ids = list(ids)
        return self._links(t.derivation_links.c.id.in_(ids)) if ids else []

    def decide_link(
        self, link_id: int, *, state: str, by: int, at: datetime, note: str | None
    ) -> bool:
        c = t.derivation_links.c
        done = self.s.execute(
            sa.update(t.derivation_links)
            .where(c.id == link_id, c.state == "pending")
            .values(state=state, decided_by=by, decided_at=at, note=note)
        ).rowcount  # type: ignore[attr-defined]
        return bool(done)

    # --- distributions -------------------------------------------------------------------
    def add_distribution(self, **values: Any) -> int:
        result = self.s.execute(sa.insert(t.distributions).values(**values))
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    def set_event(self, distribution_id: int, event_id: int) -> None:
        self.s.execute(
            sa.update(t.distributions)
            .where(t.distributions.c.id == distribution_id)
            .values(event_id=event_id)
        )

    def add_parts(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.s.execute(sa.insert(t.distribution_parts), rows)

    def distribution(self, distribution_id: int) -> DistributionRow | None:
        row = self.s.execute(
            sa.select(t.distributions).where(t.distributions.c.id == distribution_id)
        ).first()
        return _row(DistributionRow, row._mapping) if row else None

    def by_filing(self, filing_id: int) -> DistributionRow | None:
        row = self.s.execute(
            sa.select(t.distributions).where(t.distributions.c.filing_id == filing_id)
        ).first()
        return _row(DistributionRow, row._mapping) if row else None

    def distributions_of(self, registration_id: int) -> list[DistributionRow]:
        c = t.distributions.c
        rows = self.s.execute(
            sa.select(t.distributions).where(c.registration_id == registration_id).order_by(c.id)
        )
        return [_row(DistributionRow, r._mapping) for r in rows]

    def parts(self, distribution_id: int) -> list[PartRow]:
        c = t.distribution_parts.c
        rows = self.s.execute(
            sa.select(t.distribution_parts)
            .where(c.distribution_id == distribution_id)
            .order_by(c.position)
        )
        return [_row(PartRow, r._mapping) for r in rows]
