"""Storage of the event feed and webhooks (issue 20 §4–§5): the feed's one keyset query over
the log, the webhook outbox, subscriptions, messages with their claims, and the delivery log.

Plain Core statements: the feed reads thousands of rows a request and the worker writes in
batches, where the ORM's bookkeeping would be most of the cost."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.sharing.cloudevents import LoggedEvent


def _row_event(r: Any) -> LoggedEvent:
    # by position (the columns of _logged_events, first): a named lookup per field costs
    # more than the rest of the row
    return LoggedEvent(r[0], r[1], r[2], r[5] or r[6], r[3], orjson.loads(r[4]))


def _logged_events() -> sa.Select[Any]:
    """Log entries joined with their events and subjects' numbers: one query, no per-event
    look-up (the subject's number comes from a join on its primary key)."""
    le, e, r, a = t.log_entries.c, t.events.c, t.registrations.c, t.applications.c
    return (
        sa.select(
            le.idx,
            e.type,
            e.subject_type,
            # naive UTC as stored: the feed formats it without converting twice
            sa.type_coerce(e.occurred_at, sa.DateTime()).label("at"),
            # the JSON text, parsed by orjson (the driver's json.loads was a third of a page)
            sa.cast(e.public, sa.Text).label("public"),
            r.registration_number,
            a.application_number,
        )
        .select_from(t.log_entries)
        .join(t.events, e.id == le.event_id)
        .outerjoin(t.registrations, sa.and_(e.subject_type == "registration", r.id == e.subject_id))
        .outerjoin(t.applications, sa.and_(e.subject_type == "application", a.id == e.subject_id))
    )


class Feed:
    """The event feed: logged events in log order, by keyset on the unique log index."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def published_size(self) -> int:
        """The latest signed checkpoint's tree size: the feed shows only provable events."""
        c = t.log_checkpoints.c
        return int(self.s.scalar(sa.select(sa.func.max(c.size))) or 0)

    def page(
        self, *, start: int, end: int, event_types: Iterable[str], limit: int
    ) -> list[LoggedEvent]:
        """Events of ``event_types`` with start <= log index < end, in order, at most limit."""
        le, e = t.log_entries.c, t.events.c
        stmt = (
            _logged_events()
            .where(le.idx >= start, le.idx < end, e.type.in_(sorted(set(event_types))))
            .order_by(le.idx)
            .limit(limit)
        )
        # fetched at once (one fetchall, not a fetchone per row)
        return [_row_event(r) for r in self.s.execute(stmt).all()]


class Webhooks:
    """Subscriptions, the outbox, messages and attempts."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._later: list[Any] = []

    # --- outbox (written in the event's transaction) -----------------------------------
    def stage_later(self, event: Any) -> None:
        """Queue an outbox row for an event; written at commit, once the event has its id."""
        self._later.append(event)

    def write_staged(self) -> None:
        """Called by the unit of work just before it commits (same transaction)."""
        if not self._later:
            return
        later, self._later = self._later, []
        self.s.flush()
        self.s.execute(sa.insert(t.webhook_outbox), [{"event_id": ev.id} for ev in later])

    def outbox_count(self) -> int:
        return int(self.s.scalar(sa.select(sa.func.count()).select_from(t.webhook_outbox)) or 0)

    def outbox_ready(self, *, below: int, limit: int) -> list[tuple[int, LoggedEvent]]:
        """(event id, event) of outbox rows whose events are logged below index ``below``.
        An empty outbox answers at once: the join below walked every log entry in index
        order on SQLite (about 0.1 s at 100,000), once a second in every idle server."""
        le, o = t.log_entries.c, t.webhook_outbox.c
        if self.s.execute(sa.select(o.event_id).limit(1)).first() is None:
            return []
        stmt = (
            _logged_events()
            .add_columns(le.event_id)
            .join(t.webhook_outbox, o.event_id == le.event_id)
            .where(le.idx.is_not(None), le.idx < below)
            .order_by(le.idx)
            .limit(limit)
        )
        return [(int(r.event_id), _row_event(r)) for r in self.s.execute(stmt)]

    def outbox_done(self, event_ids: Sequence[int]) -> None:
        if event_ids:
            o = t.webhook_outbox.c
            self.s.execute(sa.delete(t.webhook_outbox).where(o.event_id.in_(list(event_ids))))

    # --- subscriptions -------------------------------------------------------------------
    def add_subscription(self, values: dict[str, Any]) -> int:
        res = self.s.execute(sa.insert(t.webhook_subscriptions).values(**values))
        return int(res.inserted_primary_key[0])  # type: ignore[attr-defined]

    def subscription(self, sub_id: int) -> dict[str, Any] | None:
        c = t.webhook_subscriptions.c
        row = self.s.execute(sa.select(t.webhook_subscriptions).where(c.id == sub_id)).first()
        return None if row is None else dict(row._mapping)

    def subscriptions(
        self, *, client_id: str | None = None, states: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        c = t.webhook_subscriptions.c
        stmt = sa.select(t.webhook_subscriptions).order_by(c.id)
        if client_id is not None:
            stmt = stmt.where(c.client_id == client_id)
        if states is not None:
            stmt = stmt.where(c.state.in_(list(states)))
        return [dict(r._mapping) for r in self.s.execute(stmt)]

    def update_subscription(self, sub_id: int, **values: Any) -> None:
        c = t.webhook_subscriptions.c
        self.s.execute(sa.update(t.webhook_subscriptions).where(c.id == sub_id).values(**values))

    def delete_subscription(self, sub_id: int) -> None:
        m, a = t.webhook_messages.c, t.webhook_attempts.c
        ids = sa.select(m.id).where(m.subscription_id == sub_id).scalar_subquery()
        self.s.execute(sa.delete(t.webhook_attempts).where(a.message_id.in_(ids)))
        self.s.execute(sa.delete(t.webhook_messages).where(m.subscription_id == sub_id))
        c = t.webhook_subscriptions.c
        self.s.execute(sa.delete(t.webhook_subscriptions).where(c.id == sub_id))

    # --- messages ------------------------------------------------------------------------
    def add_messages(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.s.execute(sa.insert(t.webhook_messages), list(rows))

    def replay(
        self, *, sub_id: int, start: int, end: int, types: Iterable[str], at: datetime
    ) -> int:
        """Queue again every event of ``types`` logged in [start, end) for one subscription:
        existing messages go back to pending (a new round of the schedule), missing ones are
        added. Returns how many messages are queued."""
        m, le, e = t.webhook_messages.c, t.log_entries.c, t.events.c
        type_list = sorted(set(types))
        again = self.s.execute(
            sa.update(t.webhook_messages)
            .where(m.subscription_id == sub_id, m.log_index >= start, m.log_index < end)
            .values(state="pending", attempts=0, next_attempt_at=at, delivered_at=None)
        ).rowcount  # type: ignore[attr-defined]
        have = sa.select(m.event_id).where(m.subscription_id == sub_id)
        missing = (
            sa.select(
                sa.literal(sub_id),
                le.event_id,
                le.idx,
                sa.literal("pending"),
                sa.literal(0),
                sa.literal(at, t.UTCDateTime()),
                sa.literal(at, t.UTCDateTime()),
            )
            .select_from(t.log_entries)
            .join(t.events, e.id == le.event_id)
            .where(
                le.idx >= start,
                le.idx < end,
                e.type.in_(type_list),
                le.event_id.not_in(have),
            )
        )
        # counted first: an INSERT … SELECT's rowcount is -1 on some drivers (psycopg)
        added = self.s.scalar(sa.select(sa.func.count()).select_from(missing.subquery()))
        self.s.execute(
            sa.insert(t.webhook_messages).from_select(
                [
                    "subscription_id",
                    "event_id",
                    "log_index",
                    "state",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ],
                missing,
            )
        )
        return int(again or 0) + int(added or 0)

    def claim_due(
        self,
        *,
        holder: str,
        now: datetime,
        until: datetime,
        limit: int,
        busy: dict[int, int] | None = None,
        per_subscription: int | None = None,
    ) -> list[int]:
        """Claim up to ``limit`` due messages of active subscriptions for ``holder``: a
        compare-and-set on the claim, so two workers never hold the same message. On
        PostgreSQL the candidates are locked ``FOR UPDATE SKIP LOCKED``, so workers claiming
        at once take different rows instead of queuing on the same ones. At most
        ``per_subscription`` messages of one subscription are in flight with this holder
        (``busy``: those it already sends), so one slow receiver cannot fill a claim."""
        m, c = t.webhook_messages.c, t.webhook_subscriptions.c
        if limit <= 0:
            return []
        busy = busy or {}
        full = {
            s for s, n in busy.items() if per_subscription is not None and n >= per_subscription
        }
        # the active subscriptions as a list, not a join: the due index is then read in
        # order and the scan stops at the limit (a join had PostgreSQL sort every due row)
        active = [
            int(x)
            for x in self.s.scalars(sa.select(c.id).where(c.state == "active"))
            if int(x) not in full
        ]
        if not active:
            return []
        free = sa.or_(m.claimed_until.is_(None), m.claimed_until < now)
        due = (
            sa.select(m.id, m.subscription_id)
            .where(
                m.state == "pending",
                m.next_attempt_at <= now,
                free,
                m.subscription_id.in_(active),
            )
            .order_by(m.next_attempt_at)
            .limit(limit if per_subscription is None else limit * 4)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(of=t.webhook_messages, skip_locked=True)
        ids: list[int] = []
        taken: dict[int, int] = dict(busy)
        for mid, sub in self.s.execute(due):
            if per_subscription is not None:
                if taken.get(sub, 0) >= per_subscription:
                    continue
                taken[sub] = taken.get(sub, 0) + 1
            ids.append(int(mid))
            if len(ids) >= limit:
                break
        if not ids:
            return []
        self.s.execute(
            sa.update(t.webhook_messages)
            .where(m.id.in_(ids), m.state == "pending", free)
            .values(claimed_by=holder, claimed_until=until)
        )
        stmt = sa.select(m.id).where(m.id.in_(ids), m.claimed_by == holder)
        return [int(x) for x in self.s.scalars(stmt)]

    def messages(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The claimed messages with what an attempt needs: the event and the subscription."""
        m, s = t.webhook_messages.c, t.webhook_subscriptions.c
        le, i = t.log_entries.c, t.institutions.c
        stmt = (
            _logged_events()
            .add_columns(
                m.id.label("message_id"),
                m.attempts,
                m.created_at.label("queued_at"),
                s.id.label("subscription_id"),
                s.url,
                s.types,
                s.allowed,
                s.schemes,
                s.ed25519_secret,
                s.hmac_secret,
                i.state.label("client_state"),
                i.scopes.label("client_scopes"),
            )
            .join(t.webhook_messages, m.event_id == le.event_id)
            .join(t.webhook_subscriptions, s.id == m.subscription_id)
            # the client as it is now: its state and scopes are checked at each delivery
            .outerjoin(t.institutions, i.client_id == s.client_id)
            .where(m.id.in_(list(ids)))
            .order_by(le.idx)
        )
        out = []
        for r in self.s.execute(stmt):
            row = dict(r._mapping)
            row["event"] = _row_event(r)
            out.append(row)
        return out

    def settle(self, message_id: int, holder: str, **values: Any) -> bool:
        """Store an attempt's outcome on a message this holder still claims."""
        m = t.webhook_messages.c
        done = self.s.execute(
            sa.update(t.webhook_messages)
            .where(m.id == message_id, m.claimed_by == holder)
            .values(claimed_by=None, claimed_until=None, **values)
        ).rowcount  # type: ignore[attr-defined]
        return bool(done)

    def settle_delivered(self, ids: Sequence[int], holder: str, at: datetime) -> None:
        """Mark delivered, in one statement, the messages of ``ids`` this holder claims (each
        carries its attempt number: attempts + 1)."""
        if ids:
            m = t.webhook_messages.c
            self.s.execute(
                sa.update(t.webhook_messages)
                .where(m.id.in_(list(ids)), m.claimed_by == holder)
                .values(
                    claimed_by=None,
                    claimed_until=None,
                    state="delivered",
                    delivered_at=at,
                    attempts=m.attempts + 1,
                )
            )

    def add_attempts(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.s.execute(sa.insert(t.webhook_attempts), list(rows))

    def attempts(
        self, sub_id: int, *, limit: int = 100, before: int | None = None
    ) -> list[dict[str, Any]]:
        a, m = t.webhook_attempts.c, t.webhook_messages.c
        stmt = (
            sa.select(
                a.id,
                a.attempt,
                a.at,
                a.status_code,
                a.latency_ms,
                a.error,
                m.log_index,
                m.state,
            )
            .join(t.webhook_messages, m.id == a.message_id)
            .where(a.subscription_id == sub_id)
            .order_by(a.id.desc())
            .limit(limit)
        )
        if before is not None:
            stmt = stmt.where(a.id < before)
        return [dict(r._mapping) for r in self.s.execute(stmt)]

    def prune(self, *, before: datetime, limit: int = 10_000) -> int:
        """Delete delivered, failed and skipped messages created before ``before``, with
        their attempts, and attempts older than it (at most ``limit`` messages a call):
        the retention of messages and of the delivery log. The feed (the log) stays."""
        m, a = t.webhook_messages.c, t.webhook_attempts.c
        ids = list(
            self.s.scalars(
                sa.select(m.id)
                .where(m.state != "pending", m.created_at < before)
                .order_by(m.id)
                .limit(limit)
            )
        )
        if ids:
            self.s.execute(sa.delete(t.webhook_attempts).where(a.message_id.in_(ids)))
            self.s.execute(sa.delete(t.webhook_messages).where(m.id.in_(ids)))
        self.s.execute(sa.delete(t.webhook_attempts).where(a.at < before))
        return len(ids)

    def message_counts(self, sub_id: int) -> dict[str, int]:
        m = t.webhook_messages.c
        stmt = (
            sa.select(m.state, sa.func.count()).where(m.subscription_id == sub_id).group_by(m.state)
        )
        return {str(r[0]): int(r[1]) for r in self.s.execute(stmt)}
