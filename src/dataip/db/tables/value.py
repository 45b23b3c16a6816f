"""Value (issue 22): data-quality assessments of registrations (GB/T 36344-2018)."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

# --- Data quality (issue 22 §1; services/value/quality.py, migration 0024) ---------------------

# One assessment of a registration's sample files and the holder's declarations: the result
# (value.quality.Assessment.to_dict(), counts and column names, never a cell's value), the
# declarations it used, and whether the holder publishes it. The public page shows the latest
# published row; the holder and the examiner the latest.
quality_assessments = sa.Table(
    "quality_assessments",
    metadata,
    id_column(),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("certificate_version", sa.Integer, nullable=False),  # whose sample files
    sa.Column("assessed_at", UTCDateTime, nullable=False),
    sa.Column("assessed_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("overall_bp", sa.Integer, nullable=False),
    sa.Column("grade", sa.String(16), nullable=False),
    sa.Column("declared", JSONType, nullable=False),
    sa.Column("result", JSONType, nullable=False),
    sa.Column("samples_sha256", sa.String(64), nullable=False),  # over the files' digests
    sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("published_at", UTCDateTime),
    sa.Index("ix_quality_assessments_registration_id", "registration_id", "id"),
)
