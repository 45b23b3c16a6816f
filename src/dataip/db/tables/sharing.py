"""Sharing with institutions (issue 20): their OAuth clients, tokens and the account of their
reads, court preservations, the event feed's webhooks, and banks' pledge proposals."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

# --- Sharing with institutions (issue 20 §1–§3; services/sharing, migration 0016) -------------

# An institution's OAuth client (机构客户端): registered by the admin, with the scopes it may
# use and its public keys (an inline JWKS or a JWKS URL); `state` active | suspended | revoked.
institutions = sa.Table(
    "institutions",
    metadata,
    id_column(),
    sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False),
    sa.Column("scopes", JSONType, nullable=False),
    sa.Column("jwks", JSONType),  # {"keys": [...]}: several live at once, by kid
    sa.Column("jwks_uri", sa.String(2000)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# Client-assertion ids already used (RFC 7523 §3 item 7), kept until the assertion's exp so
# that every server process refuses a replay.
institution_assertions = sa.Table(
    "institution_assertions",
    metadata,
    id_column(),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("jti", sa.String(200), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    sa.UniqueConstraint("client_id", "jti", name="uq_institution_assertions_client_id_jti"),
)

# Access tokens (opaque, stored as their SHA-256): short-lived, checked on every request
# against the client's state, so a suspension takes effect at once.
institution_tokens = sa.Table(
    "institution_tokens",
    metadata,
    id_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("token_id", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "institution_id", sa.Integer, sa.ForeignKey("institutions.id"), nullable=False, index=True
    ),
    sa.Column("scopes", JSONType, nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# The account of institutional reads (机构查阅记录, R25): one row per non-public read, chained —
# `hash` is SHA-256 over the previous row's hash and this row's canonical content.
institution_reads = sa.Table(
    "institution_reads",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("institution_id", sa.Integer, sa.ForeignKey("institutions.id"), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("institution_name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("token_id", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("registration_number", sa.String(32), nullable=False, index=True),
    sa.Column("resource", sa.String(16), nullable=False),
    sa.Column("purpose", sa.String(200), nullable=False),
    sa.Column("read_at", UTCDateTime, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# --- issue 20 §7: court preservations (保全) of registrations ------------------------------
freezes = sa.Table(
    "freezes",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("case_number", sa.String(40), nullable=False),
    sa.Column("frozen_at", UTCDateTime, nullable=False),
    sa.Column("term_end", sa.Date),
    sa.Column("details", JSONType, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("lifted_at", UTCDateTime),
    sa.Column("lift_case_number", sa.String(40)),
    sa.Index("ix_freezes_registration", "registration_id", "state"),
)

# --- issue 20 §4–§5: the event feed and webhooks (dataip.services.sharing) -----------------
# The webhook outbox: one row per event the feed carries, written in the event's own
# transaction (recording.record_event); the delivery worker fans it out into messages once
# the event has its log index, and deletes it in that same transaction.
webhook_outbox = sa.Table(
    "webhook_outbox",
    metadata,
    sa.Column(
        "event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True, autoincrement=False
    ),
)

# A client's subscriptions: where to POST, which CloudEvents types (empty: all its scopes
# allow), how to sign (Standard Webhooks v1a and/or v1; the secrets stay server-side).
webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    id_column(),
    sa.Column("client_id", sa.String(128), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("types", JSONType, nullable=False),
    sa.Column("allowed", JSONType, nullable=False),
    sa.Column("schemes", sa.String(16), nullable=False),
    sa.Column("ed25519_secret", sa.String(64)),
    sa.Column("hmac_secret", sa.String(80)),
    sa.Column("state", sa.String(16), nullable=False),  # active | paused | disabled
    sa.Column("disabled_reason", sa.String(32)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# One message per (subscription, event): pending until a 2xx, retried on the Standard
# Webhooks schedule, claimed by one worker at a time (claimed_by/claimed_until).
webhook_messages = sa.Table(
    "webhook_messages",
    metadata,
    id_column(),
    sa.Column(
        "subscription_id", sa.Integer, sa.ForeignKey("webhook_subscriptions.id"), nullable=False
    ),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("log_index", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),  # failed attempts in this round
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("delivered_at", UTCDateTime),
    sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_messages_event"),
    sa.Index("ix_webhook_messages_due", "state", "next_attempt_at"),
    sa.Index("ix_webhook_messages_subscription", "subscription_id", "log_index"),
)

# The delivery log the client reads: every attempt, its status code, latency and error.
webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    id_column(),
    sa.Column("message_id", sa.Integer, sa.ForeignKey("webhook_messages.id"), nullable=False),
    sa.Column("subscription_id", sa.Integer, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("latency_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.String(200)),
    sa.Index("ix_webhook_attempts_subscription", "subscription_id", "id"),
)

# --- issue 20 §6: a bank's pledge proposals, awaiting the holder's confirmation ------------
# The bank (an institutional client holding pledges:write) proposes; the holder confirms
# (the pledge is filed: a row in `filings`), declines, or lets it lapse; the bank may
# withdraw it. `details`: the pledgee, secured amount, term, contract and loan references.
pledge_proposals = sa.Table(
    "pledge_proposals",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("pledgee_uscc", sa.String(18), nullable=False),
    sa.Column("contract_date", sa.Date, nullable=False),
    sa.Column("proposed_at", UTCDateTime, nullable=False),
    sa.Column("lapses_on", sa.Date, nullable=False),
    sa.Column("details", JSONType, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("filing_number", sa.String(20)),
    sa.Index("ix_pledge_proposals_registration", "registration_id", "state"),
)
