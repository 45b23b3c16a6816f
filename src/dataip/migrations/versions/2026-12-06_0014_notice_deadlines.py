"""A served notice names the deadline its reply date is (issue 19 §1)

`notices.deadline_id`: the holder's deadline a notice's due date belongs to (a correction
notice's correction period, an objection notice's answer period), so that the notice shows
that deadline's state — met, open or missed — and its recomputed date (R0.4), never a date
read against the calendar alone. Existing notices are linked to the deadline opened by the
same transition (same application, holder's, triggered when the notice was served).

Publicity periods still open on applications awaiting a judgment are closed as ended: the
decision that referred the objection to court ends publicity (G§15).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("deadline_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_notices_deadline_id_deadlines", "deadlines", ["deadline_id"], ["id"]
        )
    op.execute(
        """
        UPDATE notices SET deadline_id = (
            SELECT d.id FROM deadlines d
            WHERE d.application_id = notices.application_id
              AND d.party = 'holder'
              AND d.trigger_at = notices.served_at
              AND d.due_on = notices.due_on
            ORDER BY d.id LIMIT 1)
        WHERE due_on IS NOT NULL
        """
    )
    op.execute(
        """
        UPDATE deadlines SET status = 'ended', closed_at = (
            SELECT a.updated_at FROM applications a WHERE a.id = deadlines.application_id)
        WHERE status = 'open' AND kind = 'publicity' AND application_id IN (
            SELECT id FROM applications WHERE state = 'awaiting_judgment')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_constraint("fk_notices_deadline_id_deadlines", type_="foreignkey")
        batch.drop_column("deadline_id")
