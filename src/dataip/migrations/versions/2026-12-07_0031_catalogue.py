"""The catalogue: identifiers that find a registration, the DCAT change log (issue 24 §3–§5)

Revision ID: 0031
Revises: 0023
Create Date: 2026-12-07 06:30:00

Backfills both from the registrations already there: each registration's identifiers as
`services/catalogue/index.identifiers_of` computes them (read here from the tables, as they
stand at this revision), and one change-log row per registration, modified at its latest
announcement (or its creation), in that order.
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import JSONType, UTCDateTime
from dataip.domain.errors import DomainError
from dataip.domain.resource_ids import name_key, search_key

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

SEQ_COUNTER = "catalogue:seq"


def upgrade() -> None:
    op.create_table(
        "registration_identifiers",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_identifiers_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint(
            "key", "kind", "registration_id", name=op.f("pk_registration_identifiers")
        ),
    )
    op.create_index(
        "ix_registration_identifiers_registration_id",
        "registration_identifiers",
        ["registration_id"],
    )
    op.create_table(
        "catalogue_changes",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        sa.Column("superseded_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_catalogue_changes_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_catalogue_changes")),
    )
    op.create_index(
        "ix_catalogue_changes_registration_id", "catalogue_changes", ["registration_id"]
    )
    op.create_index("ix_catalogue_changes_modified_at", "catalogue_changes", ["modified_at"])
    _backfill()


def _identifiers(reg: Any, form: dict[str, Any], numbers: list[str]) -> set[tuple[str, str]]:
    out = {
        ("registration_number", str(reg.registration_number).upper()),
        ("certificate_number", str(reg.certificate_number)),
    }
    for h in reg.holders or []:
        if h.get("kind") == "natural_person":
            continue
        if h.get("credit_code"):
            out.add(("credit_code", str(h["credit_code"]).upper()))
        if h.get("name"):
            out.add(("holder_name", name_key(str(h["name"]))[:200]))
    ids = (form or {}).get("identifiers") or {}
    for kind in ("cstr", "doi"):
        if isinstance(ids, dict) and ids.get(kind):
            with contextlib.suppress(DomainError):  # stored before the check: not findable
                out.add((kind, search_key(kind, str(ids[kind]))))
    out.update(("number", n.upper()) for n in numbers)
    return out


def _backfill() -> None:
    bind = op.get_bind()
    regs = sa.table(
        "registrations",
        sa.column("id", sa.Integer),
        sa.column("registration_number", sa.String),
        sa.column("certificate_number", sa.String),
        sa.column("holders", JSONType),
        sa.column("created_at", UTCDateTime()),
    )
    versions = sa.table(
        "registration_versions",
        sa.column("registration_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("form", JSONType),
    )
    numbered = [
        sa.table(name, sa.column("registration_id", sa.Integer), sa.column("number", sa.String))
        for name in ("filings", "freezes")
    ]
    announcements = sa.table(
        "announcements",
        sa.column("registration_id", sa.Integer),
        sa.column("published_at", UTCDateTime()),
    )
    idents = sa.table(
        "registration_identifiers",
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("registration_id", sa.Integer),
    )
    changes = sa.table(
        "catalogue_changes",
        sa.column("seq", sa.BigInteger),
        sa.column("registration_id", sa.Integer),
        sa.column("modified_at", UTCDateTime()),
    )
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    latest_at = dict(
        bind.execute(
            sa.select(
                announcements.c.registration_id, sa.func.max(announcements.c.published_at)
            ).group_by(announcements.c.registration_id)
        ).all()
    )
    forms: dict[int, tuple[int, Any]] = {}
    for rid, number, form in bind.execute(
        sa.select(versions.c.registration_id, versions.c.number, versions.c.form)
    ):
        if rid not in forms or number > forms[rid][0]:
            forms[rid] = (number, form)
    others: dict[int, list[str]] = {}
    for table in numbered:
        for rid, number in bind.execute(sa.select(table.c.registration_id, table.c.number)):
            others.setdefault(rid, []).append(number)
    rows: list[dict[str, Any]] = []
    log: list[tuple[Any, int]] = []
    for reg in bind.execute(sa.select(regs)):
        form = forms.get(reg.id, (0, {}))[1]
        for kind, key in _identifiers(reg, form, others.get(reg.id, [])):
            rows.append({"key": key, "kind": kind, "registration_id": reg.id})
        if reg.id in latest_at:  # announced: public, so catalogued
            log.append((latest_at[reg.id], reg.id))
    if rows:
        bind.execute(sa.insert(idents), rows)
    log.sort()
    if log:
        bind.execute(
            sa.insert(changes),
            [
                {"seq": i, "registration_id": rid, "modified_at": at}
                for i, (at, rid) in enumerate(log, 1)
            ],
        )
        bind.execute(sa.insert(counters).values(name=SEQ_COUNTER, value=len(log)))


def downgrade() -> None:
    op.drop_index("ix_catalogue_changes_modified_at", table_name="catalogue_changes")
    op.drop_index("ix_catalogue_changes_registration_id", table_name="catalogue_changes")
    op.drop_table("catalogue_changes")
    op.drop_index(
        "ix_registration_identifiers_registration_id", table_name="registration_identifiers"
    )
    op.drop_table("registration_identifiers")
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM counters WHERE name = :n"), {"n": SEQ_COUNTER})
