"""What a transparency-log leaf may publish: a closed schema of each event type's public part
(透明日志公开内容).

A leaf can never be edited or withdrawn, so its public part carries only values of closed
kinds — codes from a named vocabulary, integers, booleans, dates, hex digests and the numbers
the registry issues. Free text (reasons, statements, descriptions, addresses, names, anything
a person typed) enters a leaf only as a salted commitment in the event's private part, and
what must be public of a decision's text is announced after masking, never logged.

:func:`check_public` is the rule, applied when a leaf is built: every field of the public part
must be declared for its event type and hold a value of the declared kind, or the action is
refused (:data:`NOT_ALLOWED`) and nothing is committed. :func:`screened_strings` lists the
strings the screening detectors then read (the second line of defence, in
``services.public_screening``); it also serves leaves written before this schema existed.
The kinds, and the vocabularies their codes come from, are `domain.public_kinds`.
Pure: the domain's code lists and python-stdnum.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from dataip.domain import after_registration_codes as arc
from dataip.domain.errors import DomainError
from dataip.domain.public_kinds import (
    ANNOUNCEMENT_NO,
    BOOL,
    CASE_NO,
    CERT_NO,
    DAY,
    DEPOSIT_NO,
    DESIGNATION,
    DIGEST,
    FILING_NO,
    FORM_ITEMS,
    FREEZE_NO,
    ID,
    IDS,
    INT,
    KEY_ID,
    PROPOSAL_NO,
    REG_NO,
    VALUATION_NO,
    VOCABULARIES,
    ZDW_NO,
    Int,
    Kind,
    ListOf,
    MapOf,
    Nullable,
    Pattern,
)
from dataip.domain.public_kinds import code as _code
from dataip.domain.refusal_grounds import REFUSAL_GROUNDS

__all__ = [
    "EVENT_SCHEMAS",
    "FORM_ITEMS",
    "NOT_ALLOWED",
    "VOCABULARIES",
    "Kind",
    "check_public",
    "screened_strings",
]

NOT_ALLOWED = "log_public_not_allowed"

# --- the schema ------------------------------------------------------------------------------

_APPLICATION = {  # procedure.apply_action: every transition of the procedure
    "action": _code("actions"),
    "state": _code("app_states"),
    "outcome": _code("outcomes"),
    "due": MapOf("due_dates", key=_code("deadline_kinds"), value=DAY),
}
_REGISTRATION = {  # after_registration.apply: every action after registration
    "registration_number": REG_NO,
    "state": _code("reg_states"),
    "announcement_number": ANNOUNCEMENT_NO,
}
_FILING = {
    **_REGISTRATION,
    "filing_number": FILING_NO,
    "filing_kind": _code("filing_kinds"),
    "contract_date": DAY,
    "due_on": DAY,
    "late": BOOL,
    "term_start": Nullable("date_or_null", inner=DAY),
    "term_end": Nullable("date_or_null", inner=DAY),
}
_CHANGED = ListOf("changed_items", item=_code("changed_items"))
# the filings that end with the right (or are in force again when a revocation is overturned)
_FILINGS = ListOf("filing_numbers", item=FILING_NO, max_items=10_000)

EVENT_SCHEMAS: dict[str, dict[str, Kind]] = {
    # the procedure (domain.lifecycle.TRANSITIONS)
    "ApplicationSubmitted": {
        **_APPLICATION,
        "register": _code("registers"),  # issue 24 §1
        "dossier_id": ID,  # issue 24 §2: filed with a one-window dossier
        "application_number": REG_NO,
        "filing_date": DAY,
        "refiled_after_withdrawal": BOOL,
    },
    "ApplicationAccepted": _APPLICATION,
    "CorrectionRequested": {**_APPLICATION, "defect_count": Int("count", lo=1, hi=200)},
    "CorrectionSubmitted": {**_APPLICATION, "version_no": ID},
    "ApplicationDeemedWithdrawn": _APPLICATION,
    "ApplicationRefused": {
        **_APPLICATION,
        "grounds": ListOf("refusal_grounds", item=Int("ground", lo=1, hi=max(REFUSAL_GROUNDS))),
    },
    "ApplicationPublicised": {
        **_APPLICATION,
        "fields": ListOf("publicity_fields", item=_code("publicity_fields")),
    },
    "ObjectionFiled": {**_APPLICATION, "objection_id": ID},
    "ObjectionNotified": {**_APPLICATION, "objections": IDS},
    "ObjectionAnswered": _APPLICATION,
    "ObjectionDecided": _APPLICATION,
    "JudgmentRecorded": _APPLICATION,
    "ApplicationApproved": {
        **_APPLICATION,
        "registration_number": REG_NO,
        "certificate_number": CERT_NO,
        "registration_date": DAY,
        "valid_from": DAY,
        "valid_until": DAY,
        "capped_by_agreement": BOOL,
        "announcement_date": DAY,
        "announcement_number": ANNOUNCEMENT_NO,
    },
    "ApplicationWithdrawn": _APPLICATION,
    # procedural requests (domain.procedural_requests): codes only, the words are private
    "FastTrackRequested": {**_APPLICATION, "request_id": ID, "ground": _code("request_grounds")},
    "FastTrackGranted": {
        **_APPLICATION,
        "request_id": ID,
        "ground": _code("request_grounds"),
        "own_motion": BOOL,
    },
    "FastTrackRefused": {
        **_APPLICATION,
        "request_id": ID,
        "reason_code": _code("request_refusal_reasons"),
    },
    "ExtensionRequested": {**_APPLICATION, "request_id": ID, "ground": _code("request_grounds")},
    "CorrectionPeriodExtended": {**_APPLICATION, "request_id": ID, "previous_due": DAY},
    "ExtensionRefused": {
        **_APPLICATION,
        "request_id": ID,
        "reason_code": _code("request_refusal_reasons"),
    },
    "ReinstatementRequested": {
        **_APPLICATION,
        "request_id": ID,
        "ground": _code("request_grounds"),
    },
    "ApplicationReinstated": {**_APPLICATION, "request_id": ID},
    "ReinstatementRefused": {
        **_APPLICATION,
        "request_id": ID,
        "reason_code": _code("request_refusal_reasons"),
    },
    # drafts (services.applications)
    "DraftCreated": {},
    "FormEdited": {"consents_withdrawn": IDS},
    "CoApplicantConsented": {"parties": IDS},
    # after registration (domain.after_registration.ACTIONS)
    "RegistrationRenewed": {
        **_REGISTRATION,
        "previous_valid_until": DAY,
        "term_start": DAY,
        "valid_until": DAY,
        "capped_by_agreement": BOOL,
        "certificate_version": ID,
    },
    "ChangeRequested": {**_REGISTRATION, "request_id": ID, "fields": _CHANGED},
    "TransferRequested": {
        **_REGISTRATION,
        "request_id": ID,
        "basis": _code("transfer_bases"),
        "request_state": _code("request_states"),
    },
    "TransferConfirmed": {
        **_REGISTRATION,
        "request_ids": IDS,
        "request_state": Nullable("request_state_or_null", inner=_code("request_states")),
    },
    "LicenceFiled": {**_FILING, "licence_type": _code("licence_types")},
    # issue 20 §6: a pledge a bank proposed names the proposal it confirms
    "PledgeFiled": {**_FILING, "proposal_number": PROPOSAL_NO},
    "PledgeProposed": {
        **_REGISTRATION,
        "proposal_number": PROPOSAL_NO,
        "contract_date": DAY,
        "due_on": DAY,
        "lapses_on": DAY,
    },
    "PledgeProposalDeclined": {**_REGISTRATION, "proposal_number": PROPOSAL_NO},
    "PledgeProposalWithdrawn": {**_REGISTRATION, "proposal_number": PROPOSAL_NO},
    "PledgeReferenceRecorded": {
        **_REGISTRATION,
        "filing_number": FILING_NO,
        "zdw_reference": ZDW_NO,
    },
    "PledgeEnforced": {
        **_REGISTRATION,
        "filing_number": FILING_NO,
        "method": _code("enforcement_methods"),
        "enforced_on": DAY,
    },
    "TradeFiled": {**_FILING, "right": _code("trade_rights")},
    "PledgeReleased": {**_REGISTRATION, "filing_number": FILING_NO},
    "PledgeeConsentRecorded": {
        **_REGISTRATION,
        "filing_number": FILING_NO,
        "for_action": _code("consent_kinds"),
    },
    "RegistrationAbandoned": {**_REGISTRATION, "ended_on": DAY, "filings_ended": _FILINGS},
    "CancellationRequested": {**_REGISTRATION, "request_id": ID},
    "RegistrationCancelled": {
        **_REGISTRATION,
        "ground": _code("cancellation_grounds"),
        "ended_on": DAY,
        "filings_ended": _FILINGS,
    },
    "RevocationRequested": {**_REGISTRATION, "request_id": ID},
    "RegistrationRevoked": {
        **_REGISTRATION,
        "grounds": ListOf(
            "revocation_grounds", item=Int("ground", lo=1, hi=max(arc.REVOCATION_GROUNDS))
        ),
        "ex_officio": BOOL,
        "re_examination_due": DAY,
        "filings_ended": _FILINGS,
    },
    "RequestDecided": {
        **_REGISTRATION,
        "request_id": ID,
        "request_kind": _code("request_kinds"),
        "outcome": _code("decision_outcomes"),
        "re_examination_due": DAY,
        "fields": _CHANGED,
        "certificate_version": ID,
        "basis": _code("transfer_bases"),
        "ground": _code("cancellation_grounds"),
        "ended_on": DAY,
        "filings_ended": _FILINGS,
        # R15 / G§18: a change of the data agreement recomputes validity
        "previous_valid_until": DAY,
        "valid_until": DAY,
        "capped_by_agreement": BOOL,
    },
    "SamplePublicationChosen": {
        **_REGISTRATION,
        "sample_publication": _code("sample_publication"),
    },
    "ReExaminationRequested": {**_REGISTRATION, "request_id": ID, "decision_request_id": ID},
    "ReExaminationDecided": {
        **_REGISTRATION,
        "request_id": ID,
        "outcome": _code("decision_outcomes"),
        "result": _code("reg_states"),
        "filings_ended": _FILINGS,
        "filings_reinstated": _FILINGS,
    },
    "RequestWithdrawn": {**_REGISTRATION, "request_id": ID, "request_kind": _code("request_kinds")},
    # issue 20 §7: a court's preservation (保全) and its lifting; the court's name, the
    # ruling's text and the instrument are commitments
    "RegistrationFrozen": {
        **_REGISTRATION,
        "freeze_number": FREEZE_NO,
        "case_number": CASE_NO,
        "term_end": Nullable("date_or_null", inner=DAY),
    },
    "FreezeLifted": {**_REGISTRATION, "freeze_number": FREEZE_NO, "case_number": CASE_NO},
    # issue 22 §2: a valuation — the amount, the inputs and the agency are commitments
    "ValuationRecorded": {
        "registration_number": REG_NO,
        "valuation_number": VALUATION_NO,
        "valuation_kind": _code("valuation_kinds"),
        "approaches": ListOf("approaches", item=_code("valuation_approaches"), max_items=3),
        "valuation_date": DAY,
        "published": BOOL,
    },
    # the scheduler
    "RegistrationAnnounced": {
        "registration_number": REG_NO,
        "announcement_number": ANNOUNCEMENT_NO,
        "announcement_date": DAY,
    },
    "RenewalReminderServed": {"registration_number": REG_NO, "valid_until": DAY},
    # R0.4 (issue 19): a procedure deadline, a filing's due date (with its late flag) or a
    # re-examination window, moved or made final when the year's arrangement was loaded
    "DeadlineRecomputed": {
        "kind": _code("recomputed_kinds"),
        "from": DAY,
        "to": DAY,
        "provisional": BOOL,
        "registration_number": REG_NO,
        "filing_number": FILING_NO,
        "request_id": ID,
        "late": BOOL,
    },
    # certificates
    # issue 24 §2: a one-window filing's drafts submitted together (ids and codes only)
    "DossierSubmitted": {
        "registers": ListOf("registers", item=_code("registers"), max_items=2),
        "applications": IDS,
    },
    # issue 24 §1: a data property filing handed to the body that decides it
    "FilingForwarded": {"register": _code("registers"), "application_number": REG_NO},
    "CertificateIssued": {
        "registration_number": REG_NO,
        "certificate_number": CERT_NO,
        "certificate_version": ID,
        "kid": KEY_ID,
        "credential_sha256": DIGEST,
        "sm2_kid": Nullable("key_id_or_null", inner=KEY_ID),
        "register": _code("registers"),  # issue 24 §1–§2: another register's, its sibling's
        "sibling_certificate_number": CERT_NO,
    },
    # evidence (存证)
    "EvidenceDeposited": {
        "number": DEPOSIT_NO,
        "hash": _code("hash_names"),
        "root": DIGEST,
        "files": INT,
        "bytes": INT,
    },
    # parties and agents
    "PartyCreated": {"kind": _code("party_kinds")},
    "VerificationRequested": {"method": _code("verification_methods")},
    "PartyVerified": {"method": Nullable("method_or_null", inner=_code("verification_methods"))},
    "PartyVerificationRejected": {
        "method": Nullable("method_or_null", inner=_code("verification_methods"))
    },
    "PowerOfAttorneyFiled": {"party_id": ID},
    "PowerOfAttorneyAccepted": {"party_id": ID},
    "PowerOfAttorneyRejected": {"party_id": ID},
    # reference tables
    "IndustryTableLoaded": {"edition": DESIGNATION, "rows": INT},
    "CalendarOverrideSet": {"day": DAY, "is_working_day": BOOL},
    "CalendarYearLoaded": {"year": Int("year", lo=1900, hi=9999)},
    # issue 22 §1: the holder publishes a data-quality assessment (scores only; the assessment
    # itself, with its column names, is a commitment) or withdraws it
    "QualityPublished": {
        "registration_number": REG_NO,
        "overall_bp": Int("basis_points", lo=0, hi=10_000),
        "grade": _code("quality_grades"),
    },
    "QualityWithdrawn": {"registration_number": REG_NO},
    # issue 22 §2: the holder publishes or withdraws a valuation made earlier (the figure is a
    # commitment)
    "ValuationPublished": {"registration_number": REG_NO, "valuation_number": VALUATION_NO},
    "ValuationWithdrawn": {"registration_number": REG_NO, "valuation_number": VALUATION_NO},
}

# --- issue 23 §1–§2: derivation and benefit distribution (services/distribution) ------------
# Nodes and beneficiaries are named by what the registry issued or assigned, never by a name:
# a registration here by its number, one at a listed registry by agency code and number, an
# external source by its link's id (E12), a holder by its registration's number and its
# position among the holders (…-1). Shares are exact fractions n/d; amounts are commitments.
_STAGE = Pattern("stage", screened=False, regex=r"collection|processing|circulation|application")
_UPSTREAM_KIND = Pattern("upstream_kind", screened=False, regex=r"registration|foreign|external")
_AGENCY = Pattern("agency_code", screened=False, regex=r"[0-9]{4}", zh="登记机构代码")
_FOREIGN_NO = Pattern("foreign_number", screened=False, regex=r"[0-9X]{16,17}", zh="登记号")
_BENEFICIARY = Pattern(
    "beneficiary",
    screened=False,
    regex=r"[0-9]{15}[0-9X]-[0-9]{1,3}|[0-9]{4}:[0-9X]{16,17}|E[0-9]{1,12}",
    zh="受益方编号",
)
_FRACTION = Pattern("fraction", screened=False, regex=r"[0-9]{1,100}/[1-9][0-9]{0,99}", zh="分数")
_SOURCE = {
    "registration_number": REG_NO,
    "link_id": ID,
    "upstream_kind": _UPSTREAM_KIND,
    "upstream_number": _FOREIGN_NO,
    "upstream_agency_code": _AGENCY,
    "weight_bp": Int("weight_bp", lo=1, hi=10_000),
    "stage": _STAGE,
    "graph_version": ID,
}
EVENT_SCHEMAS.update(
    {
        "UpstreamSourceDeclared": _SOURCE,
        "UpstreamSourceConfirmed": _SOURCE,
        "UpstreamSourceDisputed": _SOURCE,
        "DistributionRecorded": {
            "registration_number": REG_NO,
            "distribution_id": ID,
            "retention_bp": Int("retention_bp", lo=0, hi=10_000),
            "graph_version": ID,
            "filing_number": FILING_NO,
            "links": IDS,
            "beneficiaries": ListOf("beneficiaries", item=_BENEFICIARY, max_items=200),
            "shares": ListOf("shares", item=_FRACTION, max_items=200),
        },
    }
)

_COMMITMENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)


def _refused(event_type: str, field: str, zh: str, en: str) -> DomainError:
    # Never the value itself: it may be the very personal data being kept out.
    return DomainError(
        NOT_ALLOWED,
        f"事件公开内容不符合透明日志的公开字段规定（{event_type}.{field}：{zh}），未予写入",
        f"the public part of the event is not allowed in the log ({event_type}.{field}: {en})",
        status=422,
        details={"event_type": event_type, "field": field},
    )


def check_public(
    event_type: str, public: Mapping[str, Any], commitments: Mapping[str, Any] = {}
) -> list[tuple[str, str]]:
    """Raise :data:`NOT_ALLOWED` unless every field of ``public`` is declared for
    ``event_type`` and holds a value of its kind, and every commitment's name is a plain
    identifier (names are part of the leaf too). Returns the (field path, string) pairs
    the detectors are to read: those of :func:`screened_strings`, without checking again."""
    schema = EVENT_SCHEMAS.get(event_type)
    if schema is None:
        raise _refused(event_type, "*", "未声明的事件类型", "undeclared event type")
    out: list[tuple[str, str]] = []
    for field, value in public.items():
        kind = schema.get(field)
        if kind is None:
            raise _refused(event_type, field, "未声明的字段", "undeclared field")
        if not kind.ok(value):
            raise _refused(event_type, field, f"须为{kind.zh or kind.name}", f"must be {kind.name}")
        if kind.reads():
            out.extend(_strings(field, value, kind))
    for name in commitments:
        if not _COMMITMENT_NAME.fullmatch(name):
            raise _refused(event_type, name, "承诺名称无效", "invalid commitment name")
    return out


def screened_strings(event_type: str, public: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field path, string) pairs of any public part — declared or not, such as a leaf
    written before the schema — that the detectors read: every string and every map key,
    and every undeclared field's name, except the values of a declared kind that is not
    screened (see :class:`Kind`) when they are of that kind."""
    schema = EVENT_SCHEMAS.get(event_type, {})
    out: list[tuple[str, str]] = []
    for field, value in public.items():
        kind = schema.get(field)
        if kind is not None and kind.ok(value):
            if kind.reads():
                out.extend(_strings(field, value, kind))
            continue
        out.append((field, field))
        out.extend(_strings(field, value, None))
    return out


def _strings(path: str, value: Any, kind: Kind | None) -> Iterator[tuple[str, str]]:
    """The strings of a value the detectors read; ``kind``: the value's, if it is of it."""
    if isinstance(value, str):
        if kind is None or kind.reads():
            yield path, value
    elif isinstance(value, dict):
        inner = kind.value if isinstance(kind, MapOf) else None
        for k, v in value.items():
            yield f"{path}.{k}", str(k)
            if inner is None or inner.reads():
                yield from _strings(f"{path}.{k}", v, inner)
    elif isinstance(value, list):
        item = kind.item if isinstance(kind, ListOf) else None
        if item is None or item.reads():
            for i, v in enumerate(value):
                yield from _strings(f"{path}[{i}]", v, item)
