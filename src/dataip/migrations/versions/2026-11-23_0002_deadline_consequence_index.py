"""Partial index for tick's scan of open deadlines with a consequence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WHERE = sa.text("status = 'open' AND on_expiry IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_deadlines_consequence_due",
        "deadlines",
        ["due_on", "id"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_deadlines_consequence_due", table_name="deadlines")
