"""Ports: what the services need from the outside world, as Protocols.

`db/` implements UnitOfWork with SQLAlchemy; tests may use fakes. The contract of a unit of work:
nothing is written unless `commit()` is called inside the `with` block; leaving the block without
it rolls back. `commit()` raises `ConcurrencyConflict` when a row changed under us, and
writes the ledger leaves staged by `record_event` in the same transaction first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, Self

from dataip.services.blobstore.port import ObjectStore


class ConcurrencyConflict(Exception):
    """Another transaction changed the same row first (optimistic-lock failure), or wrote a
    row a constraint allows only once (`constraint` names it, as declared in the schema):
    whatever raced ahead won. `services.conflicts` says what it means to the caller."""

    def __init__(self, message: str = "", *, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    users: Any
    tokens: Any
    parties: Any
    authorisations: Any
    applications: Any
    app_parties: Any
    versions: Any
    deadlines: Any
    notices: Any
    objections: Any
    procedural_requests: Any  # fast track, extension, reinstatement (R8, G§12)
    registrations: Any
    registration_versions: Any
    requests: Any
    filings: Any
    freezes: Any
    pledge_proposals: Any  # a bank's pledge proposals (issue 20 §6)
    announcements: Any
    certificates: Any
    screenings: Any
    screening_jobs: Any
    sample_publications: Any
    events: Any
    industries: Any
    calendar: Any
    blobs: Any
    login_attempts: Any  # the sign-in throttle's rows (services/login_throttle.py)
    idempotency: Any
    ledger: Any
    deposits: Any
    search: Any  # the announcement search index (db/search.py)
    sharing: Any  # institutional clients, tokens and reads (db/repositories/sharing.py)
    feed: Any  # the event feed's keyset reads (issue 20 §4)
    webhooks: Any  # webhook outbox, subscriptions, messages, attempts (issue 20 §5)
    federation: Any  # trust lists and the witness's memory (db/repositories/federation.py)
    distribution: Any  # derivation links and distributions (db/repositories/distribution.py)
    peer_feeds: Any  # the peers' feeds followed, their registrations (issue 21 §5)
    quality: Any  # data-quality assessments (db/repositories/value.py, issue 22 §1)

    valuations: Any  # valuations (issue 22 §2; db/repositories/valuations.py)
    matching: Any  # needs, pushes, contacts (db/repositories/matching.py, issue 23 §3–§4)
    catalogue: Any  # identifiers and the DCAT change log (issue 24 §3–§5)
    signals: Any  # signals' daily counts, the hotness snapshot (db/repositories/signals.py)
    statistics: Any  # R30 aggregates and typical cases (db/repositories/statistics.py)
    directory: Any  # agencies and service requests (db/repositories/directory.py, issue 23 §5)

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def flush(self) -> None: ...
    def after_commit(self, hook: Callable[[], object]) -> None: ...
    def next_value(self, counter: str) -> int: ...
    def set_value(self, name: str, value: int) -> None: ...
    def values(self, prefix: str) -> dict[str, int]: ...
    def try_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool: ...
    def release_lease(self, name: str, holder: str) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class BlobStore(Protocol):
    """Uploads by content (`services.blobstore.ContentStore`); `objects` is the key → bytes
    store under it, which other immutable objects (log tiles) can share (issue 25 §2)."""

    objects: ObjectStore

    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...


__all__ = [
    "BlobStore",
    "Clock",
    "ConcurrencyConflict",
    "ObjectStore",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
