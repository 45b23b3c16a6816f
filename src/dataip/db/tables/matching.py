"""Service matching (issue 23 §3–§4): usage intentions (需求), the pushes served for matches,
and contact through the platform."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, id_column, metadata

# A usage intention a user published under one of its verified parties (issue 23 §3). Its text
# passed the personal-data screening before it was stored. Open until withdrawn; shown and
# matched only until `expires_on` (a query filter: nothing has to run for a need to expire).
needs = sa.Table(
    "needs",
    metadata,
    id_column(),
    sa.Column("author_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("scenario", sa.String(32), nullable=False),
    sa.Column("industry_code", sa.String(4), nullable=False),
    sa.Column("data_wanted", sa.Text, nullable=False),
    sa.Column("region_code", sa.String(6), nullable=True),  # None: the whole country
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("budget_band", sa.String(16), nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # open | withdrawn
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("withdrawn_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
)
sa.Index("ix_needs_state_expires_on", needs.c.state, needs.c.expires_on)

# A match pushed to someone's inbox: a need to a holder of a matching registration
# (`direction` need), a new registration to the author of a matching need (registration).
# Unique per pair, direction and recipient: pushing twice (two ticks at once) serves one notice.
need_pushes = sa.Table(
    "need_pushes",
    metadata,
    id_column(),
    sa.Column("need_id", sa.Integer, sa.ForeignKey("needs.id"), nullable=False),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column(
        "recipient_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True
    ),
    sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), nullable=True),
    sa.Column("pushed_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "need_id", "registration_id", "direction", "recipient_user_id", name="uq_need_pushes_once"
    ),
)

# Contact through the platform on one match (need × registration): proposed by one side (the
# need's author or a holder of the registration), accepted or declined by the other. Contact
# details are shown to each side only once accepted. One per match.
need_contacts = sa.Table(
    "need_contacts",
    metadata,
    id_column(),
    sa.Column("need_id", sa.Integer, sa.ForeignKey("needs.id"), nullable=False),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("proposed_by", sa.String(16), nullable=False),  # author | holder
    # the holder's user who proposed or answered (whose contact the author then sees)
    sa.Column("holder_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),  # proposed | accepted | declined
    sa.Column("proposed_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("need_id", "registration_id", name="uq_need_contacts_match"),
)
sa.Index("ix_need_contacts_registration_id", need_contacts.c.registration_id)
