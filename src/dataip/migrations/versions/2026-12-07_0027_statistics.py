"""Statistics (R30): monthly aggregates, processing-time histograms, typical cases (issue 22 §5–6)

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statistics_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "measure", "key", name=op.f("pk_statistics_counts")),
    )
    op.create_table(
        "statistics_value",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "kind", name=op.f("pk_statistics_value")),
    )
    op.create_table(
        "statistics_durations",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("segment", sa.String(length=16), nullable=False),
        sa.Column("days", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "segment", "days", name=op.f("pk_statistics_durations")),
    )
    op.create_table(
        "typical_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_typical_cases_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_typical_cases_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_typical_cases")),
        sa.UniqueConstraint("year", "registration_id", name="uq_typical_cases_year_registration"),
    )
    op.create_index(
        "ix_registrations_registration_date", "registrations", ["registration_date"], unique=False
    )
    op.create_index("ix_applications_filing_date", "applications", ["filing_date"], unique=False)
    op.create_index("ix_filings_filed_on", "filings", ["filed_on"], unique=False)
    op.create_index("ix_events_type_occurred_at", "events", ["type", "occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_type_occurred_at", table_name="events")
    op.drop_index("ix_filings_filed_on", table_name="filings")
    op.drop_index("ix_applications_filing_date", table_name="applications")
    op.drop_index("ix_registrations_registration_date", table_name="registrations")
    op.drop_table("typical_cases")
    op.drop_table("statistics_durations")
    op.drop_table("statistics_value")
    op.drop_table("statistics_counts")
