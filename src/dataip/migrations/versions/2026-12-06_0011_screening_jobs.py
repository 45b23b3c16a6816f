"""Screening out of the request's transaction: a queue of sample files to screen, and the
publishable rows and the screening code's fingerprint beside each report (issue 18)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "screening_jobs",
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("blob_sha256", name="pk_screening_jobs"),
    )
    op.create_index("ix_screening_jobs_requested_at", "screening_jobs", ["requested_at"])
    with op.batch_alter_table("screening_reports") as batch:
        batch.add_column(sa.Column("public", JSON, nullable=True))
        batch.add_column(sa.Column("engine", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screening_reports") as batch:
        batch.drop_column("engine")
        batch.drop_column("public")
    op.drop_index("ix_screening_jobs_requested_at", table_name="screening_jobs")
    op.drop_table("screening_jobs")
