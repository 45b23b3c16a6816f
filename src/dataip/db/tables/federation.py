"""Federation between registries (issue 21): the trust lists accepted, the witness's memory of
the logs it cosigned, other registries' status lists, and this registry's pushes to its
peers' witnesses."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import UTCDateTime, metadata

# --- issue 21 §1, §3: federation (dataip.services.federation) -------------------------------
# Every trust list this registry accepted, newest by (operator, sequence): the cache the
# server processes share (the newest unexpired one is the list in force), and the floor a
# later list's sequence may not go below (no roll-back).
trust_lists = sa.Table(
    "trust_lists",
    metadata,
    sa.Column("operator", sa.String(200), primary_key=True),
    sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("issued", UTCDateTime, nullable=False),
    sa.Column("expires", UTCDateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),  # the signed note, exactly as fetched
    sa.Column("fetched_at", UTCDateTime, nullable=False),
)

# The witness's memory (tlog-witness): per log origin, the latest checkpoint it cosigned.
# Advanced only by a conditional update from the size and root the request was checked
# against, in the transaction that issues the cosignature: never two views of one log.
witnessed_logs = sa.Table(
    "witnessed_logs",
    metadata,
    sa.Column("origin", sa.String(500), primary_key=True),
    # lowercase hex SHA-256 of the origin: the monitoring path <prefix>/<origin hash>/checkpoint
    sa.Column("origin_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root_hash", sa.String(44), nullable=False),  # base64 of the 32-byte root
    sa.Column("checkpoint", sa.Text, nullable=False),  # the log's note with our cosignature
    sa.Column("cosigned_at", UTCDateTime, nullable=False),
)

# Other registries' W3C status lists (issue 21 §2): the signed list as fetched from the URL a
# foreign certificate names, and when; re-fetched once older than the configured age.
foreign_status_lists = sa.Table(
    "foreign_status_lists",
    metadata,
    sa.Column("url", sa.String(1000), primary_key=True),
    sa.Column("issuer", sa.String(500), nullable=False),
    sa.Column("token", sa.Text, nullable=False),  # the vc+jwt, verified before it is stored
    sa.Column("fetched_at", UTCDateTime, nullable=False),
)

# This registry's checkpoints pushed to its peers' witnesses (issue 21 §3): per witness, the
# size it last cosigned (the `old` of the next add-checkpoint) and that checkpoint with its
# verified cosignature; failures put the next attempt off (doubling backoff).
witness_pushes = sa.Table(
    "witness_pushes",
    metadata,
    sa.Column("witness", sa.String(500), primary_key=True),  # the cosigner key's name
    sa.Column("witness_key", sa.String(500), nullable=False),  # its vkey, as listed
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("checkpoint", sa.Text, nullable=True),  # our note + its cosignature line
    sa.Column("cosigned_at", UTCDateTime, nullable=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
)

# Following the peers' event feeds (issue 21 §5): per listed registry (its issuer), the
# client_id its admin registered for this registry (private_key_jwt, kind `registry`), the
# last feed sequence read (the cursor, -1 before the first) and the last failure.
peer_feeds = sa.Table(
    "peer_feeds",
    metadata,
    sa.Column("issuer", sa.String(500), primary_key=True),
    sa.Column("client_id", sa.String(200), nullable=True),
    sa.Column("cursor", sa.BigInteger, nullable=False),
    sa.Column("followed_at", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
)

# The public facts of the peers' registrations needed to warn of a duplicate (R4, G§10,
# G§13(3)): one row per (issuer, number), replaced by each later event about it.
peer_registrations = sa.Table(
    "peer_registrations",
    metadata,
    sa.Column("issuer", sa.String(500), primary_key=True),
    sa.Column("registration_number", sa.String(17), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("name_key", sa.String(500), nullable=False, index=True),  # normalised name
    sa.Column("evidence_hash", sa.String(64), nullable=True, index=True),  # lower-case hex
    sa.Column("holder_codes", sa.String(2000), nullable=False),  # credit codes, space-separated
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("in_force", sa.Boolean, nullable=False),
    sa.Column("log_index", sa.BigInteger, nullable=False),  # the feed event last applied
    sa.Column("seen_at", UTCDateTime, nullable=False),
)

# --- issue 21 §5: the holders of the peers' registrations, by credit code -------------------
# One row per legal-person holder's unified social credit code a peer registration's
# certificate shows (public, G§17; natural persons carry none): an indexed lookup for the
# examiner's "same holder, similar name" warning. Kept with `peer_registrations` (replaced
# with its row, in the same transaction).
peer_registration_holders = sa.Table(
    "peer_registration_holders",
    metadata,
    sa.Column("issuer", sa.String(500), primary_key=True),
    sa.Column("registration_number", sa.String(17), primary_key=True),
    sa.Column("credit_code", sa.String(18), primary_key=True),
    sa.Index("ix_peer_registration_holders_credit_code", "credit_code"),
)

# --- issue 21 §3: the add-checkpoint requests this witness refused --------------------------
# For the operator (`dataip federation witness-log`), as evidence of a log's misbehaviour
# (tlog-witness allows logging them): the origin and sizes the request named, the stable
# refusal code and HTTP status, when. Never the body. The newest REFUSALS_KEPT rows are kept.
witness_refusals = sa.Table(
    "witness_refusals",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("origin", sa.String(500), nullable=True),  # null: the body named none readable
    sa.Column("old_size", sa.BigInteger, nullable=True),
    sa.Column("size", sa.BigInteger, nullable=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
)
