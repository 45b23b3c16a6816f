"""Transparency log: leaf outbox, full-subtree hashes, signed checkpoints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PENDING = sa.text("idx IS NULL")


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=True),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_log_entries_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_log_entries")),
        sa.UniqueConstraint("idx", name=op.f("uq_log_entries_idx")),
    )
    op.create_index(
        "ix_log_entries_pending",
        "log_entries",
        ["event_id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_log_checkpoints")),
    )
    # Events recorded before the log existed are not silently left out: the first integrator
    # run stages a leaf for every event without one (services.ledger.stage_missing).


def downgrade() -> None:
    op.drop_table("log_checkpoints")
    op.drop_table("log_nodes")
    op.drop_index("ix_log_entries_pending", table_name="log_entries")
    op.drop_table("log_entries")
