"""Signals and the hotness ranking (issue 22 §3, §4): per-day counts of what the public did
with each registration, the day's transient de-duplication rows and salt (deleted when the
day closes), and the ranking snapshot the pages read.

Signals are statistics, not registrations: they are never events, never log leaves."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, metadata

# --- issue 22 §3: the published daily counts (dataip.services.value.signals) ----------------
# One row per day, registration and kind: how many counted signals (after de-duplication,
# caps, bots and holders left out) and, for filings, the sum of their filed amounts (kept for
# the statistics in aggregate; the ranking uses counts only). Published for closed days.
signal_daily = sa.Table(
    "signal_daily",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("registration_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(24), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("ix_signal_daily_registration", "registration_id", "day"),
)

# The day's random salt for visitor pseudonyms (HMAC key); deleted when the day closes, so
# that day's pseudonyms can never be recomputed or linked to another day's.
signal_salts = sa.Table(
    "signal_salts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("salt", sa.String(64), nullable=False),  # 32 random bytes, hex
)

# Transient, purged when the day closes: which (visitor, kind, registration) was counted
# today — the one-per-visitor-per-registration-per-day rule.
signal_seen = sa.Table(
    "signal_seen",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("visitor", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(24), primary_key=True),
    sa.Column("registration_id", sa.Integer, primary_key=True, autoincrement=False),
)

# Transient, purged when the day closes: how many signals each visitor added today (the cap
# per visitor per day across registrations).
signal_visitors = sa.Table(
    "signal_visitors",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("visitor", sa.String(32), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

# --- issue 22 §4: the ranking snapshot, pre-aggregated by the day's close ---------------------
# One row per registration with a positive score as of `as_of` (the last closed day): its
# ranks overall, in its GB/T 4754 section and in its province (the first holder's credit
# code, characters 3–4), and the window's totals per kind shown beside it.
hot_scores = sa.Table(
    "hot_scores",
    metadata,
    sa.Column("registration_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("registration_number", sa.String(16), nullable=False),
    sa.Column("score", sa.BigInteger, nullable=False),  # thousandths of a point
    sa.Column("section", sa.String(1)),
    sa.Column("region", sa.String(2)),
    sa.Column("rank_all", sa.Integer, nullable=False),
    sa.Column("rank_section", sa.Integer),
    sa.Column("rank_region", sa.Integer),
    sa.Column("counts", JSONType, nullable=False),  # {kind: count in the window}
    sa.Column("computed_at", UTCDateTime, nullable=False),
    sa.Index("ix_hot_scores_rank_all", "rank_all"),
    sa.Index("ix_hot_scores_section", "section", "rank_section"),
    sa.Index("ix_hot_scores_region", "region", "rank_region"),
)
