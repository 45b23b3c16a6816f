"""Federation: foreign status lists cached, and checkpoints pushed to peers' witnesses (issue 21)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "foreign_status_lists",
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_foreign_status_lists")),
    )
    op.create_table(
        "witness_pushes",
        sa.Column("witness", sa.String(length=500), nullable=False),
        sa.Column("witness_key", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("cosigned_at", UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("witness", name=op.f("pk_witness_pushes")),
    )


def downgrade() -> None:
    op.drop_table("witness_pushes")
    op.drop_table("foreign_status_lists")
