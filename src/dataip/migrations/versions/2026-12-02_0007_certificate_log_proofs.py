"""Certificates carry the tlog-proof of their issuance leaf: its log index, once attached

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("log_index", sa.BigInteger(), nullable=True))
        batch.create_index("ix_certificates_log_index", ["log_index"])


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_index("ix_certificates_log_index")
        batch.drop_column("log_index")
