"""Tables of the catalogue (issue 24 §3–§5, R32): identifiers that find a registration, and
the change log a DCAT harvester walks (migration 0031)."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, metadata

# R32: every identifier the one search box looks up exactly — the registration, certificate,
# filing and announcement numbers, holders' credit codes and legal persons' full names, a
# CSTR and a DOI — normalised (`domain.resource_ids.search_key`) → the registration. Kept in
# step in the transaction of each announcement (`services/catalogue/index.py`).
registration_identifiers = sa.Table(
    "registration_identifiers",
    metadata,
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.PrimaryKeyConstraint("key", "kind", "registration_id"),
    sa.Index("ix_registration_identifiers_registration_id", "registration_id"),
)

# The DCAT catalogue's change log: one row each time a registration's public record changes
# (each announcement), `seq` from a counter (so sequence order is commit order), the row it
# replaces marked `superseded_by`. A harvester's walk fixes its upper bound at the first page;
# each registration appears once in it, at its latest row as of that bound.
catalogue_changes = sa.Table(
    "catalogue_changes",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("modified_at", UTCDateTime, nullable=False),
    sa.Column("superseded_by", sa.BigInteger),
    sa.Index("ix_catalogue_changes_registration_id", "registration_id"),
    sa.Index("ix_catalogue_changes_modified_at", "modified_at"),
)
