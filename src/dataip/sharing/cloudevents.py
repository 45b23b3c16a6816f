"""The registry's ledger events as CloudEvents 1.0 (事件流; issue 20 §4, R25).

Every event the feed or a webhook carries is one logged event: its ``sequence`` (the
CloudEvents sequence extension) is the event's transparency-log leaf index, so a consumer's
cursor is a log position and each event can be proven with an inclusion proof of that index.

* ``id`` — ``"leaf-<index>"``: unique within the source, the same on every redelivery.
* ``source`` — the registry's public base URL (one log, one source).
* ``type`` — ``cn.dataip.registration.*`` and ``cn.dataip.application.*`` (:data:`TYPES`).
* ``subject`` — the registration number, or the application number before registration.
* ``time`` — when the event happened (RFC 3339, UTC).
* ``sequence`` — the leaf index as a 16-digit zero-padded decimal string: the extension
  requires a string that orders lexicographically; ``data.log_index`` is the same as a JSON
  integer (what ``/api/v1/log/entries/{index}`` and the inclusion-proof API take).
* ``data`` — thin: numbers and codes of the event's public part (already closed kinds, see
  ``domain.public_record``) and links to the API; never personal data, never free text. Full
  reads go through the audited API.

Which event types a client sees depends on its scopes (:func:`visible_types`).
Pure: no storage, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from dataip.sharing.scopes import EVENTS_READ, REGISTRATIONS_READ_FULL

__all__ = [
    "BATCH_MEDIA_TYPE",
    "EVENT_MEDIA_TYPE",
    "SEQUENCE_DIGITS",
    "TYPES",
    "LoggedEvent",
    "cloud_type",
    "sequence_text",
    "source_types",
    "stored_types",
    "to_cloudevent",
    "visible_types",
]

SPECVERSION: Final = "1.0"
EVENT_MEDIA_TYPE: Final = "application/cloudevents+json"
BATCH_MEDIA_TYPE: Final = "application/cloudevents-batch+json"
SEQUENCE_DIGITS: Final = 16  # leaf indices below 10**16 order as strings
_R: Final = "cn.dataip.registration."
_A: Final = "cn.dataip.application."

# CloudEvents type -> (zh, en, the scopes needed besides events:read)
TYPES: Final[dict[str, tuple[str, str, frozenset[str]]]] = {
    _R + "registered": ("准予登记", "registered", frozenset()),
    _R + "announced": ("登记公告", "registration announced", frozenset()),
    _R + "certificate.issued": ("颁发登记证书", "certificate issued", frozenset()),
    _R + "renewed": ("续展登记", "renewed", frozenset()),
    _R + "change.requested": ("申请变更登记", "change requested", frozenset()),
    _R + "changed": ("变更登记", "changed", frozenset()),
    _R + "transfer.requested": ("申请转让登记", "transfer requested", frozenset()),
    _R + "transfer.confirmed": ("受让方确认转让", "transfer confirmed", frozenset()),
    _R + "transferred": ("转让登记", "transferred", frozenset()),
    _R + "filing.recorded": ("许可、质押或交易备案", "filing recorded", frozenset()),
    _R + "pledge.released": ("质押注销", "pledge released", frozenset()),
    _R + "pledge.consent.recorded": ("记录质权人同意", "pledgee consent", frozenset()),
    # issue 20 §6: a bank's pledge proposal and the pledgee's records
    _R + "pledge.proposed": ("银行申请质押备案", "pledge proposed by a bank", frozenset()),
    _R + "pledge.proposal.declined": (
        "登记主体拒绝质押申请",
        "pledge proposal declined",
        frozenset(),
    ),
    _R + "pledge.proposal.withdrawn": (
        "银行撤回质押申请",
        "pledge proposal withdrawn",
        frozenset(),
    ),
    _R + "pledge.reference.recorded": (
        "记录中登网登记证明编号",
        "Zhongdengwang reference recorded",
        frozenset(),
    ),
    _R + "pledge.enforced": ("质权实现", "pledge enforced", frozenset()),
    _R + "abandoned": ("放弃登记", "abandoned", frozenset()),
    _R + "cancellation.requested": ("申请注销登记", "cancellation requested", frozenset()),
    _R + "cancelled": ("注销登记", "cancelled", frozenset()),
    _R + "revocation.requested": ("申请撤销登记", "revocation requested", frozenset()),
    _R + "revoked": ("撤销登记", "revoked", frozenset()),
    _R + "request.decided": ("登记事项审查决定", "request decided", frozenset()),
    _R + "request.withdrawn": ("撤回登记事项申请", "request withdrawn", frozenset()),
    _R + "re_examination.requested": ("申请复审", "re-examination requested", frozenset()),
    _R + "re_examination.decided": ("复审决定", "re-examination decided", frozenset()),
    # issue 22 §2: a valuation was recorded (its kind and approaches; the amount never)
    _R + "valuation.recorded": ("记录估值", "valuation recorded", frozenset()),
    # G§14: publicity is public, so every events:read client sees it
    _A + "publicised": ("公示", "application publicised", frozenset()),
    # before publicity an application is not public record: courts and agencies only
    _A + "submitted": (
        "提交登记申请",
        "application submitted",
        frozenset({REGISTRATIONS_READ_FULL}),
    ),
    _A + "accepted": ("受理", "application accepted", frozenset({REGISTRATIONS_READ_FULL})),
    _A + "refused": ("不予登记", "application refused", frozenset({REGISTRATIONS_READ_FULL})),
    _A + "withdrawn": ("撤回申请", "application withdrawn", frozenset({REGISTRATIONS_READ_FULL})),
    _A + "objection.filed": ("提出异议", "objection filed", frozenset({REGISTRATIONS_READ_FULL})),
    _A + "objection.decided": (
        "异议决定",
        "objection decided",
        frozenset({REGISTRATIONS_READ_FULL}),
    ),
    _A + "judgment.recorded": (
        "录入司法裁决",
        "judgment recorded",
        frozenset({REGISTRATIONS_READ_FULL}),
    ),
}

# stored event type -> CloudEvents type (RequestDecided is resolved by its public part)
_PLAIN: Final[dict[str, str]] = {
    "ApplicationApproved": _R + "registered",
    "RegistrationAnnounced": _R + "announced",
    "CertificateIssued": _R + "certificate.issued",
    "RegistrationRenewed": _R + "renewed",
    "ChangeRequested": _R + "change.requested",
    "TransferRequested": _R + "transfer.requested",
    "TransferConfirmed": _R + "transfer.confirmed",
    "LicenceFiled": _R + "filing.recorded",
    "PledgeFiled": _R + "filing.recorded",
    "TradeFiled": _R + "filing.recorded",
    "PledgeReleased": _R + "pledge.released",
    "PledgeeConsentRecorded": _R + "pledge.consent.recorded",
    "PledgeProposed": _R + "pledge.proposed",
    "PledgeProposalDeclined": _R + "pledge.proposal.declined",
    "PledgeProposalWithdrawn": _R + "pledge.proposal.withdrawn",
    "PledgeReferenceRecorded": _R + "pledge.reference.recorded",
    "PledgeEnforced": _R + "pledge.enforced",
    "ValuationRecorded": _R + "valuation.recorded",  # issue 22 §2
    "RegistrationAbandoned": _R + "abandoned",
    "CancellationRequested": _R + "cancellation.requested",
    "RegistrationCancelled": _R + "cancelled",
    "RevocationRequested": _R + "revocation.requested",
    "RegistrationRevoked": _R + "revoked",
    "RequestWithdrawn": _R + "request.withdrawn",
    "ReExaminationRequested": _R + "re_examination.requested",
    "ReExaminationDecided": _R + "re_examination.decided",
    "ApplicationPublicised": _A + "publicised",
    "ApplicationSubmitted": _A + "submitted",
    "ApplicationAccepted": _A + "accepted",
    "ApplicationRefused": _A + "refused",
    "ApplicationWithdrawn": _A + "withdrawn",
    "ApplicationDeemedWithdrawn": _A + "withdrawn",
    "ObjectionFiled": _A + "objection.filed",
    "ObjectionDecided": _A + "objection.decided",
    "JudgmentRecorded": _A + "judgment.recorded",
}
# an approved request takes effect (G§21, G§23, G§20)
_DECIDED: Final[dict[str, str]] = {
    "change": _R + "changed",
    "transfer": _R + "transferred",
    "cancellation": _R + "cancelled",
    "revocation": _R + "revoked",
}

# the stored event types the feed carries: the outbox records only these
SOURCE_TYPES: Final = frozenset({*_PLAIN, "RequestDecided"})

# public fields copied into data: numbers, codes, dates (closed kinds, domain.public_record)
_DATA_FIELDS: Final = frozenset(
    {
        "registration_number",
        "application_number",
        "certificate_number",
        "certificate_version",
        "announcement_number",
        "filing_number",
        "filing_kind",
        "valuation_number",  # issue 22 §2
        "valuation_kind",
        "approaches",
        "licence_type",
        "state",
        "request_kind",
        "outcome",
        "result",
        "basis",
        "ground",
        "registration_date",
        "announcement_date",
        "valid_from",
        "valid_until",
        "ended_on",
        "filings_ended",
        "proposal_number",  # issue 20 §6
        "zdw_reference",
        "method",
        "enforced_on",
    }
)


def source_types() -> frozenset[str]:
    """The stored event types that become CloudEvents (the outbox's filter)."""
    return SOURCE_TYPES


def cloud_type(event_type: str, public: Mapping[str, Any]) -> str | None:
    """The CloudEvents type of a stored event, or None when the feed does not carry it."""
    if event_type == "RequestDecided":
        if public.get("outcome") == "approve":
            decided = _DECIDED.get(str(public.get("request_kind")))
            if decided is not None:
                return decided
        return _R + "request.decided"
    return _PLAIN.get(event_type)


def visible_types(scopes: Iterable[str]) -> frozenset[str]:
    """The CloudEvents types a client holding ``scopes`` sees: none without events:read;
    the registration types and publicity with it; application stages before publicity also
    with registrations:read-full."""
    held = frozenset(scopes)
    if EVENTS_READ not in held:
        return frozenset()
    return frozenset(t for t, (_, _, needs) in TYPES.items() if needs <= held)


def sequence_text(index: int) -> str:
    """The sequence extension's value: the leaf index, zero-padded to order as a string."""
    if not 0 <= index < 10**SEQUENCE_DIGITS:
        raise ValueError(f"log index {index} out of the sequence's range")
    return f"{index:0{SEQUENCE_DIGITS}d}"


class LoggedEvent(NamedTuple):
    """One event with its log index, as the feed reads it (one row of one query); a named
    tuple because the feed builds tens of thousands a second. ``occurred_at``: aware, or
    naive in UTC (as the database returns it without conversion)."""

    log_index: int
    event_type: str
    subject_type: str
    number: str | None  # the subject's registration or application number, if it has one
    occurred_at: datetime
    public: Mapping[str, Any]


def _time(at: datetime) -> str:
    if at.tzinfo is not None:  # naive: UTC as stored (the feed's rows), formatted as is
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="milliseconds") + "Z"


def to_cloudevent(event: LoggedEvent, *, source: str) -> dict[str, Any] | None:
    """The structured-mode CloudEvent of a logged event (None if the feed does not carry
    it). ``source`` is the registry's public base URL; links are absolute under it."""
    ce_type = cloud_type(event.event_type, event.public)
    if ce_type is None:
        return None
    base = source.rstrip("/")
    public = event.public
    subject = public.get("registration_number") or event.number
    if ce_type.startswith(_A) and event.event_type != "ApplicationApproved":
        subject = public.get("application_number") or event.number
    index = event.log_index
    data: dict[str, Any] = {"log_index": index}
    for name in sorted(_DATA_FIELDS.intersection(public)):  # the same bytes in any process
        data[name] = public[name]
    links = {
        "log_entry": f"{base}/api/v1/log/entries/{index}",
        "inclusion_proof": f"{base}/api/v1/log/proofs/inclusion?index={index}",
    }
    if subject and ce_type.startswith(_R):
        data.setdefault("registration_number", subject)
        links["registration"] = f"{base}/api/v1/registrations/{subject}"
    elif subject:
        data.setdefault("application_number", subject)
    data["links"] = links
    out: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": f"leaf-{event.log_index}",
        "source": base,
        "type": ce_type,
        "time": _time(event.occurred_at),
        "datacontenttype": "application/json",
        "sequence": sequence_text(event.log_index),
        "data": data,
    }
    if subject:
        out["subject"] = subject
    return out


def stored_types(visible: Iterable[str]) -> frozenset[str]:
    """The stored event types that can become one of the ``visible`` CloudEvents types (what
    the feed's query selects before each event's own type is checked)."""
    want = frozenset(visible)
    out = {stored for stored, ce in _PLAIN.items() if ce in want}
    if want & {*_DECIDED.values(), _R + "request.decided"}:
        out.add("RequestDecided")
    return frozenset(out)
