"""What the registry fixes in its transparency log (透明日志, DESIGN §4; RFC 6962): the events,
which are the archive (G§25) and the log's leaves; evidence deposits (存证, R6 / G§8), a data
set's fingerprint root recorded by an event; and the log's own storage — the leaf outbox,
full-subtree hashes, the tree size and checkpoints — with what the audit compares them to."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo, read_memo
from dataip.domain import model as m


class Events(_Repo[m.Event]):
    cls = m.Event

    @read_memo
    def for_subject(self, subject_type: str, subject_id: int) -> list[m.Event]:
        c = t.events.c
        stmt = sa.select(m.Event).where(c.subject_type == subject_type, c.subject_id == subject_id)
        return self._all(stmt.order_by(c.id))

    @read_memo
    def for_subjects(self, *subjects: tuple[str, int]) -> list[m.Event]:
        """The events of several subjects (type, id) in one query, in id order: a
        registration's history is its application's, its own and its certificate's."""
        if not subjects:
            return []
        c = t.events.c
        stmt = sa.select(m.Event).where(
            sa.or_(*(sa.and_(c.subject_type == k, c.subject_id == i) for k, i in subjects))
        )
        return self._all(stmt.order_by(c.id))

    def of_type(self, subject_type: str, subject_ids: Sequence[int], type_: str) -> list[m.Event]:
        """The events of one type of many subjects of one kind, in id order (what a batch of
        certificates needs: their issuance events)."""
        if not subject_ids:
            return []
        c = t.events.c
        stmt = sa.select(m.Event).where(
            c.subject_type == subject_type, c.subject_id.in_(list(subject_ids)), c.type == type_
        )
        return self._all(stmt.order_by(c.id))

    def count(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.count()).select_from(t.events)) or 0)

    def generation(self) -> tuple[int, int]:
        """The last event's id and the log's integrated size, in one cheap query (an index's
        end, a counter): every change to the register records an event, so one of them moves
        with each — the last id at its commit; the size when it is logged, even where ids
        were committed out of order (two transactions at once)."""
        c = t.counters.c
        row = self.s.execute(
            sa.select(
                sa.select(sa.func.max(t.events.c.id)).scalar_subquery(),
                sa.select(c.value).where(c.name == Ledger.SIZE_COUNTER).scalar_subquery(),
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)


class Deposits(_Repo[m.Deposit]):
    cls = m.Deposit

    def by_number(self, number: str) -> m.Deposit | None:
        return self.s.scalars(sa.select(m.Deposit).where(t.deposits.c.number == number)).first()

    def find(self, depositor_user_id: int, hash_name: str, root: str) -> m.Deposit | None:
        c = t.deposits.c
        stmt = sa.select(m.Deposit).where(
            c.depositor_user_id == depositor_user_id, c.hash == hash_name, c.root == root
        )
        return self.s.scalars(stmt).first()

    def for_user(self, user_id: int, *, limit: int = 100) -> list[m.Deposit]:
        c = t.deposits.c
        stmt = sa.select(m.Deposit).where(c.depositor_user_id == user_id)
        return self._all(stmt.order_by(c.id.desc()).limit(limit))


# (level, idx) pairs a statement asks at most: SQLite refuses an OR chain of 1,000 terms
# ("Expression tree is too large"), and a batch of proofs asks thousands
_PROBES = 400


@functools.lru_cache(maxsize=256)
def _probe_sql(terms: int, mark: str) -> str:
    """OR of (level = ? AND idx = ?), one index probe per term on both backends. Plain SQL,
    cached by size: building the same expression with SQLAlchemy cost more than the query
    (and a row-value IN makes SQLite scan the whole table)."""
    probe = f"(level = {mark} AND idx = {mark})"
    return "SELECT level, idx, hash FROM log_nodes WHERE " + " OR ".join([probe] * terms)


class Ledger:
    """The transparency log's storage: the leaf outbox, full-subtree hashes, checkpoints.

    Plain Core statements in bulk (executemany): the integrator writes thousands of rows per
    second and the ORM's unit-of-work bookkeeping would be most of the cost.
    """

    SIZE_COUNTER = "log_size"

    def __init__(self, session: Session) -> None:
        self.s = session
        self._later: list[tuple[m.Event, Callable[[m.Event], bytes]]] = []

    # --- outbox ---------------------------------------------------------------------------
    def stage(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Insert (event_id, leaf) rows now."""
        if rows:
            self.s.execute(
                sa.insert(t.log_entries), [{"event_id": e, "leaf": leaf} for e, leaf in rows]
            )

    def stage_later(self, event: m.Event, leaf_of: Callable[[m.Event], bytes]) -> None:
        """Stage an event's leaf at commit, once the event has its id: one flush and one
        multi-row insert per transaction instead of a flush and an insert per event."""
        self._later.append((event, leaf_of))

    def write_staged(self) -> None:
        """Called by the unit of work just before it commits (same transaction)."""
        if not self._later:
            return
        later, self._later = self._later, []
        self.s.flush()
        self.stage([(event.id, leaf_of(event)) for event, leaf_of in later])

    def pending(self, limit: int) -> list[tuple[int, bytes]]:
        c = t.log_entries.c
        stmt = (
            sa.select(c.event_id, c.leaf).where(c.idx.is_(None)).order_by(c.event_id).limit(limit)
        )
        return [(int(r[0]), bytes(r[1])) for r in self.s.execute(stmt)]

    def pending_count(self) -> int:
        c = t.log_entries.c
        stmt = sa.select(sa.func.count()).select_from(t.log_entries).where(c.idx.is_(None))
        return int(self.s.scalar(stmt) or 0)

    def events_without_leaf(self, *, after_id: int = 0, limit: int = 1000) -> list[m.Event]:
        e, le = t.events.c, t.log_entries.c
        missing = ~sa.exists().where(le.event_id == e.id)
        stmt = sa.select(m.Event).where(e.id > after_id, missing).order_by(e.id).limit(limit)
        return list(self.s.scalars(stmt))

    def assign(self, rows: Sequence[tuple[int, int]]) -> None:
        """Give staged leaves their log indices: (event_id, idx) pairs."""
        if not rows:
            return
        c = t.log_entries.c
        stmt = (
            sa.update(t.log_entries)
            .where(c.event_id == sa.bindparam("eid"), c.idx.is_(None))
            .values(idx=sa.bindparam("new_idx"))
        )
        self.s.connection().execute(stmt, [{"eid": e, "new_idx": i} for e, i in rows])

    # --- tree -----------------------------------------------------------------------------
    def size(self) -> int:
        c = t.counters.c
        value = self.s.scalar(sa.select(c.value).where(c.name == self.SIZE_COUNTER))
        return int(value or 0)

    def advance(self, old: int, new: int) -> bool:
        """Compare-and-swap the integrated tree size; False if another integrator moved it.

        Done first in an integrator's transaction: on PostgreSQL the row lock makes a second
        integrator wait here, then fail the comparison, before it writes anything."""
        c = t.counters.c
        stmt = (
            sa.update(t.counters)
            .where(c.name == self.SIZE_COUNTER, c.value == old)
            .values(value=new)
        )
        if self.s.execute(stmt).rowcount:  # type: ignore[attr-defined]
            return True
        if old != 0:
            return False
        try:
            with self.s.begin_nested():
                self.s.execute(sa.insert(t.counters).values(name=self.SIZE_COUNTER, value=new))
            return True
        except IntegrityError:
            return False

    def add_nodes(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        if nodes:
            self.s.connection().execute(
                sa.insert(t.log_nodes),
                [{"level": lv, "idx": i, "hash": h} for lv, i, h in nodes],
            )

    def hash_at(self, level: int, index: int) -> bytes | None:
        c = t.log_nodes.c
        value = self.s.scalar(sa.select(c.hash).where(c.level == level, c.idx == index))
        return None if value is None else bytes(value)

    def hashes(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Many full-subtree hashes in one round trip (what a proof needs); a batch of proofs
        in round trips of at most `_PROBES`."""
        wanted = sorted(set(pairs))
        conn = self.s.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        out: dict[tuple[int, int], bytes] = {}
        for at in range(0, len(wanted), _PROBES):
            part = wanted[at : at + _PROBES]
            params = tuple(x for pair in part for x in pair)
            rows = conn.exec_driver_sql(_probe_sql(len(part), mark), params)
            out.update({(int(r[0]), int(r[1])): bytes(r[2]) for r in rows})
        return out

    def level_range(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]:
        """Hashes at one level with start <= idx < end, in order."""
        c = t.log_nodes.c
        stmt = (
            sa.select(c.idx, c.hash)
            .where(c.level == level, c.idx >= start, c.idx < end)
            .order_by(c.idx)
        )
        return [(int(r[0]), bytes(r[1])) for r in self.s.execute(stmt)]

    # --- entries --------------------------------------------------------------------------
    def entries(self, start: int, end: int) -> list[tuple[int, int, bytes]]:
        """(idx, event_id, leaf) for start <= idx < end, in order."""
        c = t.log_entries.c
        stmt = (
            sa.select(c.idx, c.event_id, c.leaf).where(c.idx >= start, c.idx < end).order_by(c.idx)
        )
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in self.s.execute(stmt)]

    def leaves_at(self, indices: Sequence[int]) -> dict[int, bytes]:
        """The leaves at these indices, by index (a batch of receipts carries each its own)."""
        if not indices:
            return {}
        c = t.log_entries.c
        stmt = sa.select(c.idx, c.leaf).where(c.idx.in_(sorted(set(indices))))
        return {int(r[0]): bytes(r[1]) for r in self.s.execute(stmt)}

    def index_of_event(self, event_id: int) -> int | None:
        c = t.log_entries.c
        value = self.s.scalar(sa.select(c.idx).where(c.event_id == event_id))
        return None if value is None else int(value)

    def indices_of_events(self, event_ids: Sequence[int]) -> dict[int, int]:
        if not event_ids:
            return {}
        c = t.log_entries.c
        stmt = sa.select(c.event_id, c.idx).where(
            c.event_id.in_(list(event_ids)), c.idx.is_not(None)
        )
        return {int(r[0]): int(r[1]) for r in self.s.execute(stmt)}

    def events(self, ids: Sequence[int]) -> dict[int, m.Event]:
        if not ids:
            return {}
        stmt = sa.select(m.Event).where(t.events.c.id.in_(list(ids)))
        return {e.id: e for e in self.s.scalars(stmt)}

    # --- checkpoints ----------------------------------------------------------------------
    def add_checkpoint(self, size: int, root_hash: bytes, note: str, at: Any) -> None:
        self.s.execute(
            sa.insert(t.log_checkpoints).values(
                size=size, root_hash=root_hash, note=note, created_at=at
            )
        )

    def latest_checkpoint(self) -> tuple[int, bytes, str] | None:
        c = t.log_checkpoints.c
        row = self.s.execute(
            sa.select(c.size, c.root_hash, c.note).order_by(c.size.desc()).limit(1)
        ).first()
        return None if row is None else (int(row[0]), bytes(row[1]), str(row[2]))

    def checkpoints(
        self, *, above: int | None = None, upto: int | None = None
    ) -> list[tuple[int, bytes, str]]:
        """Stored checkpoints with above < size <= upto, by size."""
        c = t.log_checkpoints.c
        stmt = sa.select(c.size, c.root_hash, c.note).order_by(c.size)
        if above is not None:
            stmt = stmt.where(c.size > above)
        if upto is not None:
            stmt = stmt.where(c.size <= upto)
        return [(int(r[0]), bytes(r[1]), str(r[2])) for r in self.s.execute(stmt)]

    def latest_states(self, subject_type: str) -> list[tuple[int, int, str]]:
        """(subject id, event id, public "state") of each subject's latest event naming a state."""
        e = t.events.c
        state = e.public["state"].as_string()
        last = (
            sa.select(sa.func.max(e.id).label("eid"))
            .where(e.subject_type == subject_type, state.is_not(None))
            .group_by(e.subject_id)
            .subquery()
        )
        stmt = (
            sa.select(e.subject_id, e.id, state)
            .join(last, last.c.eid == e.id)
            .order_by(e.subject_id)
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in self.s.execute(stmt)]

    def application_states(self) -> dict[int, str]:
        c = t.applications.c
        return {int(r[0]): str(r[1]) for r in self.s.execute(sa.select(c.id, c.state))}

    def registration_states(self) -> dict[int, str]:
        c = t.registrations.c
        return {int(r[0]): str(r[1]) for r in self.s.execute(sa.select(c.id, c.state))}
