"""The blob store in the database: objects by key and their chunks (issue 25 §2)

Revision ID: 0035
Revises: 0032
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime
from dataip.db.tables.blobstore import KeyType

revision = "0035"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_objects",
        sa.Column("key", KeyType, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_objects")),
    )
    op.create_table(
        "stored_object_chunks",
        sa.Column("key", KeyType, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key"],
            ["stored_objects.key"],
            name=op.f("fk_stored_object_chunks_key_stored_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "seq", name=op.f("pk_stored_object_chunks")),
    )


def downgrade() -> None:
    op.drop_table("stored_object_chunks")
    op.drop_table("stored_objects")
