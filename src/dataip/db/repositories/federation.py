"""The federation's rows (issue 21): accepted trust lists and the witness's memory.

Contracts the services rely on:

* ``add_trust_list`` is idempotent per (operator, sequence): a second process storing the same
  list is told it was there (False) and reads it back;
* ``advance_witness`` is a compare-and-swap on (size, root): of two requests checked against
  the same stored state, exactly one moves it; ``start_witnessing`` is its first-row form
  (an insert, of which one of two concurrent ones wins).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.federation.state import StoredStatusList, WitnessPush


@dataclass(frozen=True)
class StoredTrustList:
    operator: str
    sequence: int
    issued: datetime
    expires: datetime
    note: str
    fetched_at: datetime


@dataclass(frozen=True)
class WitnessedLog:
    origin: str
    size: int
    root_hash: str  # base64
    checkpoint: str
    cosigned_at: datetime


def _trust_list(row: Mapping[Any, Any]) -> StoredTrustList:
    return StoredTrustList(**{k: row[k] for k in StoredTrustList.__dataclass_fields__})


class Federation:
    """Tables `trust_lists` and `witnessed_logs`."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- trust lists -----------------------------------------------------------------------
    def newest_trust_list(self, operator: str) -> StoredTrustList | None:
        c = t.trust_lists.c
        row = self.s.execute(
            sa.select(t.trust_lists).where(c.operator == operator).order_by(c.sequence.desc())
        ).first()
        return _trust_list(row._mapping) if row else None

    def trust_list(self, operator: str, sequence: int) -> StoredTrustList | None:
        c = t.trust_lists.c
        row = self.s.execute(
            sa.select(t.trust_lists).where(c.operator == operator, c.sequence == sequence)
        ).first()
        return _trust_list(row._mapping) if row else None

    def add_trust_list(self, **values: Any) -> bool:
        """Store an accepted list; False if (operator, sequence) is already stored."""
        try:
            with self.s.begin_nested():
                self.s.execute(sa.insert(t.trust_lists).values(**values))
        except IntegrityError:
            return False
        return True

    # --- the witness -----------------------------------------------------------------------
    def witnessed(self, origin: str) -> WitnessedLog | None:
        return self._witnessed(t.witnessed_logs.c.origin == origin)

    def witnessed_by_hash(self, origin_hash: str) -> WitnessedLog | None:
        """By the lowercase hex SHA-256 of the origin (tlog-witness monitoring path)."""
        return self._witnessed(t.witnessed_logs.c.origin_hash == origin_hash)

    def _witnessed(self, where: Any) -> WitnessedLog | None:
        row = self.s.execute(sa.select(t.witnessed_logs).where(where)).first()
        if row is None:
            return None
        return WitnessedLog(**{k: row._mapping[k] for k in WitnessedLog.__dataclass_fields__})

    def start_witnessing(
        self, *, origin: str, size: int, root_hash: str, checkpoint: str, at: datetime
    ) -> bool:
        """The first cosigned checkpoint of a log; False if another request stored one."""
        try:
            with self.s.begin_nested():
                self.s.execute(
                    sa.insert(t.witnessed_logs).values(
                        origin=origin,
                        origin_hash=hashlib.sha256(origin.encode("utf-8")).hexdigest(),
                        size=size,
                        root_hash=root_hash,
                        checkpoint=checkpoint,
                        cosigned_at=at,
                    )
                )
        except IntegrityError:
            return False
        return True

    def advance_witness(
        self,
        *,
        origin: str,
        old_size: int,
        old_root: str,
        size: int,
        root_hash: str,
        checkpoint: str,
        at: datetime,
    ) -> bool:
        """Compare-and-swap: move the log's state only if it is still (old_size, old_root)."""
        c = t.witnessed_logs.c
        done = self.s.execute(
            sa.update(t.witnessed_logs)
            .where(c.origin == origin, c.size == old_size, c.root_hash == old_root)
            .values(size=size, root_hash=root_hash, checkpoint=checkpoint, cosigned_at=at)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def record_refusal(self, *, keep: int, **values: Any) -> None:
        """One refused add-checkpoint request (no body); only the newest ``keep`` are kept."""
        r = t.witness_refusals.c
        res = self.s.execute(sa.insert(t.witness_refusals).values(**values))
        new_id = int(res.inserted_primary_key[0])  # type: ignore[attr-defined]
        self.s.execute(sa.delete(t.witness_refusals).where(r.id <= new_id - keep))

    def refusals(self, *, limit: int, origin: str | None = None) -> list[dict[str, Any]]:
        """The refused add-checkpoint requests, newest first."""
        r = t.witness_refusals.c
        query = sa.select(t.witness_refusals).order_by(r.id.desc()).limit(limit)
        if origin is not None:
            query = query.where(r.origin == origin)
        return [dict(row._mapping) for row in self.s.execute(query)]

    # --- other registries' status lists (issue 21 §2) -------------------------------------
    def status_list(self, url: str) -> StoredStatusList | None:
        row = self.s.execute(
            sa.select(t.foreign_status_lists).where(t.foreign_status_lists.c.url == url)
        ).first()
        if row is None:
            return None
        return StoredStatusList(
            **{k: row._mapping[k] for k in StoredStatusList.__dataclass_fields__}
        )

    def put_status_list(self, *, url: str, issuer: str, token: str, fetched_at: datetime) -> None:
        """Store (or replace) a verified status list fetched from `url`."""
        c = t.foreign_status_lists.c
        done = self.s.execute(
            sa.update(t.foreign_status_lists)
            .where(c.url == url)
            .values(issuer=issuer, token=token, fetched_at=fetched_at)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            try:
                with self.s.begin_nested():
                    self.s.execute(
                        sa.insert(t.foreign_status_lists).values(
                            url=url, issuer=issuer, token=token, fetched_at=fetched_at
                        )
                    )
            except IntegrityError:
                pass  # another process stored it at the same moment

    # --- pushing our checkpoints to peers' witnesses (issue 21 §3) -------------------------
    def pushes(self) -> list[WitnessPush]:
        rows = self.s.execute(sa.select(t.witness_pushes).order_by(t.witness_pushes.c.witness))
        return [_push(r._mapping) for r in rows]

    def push(self, witness: str) -> WitnessPush | None:
        row = self.s.execute(
            sa.select(t.witness_pushes).where(t.witness_pushes.c.witness == witness)
        ).first()
        return _push(row._mapping) if row else None

    def save_push(self, push: WitnessPush) -> None:
        values = {k: getattr(push, k) for k in WitnessPush.__dataclass_fields__}
        c = t.witness_pushes.c
        done = self.s.execute(
            sa.update(t.witness_pushes).where(c.witness == push.witness).values(**values)
        )
        if done.rowcount:  # type: ignore[attr-defined]
            return
        try:
            with self.s.begin_nested():
                self.s.execute(sa.insert(t.witness_pushes).values(**values))
        except IntegrityError:  # another process's push stored the first row: ours is newer
            self.s.execute(
                sa.update(t.witness_pushes).where(c.witness == push.witness).values(**values)
            )


def _push(row: Mapping[Any, Any]) -> WitnessPush:
    return WitnessPush(**{k: row[k] for k in WitnessPush.__dataclass_fields__})


# --- following the peers' event feeds (issue 21 §5) -------------------------------------------
class PeerFeeds:
    """``advance`` is a compare-and-swap on the cursor: two followers that read the same page
    cannot both store it (the loser's transaction is rolled back by its caller)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, issuer: str) -> dict[str, Any] | None:
        row = self.s.execute(sa.select(t.peer_feeds).where(t.peer_feeds.c.issuer == issuer)).first()
        return dict(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        rows = self.s.execute(sa.select(t.peer_feeds).order_by(t.peer_feeds.c.issuer))
        return [dict(r._mapping) for r in rows]

    def ensure(self, issuer: str) -> None:
        if self.get(issuer) is None:
            try:
                with self.s.begin_nested():
                    self.s.execute(sa.insert(t.peer_feeds).values(issuer=issuer, cursor=-1))
            except IntegrityError:
                pass  # another process made it

    def set_client(self, issuer: str, client_id: str | None) -> None:
        self.ensure(issuer)
        c = t.peer_feeds.c
        self.s.execute(
            sa.update(t.peer_feeds).where(c.issuer == issuer).values(client_id=client_id)
        )

    def advance(self, issuer: str, *, old: int, new: int, at: datetime) -> bool:
        c = t.peer_feeds.c
        done = self.s.execute(
            sa.update(t.peer_feeds)
            .where(c.issuer == issuer, c.cursor == old)
            .values(cursor=new, followed_at=at, last_error=None)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def failed(self, issuer: str, why: str, at: datetime) -> None:
        c = t.peer_feeds.c
        self.s.execute(
            sa.update(t.peer_feeds)
            .where(c.issuer == issuer)
            .values(last_error=why[:500], followed_at=at)
        )

    def put_registration(self, **values: Any) -> None:
        """Insert or replace one peer registration's facts (an older event never overwrites
        a newer one's: replays are idempotent)."""
        c = t.peer_registrations.c
        key = (c.issuer == values["issuer"]) & (
            c.registration_number == values["registration_number"]
        )
        done = self.s.execute(
            sa.update(t.peer_registrations)
            .where(key, c.log_index <= values["log_index"])
            .values(**values)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            if self.s.execute(sa.select(c.issuer).where(key)).first() is not None:
                return  # a newer event already applied
            self.s.execute(sa.insert(t.peer_registrations).values(**values))
        self._put_holders(values)

    def _put_holders(self, values: dict[str, Any]) -> None:
        """The registration's holders by credit code, replaced with its row."""
        h = t.peer_registration_holders.c
        issuer, number = values["issuer"], values["registration_number"]
        self.s.execute(
            sa.delete(t.peer_registration_holders).where(
                h.issuer == issuer, h.registration_number == number
            )
        )
        codes = [code for code in dict.fromkeys(values["holder_codes"].split()) if len(code) == 18]
        if codes:
            self.s.execute(
                sa.insert(t.peer_registration_holders),
                [
                    {"issuer": issuer, "registration_number": number, "credit_code": code}
                    for code in codes
                ],
            )

    def with_holders(self, codes: list[str], *, limit: int = 200) -> list[dict[str, Any]]:
        """The peers' registrations in force one of whose holders has one of these credit
        codes (indexed by code), with ``shared``: the codes it shares."""
        if not codes:
            return []
        c, h = t.peer_registrations.c, t.peer_registration_holders.c
        rows = self.s.execute(
            sa.select(t.peer_registrations, h.credit_code)
            .join(
                t.peer_registration_holders,
                (h.issuer == c.issuer) & (h.registration_number == c.registration_number),
            )
            .where(h.credit_code.in_(codes), c.in_force.is_(True))
            .order_by(c.issuer, c.registration_number, h.credit_code)
            .limit(limit)
        )
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            row = dict(r._mapping)
            code = row.pop("credit_code")
            key = (row["issuer"], row["registration_number"])
            out.setdefault(key, {**row, "shared": []})["shared"].append(code)
        return list(out.values())

    def matches(self, *, evidence_hash: str | None, name_key: str) -> list[dict[str, Any]]:
        """The peers' registrations in force with this evidence hash or normalised name."""
        c = t.peer_registrations.c
        conds = []
        if name_key:  # an empty key (a name of punctuation only) matches nothing
            conds.append(c.name_key == name_key)
        if evidence_hash:
            conds.append(c.evidence_hash == evidence_hash)
        if not conds:
            return []
        cond = sa.or_(*conds)
        rows = self.s.execute(
            sa.select(t.peer_registrations)
            .where(c.in_force.is_(True), cond)
            .order_by(c.issuer, c.registration_number)
            .limit(20)
        )
        return [dict(r._mapping) for r in rows]
