"""A bank's pledge proposals awaiting the holder's confirmation (issue 20 §6)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "pledge_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("pledgee_uscc", sa.String(length=18), nullable=False),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("lapses_on", sa.Date(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("filing_number", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_pledge_proposals_registration_id_registrations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pledge_proposals"),
        sa.UniqueConstraint("number", name="uq_pledge_proposals_number"),
    )
    op.create_index(
        "ix_pledge_proposals_registration", "pledge_proposals", ["registration_id", "state"]
    )


def downgrade() -> None:
    op.drop_index("ix_pledge_proposals_registration", table_name="pledge_proposals")
    op.drop_table("pledge_proposals")
