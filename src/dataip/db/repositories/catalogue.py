"""The catalogue's storage (issue 24 §3–§5): the identifier index the one search box looks up
and the change log a DCAT harvester walks (`db/tables/catalogue.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.domain import model as m

_i = t.registration_identifiers.c
_c = t.catalogue_changes.c


class Catalogue:
    """`uow.catalogue`."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- the identifier index ---------------------------------------------------------------

    def replace_identifiers(self, registration_id: int, rows: Iterable[tuple[str, str]]) -> None:
        """The registration's identifiers are now `rows` ((kind, key) pairs): in the caller's
        transaction, so the index never disagrees with what was committed."""
        want = set(rows)
        have = {
            (k, key)
            for k, key in self.s.execute(
                sa.select(_i.kind, _i.key).where(_i.registration_id == registration_id)
            )
        }
        gone = have - want
        if gone:
            self.s.execute(
                sa.delete(t.registration_identifiers).where(
                    _i.registration_id == registration_id,
                    sa.tuple_(_i.kind, _i.key).in_(sorted(gone)),
                )
            )
        new = want - have
        if new:
            self.s.execute(
                sa.insert(t.registration_identifiers),
                [{"kind": k, "key": key, "registration_id": registration_id} for k, key in new],
            )

    def lookup(self, kind: str | None, key: str, *, limit: int = 200) -> list[int]:
        """The registrations an identifier names, newest first; `kind` None: any kind."""
        stmt = sa.select(_i.registration_id).where(_i.key == key).distinct()
        if kind is not None:
            stmt = stmt.where(_i.kind == kind)
        return sorted(self.s.scalars(stmt.limit(limit)), reverse=True)

    def identifiers_of(self, registration_id: int) -> list[tuple[str, str]]:
        stmt = sa.select(_i.kind, _i.key).where(_i.registration_id == registration_id)
        return sorted((k, key) for k, key in self.s.execute(stmt))

    # --- the change log ---------------------------------------------------------------------

    def record_change(self, seq: int, registration_id: int, at: datetime) -> None:
        self.s.execute(
            sa.update(t.catalogue_changes)
            .where(_c.registration_id == registration_id, _c.superseded_by.is_(None))
            .values(superseded_by=seq)
        )
        self.s.execute(
            sa.insert(t.catalogue_changes).values(
                seq=seq, registration_id=registration_id, modified_at=at
            )
        )

    def last_seq(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.max(_c.seq))) or 0)

    def seq_before(self, at: datetime) -> int:
        """The last sequence number of a change before `at` (a harvest `modified_since`)."""
        return int(self.s.scalar(sa.select(sa.func.max(_c.seq)).where(_c.modified_at < at)) or 0)

    def walk(self, *, after: int, until: int, limit: int) -> list[tuple[int, int]]:
        """(seq, registration_id) of the registrations whose latest change as of `until` lies
        after `after`, in sequence order: each registration once per bound."""
        stmt = (
            sa.select(_c.seq, _c.registration_id)
            .where(
                _c.seq > after,
                _c.seq <= until,
                sa.or_(_c.superseded_by.is_(None), _c.superseded_by > until),
            )
            .order_by(_c.seq)
            .limit(limit)
        )
        return [(int(s), int(r)) for s, r in self.s.execute(stmt)]

    def modified(self, registration_ids: Sequence[int]) -> dict[int, datetime]:
        """Each registration's latest change time."""
        if not registration_ids:
            return {}
        stmt = sa.select(_c.registration_id, _c.modified_at).where(
            _c.registration_id.in_(list(registration_ids)), _c.superseded_by.is_(None)
        )
        return {int(r): at for r, at in self.s.execute(stmt)}

    def registrations(self, ids: Sequence[int]) -> list[m.Registration]:
        if not ids:
            return []
        c = t.registrations.c
        found = {
            r.id: r for r in self.s.scalars(sa.select(m.Registration).where(c.id.in_(list(ids))))
        }
        return [found[i] for i in ids if i in found]
