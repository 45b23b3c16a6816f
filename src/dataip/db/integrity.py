"""What a database refusal means, the same on SQLite and PostgreSQL.

A unique, primary-key or foreign-key violation is a race lost to another transaction (two
deposits of one root, two sign-ups with one name): the unit of work turns it into a
`ConcurrencyConflict` naming the constraint as the schema declares it, so the error table can
answer 409 with a stable code whichever backend noticed. PostgreSQL names the constraint
itself; SQLite names only the columns (`UNIQUE constraint failed: deposits.root, …`), which are
looked up in `tables.metadata`.

Text PostgreSQL cannot store (NUL) is bad input, not a conflict: `invalid_text` says so, for
the unit of work to answer 422 rather than 500 should validation ever let one through.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import DataError, IntegrityError

from dataip.db.tables import metadata
from dataip.domain.errors import DomainError
from dataip.services.ports import ConcurrencyConflict

_SQLITE_UNIQUE = re.compile(r"^UNIQUE constraint failed: (.+)$")
_SQLITE_CHECK = re.compile(r"^CHECK constraint failed: (\w+)")


def constraint_of(e: IntegrityError) -> str | None:
    """The violated constraint's declared name (`uq_deposits_depositor_user_id`,
    `pk_blobs`), or None when the backend does not say (SQLite foreign keys, NOT NULL)."""
    diag = getattr(e.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    message = str(e.orig)
    m = _SQLITE_UNIQUE.match(message)
    if m:
        return _unique_named(m.group(1))
    m = _SQLITE_CHECK.match(message)
    return m.group(1) if m else None


def _unique_named(columns: str) -> str | None:
    """`deposits.depositor_user_id, deposits.hash, deposits.root` → the unique constraint,
    unique index or primary key on exactly those columns."""
    pairs = [c.strip().split(".", 1) for c in columns.split(",")]
    tables = {p[0] for p in pairs if len(p) == 2}
    if len(tables) != 1:
        return None
    table = metadata.tables.get(tables.pop())
    if table is None:
        return None
    wanted = {p[1] for p in pairs}
    for c in table.constraints:
        if not isinstance(c, sa.UniqueConstraint | sa.PrimaryKeyConstraint):
            continue
        if {col.name for col in c.columns} == wanted:
            return str(c.name) if c.name else None
    for ix in table.indexes:
        if ix.unique and {col.name for col in ix.columns} == wanted:
            return str(ix.name) if ix.name else None
    return None


def conflict(e: IntegrityError) -> ConcurrencyConflict:
    return ConcurrencyConflict(str(e.orig), constraint=constraint_of(e))


def invalid_text(e: BaseException) -> DomainError | None:
    """PostgreSQL refuses NUL in text (psycopg says so before sending the statement) and in
    JSON (`\\u0000 cannot be converted to text`)."""
    if not isinstance(e, DataError):
        return None
    message = str(e.orig)
    if "NUL (0x00)" in message or "\\u0000 cannot be converted" in message:
        return DomainError(
            "invalid_characters",
            "请求含有不允许的字符（如空字符 NUL）",
            "the request contains characters that cannot be stored (NUL or a lone surrogate)",
            status=422,
        )
    return None
