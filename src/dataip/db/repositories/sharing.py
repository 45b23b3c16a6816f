"""The sharing capability's rows (issue 20): institutions and their clients, used assertion
ids, access tokens and the chained account of reads. Plain Core queries that answer with the
pure records of `dataip.sharing`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataip.db import tables as t
from dataip.sharing.clients import Institution
from dataip.sharing.reads import ReadRecord


def _institution(row: Mapping[Any, Any]) -> Institution:
    return Institution(
        id=row["id"],
        client_id=row["client_id"],
        kind=row["kind"],
        name=row["name"],
        uscc=row["uscc"],
        scopes=frozenset(row["scopes"]),
        jwks=row["jwks"],
        jwks_uri=row["jwks_uri"],
        state=row["state"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _read(row: Mapping[Any, Any]) -> ReadRecord:
    return ReadRecord(**{k: row[k] for k in ReadRecord.__dataclass_fields__})


class Sharing:
    """Institutions, assertion ids, tokens and reads (tables `institution*`)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # --- institutions ----------------------------------------------------------------------
    def add_institution(self, **values: Any) -> Institution:
        values = {**values, "scopes": sorted(values["scopes"]), "version": 1}
        row = self.s.execute(
            sa.insert(t.institutions).values(**values).returning(*t.institutions.c)
        ).one()
        return _institution(row._mapping)

    def institution(self, client_id: str, *, for_update: bool = False) -> Institution | None:
        stmt = sa.select(t.institutions).where(t.institutions.c.client_id == client_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.s.execute(stmt).first()
        return _institution(row._mapping) if row else None

    def institutions(self) -> list[Institution]:
        rows = self.s.execute(sa.select(t.institutions).order_by(t.institutions.c.id))
        return [_institution(r._mapping) for r in rows]

    def update_institution(self, inst: Institution, **values: Any) -> bool:
        """Compare-and-set on `version`: False if another writer changed it meanwhile."""
        c = t.institutions.c
        if "scopes" in values:
            values["scopes"] = sorted(values["scopes"])
        done = self.s.execute(
            sa.update(t.institutions)
            .where(c.id == inst.id, c.version == inst.version)
            .values(**values, version=inst.version + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    # --- client assertions (RFC 7523 §3: jti) ----------------------------------------------
    def use_assertion(
        self, *, client_id: str, jti: str, expires_at: datetime, now: datetime
    ) -> bool:
        """Record an assertion id; False if it was used before (and has not expired)."""
        c = t.institution_assertions.c
        self.s.execute(sa.delete(t.institution_assertions).where(c.expires_at < now))
        try:
            with self.s.begin_nested():
                self.s.execute(
                    sa.insert(t.institution_assertions).values(
                        client_id=client_id, jti=jti, expires_at=expires_at
                    )
                )
        except IntegrityError:
            return False
        return True

    # --- access tokens ---------------------------------------------------------------------
    def add_token(self, **values: Any) -> None:
        values = {**values, "scopes": sorted(values["scopes"])}
        self.s.execute(sa.insert(t.institution_tokens).values(**values))

    def token(self, token_hash: str) -> tuple[Mapping[str, Any], Institution] | None:
        tk, inst = t.institution_tokens, t.institutions
        row = self.s.execute(
            sa.select(
                tk.c.token_id,
                tk.c.scopes.label("token_scopes"),
                tk.c.expires_at,
                *inst.c,
            )
            .join(inst, inst.c.id == tk.c.institution_id)
            .where(tk.c.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return {
            "token_id": m["token_id"],
            "scopes": m["token_scopes"],
            "expires_at": m["expires_at"],
        }, _institution(m)

    def forget_tokens_before(self, at: datetime) -> None:
        c = t.institution_tokens.c
        self.s.execute(sa.delete(t.institution_tokens).where(c.expires_at < at))

    # --- the account of reads --------------------------------------------------------------
    def last_read(self) -> ReadRecord | None:
        c = t.institution_reads.c
        row = self.s.execute(sa.select(t.institution_reads).order_by(c.seq.desc()).limit(1)).first()
        return _read(row._mapping) if row else None

    def add_read(self, r: ReadRecord) -> None:
        self.s.execute(sa.insert(t.institution_reads).values(**r.__dict__))

    def reads(self, *, registration_number: str | None = None) -> list[ReadRecord]:
        c = t.institution_reads.c
        stmt = sa.select(t.institution_reads).order_by(c.seq)
        if registration_number is not None:
            stmt = stmt.where(c.registration_number == registration_number)
        return [_read(r._mapping) for r in self.s.execute(stmt)]
