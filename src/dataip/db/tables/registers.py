"""The registers of one deployment (issue 24 §1–§2, R31): one-window dossiers (一窗受理) that
join a data IP and a data property application filed together, and the data property filings
forwarded to another body that decides them."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

# A one-window filing (一窗受理): the shared parts were filled once and one application per
# register chosen was made from them; `registers` lists those chosen, in filing order. The
# applications point here (`applications.dossier_id`).
dossiers = sa.Table(
    "dossiers",
    metadata,
    id_column(),
    sa.Column("filer_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("registers", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# A filing forwarded to the register's authority (the profile's `authority = "forward"`):
# the authority's id for it, the last state it reported (its own code) and when this registry
# last asked. One row per application.
property_forwardings = sa.Table(
    "property_forwardings",
    metadata,
    id_column(),
    sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
    sa.Column("remote_id", sa.String(64)),
    sa.Column("remote_state", sa.String(32), nullable=False),
    sa.Column("forwarded_at", UTCDateTime),
    sa.Column("polled_at", UTCDateTime),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(200)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("application_id", name="uq_property_forwardings_application_id"),
)
