"""Idempotency keys reserved before the work, with the answer's headers (issue 18 §5)

A key is now written when its request starts (`state` in_progress, `holder`, `expires_at`)
and completed with the answer (`status`, `body`, `headers`), so concurrent duplicates find it.
Keys recorded before this revision are answers: `done`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("holder", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("headers", JSON, nullable=True))
        batch.alter_column("status", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("body", existing_type=sa.Text(), nullable=True)
    op.execute("UPDATE idempotency_records SET state = 'done'")
    with op.batch_alter_table("idempotency_records") as batch:
        batch.alter_column("state", existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    # reservations of requests still running have no answer to keep
    op.execute("DELETE FROM idempotency_records WHERE state <> 'done'")
    with op.batch_alter_table("idempotency_records") as batch:
        batch.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch.alter_column("status", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("headers")
        batch.drop_column("expires_at")
        batch.drop_column("holder")
        batch.drop_column("state")
