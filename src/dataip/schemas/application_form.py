"""The application form (登记申请书, G§7 / R5) as a schema: every item typed, with the domain's
enumerations. All items are optional while a draft; completeness is the domain's
(`domain.application.check_complete`).

One schema for every way a form arrives: the API's `POST`/`PATCH /applications`, the
portal's form page, and a change registration (G§21), whose form is the registered one with
the change applied (`validate_form`) — so a change cannot register what no form accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from dataip.domain.application import (
    ACQUISITION_METHODS,
    DATA_FORMATS,
    PRACTICAL_VALUES,
    SCENARIOS,
    SOURCE_KINDS,
    UPDATE_FREQUENCIES,
)
from dataip.domain.errors import DomainError
from dataip.domain.registers import PROPERTY_RIGHTS
from dataip.domain.resource_ids import check_cstr, check_doi
from dataip.schemas.errors import errors_of, invalid
from dataip.schemas.text import Line, Short, Strict, Text

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database

if TYPE_CHECKING:
    from typing import TypeAlias

    Scenario: TypeAlias = str
    Value: TypeAlias = str
    SourceKind: TypeAlias = str
    Method: TypeAlias = str
    Format: TypeAlias = str
    Frequency: TypeAlias = str
    Right: TypeAlias = str
else:  # the enumerations live in the domain; the API validates against the same keys
    Scenario = Literal[tuple(SCENARIOS)]
    Value = Literal[tuple(PRACTICAL_VALUES)]
    SourceKind = Literal[tuple(SOURCE_KINDS)]
    Method = Literal[tuple(ACQUISITION_METHODS)]
    Format = Literal[tuple(DATA_FORMATS)]
    Frequency = Literal[tuple(UPDATE_FREQUENCIES)]
    Right = Literal[tuple(PROPERTY_RIGHTS)]


class Scenarios(Strict):
    values: list[Scenario] = Field(default_factory=list, max_length=10)
    other_text: Short | None = None


class PracticalValues(Strict):
    values: list[Value] = Field(default_factory=list, max_length=8)
    other_text: Short | None = None
    description: Text | None = None


class SourceKinds(Strict):
    values: list[SourceKind] = Field(default_factory=list, max_length=3)
    other_text: Short | None = None


class Methods(Strict):
    values: list[Method] = Field(default_factory=list, max_length=5)
    other_text: Short | None = None


class Formats(Strict):
    values: list[Format] = Field(default_factory=list, max_length=10)
    other_text: Short | None = None


class Scope(Strict):
    coverage: Text | None = None
    records: int | None = Field(default=None, ge=0, le=10**15)
    bytes: int | None = Field(default=None, ge=0, le=10**18)
    time_span_start: date | None = None
    time_span_end: date | None = None


class Update(Strict):
    frequency: Frequency | None = None
    term: Text | None = None


class Evidence(Strict):
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


def _resource_id(check: Any) -> Any:
    def normalise(value: str) -> str:
        try:
            return str(check(value).text)
        except DomainError as e:  # the domain's code as the error's type, both messages
            raise PydanticCustomError(e.code, f"{e.message_zh} / {e.message_en}") from None

    return AfterValidator(normalise)


class ResourceIdentifiers(Strict):
    """R32, Z§3.4: a scientific data set's identifiers elsewhere — its CSTR (GB/T 32843) and
    DOI — checked for syntax (`domain.resource_ids`) and stored normalised."""

    cstr: Annotated[Line, Field(max_length=200), _resource_id(check_cstr)] | None = None
    doi: Annotated[Line, Field(max_length=200), _resource_id(check_doi)] | None = None


class PropertyClaim(Strict):
    """Issue 24 §1: a data property registration's own items — the right(s) claimed of the
    three (数据二十条), the data's source and the legal basis it is held on, and the
    applicant's compliance statement (`domain.registers.property_defects` says what a filing
    needs)."""

    rights: list[Right] = Field(default_factory=list, max_length=3)
    data_source: Text | None = None
    legality_basis: Text | None = None
    compliance_statement: Text | None = None
    compliance_accepted: bool = False


class ApplicationForm(Strict):
    """Every item of G§7 / R5. All optional while a draft; `submit` checks completeness."""

    name: Short | None = None
    industry_code: Annotated[Line, Field(max_length=8)] | None = None
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
    identifiers: ResourceIdentifiers | None = None  # R32 (issue 24 §3)
    property: PropertyClaim | None = None  # R31: a data property filing's items (issue 24 §1)

    def as_form(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def validate_form(form: Mapping[str, Any], *, at: Sequence[str] = ("form",)) -> dict[str, Any]:
    """The form as `ApplicationForm` reads it (normalised as a stored form is), or 422 with the
    same `details.errors` a request body gets — `at` says where the form sits in the request
    (a change's errors point into its `changes`)."""
    try:
        return ApplicationForm.model_validate(dict(form)).as_form()
    except ValidationError as e:
        raise invalid(errors_of(e, at)) from None
