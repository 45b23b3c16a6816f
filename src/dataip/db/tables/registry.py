"""The registry's own tables: accounts and parties, applications and their procedure, registrations
and what is recorded on them, the transparency log, reference data, and the housekeeping
tables (blobs, throttles, idempotency, counters, leases, the search index)."""

from __future__ import annotations

import sqlalchemy as sa

from dataip.db.tables.base import JSONType, UTCDateTime, id_column, metadata

users = sa.Table(
    "users",
    metadata,
    id_column(),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254)),
    sa.Column("is_active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    id_column(),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
)

parties = sa.Table(
    "parties",
    metadata,
    id_column(),
    sa.Column("owner_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("id_number", sa.String(18), nullable=False, index=True),
    sa.Column("address", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("verification_status", sa.String(16), nullable=False),
    sa.Column("verification_method", sa.String(64)),
    sa.Column("verification_evidence", sa.String(64)),
    sa.Column("verified_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("verified_at", UTCDateTime),
    sa.Column("verification_note", sa.Text),
    sa.Column("warnings", JSONType, nullable=False),
)

agent_authorisations = sa.Table(
    "agent_authorisations",
    metadata,
    id_column(),
    sa.Column("agent_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False, index=True),
    sa.Column("poa_blob", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("reviewed_at", UTCDateTime),
    sa.Column("note", sa.Text),
)

applications = sa.Table(
    "applications",
    metadata,
    id_column(),
    sa.Column("filer_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("state", sa.String(32), nullable=False, index=True),
    sa.Column("form", JSONType, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("industry_code", sa.String(8), index=True),
    sa.Column("evidence_hash", sa.String(64), index=True),
    sa.Column("application_number", sa.String(16), unique=True),
    sa.Column("filed_at", UTCDateTime),
    sa.Column("filing_date", sa.Date),
    sa.Column("version_no", sa.Integer, nullable=False),
    sa.Column("fast_track", sa.Boolean, nullable=False, default=False),
    sa.Column("public_fields", JSONType),
    sa.Column("outcome_reason", sa.Text),
    sa.Column("grounds", JSONType),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # issue 24 §1–§2 (R31): the register the application is filed in, and the one-window
    # dossier it was filed with (db/tables/registers.py)
    sa.Column("register", sa.String(16), nullable=False, server_default="data_ip"),
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), index=True),
)

application_parties = sa.Table(
    "application_parties",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False, index=True),
    sa.Column("share_bp", sa.Integer, nullable=False),
    sa.Column("rights_bounds", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("consented_at", UTCDateTime),
    sa.UniqueConstraint("application_id", "party_id"),
)

application_versions = sa.Table(
    "application_versions",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("form", JSONType, nullable=False),
    sa.Column("applicants", JSONType, nullable=False),
    sa.Column("frozen_at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.UniqueConstraint("application_id", "number"),
)

deadlines = sa.Table(
    "deadlines",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("party", sa.String(16), nullable=False),
    sa.Column("period_key", sa.String(32), nullable=False),
    sa.Column("trigger_at", UTCDateTime, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("provisional", sa.Boolean, nullable=False),
    sa.Column("on_expiry", sa.String(32)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("closed_at", UTCDateTime),
    sa.Index("ix_deadlines_open_due", "status", "on_expiry", "due_on"),
    # `tick` reads open deadlines with a consequence in due order: a partial index keeps that
    # a range scan however many open deadlines there are (bench/tick.py).
    sa.Index(
        "ix_deadlines_consequence_due",
        "due_on",
        "id",
        sqlite_where=sa.text("status = 'open' AND on_expiry IS NOT NULL"),
        postgresql_where=sa.text("status = 'open' AND on_expiry IS NOT NULL"),
    ),
)

# R8 / G§12: fast-track, extension and reinstatement requests (services/procedure/requests.py)
procedural_requests = sa.Table(
    "procedural_requests",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("ground", sa.String(32), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("evidence_blobs", JSONType, nullable=False),
    sa.Column("own_motion", sa.Boolean, nullable=False),
    sa.Column("filed_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("filed_at", UTCDateTime, nullable=False),
    sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("reason_code", sa.String(32)),
    sa.Column("note", sa.Text),
    sa.Column("due_on", sa.Date),
)

notices = sa.Table(
    "notices",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column(
        "recipient_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True
    ),
    sa.Column("served_at", UTCDateTime, nullable=False),
    sa.Column("title_zh", sa.String(200), nullable=False),
    sa.Column("title_en", sa.String(200), nullable=False),
    sa.Column("body", JSONType, nullable=False),
    sa.Column("due_on", sa.Date),
    sa.Column("provisional", sa.Boolean, nullable=False),
    sa.Column("read_at", UTCDateTime),
    # the deadline the due date belongs to: the notice shows its state (issue 19)
    sa.Column("deadline_id", sa.Integer, sa.ForeignKey("deadlines.id")),
)

objections = sa.Table(
    "objections",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, index=True
    ),
    sa.Column("objector_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("objector_party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("evidence_blobs", JSONType, nullable=False),
    sa.Column("filed_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("answer", sa.Text),
    sa.Column("answered_at", UTCDateTime),
    sa.Column("outcome", sa.String(16)),
    sa.Column("decided_at", UTCDateTime),
)

registrations = sa.Table(
    "registrations",
    metadata,
    id_column(),
    sa.Column(
        "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, unique=True
    ),
    sa.Column("registration_number", sa.String(16), nullable=False, unique=True),
    sa.Column("certificate_number", sa.String(17), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("industry_code", sa.String(8)),
    sa.Column("registration_date", sa.Date, nullable=False),
    sa.Column("announcement_date", sa.Date, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("holders", JSONType, nullable=False),
    sa.Column("state", sa.String(32), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("state_reason", sa.Text),
    sa.Column("ended_on", sa.Date),
    sa.Column("certificate_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("renewal_notice_for", sa.Date),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("register", sa.String(16), nullable=False, server_default="data_ip"),  # issue 24
    sa.Index("ix_registrations_state_valid_until", "state", "valid_until"),
)

registration_versions = sa.Table(
    "registration_versions",
    metadata,
    id_column(),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("industry_code", sa.String(8)),
    sa.Column("holders", JSONType, nullable=False),
    sa.Column("form", JSONType, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("effective_at", UTCDateTime, nullable=False),
    sa.Column("request_id", sa.Integer),
    sa.UniqueConstraint("registration_id", "number", name="uq_registration_versions_number"),
)

registration_requests = sa.Table(
    "registration_requests",
    metadata,
    id_column(),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("requester_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("requester_party_id", sa.Integer, sa.ForeignKey("parties.id")),
    sa.Column("filed_at", UTCDateTime, nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("outcome", sa.String(16)),
    sa.Column("decision_reason", sa.Text),
    sa.Column("re_examination_due", sa.Date),
    sa.Column("re_examination_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("related_request_id", sa.Integer),
    sa.Index("ix_registration_requests_registration", "registration_id", "state"),
)

filings = sa.Table(
    "filings",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("contract_date", sa.Date, nullable=False),
    sa.Column("filed_at", UTCDateTime, nullable=False),
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("details", JSONType, nullable=False),
    sa.Column("filer_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("released_at", UTCDateTime),
    sa.Column("release_reason", sa.Text),
    sa.Column("consents", JSONType, nullable=False),
    sa.Index("ix_filings_registration", "registration_id", "kind"),
)

screening_reports = sa.Table(
    "screening_reports",
    metadata,
    # one report per sample file content: the same file filed twice is screened once
    sa.Column("blob_sha256", sa.String(64), primary_key=True),
    sa.Column("report", JSONType),  # Report.to_dict(): masked examples only, never a raw value
    sa.Column("error", JSONType),  # the ScreeningError when the file could not be read
    sa.Column("kinds", JSONType, nullable=False),
    sa.Column("has_personal_data", sa.Boolean, nullable=False),
    sa.Column("screened_at", UTCDateTime, nullable=False),
    # issue 18: the rows as they may be published ({"masked": …, "raw": … or null}, raw only
    # when nothing was found), made by the worker with the report, so that publishing never
    # parses a file; and the screening code that made them (sandbox.engine_id())
    sa.Column("public", JSONType),
    sa.Column("engine", sa.String(64)),
)

# Issue 18: sample files waiting to be screened, out of every request's transaction. A row is
# requested in the transaction that names the file as a sample; a worker claims it (until
# `claimed_until`, wall-clock UTC, so a worker killed mid-file loses it), screens the file in
# a sandboxed process and, in one short transaction, stores the report and deletes the row.
screening_jobs = sa.Table(
    "screening_jobs",
    metadata,
    sa.Column("blob_sha256", sa.String(64), primary_key=True),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # whose upload the file is, for its name (the format): the first to ask for it
    sa.Column("requested_by", sa.Integer),
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Index("ix_screening_jobs_requested_at", "requested_at"),
)

sample_publications = sa.Table(
    "sample_publications",
    metadata,
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), primary_key=True),
    sa.Column("choice", sa.String(16), nullable=False),
    sa.Column("files", JSONType, nullable=False),  # published rows only: masked or clean
    sa.Column("certificate_version", sa.Integer, nullable=False),
    sa.Column("chosen_at", UTCDateTime, nullable=False),
    sa.Column("chosen_by_user_id", sa.Integer, sa.ForeignKey("users.id")),
)

certificates = sa.Table(
    "certificates",
    metadata,
    id_column(),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kid", sa.String(64), nullable=False),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("cosigned", sa.Text),  # JWS JSON with the SM2 co-signature, when the profile says
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("status_index", sa.Integer, nullable=False, unique=True),  # in the status lists
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("log_index", sa.BigInteger),  # the issuance leaf's, once the token has its proof
    sa.UniqueConstraint("registration_id", "version", name="uq_certificates_version"),
    sa.Index("ix_certificates_log_index", "log_index"),
)

announcements = sa.Table(
    "announcements",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("registrations.id"), nullable=False),
    sa.Column("registration_number", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.Column("published_on", sa.Date, nullable=False),
    sa.Column("title_zh", sa.String(200), nullable=False),
    sa.Column("title_en", sa.String(200), nullable=False),
    sa.Column("body", JSONType, nullable=False),
    sa.Column("industry_code", sa.String(8)),
    sa.Column("industry_section", sa.String(1)),
    sa.Column("region_code", sa.String(6)),
    sa.Index("ix_announcements_kind_published", "kind", "published_on"),
    sa.Index("ix_announcements_published_on", "published_on"),
    sa.Index("ix_announcements_registration", "registration_id"),
    sa.Index("ix_announcements_industry_code", "industry_code"),
    sa.Index("ix_announcements_region_code", "region_code"),
)

events = sa.Table(
    "events",
    metadata,
    id_column(),
    sa.Column("subject_type", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.Integer, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("actor_user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("public", JSONType, nullable=False),
    sa.Column("private", JSONType, nullable=False),
    sa.Index("ix_events_subject", "subject_type", "subject_id"),
)

deposits = sa.Table(
    "deposits",
    metadata,
    id_column(),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("hash", sa.String(8), nullable=False),
    sa.Column("root", sa.String(64), nullable=False),
    sa.Column("depositor_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("deposited_at", UTCDateTime, nullable=False),
    sa.Column("files", sa.Integer),
    sa.Column("bytes", sa.BigInteger),
    sa.Column("manifest", JSONType),
    sa.Column("title", sa.String(200)),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id")),
    sa.UniqueConstraint("depositor_user_id", "hash", "root", name="uq_deposits_depositor_root"),
    sa.Index("ix_deposits_root", "root"),
)

_LOG_PENDING = sa.text("idx IS NULL")

log_entries = sa.Table(
    "log_entries",
    metadata,
    # The ledger outbox: one leaf per event, written in the event's transaction; `idx` is
    # assigned by the integrator (NULL until then).
    sa.Column(
        "event_id",
        sa.Integer,
        sa.ForeignKey("events.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("idx", sa.BigInteger, unique=True),
    sa.Column("leaf", sa.LargeBinary, nullable=False),
    sa.Index(
        "ix_log_entries_pending",
        "event_id",
        sqlite_where=_LOG_PENDING,
        postgresql_where=_LOG_PENDING,
    ),
)

log_nodes = sa.Table(
    "log_nodes",
    metadata,
    # Every full subtree hash: level 0 holds leaf hashes, level l index i the hash of leaves
    # [i * 2**l, (i + 1) * 2**l). Tiles are read straight from levels 0, 8, 16, ...
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

log_checkpoints = sa.Table(
    "log_checkpoints",
    metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

industries = sa.Table(
    "industries",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("parent", sa.String(8)),
    sa.Column("section", sa.String(1), nullable=False),
    sa.Column("edition", sa.String(32), nullable=False),
)

calendar_overrides = sa.Table(
    "calendar_overrides",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("is_working_day", sa.Boolean, nullable=False),
    sa.Column("note", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
)

calendar_years = sa.Table(
    "calendar_years",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("holidays", JSONType, nullable=False),
    sa.Column("makeup_workdays", JSONType, nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
)

# One row per upload: who uploaded which bytes under which name (issue 18). The bytes are
# stored once (content-addressed, `FileBlobStore`); two users uploading the same bytes are two
# rows, each seeing only its own name and time.
blobs = sa.Table(
    "blobs",
    metadata,
    id_column(),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.String(127), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("uploaded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("uploaded_by", "sha256", name="uq_blobs_uploaded_by_sha256"),
)

# Failed sign-ins, for the one throttle of the API and the portal (issue 18): a row per
# attempt in progress or failed, kept for the throttle's window, shared by every server
# process through the database.
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    id_column(),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("attempted_at", UTCDateTime, nullable=False, index=True),
    sa.Index("ix_login_attempts_account", "account", "attempted_at"),
    sa.Index("ix_login_attempts_client", "client", "attempted_at"),
)

idempotency_records = sa.Table(
    "idempotency_records",
    metadata,
    id_column(),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    # reserved before the work (in_progress, by `holder` until `expires_at`), then done
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("holder", sa.String(32)),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("status", sa.Integer),
    sa.Column("body", sa.Text),
    sa.Column("headers", JSONType),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("user_id", "key"),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# The announcement search index (R23, G§26; DESIGN §8; dataip.db.search): each announcement's
# jieba search-mode terms, space-joined, written in the announcement's own transaction. Over it,
# SQLite keeps an FTS5 table (migration 0008; not declarable here) and PostgreSQL `document`,
# a weighted tsvector under a GIN index. `document` stays NULL on SQLite, where the GIN index is
# declared empty (WHERE 0) so that one metadata describes both schemas.
announcement_search = sa.Table(
    "announcement_search",
    metadata,
    sa.Column(
        "announcement_id",
        sa.Integer,
        sa.ForeignKey("announcements.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("name_tokens", sa.Text, nullable=False),
    sa.Column("other_tokens", sa.Text, nullable=False),
    sa.Column("document", sa.Text().with_variant(sa.dialects.postgresql.TSVECTOR(), "postgresql")),
    sa.Index(
        "ix_announcement_search_document",
        "document",
        postgresql_using="gin",
        sqlite_where=sa.text("0"),
    ),
)

# An exact registration-number query (R23) must not scan every announcement.
sa.Index("ix_announcements_registration_number", announcements.c.registration_number)
