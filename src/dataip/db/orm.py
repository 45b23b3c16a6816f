"""Imperative mapping of the domain dataclasses onto the tables (cosmicpython style).

Mapping is done once per process; `start_mappers` is idempotent.
"""

from __future__ import annotations

from sqlalchemy.orm import registry

from dataip.db import tables as t
from dataip.domain import model as m

mapper_registry = registry(metadata=t.metadata)
_started = False


def start_mappers() -> None:
    global _started
    if _started:
        return
    mapping = [
        (m.User, t.users),
        (m.ApiToken, t.api_tokens),
        (m.Party, t.parties),
        (m.AgentAuthorisation, t.agent_authorisations),
        (m.ApplicationParty, t.application_parties),
        (m.ApplicationVersion, t.application_versions),
        (m.Deadline, t.deadlines),
        (m.Notice, t.notices),
        (m.ProceduralRequest, t.procedural_requests),
        (m.Objection, t.objections),
        (m.Registration, t.registrations),  # `version` is bumped by hand under a row lock
        (m.RegistrationVersion, t.registration_versions),
        (m.RegistrationRequest, t.registration_requests),
        (m.Filing, t.filings),
        (m.Announcement, t.announcements),
        (m.Certificate, t.certificates),
        (m.ScreeningReport, t.screening_reports),
        (m.ScreeningJob, t.screening_jobs),
        (m.SamplePublication, t.sample_publications),
        (m.Event, t.events),
        (m.Deposit, t.deposits),
        (m.Industry, t.industries),
        (m.CalendarOverride, t.calendar_overrides),
        (m.CalendarYear, t.calendar_years),
        (m.Blob, t.blobs),
        (m.IdempotencyRecord, t.idempotency_records),
        (m.Freeze, t.freezes),
        (m.PledgeProposal, t.pledge_proposals),
    ]
    for cls, table in mapping:
        mapper_registry.map_imperatively(cls, table)
    # Optimistic concurrency: every UPDATE checks and bumps `version` (412 / conflict on a race).
    mapper_registry.map_imperatively(
        m.Application, t.applications, version_id_col=t.applications.c.version
    )
    _started = True
