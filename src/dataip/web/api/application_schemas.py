"""Schemas of the application API: the R5 form (typed; completeness is the domain's job),
actions and the read model."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dataip.domain.application import (
    ACQUISITION_METHODS,
    DATA_FORMATS,
    PRACTICAL_VALUES,
    SCENARIOS,
    SOURCE_KINDS,
    UPDATE_FREQUENCIES,
)

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=200)]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database

if TYPE_CHECKING:
    from typing import TypeAlias

    Scenario: TypeAlias = str
    Value: TypeAlias = str
    SourceKind: TypeAlias = str
    Method: TypeAlias = str
    Format: TypeAlias = str
    Frequency: TypeAlias = str
else:  # the enumerations live in the domain; the API validates against the same keys
    Scenario = Literal[tuple(SCENARIOS)]
    Value = Literal[tuple(PRACTICAL_VALUES)]
    SourceKind = Literal[tuple(SOURCE_KINDS)]
    Method = Literal[tuple(ACQUISITION_METHODS)]
    Format = Literal[tuple(DATA_FORMATS)]
    Frequency = Literal[tuple(UPDATE_FREQUENCIES)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scenarios(_Strict):
    values: list[Scenario] = Field(default_factory=list, max_length=10)
    other_text: Short | None = None


class PracticalValues(_Strict):
    values: list[Value] = Field(default_factory=list, max_length=8)
    other_text: Short | None = None
    description: Text | None = None


class SourceKinds(_Strict):
    values: list[SourceKind] = Field(default_factory=list, max_length=3)
    other_text: Short | None = None


class Methods(_Strict):
    values: list[Method] = Field(default_factory=list, max_length=5)
    other_text: Short | None = None


class Formats(_Strict):
    values: list[Format] = Field(default_factory=list, max_length=10)
    other_text: Short | None = None


class Scope(_Strict):
    coverage: Text | None = None
    records: int | None = Field(default=None, ge=0, le=10**15)
    bytes: int | None = Field(default=None, ge=0, le=10**18)
    time_span_start: date | None = None
    time_span_end: date | None = None


class Update(_Strict):
    frequency: Frequency | None = None
    term: Text | None = None


class Evidence(_Strict):
    """G§7(10): evidence platform, certificate number, hash; or notary and notarial number."""

    platform: Short | None = None
    certificate_number: Short | None = None
    hash_value: Short | None = None
    notary_body: Short | None = None
    notarial_certificate_number: Short | None = None
    evidenced_on: date | None = None
    deposit_number: Short | None = Field(
        default=None, description="a deposit made here (POST /evidence): fills the items above"
    )
    sample_proof_blob: Sha256 | None = Field(
        default=None, description="uploaded `dataip fingerprint prove-sample` proof"
    )


class ApplicationForm(_Strict):
    """Every item of G§7 / R5. All optional while a draft; `submit` checks completeness."""

    name: Short | None = None
    industry_code: Annotated[str, Field(max_length=8)] | None = None
    scenarios: Scenarios | None = None
    practical_values: PracticalValues | None = None
    intellectual_achievement: Text | None = None
    source_kinds: SourceKinds | None = None
    acquisition_methods: Methods | None = None
    agreement_end_date: date | None = None
    source_proof_blobs: list[Sha256] = Field(default_factory=list, max_length=20)
    processing_rules: Text | None = None
    anonymisation: Text | None = None
    scope: Scope | None = None
    update: Update | None = None
    evidence: Evidence | None = None
    sample_blobs: list[Sha256] = Field(default_factory=list, max_length=20)
    data_formats: Formats | None = None
    other_notes: Text | None = None
    commitment_accepted: bool = False

    def as_form(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


IdNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="unified social credit code (GB 32100) or resident ID number (GB 11643)",
    ),
]


class PartyNamed(_Strict):
    """A party named in a filing: your own (or your principal's) by `party_id`; anyone
    else's by the `id_number` of a real-name verified party — never by its id (issue 18)."""

    party_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="a party you act for, or one already named on this filing",
    )
    id_number: IdNumber | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.party_id is None) == (self.id_number is None):
            raise ValueError("name the party by party_id or by id_number (one of them)")
        return self


class ApplicantIn(PartyNamed):
    share_bp: int = Field(default=10_000, ge=1, le=10_000, description="share in 1/100 %")
    rights_bounds: Annotated[str, Field(max_length=2000)] = ""


class ApplicationCreate(_Strict):
    form: ApplicationForm = Field(default_factory=ApplicationForm)
    applicants: list[ApplicantIn] = Field(min_length=1, max_length=50)
    fast_track: bool = False


class ApplicationUpdate(_Strict):
    form: ApplicationForm | None = None
    applicants: list[ApplicantIn] | None = Field(default=None, min_length=1, max_length=50)


class DefectIn(_Strict):
    field: Short | None = None
    zh: Annotated[str, Field(min_length=1, max_length=1000)]
    en: Annotated[str, Field(max_length=1000)] = ""


class ActionIn(_Strict):
    """Fields an action may take; which are required depends on the action."""

    outcome: Literal["keep", "revoke", "republicise", "unresolved"] | None = None
    reason: Annotated[str, Field(max_length=10_000)] | None = None
    grounds: list[int] | None = Field(default=None, max_length=7)
    defects: list[DefectIn | Annotated[str, Field(max_length=1000)]] | None = Field(
        default=None, max_length=200
    )
    statement: Annotated[str, Field(max_length=10_000)] | None = None
    evidence_blobs: list[Sha256] | None = Field(default=None, max_length=20)
    objector_party_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    instrument: Annotated[str, Field(max_length=2000)] | None = None
    note: Annotated[str, Field(max_length=10_000)] | None = None


class DeadlineRead(BaseModel):
    kind: str
    party: str
    trigger_at: datetime
    due_on: date
    provisional: bool
    status: str


class Label(BaseModel):
    zh: str
    en: str


class RegistrationRead(BaseModel):
    registration_number: str
    certificate_number: str
    name: str
    industry_code: str | None
    registration_date: date
    announcement_date: date
    valid_from: date
    valid_until: date
    holders: list[dict[str, Any]]
    state: str


class ApplicationRead(BaseModel):
    id: int
    state: str
    state_label: Label
    version: int
    visibility: Literal["full", "public"]
    application_number: str | None
    name: str
    industry_code: str | None
    filing_date: date | None
    fast_track: bool
    form: dict[str, Any] | None = None
    public_fields: dict[str, Any] | None = None
    applicants: list[dict[str, Any]]
    deadlines: list[DeadlineRead]
    allowed_actions: list[str]
    registration: RegistrationRead | None = None
    objections: list[dict[str, Any]] = Field(default_factory=list)
    checks: dict[str, Any] = Field(default_factory=dict)
    outcome_reason: str | None = None
    grounds: list[int] | None = None


class ApplicationSummary(BaseModel):
    id: int
    state: str
    state_label: Label
    application_number: str | None
    name: str
    filing_date: date | None
    version: int


class Page(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None
