"""Evidence deposits (存证)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deposits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("hash", sa.String(length=8), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("depositor_user_id", sa.Integer(), nullable=False),
        sa.Column("deposited_at", UTCDateTime(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=True),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["depositor_user_id"], ["users.id"], name=op.f("fk_deposits_depositor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_deposits_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposits")),
        sa.UniqueConstraint("number", name=op.f("uq_deposits_number")),
        sa.UniqueConstraint("depositor_user_id", "hash", "root", name="uq_deposits_depositor_root"),
    )
    op.create_index("ix_deposits_root", "deposits", ["root"])


def downgrade() -> None:
    op.drop_index("ix_deposits_root", table_name="deposits")
    op.drop_table("deposits")
