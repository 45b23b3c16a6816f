"""The log's leaves (日志叶子): what each event is published as (DESIGN §4; R6/Z§2.3, every
step of the record fixed as evidence; R22/G§25, the registration archive).

Every event is recorded with its leaf in the same transaction (:func:`stage`, called by
``recording.record_event``): RFC 8785 JSON of the event's public part and the SHA-256 values
of its salted commitments — never the salts, never anything personal. The public part must
fit its event type's closed schema (``domain.public_record``) and pass the screening
detectors (``services.public_screening``), or the leaf is not written and the action fails.
A leaf names the event row it commits to, so the audit can check one against the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.errors import DomainError
from dataip.domain.public_record import check_public
from dataip.ledger.canonical import canonicalize
from dataip.services import public_screening
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

# 2: the public part fits its event type's closed schema and passed the detectors. Version 1
# leaves (before that) have the same shape; the audit rebuilds each leaf at its own version.
LEAF_VERSION = 2
LEAF_VERSIONS = (1, 2)
MAX_LEAF_BYTES = 0xFFFF  # entry bundles length-prefix each entry with a uint16


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_leaf(event: m.Event, *, version: int = LEAF_VERSION) -> bytes:
    """The leaf an event is published as: canonical JSON of its public part and commitments.

    Every value in ``event.private`` must be a salted commitment (``{"salt", "sha256"}``,
    from ``recording.commitment``); only the SHA-256 value reaches the leaf. The public part
    must fit the event type's closed schema (``log_public_not_allowed``) and hold nothing
    the screening detectors find (``log_public_personal_data``); both are 422 DomainErrors,
    raised at the commit that would write the leaf, so the action is rolled back whole.
    ``version=1`` rebuilds a leaf written before those checks (the audit does).
    """
    commitments: dict[str, Any] = {}
    for key, value in sorted(event.private.items()):
        if not (isinstance(value, dict) and set(value) == {"salt", "sha256"}):
            raise ValueError(f"private field {key!r} of a {event.type} event is not a commitment")
        commitments[key] = value["sha256"]
    if version not in LEAF_VERSIONS:
        raise ValueError(f"unknown leaf version {version}")
    if version >= 2:
        screened = check_public(event.type, event.public, commitments)
        public_screening.refuse_personal_data(event.type, screened)
    document: dict[str, Any] = {
        "v": version,
        "event": event.id,
        "type": event.type,
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "at": _utc(event.occurred_at),
        "public": event.public,
        "commitments": commitments,
    }
    data = canonicalize(document)
    if len(data) > MAX_LEAF_BYTES:
        raise DomainError(
            "leaf_too_large",
            "事件公开内容过大，无法写入透明日志",
            f"the public part of the event is too large for the log ({len(data)} bytes)",
            status=422,
        )
    return data


def stage(uow: UnitOfWork, event: m.Event) -> None:
    """Write an event's leaf in the caller's transaction (the outbox the integrator reads).

    The unit of work writes it when it commits, after the event has its id; a leaf that
    cannot be made (too large, a private field that is not a commitment) fails the commit,
    so the change is rolled back with it."""
    uow.ledger.stage_later(event, event_leaf)


def stage_missing(env: Env, *, batch_size: int = 1000) -> int:
    """Stage a leaf for every event that has none (events recorded before the log existed).

    Each gets a current-version leaf: an event whose public part the schema refuses (written
    by older code, with free text in it) stops the run with a DomainError naming the event,
    rather than publish it forever; move its free text to a commitment first."""
    staged, after = 0, 0
    while True:
        with env.uow() as uow:
            events = uow.ledger.events_without_leaf(after_id=after, limit=batch_size)
            if not events:
                return staged
            uow.ledger.stage([(event.id, _leaf_of_stored(event)) for event in events])
            uow.commit()
        staged += len(events)
        after = events[-1].id


def _leaf_of_stored(event: m.Event) -> bytes:
    try:
        return event_leaf(event)
    except DomainError as e:
        e.details["event_id"] = event.id
        raise
