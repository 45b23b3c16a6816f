"""Institutional clients, their access tokens and the chained account of their reads
(issue 20 §1–§3, R25)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("jwks", JSON, nullable=True),
        sa.Column("jwks_uri", sa.String(length=2000), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_institutions_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("client_id", name=op.f("uq_institutions_client_id")),
    )
    op.create_table(
        "institution_assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_assertions")),
        sa.UniqueConstraint("client_id", "jti", name="uq_institution_assertions_client_id_jti"),
    )
    op.create_index(
        op.f("ix_institution_assertions_expires_at"),
        "institution_assertions",
        ["expires_at"],
        unique=False,
    )
    op.create_table(
        "institution_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_institution_tokens_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_institution_tokens_token_hash")),
        sa.UniqueConstraint("token_id", name=op.f("uq_institution_tokens_token_id")),
    )
    op.create_index(
        op.f("ix_institution_tokens_institution_id"),
        "institution_tokens",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "institution_reads",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("institution_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("registration_number", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_institution_reads_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_institution_reads")),
    )
    op.create_index(
        op.f("ix_institution_reads_registration_number"),
        "institution_reads",
        ["registration_number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_institution_reads_registration_number"), table_name="institution_reads")
    op.drop_table("institution_reads")
    op.drop_index(op.f("ix_institution_tokens_institution_id"), table_name="institution_tokens")
    op.drop_table("institution_tokens")
    op.drop_index(op.f("ix_institution_assertions_expires_at"), table_name="institution_assertions")
    op.drop_table("institution_assertions")
    op.drop_table("institutions")
