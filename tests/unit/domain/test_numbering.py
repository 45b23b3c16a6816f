"""DESIGN §3 numbers: 16-char registration number, 17-digit certificate number."""

from __future__ import annotations

import pytest

from dataip.domain.errors import DomainError
from dataip.domain.numbering import (
    APPLICANT_TYPE_CODES,
    DATA_SOURCE_CODES,
    CertificateNumberParts,
    RegistrationNumberParts,
    certificate_number,
    parse_certificate_number,
    parse_registration_number,
    registration_check_char,
    registration_number,
    source_code_for,
    validate_registration_number,
)

# ISO 7064 MOD 11-2 over 15 digits: weights 2^(16-i) mod 11 for positions i = 1..15
#   = 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; check c makes (S + c) ≡ 1 (mod 11), 10 → 'X'.
HAND_COMPUTED = [
    # 2·10 + 2·8 + 6·4 + 2·2 + 1·1 + 1·2 = 67 ≡ 1  → c = 0
    ("202621000000001", "0"),
    # 2·10 + 2·8 + 4·4 + 1·2 + 1·1 + 1·8 + 2·4 + 3·2 = 77 ≡ 0  → c = 1
    ("202411000000123", "1"),
    # 2·10 + 2·8 + 6·4 + 2·2 + 1·1 + 7·2 = 79 ≡ 2  → c = 10 → X
    ("202621000000007", "X"),
]


@pytest.mark.parametrize(("body", "check"), HAND_COMPUTED)
def test_design3_registration_check_char_matches_hand_computation(body: str, check: str) -> None:
    assert registration_check_char(body) == check


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (dict(year=2026, source_code="2", applicant_type_code="1", sequence=1), "2026210000000010"),
        (
            dict(year=2024, source_code="1", applicant_type_code="1", sequence=123),
            "2024110000001231",
        ),
        (dict(year=2026, source_code="2", applicant_type_code="1", sequence=7), "202621000000007X"),
        (
            dict(year=2026, source_code="4", applicant_type_code="4", sequence=999_999_999),
            "202644999999999" + registration_check_char("202644999999999"),
        ),
    ],
)
def test_design3_registration_number_layout(kwargs: dict[str, int | str], expected: str) -> None:
    number = registration_number(**kwargs)  # type: ignore[arg-type]
    assert number == expected
    assert len(number) == 16
    assert validate_registration_number(number) == number


@pytest.mark.parametrize("sequence", [0, 1, 42, 123_456_789, 999_999_999])
def test_design3_registration_number_round_trips(sequence: int) -> None:
    number = registration_number(
        year=2026, source_code="3", applicant_type_code="2", sequence=sequence
    )
    parts = parse_registration_number(number)
    assert parts == RegistrationNumberParts(
        year=2026,
        source_code="3",
        applicant_type_code="2",
        sequence=sequence,
        check=number[-1],
    )


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("202621000000007x", "202621000000007X"),
        ("２０２６２１００００００００７Ｘ", "202621000000007X"),
        (" 2026-2-1-000000001-0 ", "2026210000000010"),
    ],
)
def test_design3_registration_number_input_is_normalised(raw: str, normalised: str) -> None:
    assert validate_registration_number(raw) == normalised


def test_design3_every_single_digit_error_is_detected() -> None:
    number = registration_number(
        year=2026, source_code="2", applicant_type_code="2", sequence=31415926
    )
    for i in range(15):
        for d in "0123456789":
            if d != number[i]:
                mutated = number[:i] + d + number[i + 1 :]
                with pytest.raises(DomainError):
                    validate_registration_number(mutated)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "length"),
        ("202621000000001", "length"),
        ("20262100000000100", "length"),
        ("20262A000000001X", "format"),
        ("2026210000000011", "checksum"),
        ("202621000000007Y", "checksum"),
        ("2026210000000070", "checksum"),
    ],
)
def test_design3_invalid_registration_number_is_refused(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_registration_number(raw)
    assert exc.value.code == "invalid_registration_number"
    assert exc.value.status == 400
    assert exc.value.details["reason"] == reason


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        (dict(year=2026, source_code="2", applicant_type_code="1", sequence=10**9), "sequence"),
        (dict(year=2026, source_code="2", applicant_type_code="1", sequence=-1), "sequence"),
        (dict(year=999, source_code="2", applicant_type_code="1", sequence=1), "year"),
        (dict(year=10000, source_code="2", applicant_type_code="1", sequence=1), "year"),
        (dict(year=2026, source_code="12", applicant_type_code="1", sequence=1), "source_code"),
        (dict(year=2026, source_code="", applicant_type_code="1", sequence=1), "source_code"),
        (dict(year=2026, source_code="A", applicant_type_code="1", sequence=1), "source_code"),
        (
            dict(year=2026, source_code="2", applicant_type_code="x", sequence=1),
            "applicant_type_code",
        ),
        (
            dict(year=2026, source_code="2", applicant_type_code="２", sequence=1),
            "applicant_type_code",
        ),
    ],
)
def test_design3_registration_number_inputs_out_of_range_are_refused(
    kwargs: dict[str, int | str], reason: str
) -> None:
    with pytest.raises(DomainError) as exc:
        registration_number(**kwargs)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_registration_number"
    assert exc.value.details["reason"] == reason


# ----------------------------------------------------------------------------- code tables


def test_design3_code_tables() -> None:
    assert DATA_SOURCE_CODES == {"personal": "1", "enterprise": "2", "public": "3", "mixed": "4"}
    assert APPLICANT_TYPE_CODES == {
        "natural_person": "1",
        "legal_person": "2",
        "unincorporated": "3",
        "joint": "4",
    }


@pytest.mark.parametrize(
    ("kinds", "code"),
    [
        (["personal"], "1"),
        (["enterprise"], "2"),
        (["public"], "3"),
        (["enterprise", "enterprise"], "2"),
        (["personal", "public"], "4"),
        (("enterprise", "public", "personal"), "4"),
        ({"mixed"}, "4"),
    ],
)
def test_r5_6_source_code_for_kinds(kinds: list[str], code: str) -> None:
    assert source_code_for(kinds) == code


@pytest.mark.parametrize(
    ("kinds", "reason"), [([], "empty"), (["personal", "bogus"], "unknown_kind")]
)
def test_r5_6_source_code_for_bad_kinds_is_refused(kinds: list[str], reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        source_code_for(kinds)
    assert exc.value.code == "invalid_data_source"
    assert exc.value.details["reason"] == reason


def test_design3_source_codes_are_overridable_by_profile() -> None:
    profile = {"personal": "5", "enterprise": "6", "public": "7", "mixed": "9"}
    assert source_code_for(["public"], codes=profile) == "7"
    assert source_code_for(["public", "personal"], codes=profile) == "9"


# ------------------------------------------------------------------------------ certificate


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (dict(year=2026, month=3, registry_code="5200", serial=42), "20260352000000042"),
        (dict(year=2024, month=12, registry_code="3300", serial=9_999_999), "20241233009999999"),
        (dict(year=2025, month=1, registry_code="0000", serial=0), "20250100000000000"),
    ],
)
def test_design3_certificate_number_layout_and_round_trip(
    kwargs: dict[str, int | str], expected: str
) -> None:
    number = certificate_number(**kwargs)  # type: ignore[arg-type]
    assert number == expected
    assert len(number) == 17
    assert parse_certificate_number(number) == CertificateNumberParts(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        (dict(year=2026, month=3, registry_code="5200", serial=10**7), "serial"),
        (dict(year=2026, month=3, registry_code="5200", serial=-1), "serial"),
        (dict(year=2026, month=0, registry_code="5200", serial=1), "month"),
        (dict(year=2026, month=13, registry_code="5200", serial=1), "month"),
        (dict(year=2026, month=3, registry_code="520", serial=1), "registry_code"),
        (dict(year=2026, month=3, registry_code="52000", serial=1), "registry_code"),
        (dict(year=2026, month=3, registry_code="52A0", serial=1), "registry_code"),
        (dict(year=20260, month=3, registry_code="5200", serial=1), "year"),
    ],
)
def test_design3_certificate_number_inputs_out_of_range_are_refused(
    kwargs: dict[str, int | str], reason: str
) -> None:
    with pytest.raises(DomainError) as exc:
        certificate_number(**kwargs)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_certificate_number"
    assert exc.value.details["reason"] == reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "length"),
        ("2026035200000004", "length"),
        ("202603520000000420", "length"),
        ("2026035200000004X", "format"),
        ("20261352000000042", "month"),
        ("20260052000000042", "month"),
    ],
)
def test_design3_invalid_certificate_number_is_refused(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_certificate_number(raw)
    assert exc.value.code == "invalid_certificate_number"
    assert exc.value.status == 400
    assert exc.value.details["reason"] == reason


def test_design3_certificate_number_accepts_fullwidth_digits() -> None:
    assert parse_certificate_number("２０２６０３５２０００００００４２").serial == 42
