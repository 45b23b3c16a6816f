"""Valuations (数据资产评估, issue 22 §2; services/value/valuation, migration 0025).

One row per valuation of a registration: a holder's 价值参考 computed by the registry from the
holder's inputs (`kind` reference), or an appraisal agency's 评估报告 (`kind` appraisal) whose
inputs the agency signed (`jws`, compact JWS over RFC 8785 JSON, verified with the agency's
registered key). `report` is the whole result as computed on `valuation_date` — inputs,
factors, formulas, dimensions, sensitivity — so a later change of the register does not
change a report already made. Amounts are confidential: private to the holder and the
registry unless the holder publishes (`published`), when it is made or afterwards
(`version` counts the changes: the If-Match of publish and withdraw).
"""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

valuations = sa.Table(
    "valuations",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # reference | appraisal
    sa.Column("approaches", JSONType, nullable=False),
    sa.Column("inputs", JSONType, nullable=False),
    sa.Column("report", JSONType, nullable=False),
    sa.Column("value_fen", sa.BigInteger),
    sa.Column("valuation_date", sa.Date, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("institution_id", sa.Integer, sa.ForeignKey("institutions.id")),
    sa.Column("jws", sa.Text),
    # an agency's signed report is recorded once: its JWS's SHA-256 (NULL for a reference)
    sa.Column("jws_sha256", sa.String(64), unique=True),
    sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    # the ETag of publish and withdraw (migration 0038): each change adds one
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_valuations_registration", "registration_id", "id"),
)
