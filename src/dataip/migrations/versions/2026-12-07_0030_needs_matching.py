"""Service matching: needs, their pushes and contacts (issue 23 §3–§4)

Revision ID: 0030
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0030"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("industry_code", sa.String(length=4), nullable=False),
        sa.Column("data_wanted", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("budget_band", sa.String(length=16), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_needs_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_needs_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    op.create_index(op.f("ix_needs_author_user_id"), "needs", ["author_user_id"], unique=False)
    op.create_index("ix_needs_state_expires_on", "needs", ["state", "expires_on"], unique=False)
    op.create_table(
        "need_pushes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("pushed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_need_pushes_need_id_needs")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_need_pushes_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_need_pushes_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_need_pushes_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_pushes")),
        sa.UniqueConstraint(
            "need_id",
            "registration_id",
            "direction",
            "recipient_user_id",
            name=op.f("uq_need_pushes_once"),
        ),
    )
    op.create_index(
        op.f("ix_need_pushes_recipient_user_id"), "need_pushes", ["recipient_user_id"], unique=False
    )
    op.create_table(
        "need_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=16), nullable=False),
        sa.Column("holder_user_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_need_contacts_need_id_needs")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_need_contacts_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_user_id"], ["users.id"], name=op.f("fk_need_contacts_holder_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_contacts")),
        sa.UniqueConstraint("need_id", "registration_id", name=op.f("uq_need_contacts_match")),
    )
    op.create_index(
        "ix_need_contacts_registration_id", "need_contacts", ["registration_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_need_contacts_registration_id", table_name="need_contacts")
    op.drop_table("need_contacts")
    op.drop_index(op.f("ix_need_pushes_recipient_user_id"), table_name="need_pushes")
    op.drop_table("need_pushes")
    op.drop_index("ix_needs_state_expires_on", table_name="needs")
    op.drop_index(op.f("ix_needs_author_user_id"), table_name="needs")
    op.drop_table("needs")
