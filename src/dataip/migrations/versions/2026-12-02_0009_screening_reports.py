"""Sample-data screening reports, one per sample file content (R26, issue 7)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "screening_reports",
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("report", JSON, nullable=True),
        sa.Column("error", JSON, nullable=True),
        sa.Column("kinds", JSON, nullable=False),
        sa.Column("has_personal_data", sa.Boolean(), nullable=False),
        sa.Column("screened_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("blob_sha256", name="pk_screening_reports"),
    )


def downgrade() -> None:
    op.drop_table("screening_reports")
