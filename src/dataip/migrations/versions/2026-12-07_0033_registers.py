"""Registers: data property beside data IP, one-window dossiers, forwarded filings (issue 24
§1–§2, R31)

`applications.register` and `registrations.register` say which register a row is in (every
existing row is data IP); `applications.dossier_id` joins the applications of one one-window
filing (`dossiers`); `property_forwardings` follows a filing forwarded to another body.

Revision ID: 0033
Revises: 0035
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0033"
down_revision = "0035"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filer_user_id", sa.Integer(), nullable=False),
        sa.Column("registers", JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filer_user_id"], ["users.id"], name=op.f("fk_dossiers_filer_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
    )
    op.create_index(op.f("ix_dossiers_filer_user_id"), "dossiers", ["filer_user_id"], unique=False)
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("register", sa.String(length=16), server_default="data_ip", nullable=False)
        )
        batch.add_column(sa.Column("dossier_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_applications_dossier_id_dossiers"), "dossiers", ["dossier_id"], ["id"]
        )
        batch.create_index(batch.f("ix_applications_dossier_id"), ["dossier_id"], unique=False)
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(
            sa.Column("register", sa.String(length=16), server_default="data_ip", nullable=False)
        )
    op.create_table(
        "property_forwardings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=True),
        sa.Column("remote_state", sa.String(length=32), nullable=False),
        sa.Column("forwarded_at", UTCDateTime(), nullable=True),
        sa.Column("polled_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_property_forwardings_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_forwardings")),
        sa.UniqueConstraint("application_id", name="uq_property_forwardings_application_id"),
    )


def downgrade() -> None:
    op.drop_table("property_forwardings")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("register")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index(batch.f("ix_applications_dossier_id"))
        batch.drop_constraint(batch.f("fk_applications_dossier_id_dossiers"), type_="foreignkey")
        batch.drop_column("dossier_id")
        batch.drop_column("register")
    op.drop_index(op.f("ix_dossiers_filer_user_id"), table_name="dossiers")
    op.drop_table("dossiers")
