"""What a registration's public page shows of its sample data: the holder's choice (issue 7)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sample_publications",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("certificate_version", sa.Integer(), nullable=False),
        sa.Column("chosen_at", UTCDateTime(), nullable=False),
        sa.Column("chosen_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_sample_publications_registration_id_registrations",
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by_user_id"],
            ["users.id"],
            name="fk_sample_publications_chosen_by_user_id_users",
        ),
        sa.PrimaryKeyConstraint("registration_id", name="pk_sample_publications"),
    )


def downgrade() -> None:
    op.drop_table("sample_publications")
