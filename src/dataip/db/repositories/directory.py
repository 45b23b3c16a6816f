"""The service directory's rows (issue 23 §5): agencies and service requests.

Contracts the services rely on: ``set_state`` and ``answer`` are compare-and-swap on the row's
version (of two concurrent writers exactly one changes it); ``add_agency`` and ``add_request``
insert under their unique constraints (`uq_agencies_party_id`, `uq_service_requests_pair`): the
loser of a race gets the unit of work's ``ConcurrencyConflict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.services.directory.records import Agency, ServiceRequest

_a = t.agencies.c
_q = t.service_requests.c


def _agency(row: Mapping[Any, Any]) -> Agency:
    return Agency(**{k: row[k] for k in Agency.__dataclass_fields__})


def _request(row: Mapping[Any, Any]) -> ServiceRequest:
    return ServiceRequest(**{k: row[k] for k in ServiceRequest.__dataclass_fields__})


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Directory:
    """Tables `agencies`, `service_requests`."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add_agency(self, **values: Any) -> Agency:
        new_id = self.s.execute(
            sa.insert(t.agencies).values(**values).returning(_a.id)
        ).scalar_one()
        got = self.agency(int(new_id))
        assert got is not None
        return got

    def agency(self, agency_id: int) -> Agency | None:
        row = self.s.execute(sa.select(t.agencies).where(_a.id == agency_id)).mappings().first()
        return _agency(row) if row else None

    def agency_of_party(self, party_id: int) -> Agency | None:
        q = sa.select(t.agencies).where(_a.party_id == party_id)
        row = self.s.execute(q).mappings().first()
        return _agency(row) if row else None

    def search(
        self,
        *,
        q: str | None = None,
        category: str | None = None,
        region: str | None = None,
        states: tuple[str, ...] = ("listed",),
        owner_user_id: int | None = None,
        limit: int = 200,
    ) -> list[Agency]:
        """Agencies whose name contains `q` (a LIKE, escaped), of a category and province."""
        stmt = sa.select(t.agencies).where(_a.state.in_(states))
        if q:
            stmt = stmt.where(_a.name.like(_like(q), escape="\\"))
        if category:
            stmt = stmt.where(("," + _a.categories + ",").like(_like("," + category + ",")))
        if region:
            stmt = stmt.where(_a.region_code == region)
        if owner_user_id is not None:
            stmt = stmt.where(_a.owner_user_id == owner_user_id)
        stmt = stmt.order_by(_a.name, _a.id).limit(limit)
        return [_agency(r) for r in self.s.execute(stmt).mappings()]

    def set_state(
        self, agency_id: int, version: int, *, state: str, reason: str, at: datetime
    ) -> bool:
        done = self.s.execute(
            sa.update(t.agencies)
            .where(_a.id == agency_id, _a.version == version)
            .values(state=state, state_reason=reason, changed_at=at, version=version + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def add_request(self, **values: Any) -> ServiceRequest:
        new_id = self.s.execute(
            sa.insert(t.service_requests).values(**values).returning(_q.id)
        ).scalar_one()
        got = self.request(int(new_id))
        assert got is not None
        return got

    def request(self, request_id: int) -> ServiceRequest | None:
        q = sa.select(t.service_requests).where(_q.id == request_id)
        row = self.s.execute(q).mappings().first()
        return _request(row) if row else None

    def request_for(self, agency_id: int, registration_id: int) -> ServiceRequest | None:
        q = sa.select(t.service_requests).where(
            _q.agency_id == agency_id, _q.registration_id == registration_id
        )
        row = self.s.execute(q).mappings().first()
        return _request(row) if row else None

    def requests(
        self,
        *,
        requester_user_id: int | None = None,
        agency_ids: list[int] | None = None,
        limit: int = 500,
    ) -> list[ServiceRequest]:
        """Requests sent by a user or to some agencies (either), newest first."""
        conds = []
        if requester_user_id is not None:
            conds.append(_q.requester_user_id == requester_user_id)
        if agency_ids:
            conds.append(_q.agency_id.in_(agency_ids))
        if not conds:
            return []
        stmt = sa.select(t.service_requests).where(sa.or_(*conds)).order_by(_q.id.desc())
        return [_request(r) for r in self.s.execute(stmt.limit(limit)).mappings()]

    def answer(self, request_id: int, version: int, *, state: str, at: datetime) -> bool:
        done = self.s.execute(
            sa.update(t.service_requests)
            .where(_q.id == request_id, _q.version == version)
            .values(state=state, answered_at=at, version=version + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]
