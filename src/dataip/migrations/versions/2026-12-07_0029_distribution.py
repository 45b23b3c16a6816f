"""Benefit distribution: derivation links, distributions and their parts (issue 23 §1–§2)

Revision ID: 0029
Revises: 0023
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dataip.db.tables import JSONType, UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derivation_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("downstream_registration_id", sa.Integer(), nullable=False),
        sa.Column("upstream_kind", sa.String(length=16), nullable=False),
        sa.Column("upstream_registration_id", sa.Integer(), nullable=True),
        sa.Column("upstream_agency_code", sa.String(length=4), nullable=True),
        sa.Column("upstream_number", sa.String(length=20), nullable=True),
        sa.Column("external_name", sa.String(length=200), nullable=True),
        sa.Column("weight_bp", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("declared_by", sa.Integer(), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("graph_version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["downstream_registration_id"],
            ["registrations.id"],
            name=op.f("fk_derivation_links_downstream_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["upstream_registration_id"],
            ["registrations.id"],
            name=op.f("fk_derivation_links_upstream_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["declared_by"], ["users.id"], name=op.f("fk_derivation_links_declared_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_derivation_links_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_derivation_links")),
    )
    op.create_index(
        op.f("ix_derivation_links_downstream_registration_id"),
        "derivation_links",
        ["downstream_registration_id"],
    )
    op.create_index(
        op.f("ix_derivation_links_upstream_registration_id"),
        "derivation_links",
        ["upstream_registration_id"],
    )
    op.create_table(
        "distributions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("income_fen", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=True),
        sa.Column("retention_bp", sa.Integer(), nullable=False),
        sa.Column("graph_version", sa.BigInteger(), nullable=False),
        sa.Column("links", JSONType, nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("income_salt", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_distributions_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_distributions_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_distributions_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_distributions_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distributions")),
        sa.UniqueConstraint("filing_id", name=op.f("uq_distributions_filing_id")),
    )
    op.create_index(op.f("ix_distributions_registration_id"), "distributions", ["registration_id"])
    op.create_table(
        "distribution_parts",
        sa.Column("distribution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("beneficiary", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("share", sa.String(length=200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("flows", JSONType, nullable=False),
        sa.Column("paths_complete", sa.Boolean(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distributions.id"],
            name=op.f("fk_distribution_parts_distribution_id_distributions"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_distribution_parts_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["derivation_links.id"],
            name=op.f("fk_distribution_parts_link_id_derivation_links"),
        ),
        sa.PrimaryKeyConstraint("distribution_id", "position", name=op.f("pk_distribution_parts")),
        sa.UniqueConstraint(
            "distribution_id", "beneficiary", name="uq_distribution_parts_beneficiary"
        ),
    )


def downgrade() -> None:
    op.drop_table("distribution_parts")
    op.drop_index(op.f("ix_distributions_registration_id"), table_name="distributions")
    op.drop_table("distributions")
    op.drop_index(
        op.f("ix_derivation_links_upstream_registration_id"), table_name="derivation_links"
    )
    op.drop_index(
        op.f("ix_derivation_links_downstream_registration_id"), table_name="derivation_links"
    )
    op.drop_table("derivation_links")
