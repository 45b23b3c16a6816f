"""Entities the registry keeps, as plain dataclasses.

The database layer maps these imperatively (`db/orm.py`), so the domain and the services handle
ordinary objects and never import SQLAlchemy (see docs/decisions/0001-imperative-mapping.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

ROLES = ("applicant", "agent", "examiner", "registrar_admin")
PARTY_KINDS = ("natural_person", "legal_person", "unincorporated")
VERIFICATION_STATES = ("unverified", "pending", "verified", "rejected")


@dataclass(eq=False)
class User:
    username: str
    password_hash: str
    role: str
    display_name: str
    created_at: datetime
    email: str | None = None
    is_active: bool = True
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class ApiToken:
    user_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    revoked: bool = False
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Party:
    """A registration subject (登记主体): natural person, legal person or unincorporated org."""

    owner_user_id: int
    kind: str
    name: str
    id_number: str
    address: str
    created_at: datetime
    verification_status: str = "unverified"
    verification_method: str | None = None
    verification_evidence: str | None = None  # blob sha256
    verified_by: int | None = None
    verified_at: datetime | None = None
    verification_note: str | None = None
    warnings: list[str] = field(default_factory=list)
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class AgentAuthorisation:
    """A power of attorney (授权委托书) letting an agent act for a party (G§5)."""

    agent_user_id: int
    party_id: int
    poa_blob: str
    created_at: datetime
    status: str = "pending"  # pending | accepted | rejected
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    note: str | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Application:
    filer_user_id: int
    state: str
    form: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    name: str = ""
    industry_code: str | None = None
    evidence_hash: str | None = None
    application_number: str | None = None  # 申请号, assigned at submission
    filed_at: datetime | None = None
    filing_date: date | None = None
    version_no: int = 0  # number of frozen (submitted) versions
    fast_track: bool = False
    public_fields: dict[str, Any] | None = None
    outcome_reason: str | None = None
    grounds: list[int] | None = None
    version: int = 1  # optimistic-concurrency counter (ETag)
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush
    register: str = "data_ip"  # issue 24 §1: data_ip | data_property (domain.registers)
    dossier_id: int | None = None  # issue 24 §2: the one-window filing it was made with


@dataclass(eq=False)
class ApplicationParty:
    application_id: int
    party_id: int
    share_bp: int
    rights_bounds: str
    position: int
    consented_at: datetime | None = None  # co-applicants confirm a joint filing (G§5)
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class ApplicationVersion:
    """A frozen, numbered version of the form (submission or correction)."""

    application_id: int
    number: int
    form: dict[str, Any]
    applicants: list[dict[str, Any]]
    frozen_at: datetime
    reason: str
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Deadline:
    application_id: int
    kind: str
    party: str  # registry | holder
    trigger_at: datetime
    due_on: date
    provisional: bool
    period_key: str
    on_expiry: str | None = None
    status: str = "open"  # open | met | expired | cancelled
    closed_at: datetime | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class ProceduralRequest:
    """A request the registry grants or refuses during the procedure (程序性请求): fast-track
    examination (R8, Z§2.1), extending a correction period or reinstating a deemed-withdrawn
    application (G§12). A fast track the registry grants on its own motion is one too
    (`own_motion`, no requester)."""

    application_id: int
    kind: str  # fast_track | extension | reinstatement
    filed_at: datetime
    ground: str
    statement: str = ""
    evidence_blobs: list[str] = field(default_factory=list)
    own_motion: bool = False
    filed_by: int | None = None
    status: str = "pending"  # pending | granted | refused | lapsed
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason_code: str | None = None  # why refused (domain.procedural_requests.REFUSAL_REASONS)
    note: str | None = None  # the decision's text, private
    due_on: date | None = None  # an extension's new due date
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Notice:
    """An electronically served document (电子送达, G§11) in the recipient's inbox."""

    application_id: int
    kind: str
    recipient_user_id: int
    served_at: datetime
    title_zh: str
    title_en: str
    body: dict[str, Any]
    due_on: date | None = None
    provisional: bool = False
    read_at: datetime | None = None
    deadline_id: int | None = None  # the deadline its due date is: shown in its state
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Objection:
    application_id: int
    objector_user_id: int
    objector_party_id: int
    statement: str
    evidence_blobs: list[str]
    filed_at: datetime
    status: str = "filed"  # filed | notified | answered | decided
    answer: str | None = None
    answered_at: datetime | None = None
    outcome: str | None = None
    decided_at: datetime | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Registration:
    """A registered data IP (登记) with its certificate number and validity (G§16–G§18)."""

    application_id: int
    registration_number: str
    certificate_number: str
    name: str
    industry_code: str | None
    registration_date: date
    announcement_date: date
    valid_from: date
    valid_until: date
    holders: list[dict[str, Any]]
    created_at: datetime
    state: str = "valid"
    state_reason: str | None = None  # why it ended (abandoned, cancelled, revoked)
    ended_on: date | None = None
    certificate_version: int = 1  # each approved change, renewal and transfer adds one
    renewal_notice_for: date | None = None  # the expiry a renewal reminder was served for
    version: int = 1  # optimistic-concurrency counter (ETag)
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush
    register: str = "data_ip"  # issue 24 §1: the register it stands in


@dataclass(eq=False)
class RegistrationVersion:
    """One version of a registration's content and certificate (G§17, G§21): approval makes
    the first; each approved change, renewal and transfer supersedes it with the next."""

    registration_id: int
    number: int
    reason: str  # registration | change | renewal | transfer
    name: str
    industry_code: str | None
    holders: list[dict[str, Any]]
    form: dict[str, Any]
    valid_from: date
    valid_until: date
    effective_at: datetime
    request_id: int | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class RegistrationRequest:
    """A request about a registration that the registry examines (G§20–G§24): change,
    transfer, cancellation, revocation, re-examination."""

    registration_id: int
    kind: str
    state: str  # awaiting_consent | pending | approved | refused | withdrawn | lapsed
    requester_user_id: int
    filed_at: datetime
    payload: dict[str, Any]
    requester_party_id: int | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    outcome: str | None = None
    decision_reason: str | None = None
    re_examination_due: date | None = None  # G§20: 15 days from service of the decision
    re_examination_provisional: bool = False
    related_request_id: int | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Filing:
    """A filed trade, pledge or licence (备案, G§22): a record on the registration, not a state."""

    number: str
    registration_id: int
    kind: str  # licence | pledge | trade
    contract_date: date
    filed_at: datetime
    filed_on: date
    due_on: date
    late: bool
    details: dict[str, Any]
    filer_user_id: int
    provisional: bool = False
    state: str = "in_force"  # in_force | released | ended
    released_at: datetime | None = None
    release_reason: str | None = None
    consents: list[dict[str, Any]] = field(default_factory=list)
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Certificate:
    """One issued certificate version (G§17): the signed VC-JWT as served."""

    registration_id: int
    version: int
    kid: str
    token: str
    sha256: str
    issued_at: datetime
    status_index: int
    cosigned: str | None = None  # the JWS JSON serialization with the SM2 co-signature
    log_index: int | None = None  # the issuance leaf's, once the token carries its tlog-proof
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Announcement:
    """A numbered public announcement (公告, G§16, G§19–G§24, G§26)."""

    number: str
    kind: str
    registration_id: int
    registration_number: str
    name: str
    published_at: datetime
    published_on: date
    title_zh: str
    title_en: str
    body: dict[str, Any]
    industry_code: str | None = None
    industry_section: str | None = None
    region_code: str | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Deposit:
    """An evidence deposit (存证, R6): a data set's fingerprint root fixed in the log."""

    number: str
    hash: str
    root: str
    depositor_user_id: int
    deposited_at: datetime
    files: int | None = None
    bytes: int | None = None
    manifest: dict[str, Any] | None = None
    title: str | None = None
    event_id: int | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Event:
    """One lifecycle event: the archive (G§25) and the outbox the ledger reads."""

    subject_type: str
    subject_id: int
    type: str
    occurred_at: datetime
    actor_user_id: int | None
    public: dict[str, Any]
    private: dict[str, Any]
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Industry:
    code: str
    level: str
    name: str
    parent: str | None
    section: str
    edition: str


@dataclass(eq=False)
class CalendarOverride:
    day: date
    is_working_day: bool
    note: str
    created_at: datetime
    created_by: int | None = None


@dataclass(eq=False)
class CalendarYear:
    """A year's published holiday arrangement loaded by an administrator (R0.4)."""

    year: int
    holidays: list[str]
    makeup_workdays: list[str]
    loaded_at: datetime
    source: str


@dataclass(eq=False)
class Blob:
    """One user's upload of some bytes (the bytes are stored once, by their SHA-256): its
    own name and time. The same bytes uploaded by another user are another Blob."""

    sha256: str
    size: int
    media_type: str
    filename: str
    uploaded_by: int
    created_at: datetime
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class ScreeningReport:
    """What sample-data screening found in one sample file (R26, issue 7)."""

    blob_sha256: str
    kinds: list[str]
    has_personal_data: bool
    screened_at: datetime
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    public: dict[str, Any] | None = None  # {"masked": PublicSample, "raw": … or None}
    engine: str | None = None  # the screening code's fingerprint (None: before issue 18)


@dataclass(eq=False)
class ScreeningJob:
    """A sample file waiting to be screened (issue 18); claimed by one worker at a time."""

    blob_sha256: str
    requested_at: datetime
    attempts: int = 0
    requested_by: int | None = None  # whose upload names the file (its format)
    claimed_by: str | None = None
    claimed_until: datetime | None = None


@dataclass(eq=False)
class SamplePublication:
    """What a registration's public page shows of its sample data (issue 7, point 4): the
    holder's choice and, unless it is ``none``, the rows as published when it was made."""

    registration_id: int
    choice: str  # none | raw | masked
    files: list[dict[str, Any]]  # screening.PublicSample.to_dict() per sample file
    certificate_version: int  # the version whose sample files these are
    chosen_at: datetime
    chosen_by_user_id: int | None


@dataclass(eq=False)
class IdempotencyRecord:
    """An `Idempotency-Key` of one user: reserved (`in_progress`, held by `holder` until
    `expires_at`) before the request's work is done, then the answer to replay (`done`)."""

    key: str
    user_id: int
    request_hash: str
    created_at: datetime
    state: str = "done"  # in_progress | done
    holder: str | None = None
    expires_at: datetime | None = None
    status: int | None = None
    body: str | None = None
    headers: dict[str, str] | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class Freeze:
    """A people's court's preservation (保全) of a registration (issue 20 §7): a record on the
    registration, in force until lifted, that blocks its disposal
    (``domain.after_registration.FROZEN_BLOCKS``). ``details``: the court, the ruling's text,
    the instrument (blob), who recorded it (a registrar or an institutional client), and
    how it was lifted."""

    number: str  # BQ + year + registry code + serial
    registration_id: int
    case_number: str  # 案号 (domain.preservation), public
    frozen_at: datetime
    term_end: date | None  # 保全期限届满日, as the ruling states it
    details: dict[str, Any]
    state: str = "in_force"  # in_force | lifted
    lifted_at: datetime | None = None
    lift_case_number: str | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush


@dataclass(eq=False)
class PledgeProposal:
    """A bank's proposal of a pledge on a registration (issue 20 §6), awaiting the holder's
    confirmation: confirmed (the pledge is filed, ``filing_number``), declined, withdrawn by
    the bank, or lapsed (not confirmed by ``lapses_on``). ``details``: the pledgee (the
    bank's institution), the secured amount, the term, the contract's and the loan's
    references, a decline's reason."""

    number: str  # ZY + year + registry code + serial
    registration_id: int
    client_id: str  # the proposing bank's OAuth client
    pledgee_uscc: str  # the bank institution's credit code: the pledgee
    contract_date: date
    proposed_at: datetime
    lapses_on: date
    details: dict[str, Any]
    state: str = "awaiting"  # awaiting | confirmed | declined | withdrawn | lapsed (ended)
    decided_at: datetime | None = None
    filing_number: str | None = None
    id: int = None  # type: ignore[assignment]  # assigned by the database on flush
