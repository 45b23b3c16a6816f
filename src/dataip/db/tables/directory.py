"""The service directory (issue 23 §5): agencies listed under a verified legal person, and the
service requests holders of registrations send them."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, id_column, metadata

# An agency (valuation firm, law firm, notary, data exchange, broker, bank, evidence platform)
# listed under one verified legal-person party of its owner's; one listing per party. Its
# description passed the personal-data screening before it was stored. `region_code` is the
# province of the credit code's registering authority (characters 3–4).
agencies = sa.Table(
    "agencies",
    metadata,
    id_column(),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("owner_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("categories", sa.String(200), nullable=False),  # codes joined by ","
    sa.Column("region_code", sa.String(2), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # listed | suspended
    sa.Column("state_reason", sa.String(200), nullable=True),
    sa.Column("listed_at", UTCDateTime, nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("party_id", name="uq_agencies_party_id"),
)

# A holder's request to a listed agency for a service on one registration; the agency accepts
# or declines; one request per agency and registration (a declined one stays declined).
# Contact details are shown to each side only once accepted.
service_requests = sa.Table(
    "service_requests",
    metadata,
    id_column(),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False, index=True),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("requester_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("message", sa.String(500), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # requested | accepted | declined
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("agency_id", "registration_id", name="uq_service_requests_pair"),
)
sa.Index("ix_service_requests_requester_user_id", service_requests.c.requester_user_id)
