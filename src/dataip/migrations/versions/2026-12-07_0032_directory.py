"""The service directory: agencies and service requests (issue 23 §5)

Revision ID: 0032
Revises: 0026
Create Date: 2026-12-07 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0032"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=200), nullable=True),
        sa.Column("listed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_agencies_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_agencies_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("party_id", name="uq_agencies_party_id"),
    )
    op.create_index(op.f("ix_agencies_owner_user_id"), "agencies", ["owner_user_id"], unique=False)
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("requester_user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_service_requests_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_service_requests_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_user_id"],
            ["users.id"],
            name=op.f("fk_service_requests_requester_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("agency_id", "registration_id", name="uq_service_requests_pair"),
    )
    op.create_index(
        op.f("ix_service_requests_agency_id"), "service_requests", ["agency_id"], unique=False
    )
    op.create_index(
        "ix_service_requests_requester_user_id",
        "service_requests",
        ["requester_user_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_service_requests_requester_user_id", table_name="service_requests")
    op.drop_index(op.f("ix_service_requests_agency_id"), table_name="service_requests")
    op.drop_table("service_requests")
    op.drop_index(op.f("ix_agencies_owner_user_id"), table_name="agencies")
    op.drop_table("agencies")
