"""Schemas of the application API: the R5 form (typed; completeness is the domain's job),
actions and the read model. The form itself is `dataip.schemas.application_form`'s, shared
with the pages and with change registrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from dataip.schemas.application_form import MAX_ID, ApplicationForm, Sha256
from dataip.schemas.text import Line, Short, Strict, Text

_Strict = Strict  # the name the API's other schema modules import

__all__ = ["MAX_ID", "ApplicationForm", "Sha256", "Short", "Text", "_Strict"]


IdNumber = Annotated[
    Line,
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


Register = Literal["data_ip", "data_property"]


class ApplicationCreate(_Strict):
    register_kind: Register = Field(
        default="data_ip",
        alias="register",
        description="the register filed in (issue 24 §1): data IP (数据知识产权登记) or data "
        "property (数据产权登记, whose form carries `property`)",
    )
    form: ApplicationForm = Field(default_factory=ApplicationForm)
    applicants: list[ApplicantIn] = Field(min_length=1, max_length=50)
    fast_track: bool = Field(
        default=False,
        description="kept for old clients: `true` is refused (`fast_track_needs_grounds`); "
        "fast track is requested with a ground (`request_fast_track`) and granted by the registry",
    )


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
    # approve: the registration announcement's date, when later than today (G§16)
    announcement_date: date | None = None
    # R8, G§12: a procedural request's ground, a refusal's reason code, an extension's date
    ground: Annotated[Line, Field(max_length=32)] | None = None
    reason_code: Annotated[Line, Field(max_length=32)] | None = None
    due_on: date | None = None


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
    register_kind: str = Field(default="data_ip", serialization_alias="register")
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


class ProceduralRequestRead(BaseModel):
    """A fast-track, extension or reinstatement request (R8, G§12), as its applicant and the
    registry read it."""

    id: int
    kind: str
    kind_label: Label
    status: str
    status_label: Label
    ground: str
    ground_label: Label
    statement: str
    evidence_blobs: list[str]
    own_motion: bool
    filed_at: datetime
    decided_at: datetime | None
    reason_code: str | None
    reason_label: Label | None
    note: str | None
    due_on: date | None


class ApplicationRead(BaseModel):
    id: int
    register_kind: str = Field(default="data_ip", serialization_alias="register")
    register_label: Label | None = None
    dossier_id: int | None = None  # the one-window filing it belongs to (issue 24 §2)
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
    requests: list[ProceduralRequestRead] = Field(default_factory=list)


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
