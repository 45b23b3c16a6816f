"""Request and response shapes for registrations, their actions and announcements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from dataip.schemas.text import Line
from dataip.web.api.application_schemas import (
    MAX_ID,
    Label,
    PartyNamed,
    Sha256,
    Short,
    _Strict,
)

LongText = Annotated[str, Field(max_length=10_000)]
# Strict: an amount, id or share sent as "100", true or 1.0 is refused, not coerced (the
# services refuse booleans there too, but only see what validation passes on).
Fen = Annotated[int, Field(ge=0, le=10**15, strict=True)]
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class CounterpartyIn(_Strict):
    """A licensee, pledgee or trading counterparty."""

    kind: Literal["legal_person", "unincorporated", "natural_person"] = "legal_person"
    name: Short
    credit_code: Annotated[Line, Field(max_length=30)] | None = None


class TransfereeIn(PartyNamed):
    """A transferee: a party you act for by `party_id`, anyone else by the `id_number` of a
    verified party (as co-applicants are named)."""

    party_id: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)] | None = None
    share_bp: Annotated[int, Field(ge=1, le=10_000, strict=True)] | None = None


class SubjectChangeIn(_Strict):
    party_id: Id
    name: Short


class RegistrationActionIn(_Strict):
    """Fields an action on a registration may take; which are required depends on the
    action (see docs/api.md)."""

    reason: LongText | None = None
    outcome: Literal["approve", "refuse", "uphold", "overturn"] | None = None
    request_id: Id | None = None
    # change (G§21)
    changes: dict[str, Any] | None = None
    subject: list[SubjectChangeIn] | None = Field(default=None, max_length=50)
    # transfer (G§21)
    transferees: list[TransfereeIn] | None = Field(default=None, max_length=50)
    basis: (
        Literal[
            "agreement",
            "inheritance",
            "bequest",
            "court",
            "arbitration",
            "administrative",
            "other",
        ]
        | None
    ) = None
    instrument: Sha256 | None = None
    # filings (G§22)
    contract_date: date | None = None
    contract_blob: Sha256 | None = None
    licence_type: Literal["exclusive", "sole", "non_exclusive"] | None = None
    licensee: CounterpartyIn | None = None
    pledgee: CounterpartyIn | None = None
    counterparty: CounterpartyIn | None = None
    scope: Annotated[str, Field(max_length=2000)] | None = None
    territory: Annotated[str, Field(max_length=2000)] | None = None
    term_start: date | None = None
    term_end: date | None = None
    fee_fen: Fen | None = None
    secured_amount_fen: Fen | None = None
    price_fen: Fen | None = None
    right: Literal["usage", "operation", "other"] | None = None
    filing_number: Annotated[Line, Field(max_length=20)] | None = None
    for_action: Literal["transfer", "abandon", "cancellation"] | None = None
    # ending (G§19, G§20, G§23)
    ground: Literal["evident_defect", "right_extinguished"] | None = None
    grounds: list[int] | None = Field(default=None, max_length=3)
    statement: LongText | None = None
    evidence_blobs: list[Sha256] | None = Field(default=None, max_length=20)
    party_id: Id | None = None
    # sample publication (issue 7)
    choice: Literal["none", "raw", "masked"] | None = None
    # a court's preservation (issue 20 §7)
    case_number: Annotated[Line, Field(max_length=40)] | None = None
    court: Annotated[Line, Field(max_length=100)] | None = None
    ruling: LongText | None = None
    freeze_number: Annotated[Line, Field(max_length=20)] | None = None
    # a bank's pledge proposal the holder confirms or declines (issue 20 §6)
    proposal_number: Annotated[Line, Field(max_length=20)] | None = None


class SampleColumn(BaseModel):
    name: str
    technique: str | None = Field(
        description="GB/T 37964 technique applied to the column; null: shown as read"
    )


class SampleFile(BaseModel):
    filename: str
    masked: bool
    columns: list[SampleColumn]
    rows: list[list[str]]


class SampleRead(BaseModel):
    """The first rows of the sample files as the holder chose to publish them."""

    choice: Literal["raw", "masked"]
    certificate_version: int
    chosen_at: datetime
    files: list[SampleFile]


class RegistrationDetail(BaseModel):
    """The public record of a registration and its current status (R23, R24)."""

    registration_number: str
    certificate_number: str
    certificate_version: int
    name: str
    industry_code: str | None
    registration_date: date
    announcement_date: date
    valid_from: date
    valid_until: date
    state: str
    state_label: Label
    state_reason: str | None
    ended_on: date | None
    holders: list[dict[str, Any]]
    visibility: Literal["full", "public"]
    version: int
    allowed_actions: list[str]
    encumbrances: dict[str, Any]
    filings: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    versions: list[dict[str, Any]]
    announcements: list[dict[str, Any]]
    sample: SampleRead | None = Field(
        default=None,
        description="published sample rows: only when the holder chose `raw` (screening found "
        "nothing) or `masked` (action `publish_sample`)",
    )
    sample_choice: Literal["none", "raw", "masked"] | None = Field(
        default=None, description="the holder's choice; holders and the registry only"
    )
    freezes: list[dict[str, Any]] = Field(
        default_factory=list,
        description="court preservations (保全): number, case number, court, term, state; "
        "the ruling's text for holders and the registry",
    )
    pledge_proposals: list[dict[str, Any]] = Field(
        default_factory=list,
        description="banks' pledge proposals awaiting or decided (issue 20 §6; holders and the "
        "registry only): number, state, pledgee, contract date, secured amount, term, "
        "references, lapse date; the holder confirms (`confirm_pledge`) or declines "
        "(`decline_pledge`) with `proposal_number`",
    )
    identifiers: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="R32 (issue 24 §3): the data set's CSTR (GB/T 32843) and DOI, each as "
        "`{id, url}` with its resolver's link; the holder adds or changes them by change "
        "registration (`request_change` with `changes.identifiers`)",
    )


class AnnouncementRead(BaseModel):
    number: str
    kind: str
    kind_label: Label
    registration_number: str
    name: str
    published_at: datetime
    published_on: date
    title_zh: str
    title_en: str
    industry_code: str | None
    industry_section: str | None
    region_code: str | None
    body: dict[str, Any]


class AnnouncementPage(BaseModel):
    items: list[AnnouncementRead]
    next_cursor: str | None
