"""Court preservations (保全) of registrations: freezes and their lifting (issue 20 §7)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "freezes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("frozen_at", UTCDateTime(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lift_case_number", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_freezes_registration_id_registrations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_freezes"),
        sa.UniqueConstraint("number", name="uq_freezes_number"),
    )
    op.create_index("ix_freezes_registration", "freezes", ["registration_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_freezes_registration", table_name="freezes")
    op.drop_table("freezes")
