"""Table definitions (SQLAlchemy Core), one module per area. `orm.py` maps the domain
dataclasses onto them; everything is declared on one `metadata`, and importing this package
declares every table.

Alembic's first revision created the core tables; later revisions change both together.
"""

from __future__ import annotations

from dataip.db.tables.base import REGISTRY_TZ, JSONType, UTCDateTime, id_column, metadata
from dataip.db.tables.blobstore import stored_object_chunks, stored_objects  # issue 25 §2
from dataip.db.tables.catalogue import catalogue_changes, registration_identifiers
from dataip.db.tables.directory import agencies, service_requests  # issue 23 §5
from dataip.db.tables.distribution import (  # issue 23 §1–§2
    derivation_links,
    distribution_parts,
    distributions,
)
from dataip.db.tables.federation import (
    foreign_status_lists,
    peer_feeds,
    peer_registration_holders,
    peer_registrations,
    trust_lists,
    witness_pushes,
    witness_refusals,
    witnessed_logs,
)
from dataip.db.tables.matching import need_contacts, need_pushes, needs  # issue 23 §3–§4
from dataip.db.tables.registry import (
    agent_authorisations,
    announcement_search,
    announcements,
    api_tokens,
    application_parties,
    application_versions,
    applications,
    blobs,
    calendar_overrides,
    calendar_years,
    certificates,
    counters,
    deadlines,
    deposits,
    events,
    filings,
    idempotency_records,
    industries,
    leases,
    log_checkpoints,
    log_entries,
    log_nodes,
    login_attempts,
    notices,
    objections,
    parties,
    procedural_requests,
    registration_requests,
    registration_versions,
    registrations,
    sample_publications,
    screening_jobs,
    screening_reports,
    users,
)
from dataip.db.tables.sharing import (
    freezes,
    institution_assertions,
    institution_reads,
    institution_tokens,
    institutions,
    pledge_proposals,
    webhook_attempts,
    webhook_messages,
    webhook_outbox,
    webhook_subscriptions,
)
from dataip.db.tables.signals import (  # issue 22 §3, §4
    hot_scores,
    signal_daily,
    signal_salts,
    signal_seen,
    signal_visitors,
)
from dataip.db.tables.statistics import (
    statistics_counts,
    statistics_durations,
    statistics_value,
    typical_cases,
)
from dataip.db.tables.valuation import valuations  # issue 22 §2
from dataip.db.tables.value import quality_assessments  # issue 22 §1

__all__ = [
    "REGISTRY_TZ",
    "JSONType",
    "UTCDateTime",
    "agencies",  # issue 23 §5: the service directory
    "agent_authorisations",
    "announcement_search",
    "announcements",
    "api_tokens",
    "application_parties",
    "application_versions",
    "applications",
    "blobs",
    "calendar_overrides",
    "calendar_years",
    "catalogue_changes",
    "certificates",
    "counters",
    "deadlines",
    "deposits",
    # issue 23 §1–§2: benefit distribution
    "derivation_links",
    "distribution_parts",
    "distributions",
    "events",
    "filings",
    "foreign_status_lists",
    "freezes",
    "hot_scores",
    "id_column",
    "idempotency_records",
    "industries",
    "institution_assertions",
    "institution_reads",
    "institution_tokens",
    "institutions",
    "leases",
    "log_checkpoints",
    "log_entries",
    "log_nodes",
    "login_attempts",
    "metadata",
    # issue 23 §3–§4: service matching
    "need_contacts",
    "need_pushes",
    "needs",
    "notices",
    "objections",
    "parties",
    "peer_feeds",
    "peer_registration_holders",
    "peer_registrations",
    "pledge_proposals",
    "procedural_requests",
    "quality_assessments",  # issue 22 §1 (tables/value.py)
    "registration_identifiers",
    "registration_requests",
    "registration_versions",
    "registrations",
    "sample_publications",
    "screening_jobs",
    "screening_reports",
    "service_requests",  # issue 23 §5
    "signal_daily",
    "signal_salts",
    "signal_seen",
    "signal_visitors",
    "statistics_counts",
    "statistics_durations",
    "statistics_value",
    "stored_object_chunks",  # issue 25 §2: the blob store in the database
    "stored_objects",
    "trust_lists",
    "typical_cases",
    "users",
    "valuations",
    "webhook_attempts",
    "webhook_messages",
    "webhook_outbox",
    "webhook_subscriptions",
    "witness_pushes",
    "witness_refusals",
    "witnessed_logs",
]
