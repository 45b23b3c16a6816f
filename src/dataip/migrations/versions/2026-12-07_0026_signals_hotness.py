"""Signals and the hotness ranking (issue 22 §3, §4)

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import JSONType, UTCDateTime

revision = "0026"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("registration_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("day", "registration_id", "kind", name=op.f("pk_signal_daily")),
    )
    op.create_index(
        "ix_signal_daily_registration", "signal_daily", ["registration_id", "day"], unique=False
    )
    op.create_table(
        "signal_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_signal_salts")),
    )
    op.create_table(
        "signal_seen",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("registration_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "visitor", "kind", "registration_id", name=op.f("pk_signal_seen")
        ),
    )
    op.create_table(
        "signal_visitors",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "visitor", name=op.f("pk_signal_visitors")),
    )
    op.create_table(
        "hot_scores",
        sa.Column("registration_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("registration_number", sa.String(length=16), nullable=False),
        sa.Column("score", sa.BigInteger(), nullable=False),
        sa.Column("section", sa.String(length=1), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("rank_all", sa.Integer(), nullable=False),
        sa.Column("rank_section", sa.Integer(), nullable=True),
        sa.Column("rank_region", sa.Integer(), nullable=True),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_hot_scores")),
    )
    op.create_index("ix_hot_scores_rank_all", "hot_scores", ["rank_all"], unique=False)
    op.create_index("ix_hot_scores_section", "hot_scores", ["section", "rank_section"])
    op.create_index("ix_hot_scores_region", "hot_scores", ["region", "rank_region"])


def downgrade() -> None:
    op.drop_index("ix_hot_scores_region", table_name="hot_scores")
    op.drop_index("ix_hot_scores_section", table_name="hot_scores")
    op.drop_index("ix_hot_scores_rank_all", table_name="hot_scores")
    op.drop_table("hot_scores")
    op.drop_table("signal_visitors")
    op.drop_table("signal_seen")
    op.drop_table("signal_salts")
    op.drop_index("ix_signal_daily_registration", table_name="signal_daily")
    op.drop_table("signal_daily")
