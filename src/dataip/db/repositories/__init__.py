"""Repositories: the queries the services need, one class per aggregate.

One module per feature; the unit of work (`db/uow.py`) builds one of each per transaction and
takes them from here (`from dataip.db import repositories as r`):

* `accounts` — users and API tokens, parties and powers of attorney, sign-in attempts,
  Idempotency-Key reservations;
* `applications` — applications, their joint applicants, versions, deadlines, notices,
  objections and procedural requests (fast track, extension, reinstatement);
* `registrations` — registrations, their versions, requests, filings, certificates and
  announcements;
* `ledger` — events, evidence deposits and the transparency log's storage;
* `uploads` — uploads, screening reports, the screening queue, sample publications;
* `reference` — the industry classification and the working-day calendar;
* `_repo` — `_Repo`, the base they share.
"""

from __future__ import annotations

from dataip.db.repositories.accounts import (
    Authorisations,
    Idempotency,
    LoginAttempts,
    Parties,
    Tokens,
    Users,
)
from dataip.db.repositories.applications import (
    Applications,
    AppParties,
    Deadlines,
    Notices,
    Objections,
    ProceduralRequests,
    Versions,
)
from dataip.db.repositories.ledger import Deposits, Events, Ledger
from dataip.db.repositories.reference import Calendar, Industries
from dataip.db.repositories.registrations import (
    Announcements,
    Certificates,
    Filings,
    Freezes,
    PledgeProposals,
    RegistrationRequests,
    Registrations,
    RegistrationVersions,
)
from dataip.db.repositories.uploads import (
    Blobs,
    SamplePublications,
    ScreeningJobs,
    ScreeningReports,
)

__all__ = [
    "Announcements",
    "AppParties",
    "Applications",
    "Authorisations",
    "Blobs",
    "Calendar",
    "Certificates",
    "Deadlines",
    "Deposits",
    "Events",
    "Filings",
    "Freezes",
    "Idempotency",
    "Industries",
    "Ledger",
    "LoginAttempts",
    "Notices",
    "Objections",
    "Parties",
    "PledgeProposals",
    "ProceduralRequests",
    "RegistrationRequests",
    "RegistrationVersions",
    "Registrations",
    "SamplePublications",
    "ScreeningJobs",
    "ScreeningReports",
    "Tokens",
    "Users",
    "Versions",
]
