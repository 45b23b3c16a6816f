"""Data-quality assessments of registrations, GB/T 36344-2018 (issue 22 §1)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "quality_assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("certificate_version", sa.Integer(), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=True),
        sa.Column("overall_bp", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("declared", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("samples_sha256", sa.String(length=64), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_quality_assessments_registration_id_registrations",
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["users.id"], name="fk_quality_assessments_assessed_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quality_assessments"),
    )
    op.create_index(
        "ix_quality_assessments_registration_id",
        "quality_assessments",
        ["registration_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_quality_assessments_registration_id", table_name="quality_assessments")
    op.drop_table("quality_assessments")
