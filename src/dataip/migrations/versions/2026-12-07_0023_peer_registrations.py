"""Federation: the peers' event feeds followed, their registrations kept (issue 21 §5)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_feeds",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("followed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("issuer", name=op.f("pk_peer_feeds")),
    )
    op.create_table(
        "peer_registrations",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("registration_number", sa.String(length=17), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_key", sa.String(length=500), nullable=False),
        sa.Column("evidence_hash", sa.String(length=64), nullable=True),
        sa.Column("holder_codes", sa.String(length=2000), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("in_force", sa.Boolean(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "issuer", "registration_number", name=op.f("pk_peer_registrations")
        ),
    )
    op.create_index(
        op.f("ix_peer_registrations_name_key"), "peer_registrations", ["name_key"], unique=False
    )
    op.create_index(
        op.f("ix_peer_registrations_evidence_hash"),
        "peer_registrations",
        ["evidence_hash"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_peer_registrations_evidence_hash"), table_name="peer_registrations")
    op.drop_index(op.f("ix_peer_registrations_name_key"), table_name="peer_registrations")
    op.drop_table("peer_registrations")
    op.drop_table("peer_feeds")
