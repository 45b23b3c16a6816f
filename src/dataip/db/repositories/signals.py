"""Signals and the hotness snapshot (issue 22 §3, §4): tables `signal_daily`, `signal_salts`,
`signal_seen`, `signal_visitors`, `hot_scores`.

Contracts the services rely on:

* ``count`` is the whole write of a visit: the de-duplication rows are inserted with ON
  CONFLICT DO NOTHING … RETURNING, so of two concurrent identical visits exactly one is new;
  the visitor's daily counter and the daily counts are upserts (``count = count + n``), so
  concurrent visits add up and never lose one;
* ``salt`` returns the same salt to every process for a day (insert-or-read);
* ``close_day`` is idempotent: a day's filing counts are replaced, its transient rows deleted.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.domain.after_registration import region_of

_LIVE_STATES = ("valid", "revocation_pending")  # after_registration.IN_FORCE
_FILING_KINDS = ("licence", "pledge", "trade")
# counted from the registry's own records when a day closes (not from visitors)
_CLOSED_KINDS = (*_FILING_KINDS, "citation")


class Signals:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _insert(self) -> Any:
        pg = self.s.get_bind().dialect.name == "postgresql"
        return postgresql.insert if pg else sqlite.insert

    # --- collection ------------------------------------------------------------------------
    def salt(self, day: date) -> bytes:
        """The day's salt, made on first use (every process gets the same one)."""
        c = t.signal_salts.c
        row = self.s.execute(sa.select(c.salt).where(c.day == day)).first()
        if row is None:
            self.s.execute(
                self._insert()(t.signal_salts)
                .values(day=day, salt=secrets.token_hex(32))
                .on_conflict_do_nothing()
            )
            row = self.s.execute(sa.select(c.salt).where(c.day == day)).one()
        return bytes.fromhex(row[0])

    def registration_ids(self, numbers: Sequence[str]) -> dict[str, int]:
        if not numbers:
            return {}
        c = t.registrations.c
        stmt = sa.select(c.registration_number, c.id).where(
            c.registration_number.in_(sorted(set(numbers)))
        )
        return {str(n): int(i) for n, i in self.s.execute(stmt)}

    def count(
        self, day: date, visitor: str, kind: str, registration_ids: Sequence[int], cap: int
    ) -> list[int]:
        """Count `kind` for each registration this visitor has not had it counted for today,
        up to the visitor's daily cap; the ids counted."""
        ids = sorted(set(registration_ids))
        if not ids:
            return []
        insert = self._insert()
        seen = t.signal_seen
        new = [
            int(r[0])
            for r in self.s.execute(
                insert(seen)
                .values(
                    [
                        {"day": day, "visitor": visitor, "kind": kind, "registration_id": i}
                        for i in ids
                    ]
                )
                .on_conflict_do_nothing()
                .returning(seen.c.registration_id)
            )
        ]
        if not new:
            return []
        new.sort()
        v = t.signal_visitors
        stmt = insert(v).values(day=day, visitor=visitor, count=len(new))
        total = self.s.execute(
            stmt.on_conflict_do_update(
                index_elements=[v.c.day, v.c.visitor], set_={"count": v.c.count + len(new)}
            ).returning(v.c.count)
        ).scalar_one()
        allowed = max(0, cap - (int(total) - len(new)))
        counted = new[:allowed]
        if counted:
            self.add(day, kind, {i: 1 for i in counted})
        return counted

    def add(self, day: date, kind: str, counts: dict[int, int], amounts: Any = None) -> None:
        """Add to the daily counts (an upsert per registration)."""
        if not counts:
            return
        d = t.signal_daily
        rows = [
            {
                "day": day,
                "registration_id": i,
                "kind": kind,
                "count": n,
                "amount_fen": (amounts or {}).get(i, 0),
            }
            for i, n in sorted(counts.items())
        ]
        stmt = self._insert()(d).values(rows)
        self.s.execute(
            stmt.on_conflict_do_update(
                index_elements=[d.c.day, d.c.registration_id, d.c.kind],
                set_={
                    "count": d.c.count + stmt.excluded.count,
                    "amount_fen": d.c.amount_fen + stmt.excluded.amount_fen,
                },
            )
        )

    # --- closing a day ---------------------------------------------------------------------
    def filings_between(self, first: date, last: date) -> list[tuple[date, int, str, int, int]]:
        """(day, registration id, kind, count, amount in fen) of the licences, pledges and
        trades filed on days first … last."""
        f = t.filings.c
        stmt = (
            sa.select(f.filed_on, f.registration_id, f.kind, f.details)
            .where(f.filed_on >= first, f.filed_on <= last, f.kind.in_(_FILING_KINDS))
            .order_by(f.filed_on, f.registration_id, f.kind)
        )
        out: dict[tuple[date, int, str], list[int]] = {}
        for day, reg, kind, details in self.s.execute(stmt):
            acc = out.setdefault((day, int(reg), str(kind)), [0, 0])
            acc[0] += 1
            acc[1] += _amount(kind, details or {})
        return [(d, r, k, n, a) for (d, r, k), (n, a) in out.items()]

    def citations_between(self, first: date, last: date) -> list[tuple[date, int, str, int, int]]:
        """(day, registration id, "citation", count, 0): on days first … last (the registry's
        days), the confirmations of links that name a registration here as an upstream source
        (issue 23 §1; a declaration counts once its upstream holder confirms it)."""
        lk = t.derivation_links.c
        lo = datetime.combine(first, time(), t.REGISTRY_TZ)
        hi = datetime.combine(last + timedelta(days=1), time(), t.REGISTRY_TZ)
        stmt = sa.select(lk.upstream_registration_id, lk.decided_at).where(
            lk.upstream_kind == "registration",
            lk.state == "confirmed",
            lk.decided_at >= lo,
            lk.decided_at < hi,
        )
        out: Counter[tuple[date, int]] = Counter()
        for reg, at in self.s.execute(stmt):
            out[(at.astimezone(t.REGISTRY_TZ).date(), int(reg))] += 1
        return [(d, r, "citation", n, 0) for (d, r), n in sorted(out.items())]

    def replace_filings(
        self, first: date, last: date, rows: list[tuple[date, int, str, int, int]]
    ) -> None:
        """The counts taken from records (filings, citations) of days first … last, replaced
        by `rows` (idempotent)."""
        d = t.signal_daily.c
        self.s.execute(
            sa.delete(t.signal_daily).where(
                d.day >= first, d.day <= last, d.kind.in_(_CLOSED_KINDS)
            )
        )
        if rows:
            self.s.execute(
                sa.insert(t.signal_daily),
                [
                    {"day": day, "registration_id": r, "kind": k, "count": n, "amount_fen": a}
                    for day, r, k, n, a in rows
                ],
            )

    def purge_through(self, day: date) -> None:
        """Delete the transient rows and salts of `day` and every day before."""
        for table in (t.signal_seen, t.signal_visitors, t.signal_salts):
            self.s.execute(sa.delete(table).where(table.c.day <= day))

    def first_day(self) -> date | None:
        return self.s.execute(sa.select(sa.func.min(t.signal_daily.c.day))).scalar()

    # --- the snapshot ----------------------------------------------------------------------
    def window_rows(self, first: date, last: date) -> Iterator[tuple[int, date, str, int]]:
        """(registration id, day, kind, count) for days first … last, a day at a time (a
        primary-key range each: no server-side cursor, which PostgreSQL's read-only units of
        work, in autocommit, could not hold)."""
        d = t.signal_daily.c
        day = first
        while day <= last:
            stmt = sa.select(d.registration_id, d.kind, d.count).where(d.day == day)
            for reg, kind, count in self.s.execute(stmt):
                yield int(reg), day, str(kind), int(count)
            day += timedelta(days=1)

    def rankable(self, ids: Sequence[int]) -> dict[int, tuple[str, str | None, str | None]]:
        """Of these registrations, those in force: id → (number, GB/T 4754 section, province:
        the first holder's credit code with a division, its characters 3–4)."""
        out: dict[int, tuple[str, str | None, str | None]] = {}
        r, i = t.registrations.c, t.industries.c
        for k in range(0, len(ids), 10_000):
            chunk = ids[k : k + 10_000]
            stmt = (
                sa.select(r.id, r.registration_number, i.section, r.holders)
                .select_from(t.registrations.outerjoin(t.industries, i.code == r.industry_code))
                .where(r.id.in_(chunk), r.state.in_(_LIVE_STATES))
            )
            for reg_id, number, section, holders in self.s.execute(stmt):
                region = next(
                    (d for d in (region_of(h.get("credit_code")) for h in holders or []) if d),
                    None,
                )
                out[int(reg_id)] = (str(number), section, region[:2] if region else None)
        return out

    def replace_snapshot(self, rows: Iterable[dict[str, Any]]) -> None:
        self.s.execute(sa.delete(t.hot_scores))
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                self.s.execute(sa.insert(t.hot_scores), batch)
                batch = []
        if batch:
            self.s.execute(sa.insert(t.hot_scores), batch)

    # --- reading ---------------------------------------------------------------------------
    def hot(self, *, section: str | None, region: str | None, limit: int) -> list[dict[str, Any]]:
        """The snapshot's top rows overall, in a section or in a province, with what the page
        shows of each registration."""
        h, r = t.hot_scores.c, t.registrations.c
        # the page of the snapshot first (its rank index), then the registrations' names: a
        # join first lets SQLite walk every registration and sort
        if section:
            rank, where = h.rank_section, h.section == section
        elif region:
            rank, where = h.rank_region, h.region == region
        else:
            rank, where = h.rank_all, sa.true()
        top = (
            sa.select(t.hot_scores, rank.label("rank"))
            .where(where)
            .order_by(rank)
            .limit(limit)
            .subquery()
        )
        stmt = (
            sa.select(
                top.c.registration_number,
                top.c.score,
                top.c.section,
                top.c.region,
                top.c.rank_all,
                top.c.rank_section,
                top.c.rank_region,
                top.c.counts,
                top.c.as_of,
                r.name,
                r.industry_code,
                r.holders,
                t.industries.c.name.label("industry_name"),
            )
            .join(t.registrations, r.id == top.c.registration_id)
            .outerjoin(t.industries, t.industries.c.code == r.industry_code)
            .order_by(top.c.rank)
        )
        return [dict(row._mapping) for row in self.s.execute(stmt)]

    def snapshot_as_of(self) -> tuple[date | None, datetime | None]:
        h = t.hot_scores.c
        row = self.s.execute(sa.select(h.as_of, h.computed_at).limit(1)).first()
        return (row[0], row[1]) if row else (None, None)

    def daily_page(
        self, first: date, last: date, after: tuple[date, int, str] | None, limit: int
    ) -> list[tuple[date, int, str, str, int]]:
        """Published daily counts, keyset-paged by (day, registration id, kind):
        (day, registration id, registration number, kind, count)."""
        d, r = t.signal_daily.c, t.registrations.c
        stmt = (
            sa.select(d.day, d.registration_id, r.registration_number, d.kind, d.count)
            .join(t.registrations, r.id == d.registration_id)
            .where(d.day >= first, d.day <= last)
        )
        if after is not None:
            stmt = stmt.where(sa.tuple_(d.day, d.registration_id, d.kind) > sa.tuple_(*after))
        stmt = stmt.order_by(d.day, d.registration_id, d.kind).limit(limit)
        return [(a, int(b), str(c), str(k), int(n)) for a, b, c, k, n in self.s.execute(stmt)]


def _amount(kind: str, details: dict[str, Any]) -> int:
    """The filed amount in fen: a licence's fee, a pledge's secured amount, a trade's price."""
    key = {"licence": "fee_fen", "pledge": "secured_amount_fen", "trade": "price_fen"}[kind]
    value = details.get(key)
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0
