"""Accounts and who they act for: users (用户) and their API tokens; parties (登记主体), the
subjects that apply and hold, with their real-name verification (G§6); agents' powers of
attorney (授权委托书, G§5). And the guards on an account's requests (issue 18): the sign-in
throttle's attempts (登录限流, §4) and the Idempotency-Key reservations (§5)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.db.repositories._repo import _Repo
from dataip.domain import model as m


class Users(_Repo[m.User]):
    cls = m.User

    def by_username(self, username: str) -> m.User | None:
        return self.s.scalars(sa.select(m.User).where(t.users.c.username == username)).first()

    def many(self, ids: Iterable[int]) -> list[m.User]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        return self._all(sa.select(m.User).where(t.users.c.id.in_(wanted)))

    def page(self) -> list[m.User]:
        return self._all(sa.select(m.User).order_by(t.users.c.id))


class Tokens(_Repo[m.ApiToken]):
    cls = m.ApiToken

    def by_hash(self, token_hash: str) -> m.ApiToken | None:
        c = t.api_tokens.c
        return self.s.scalars(sa.select(m.ApiToken).where(c.token_hash == token_hash)).first()


class Parties(_Repo[m.Party]):
    cls = m.Party

    def for_owner(self, user_id: int) -> list[m.Party]:
        c = t.parties.c
        return self._all(sa.select(m.Party).where(c.owner_user_id == user_id).order_by(c.id))

    def many(self, ids: Sequence[int]) -> list[m.Party]:
        return self._all(sa.select(m.Party).where(t.parties.c.id.in_(list(ids))))

    def pending(self) -> list[m.Party]:
        c = t.parties.c
        return self._all(sa.select(m.Party).where(c.verification_status == "pending"))

    def by_number(self, id_number: str) -> list[m.Party]:
        """The parties recorded with this credit code or resident ID, oldest first."""
        c = t.parties.c
        return self._all(sa.select(m.Party).where(c.id_number == id_number).order_by(c.id))


class Authorisations(_Repo[m.AgentAuthorisation]):
    cls = m.AgentAuthorisation

    def for_agent(self, user_id: int) -> list[m.AgentAuthorisation]:
        c = t.agent_authorisations.c
        return self._all(sa.select(m.AgentAuthorisation).where(c.agent_user_id == user_id))

    def accepted_party_ids(self, agent_user_id: int) -> set[int]:
        c = t.agent_authorisations.c
        stmt = sa.select(c.party_id).where(c.agent_user_id == agent_user_id, c.status == "accepted")
        return set(self.s.scalars(stmt))

    def pending(self) -> list[m.AgentAuthorisation]:
        c = t.agent_authorisations.c
        return self._all(sa.select(m.AgentAuthorisation).where(c.status == "pending"))


class LoginAttempts:
    """The sign-in throttle's rows (`services/login_throttle`): one per attempt in progress or
    failed. Counting and reserving run under a lock so that concurrent processes cannot
    both take the last allowed attempt: SQLite's writers are serialised already (BEGIN
    IMMEDIATE), PostgreSQL takes a transaction-scoped advisory lock."""

    _LOCK = 0x6C6F67696E  # "login"

    def __init__(self, session: Session) -> None:
        self.s = session

    def lock(self) -> None:
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(sa.select(sa.func.pg_advisory_xact_lock(self._LOCK)))

    def recent(
        self, *, since: Any, account: str | None = None, client: str | None = None, limit: int
    ) -> list[Any]:
        """Times of the attempts since `since` for an account, an address or the pair, the
        newest first, at most `limit`."""
        c = t.login_attempts.c
        stmt = sa.select(c.attempted_at).where(c.attempted_at > since)
        if account is not None:
            stmt = stmt.where(c.account == account)
        if client is not None:
            stmt = stmt.where(c.client == client)
        return list(self.s.scalars(stmt.order_by(c.attempted_at.desc()).limit(limit)))

    def add(self, *, account: str, client: str, at: Any) -> int:
        ins = sa.insert(t.login_attempts).values(account=account, client=client, attempted_at=at)
        return int(self.s.execute(ins.returning(t.login_attempts.c.id)).scalar_one())

    def clear(self, *, account: str, client: str) -> None:
        c = t.login_attempts.c
        self.s.execute(sa.delete(t.login_attempts).where(c.account == account, c.client == client))

    def forget_before(self, at: Any) -> None:
        c = t.login_attempts.c
        self.s.execute(sa.delete(t.login_attempts).where(c.attempted_at <= at))


class Idempotency(_Repo[m.IdempotencyRecord]):
    cls = m.IdempotencyRecord

    def find(self, user_id: int, key: str) -> m.IdempotencyRecord | None:
        c = t.idempotency_records.c
        stmt = sa.select(m.IdempotencyRecord).where(c.user_id == user_id, c.key == key)
        return self.s.scalars(stmt).first()

    def reserve(self, rec: m.IdempotencyRecord) -> bool:
        """Insert the reservation; False when the (user, key) is taken (a twin got there)."""
        try:
            with self.s.begin_nested():
                self.s.add(rec)
            return True
        except IntegrityError:
            return False

    def _held(self, record_id: int, holder: str) -> Any:
        c = t.idempotency_records.c
        return sa.update(t.idempotency_records).where(
            c.id == record_id, c.state == "in_progress", c.holder == holder
        )

    def take_over(self, record_id: int, old_holder: str, holder: str, expires_at: datetime) -> bool:
        """Take an expired reservation from the request that held it (if no one else did)."""
        stmt = self._held(record_id, old_holder).values(holder=holder, expires_at=expires_at)
        return bool(self.s.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def complete(
        self, record_id: int, holder: str, status: int, body: str, headers: dict[str, str]
    ) -> bool:
        """Record the answer, if the reservation is still this holder's."""
        stmt = self._held(record_id, holder).values(
            state="done", status=status, body=body, headers=headers, expires_at=None
        )
        return bool(self.s.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def release(self, record_id: int, holder: str) -> None:
        c = t.idempotency_records.c
        self.s.execute(
            sa.delete(t.idempotency_records).where(
                c.id == record_id, c.state == "in_progress", c.holder == holder
            )
        )
