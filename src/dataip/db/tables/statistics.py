"""Statistics (R30): the pre-aggregated figures the statistics pages, the API and the annual
report read, and the registry's typical cases (JS25§10).

The aggregates are month by month, so that any range of months is a sum of rows and a page at
national scale reads a few hundred rows, never the register (bench/statistics.py). They are
derived data: `services/value/statistics.refresh` recomputes the months that changed, once a
day from `dataip tick`, and `dataip statistics rebuild` recomputes every month from the raw
rows — the two give the same rows (tests/e2e/api/test_r30_statistics.py).
"""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, id_column, metadata
from dataip.db.tables.registry import applications, events, filings, registrations

# Counts per month: `measure` names what is counted ("applications" filed, "registrations"
# made, and registrations by "section", "division", "region", "source"; "holder_type" counts
# holders), `key` the dimension's value ("" for a plain total, "-" when unknown).
statistics_counts = sa.Table(
    "statistics_counts",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("measure", sa.String(24), primary_key=True),
    sa.Column("key", sa.String(24), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Value realised per month (filed licences, trades, pledges): how many and the sum in fen.
# Sums only: one contract's amount is confidential and is never stored here on its own.
statistics_value = sa.Table(
    "statistics_value",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
)

# Processing times: per month in which a segment ended, a histogram of its durations in whole
# working days — enough for the exact nearest-rank median and 90th percentile of any range.
statistics_durations = sa.Table(
    "statistics_durations",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("segment", sa.String(16), primary_key=True),
    sa.Column("days", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# JS25§10: typical cases the registry picks for the annual report (a registration and a short
# public text, screened for personal data before it is saved).
typical_cases = sa.Table(
    "typical_cases",
    metadata,
    id_column(),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.UniqueConstraint("year", "registration_id", name="uq_typical_cases_year_registration"),
)

# The month-range reads of a refresh (one month of registrations, filings, applications and
# events at a time) must not scan the register.
sa.Index("ix_registrations_registration_date", registrations.c.registration_date)
sa.Index("ix_applications_filing_date", applications.c.filing_date)
sa.Index("ix_filings_filed_on", filings.c.filed_on)
sa.Index("ix_events_type_occurred_at", events.c.type, events.c.occurred_at)
