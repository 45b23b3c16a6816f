"""Valuations: a holder's 价值参考 and an appraisal agency's signed 评估报告 (issue 22 §2)

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import JSONType, UTCDateTime

revision = "0025"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "valuations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("approaches", JSONType, nullable=False),
        sa.Column("inputs", JSONType, nullable=False),
        sa.Column("report", JSONType, nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=True),
        sa.Column("valuation_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("jws", sa.Text(), nullable=True),
        sa.Column("jws_sha256", sa.String(length=64), nullable=True),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_valuations_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_valuations_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_valuations_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuations")),
        sa.UniqueConstraint("number", name=op.f("uq_valuations_number")),
        sa.UniqueConstraint("jws_sha256", name=op.f("uq_valuations_jws_sha256")),
    )
    op.create_index(
        "ix_valuations_registration", "valuations", ["registration_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_valuations_registration", table_name="valuations")
    op.drop_table("valuations")
