"""Federation: the peers' registrations' holders by credit code (issue 21 §5); the witness's
refused add-checkpoint requests (§3)

Revision ID: 0028
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0028"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_registration_holders",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("registration_number", sa.String(length=17), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.PrimaryKeyConstraint(
            "issuer",
            "registration_number",
            "credit_code",
            name=op.f("pk_peer_registration_holders"),
        ),
    )
    op.create_index(
        "ix_peer_registration_holders_credit_code",
        "peer_registration_holders",
        ["credit_code"],
        unique=False,
    )
    op.create_table(
        "witness_refusals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("origin", sa.String(length=500), nullable=True),
        sa.Column("old_size", sa.BigInteger(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_refusals")),
    )
    # the registrations already followed: their holders from the stored codes
    bind = op.get_bind()
    peers = sa.table(
        "peer_registrations",
        sa.column("issuer"),
        sa.column("registration_number"),
        sa.column("holder_codes"),
    )
    holders = sa.table(
        "peer_registration_holders",
        sa.column("issuer"),
        sa.column("registration_number"),
        sa.column("credit_code"),
    )
    rows = [
        {"issuer": issuer, "registration_number": number, "credit_code": code}
        for issuer, number, codes in bind.execute(
            sa.select(peers.c.issuer, peers.c.registration_number, peers.c.holder_codes)
        )
        for code in dict.fromkeys((codes or "").split())
        if len(code) == 18
    ]
    if rows:
        bind.execute(sa.insert(holders), rows)


def downgrade() -> None:
    op.drop_table("witness_refusals")
    op.drop_index(
        "ix_peer_registration_holders_credit_code", table_name="peer_registration_holders"
    )
    op.drop_table("peer_registration_holders")
