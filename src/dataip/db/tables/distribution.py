"""Benefit distribution (issue 23 §1–§2, R28): the derivation links a registration declares,
the incomes distributed over them, and each beneficiary's part."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

# --- issue 23 §1: derivation (数据来源) -------------------------------------------------------
# "downstream derives from upstream": a registration here (upstream_registration_id), one at a
# listed registry (agency code + number) or an external source (its name, typed by the
# holder: private, never logged). States: pending → confirmed | disputed; withdrawn by the
# declarer. Declarations are serialised on the `derivation_graph` counter row (the cycle
# check reads the graph after taking it), so two concurrent declarations cannot together
# close a cycle.
derivation_links = sa.Table(
    "derivation_links",
    metadata,
    id_column(),
    sa.Column(
        "downstream_registration_id",
        sa.Integer,
        sa.ForeignKey("registrations.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("upstream_kind", sa.String(16), nullable=False),
    sa.Column(
        "upstream_registration_id", sa.Integer, sa.ForeignKey("registrations.id"), index=True
    ),
    sa.Column("upstream_agency_code", sa.String(4)),
    sa.Column("upstream_number", sa.String(20)),
    sa.Column("external_name", sa.String(200)),
    sa.Column("weight_bp", sa.Integer, nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("declared_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("declared_at", UTCDateTime, nullable=False),
    sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("note", sa.Text),  # the dispute's reason (private)
    sa.Column("graph_version", sa.BigInteger, nullable=False),
)

# --- issue 23 §2: penetrating distributions (穿透式收益分配) ------------------------------------
# One income recorded against a registration: from a licence or trade filing (its fee or
# price; one distribution per filing — the unique guard) or entered by the holder.
distributions = sa.Table(
    "distributions",
    metadata,
    id_column(),
    sa.Column(
        "registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False, index=True
    ),
    sa.Column("income_fen", sa.BigInteger, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # filing | entered
    sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id"), unique=True),
    sa.Column("retention_bp", sa.Integer, nullable=False),
    sa.Column("graph_version", sa.BigInteger, nullable=False),
    sa.Column("links", JSONType, nullable=False),  # the confirmed links used (ids, weights)
    sa.Column("recorded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("income_salt", sa.String(32), nullable=False),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id")),
)

# Each beneficiary's part, at its position in the leaf's public list; the salt opens the
# part's commitment (`part_<position>`) for the beneficiary's statement.
distribution_parts = sa.Table(
    "distribution_parts",
    metadata,
    sa.Column("distribution_id", sa.Integer, sa.ForeignKey("distributions.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("beneficiary", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # holder | foreign | external
    sa.Column("node", sa.String(64), nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id")),
    sa.Column("link_id", sa.Integer, sa.ForeignKey("derivation_links.id")),
    sa.Column("share", sa.String(200), nullable=False),  # exact fraction n/d
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("flows", JSONType, nullable=False),  # [{"path": [...], "share": "n/d"}]
    sa.Column("paths_complete", sa.Boolean, nullable=False),
    sa.Column("salt", sa.String(32), nullable=False),
    sa.UniqueConstraint("distribution_id", "beneficiary", name="uq_distribution_parts_beneficiary"),
)
