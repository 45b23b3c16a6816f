"""Federation: the accepted trust lists and the witness's last cosigned checkpoints (issue 21)

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trust_lists",
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issued", UTCDateTime(), nullable=False),
        sa.Column("expires", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("operator", "sequence", name=op.f("pk_trust_lists")),
    )
    op.create_table(
        "witnessed_logs",
        sa.Column("origin", sa.String(length=500), nullable=False),
        sa.Column("origin_hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=44), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("cosigned_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_witnessed_logs")),
        sa.UniqueConstraint("origin_hash", name=op.f("uq_witnessed_logs_origin_hash")),
    )


def downgrade() -> None:
    op.drop_table("witnessed_logs")
    op.drop_table("trust_lists")
