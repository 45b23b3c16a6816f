"""After registration: certificate versions, requests, filings, announcements

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from dataip.db.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=f"fk_{table}_{col}_{other}")


def upgrade() -> None:
    with op.batch_alter_table("registrations") as b:
        b.add_column(sa.Column("state_reason", sa.Text(), nullable=True))
        b.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        b.add_column(
            sa.Column("certificate_version", sa.Integer(), server_default="1", nullable=False)
        )
        b.add_column(sa.Column("renewal_notice_for", sa.Date(), nullable=True))
        b.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_registrations_state_valid_until", "registrations", ["state", "valid_until"])
    op.create_table(
        "registration_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("holders", JSON, nullable=False),
        sa.Column("form", JSON, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        _fk("registration_versions", "registration_id", "registrations"),
        sa.PrimaryKeyConstraint("id", name="pk_registration_versions"),
        sa.UniqueConstraint("registration_id", "number", name="uq_registration_versions_number"),
    )
    op.create_table(
        "registration_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requester_user_id", sa.Integer(), nullable=False),
        sa.Column("requester_party_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("re_examination_due", sa.Date(), nullable=True),
        sa.Column(
            "re_examination_provisional", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("related_request_id", sa.Integer(), nullable=True),
        _fk("registration_requests", "registration_id", "registrations"),
        _fk("registration_requests", "requester_user_id", "users"),
        _fk("registration_requests", "requester_party_id", "parties"),
        _fk("registration_requests", "decided_by", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_registration_requests"),
    )
    op.create_index(
        "ix_registration_requests_registration",
        "registration_requests",
        ["registration_id", "state"],
    )
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("filer_user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.Column("consents", JSON, nullable=False),
        _fk("filings", "registration_id", "registrations"),
        _fk("filings", "filer_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_filings"),
        sa.UniqueConstraint("number", name="uq_filings_number"),
    )
    op.create_index("ix_filings_registration", "filings", ["registration_id", "kind"])
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("industry_section", sa.String(length=1), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        _fk("announcements", "registration_id", "registrations"),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.UniqueConstraint("number", name="uq_announcements_number"),
    )
    op.create_index("ix_announcements_kind_published", "announcements", ["kind", "published_on"])
    op.create_index("ix_announcements_published_on", "announcements", ["published_on"])
    op.create_index("ix_announcements_registration", "announcements", ["registration_id"])
    op.create_index("ix_announcements_industry_code", "announcements", ["industry_code"])
    op.create_index("ix_announcements_region_code", "announcements", ["region_code"])
    # Registrations approved before this revision get their first certificate version from
    # the application's last frozen form.
    op.execute(
        """
        INSERT INTO registration_versions (registration_id, number, reason, name, industry_code,
            holders, form, valid_from, valid_until, effective_at)
        SELECT r.id, 1, 'registration', r.name, r.industry_code, r.holders, v.form,
            r.valid_from, r.valid_until, r.created_at
        FROM registrations r JOIN application_versions v ON v.application_id = r.application_id
        WHERE v.number = (SELECT max(v2.number) FROM application_versions v2
                          WHERE v2.application_id = r.application_id)
        """
    )


def downgrade() -> None:
    op.drop_table("announcements")
    op.drop_table("filings")
    op.drop_index("ix_registration_requests_registration", table_name="registration_requests")
    op.drop_table("registration_requests")
    op.drop_table("registration_versions")
    op.drop_index("ix_registrations_state_valid_until", table_name="registrations")
    with op.batch_alter_table("registrations") as b:
        for col in ("version", "renewal_notice_for", "certificate_version", "ended_on"):
            b.drop_column(col)
        b.drop_column("state_reason")
