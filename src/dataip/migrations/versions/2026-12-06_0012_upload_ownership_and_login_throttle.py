"""Uploads owned per user, and the shared sign-in throttle (issue 18, section 4)

`blobs` was keyed by content (sha256): the first uploader's name and time were shown to
anyone who uploaded or named the same bytes. Each row is now one user's upload (id, unique
per uploader and content). `login_attempts` holds failed sign-ins for the throttle every
server process shares.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = "sha256, size, media_type, filename, uploaded_by, created_at"


def _blob_columns() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name="fk_blobs_uploaded_by_users"),
    ]


def _set_aside() -> None:
    """Rename `blobs` out of the way, with its constraints (PostgreSQL names them per
    schema), so the new table can take the names the metadata gives."""
    op.rename_table("blobs", "blobs_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE blobs_old RENAME CONSTRAINT pk_blobs TO pk_blobs_old")
        op.execute(
            "ALTER TABLE blobs_old RENAME CONSTRAINT fk_blobs_uploaded_by_users "
            "TO fk_blobs_old_uploaded_by_users"
        )


def upgrade() -> None:
    _set_aside()
    op.create_table(
        "blobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_blob_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_blobs"),
        sa.UniqueConstraint("uploaded_by", "sha256", name="uq_blobs_uploaded_by_sha256"),
    )
    op.create_index("ix_blobs_sha256", "blobs", ["sha256"])
    op.execute(
        f"INSERT INTO blobs ({_COLUMNS}) SELECT {_COLUMNS} FROM blobs_old "
        "ORDER BY created_at, sha256"
    )
    op.drop_table("blobs_old")

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_attempted_at", "login_attempts", ["attempted_at"])
    op.create_index("ix_login_attempts_account", "login_attempts", ["account", "attempted_at"])
    op.create_index("ix_login_attempts_client", "login_attempts", ["client", "attempted_at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_index("ix_blobs_sha256", table_name="blobs")
    _set_aside()
    op.create_table("blobs", *_blob_columns(), sa.PrimaryKeyConstraint("sha256", name="pk_blobs"))
    # one row per content again: the earliest upload's
    op.execute(
        f"INSERT INTO blobs ({_COLUMNS}) SELECT {_COLUMNS} FROM blobs_old b "
        "WHERE b.id = (SELECT MIN(o.id) FROM blobs_old o WHERE o.sha256 = b.sha256)"
    )
    op.drop_table("blobs_old")
