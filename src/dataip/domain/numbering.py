"""Registration and certificate numbers (DESIGN §3 "Numbers").

Registration number — 16 characters::

    YYYY  S  A  NNNNNNNNN  C
    │     │  │  │          └ check character: ISO 7064 MOD 11-2 over the first 15
    │     │  │  │            digits ('0'–'9', 'X' for 10)
    │     │  │  └ sequence within the year, 9 digits, zero-padded
    │     │  └ applicant-type code, 1 digit   (APPLICANT_TYPE_CODES)
    │     └ data-source code, 1 digit         (DATA_SOURCE_CODES)
    └ application year

Certificate number — 17 digits, no check character::

    YYYY MM RRRR NNNNNNN   year + month of issue + registry code + serial

Code tables (defaults; a jurisdiction profile may override them, which is why
the builders take the codes as plain strings):

``DATA_SOURCE_CODES`` (REQUIREMENTS R5.6 data-source kinds)
    ``personal`` → ``1`` 个人数据, ``enterprise`` → ``2`` 企业数据,
    ``public`` → ``3`` 公共数据, ``mixed`` → ``4`` (more than one kind).

``APPLICANT_TYPE_CODES`` (R1, R3)
    ``natural_person`` → ``1`` 自然人, ``legal_person`` → ``2`` 法人,
    ``unincorporated`` → ``3`` 非法人组织, ``joint`` → ``4`` 共同申请.

``REGISTRY_CODES``
    ``guizhou`` → ``5200`` (the province's GB/T 2260 code, first 4 digits).

In a real deployment the national certificate-management system assigns
certificate numbers (G§17); these functions are the local default scheme.
Pure: stdlib and python-stdnum only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from stdnum.iso7064 import mod_11_2, mod_37_2

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import normalise

__all__ = [
    "APPLICANT_TYPE_CODES",
    "DATA_SOURCE_CODES",
    "REGISTRY_CODES",
    "CertificateNumberParts",
    "RegistrationNumberParts",
    "certificate_number",
    "parse_certificate_number",
    "parse_registration_number",
    "registration_check_char",
    "registration_number",
    "source_code_for",
    "validate_registration_number",
]

DATA_SOURCE_CODES: Final[Mapping[str, str]] = {
    "personal": "1",
    "enterprise": "2",
    "public": "3",
    "mixed": "4",
}
APPLICANT_TYPE_CODES: Final[Mapping[str, str]] = {
    "natural_person": "1",
    "legal_person": "2",
    "unincorporated": "3",
    "joint": "4",
}
REGISTRY_CODES: Final[Mapping[str, str]] = {"guizhou": "5200"}

REGISTRATION_NUMBER_LENGTH: Final = 16
CERTIFICATE_NUMBER_LENGTH: Final = 17
MAX_SEQUENCE: Final = 10**9 - 1
MAX_SERIAL: Final = 10**7 - 1
MIN_YEAR: Final = 1000
MAX_YEAR: Final = 9999


@dataclass(frozen=True)
class RegistrationNumberParts:
    year: int
    source_code: str
    applicant_type_code: str
    sequence: int
    check: str


@dataclass(frozen=True)
class CertificateNumberParts:
    year: int
    month: int
    registry_code: str
    serial: int


def _reg_error(reason: str, zh: str, en: str, *, status: int = 422) -> DomainError:
    return DomainError(
        "invalid_registration_number",
        f"登记号无效：{zh}",
        f"Invalid registration number: {en}",
        status=status,
        details={"reason": reason},
    )


def _cert_error(reason: str, zh: str, en: str, *, status: int = 422) -> DomainError:
    return DomainError(
        "invalid_certificate_number",
        f"证书编号无效：{zh}",
        f"Invalid certificate number: {en}",
        status=status,
        details={"reason": reason},
    )


def _is_digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def source_code_for(kinds: Iterable[str], *, codes: Mapping[str, str] = DATA_SOURCE_CODES) -> str:
    """Data-source code for the kinds of data in a filing; ``mixed`` when more than one."""
    distinct = set(kinds)
    if not distinct:
        raise DomainError(
            "invalid_data_source",
            "至少需要一种数据来源",
            "at least one data-source kind is required",
            status=400,
            details={"reason": "empty"},
        )
    unknown = sorted(distinct - set(codes))
    if unknown:
        raise DomainError(
            "invalid_data_source",
            f"未知的数据来源类型：{', '.join(unknown)}",
            f"unknown data-source kind(s): {', '.join(unknown)}",
            status=400,
            details={"reason": "unknown_kind", "kinds": unknown},
        )
    if len(distinct) > 1:
        return codes["mixed"]
    return codes[distinct.pop()]


def registration_check_char(first15: str) -> str:
    """ISO 7064 MOD 11-2 check character over the 15-digit body."""
    if len(first15) != REGISTRATION_NUMBER_LENGTH - 1 or not _is_digits(first15):
        raise _reg_error("format", "前15位必须是数字", "the first 15 characters must be digits")
    return mod_11_2.calc_check_digit(first15)


def registration_number(
    *, year: int, source_code: str, applicant_type_code: str, sequence: int
) -> str:
    """Build a 16-character registration number."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _reg_error("year", f"年份{year}不是4位数", f"year {year} is not 4 digits")
    for field, value in (
        ("source_code", source_code),
        ("applicant_type_code", applicant_type_code),
    ):
        if len(value) != 1 or not _is_digits(value):
            raise _reg_error(
                field, f"{field}必须是1位数字：{value!r}", f"{field} must be 1 digit: {value!r}"
            )
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise _reg_error(
            "sequence",
            f"序号{sequence}超出范围0–{MAX_SEQUENCE}",
            f"sequence {sequence} outside 0..{MAX_SEQUENCE}",
        )
    body = f"{year:04d}{source_code}{applicant_type_code}{sequence:09d}"
    return body + registration_check_char(body)


def parse_registration_number(s: str) -> RegistrationNumberParts:
    """Validate (see :func:`validate_registration_number`) and split a registration number."""
    n = validate_registration_number(s)
    return RegistrationNumberParts(
        year=int(n[:4]),
        source_code=n[4],
        applicant_type_code=n[5],
        sequence=int(n[6:15]),
        check=n[15],
    )


def validate_registration_number(s: str) -> str:
    """Return the normalised number (full-width → ASCII, upper-case ``X``) or raise."""
    n = normalise(s)
    if len(n) != REGISTRATION_NUMBER_LENGTH:
        raise _reg_error(
            "length",
            f"应为16位，实际为{len(n)}位",
            f"must be 16 characters long, got {len(n)}",
            status=400,
        )
    if not _is_digits(n[:15]):
        raise _reg_error(
            "format", "前15位必须是数字", "the first 15 characters must be digits", status=400
        )
    if n[15] != mod_11_2.calc_check_digit(n[:15]):
        raise _reg_error(
            "checksum",
            "第16位校验码不正确（ISO 7064 MOD 11-2）",
            "check character is wrong (ISO 7064 MOD 11-2)",
            status=400,
        )
    return n


def certificate_number(*, year: int, month: int, registry_code: str, serial: int) -> str:
    """Build a 17-digit certificate number."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _cert_error("year", f"年份{year}不是4位数", f"year {year} is not 4 digits")
    if not 1 <= month <= 12:
        raise _cert_error("month", f"月份{month}无效", f"month {month} is not 1..12")
    if len(registry_code) != 4 or not _is_digits(registry_code):
        raise _cert_error(
            "registry_code",
            f"登记机构代码必须是4位数字：{registry_code!r}",
            f"registry code must be 4 digits: {registry_code!r}",
        )
    if not 0 <= serial <= MAX_SERIAL:
        raise _cert_error(
            "serial",
            f"流水号{serial}超出范围0–{MAX_SERIAL}",
            f"serial {serial} outside 0..{MAX_SERIAL}",
        )
    return f"{year:04d}{month:02d}{registry_code}{serial:07d}"


def parse_certificate_number(s: str) -> CertificateNumberParts:
    """Split a 17-digit certificate number into its parts, or raise."""
    n = normalise(s)
    if len(n) != CERTIFICATE_NUMBER_LENGTH:
        raise _cert_error(
            "length",
            f"应为17位，实际为{len(n)}位",
            f"must be 17 digits long, got {len(n)}",
            status=400,
        )
    if not _is_digits(n):
        raise _cert_error("format", "只能包含数字", "must contain only digits", status=400)
    month = int(n[4:6])
    if not 1 <= month <= 12:
        raise _cert_error(
            "month", f"第5–6位月份{n[4:6]}无效", f"month {n[4:6]} is not 01..12", status=400
        )
    return CertificateNumberParts(
        year=int(n[:4]), month=month, registry_code=n[6:10], serial=int(n[10:])
    )


# Issue 24 §1 (R31): another register's numbers carry its two-letter prefix (the profile's
# `numbering.prefix`; "CQ", 产权, for data property), so that they never collide with, and are
# told apart from, the national data IP layout above. Same lengths (16 and 17 characters).
#
#   registration: PP YYYY A NNNNNNNN C   prefix, year, applicant type, sequence (8), check
#                 (ISO 7064 MOD 37-2 over the first 15 characters: '0'–'9', 'A'–'Z', '*')
#   certificate:  PP YYYY MM RRRR NNNNN  prefix, year, month, registry code, serial (5)

MAX_PREFIXED_SEQUENCE: Final = 10**8 - 1
MAX_PREFIXED_SERIAL: Final = 10**5 - 1


def _check_prefix(prefix: str) -> None:
    if len(prefix) != 2 or not prefix.isascii() or not prefix.isalpha() or not prefix.isupper():
        raise _reg_error("prefix", f"前缀无效：{prefix!r}", f"invalid prefix: {prefix!r}")


def prefixed_registration_number(
    *, prefix: str, year: int, applicant_type_code: str, sequence: int
) -> str:
    """A 16-character registration number of a prefixed register."""
    _check_prefix(prefix)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _reg_error("year", f"年份{year}不是4位数", f"year {year} is not 4 digits")
    if len(applicant_type_code) != 1 or not _is_digits(applicant_type_code):
        raise _reg_error(
            "applicant_type_code",
            f"申请人类型代码必须是1位数字：{applicant_type_code!r}",
            f"applicant_type_code must be 1 digit: {applicant_type_code!r}",
        )
    if not 0 <= sequence <= MAX_PREFIXED_SEQUENCE:
        raise _reg_error(
            "sequence",
            f"序号{sequence}超出范围0–{MAX_PREFIXED_SEQUENCE}",
            f"sequence {sequence} outside 0..{MAX_PREFIXED_SEQUENCE}",
        )
    body = f"{prefix}{year:04d}{applicant_type_code}{sequence:08d}"
    return body + mod_37_2.calc_check_digit(body)


def validate_prefixed_registration_number(s: str, *, prefix: str) -> str:
    """The normalised prefixed number, or raise (length, prefix, digits, check character)."""
    n = normalise(s).upper()
    if len(n) != REGISTRATION_NUMBER_LENGTH or not n.startswith(prefix):
        raise _reg_error(
            "format",
            f"应为以{prefix}开头的16位编号",
            f"must be 16 characters starting with {prefix}",
            status=400,
        )
    if not _is_digits(n[2:15]):
        raise _reg_error(
            "format", "第3–15位必须是数字", "characters 3–15 must be digits", status=400
        )
    if not mod_37_2.is_valid(n):
        raise _reg_error(
            "checksum",
            "第16位校验码不正确（ISO 7064 MOD 37-2）",
            "check character is wrong (ISO 7064 MOD 37-2)",
            status=400,
        )
    return n


def prefixed_certificate_number(
    *, prefix: str, year: int, month: int, registry_code: str, serial: int
) -> str:
    """A 17-character certificate number of a prefixed register."""
    _check_prefix(prefix)
    if not 0 <= serial <= MAX_PREFIXED_SERIAL:
        raise _cert_error(
            "serial",
            f"流水号{serial}超出范围0–{MAX_PREFIXED_SERIAL}",
            f"serial {serial} outside 0..{MAX_PREFIXED_SERIAL}",
        )
    # the same checks of year, month and registry code as the national layout
    national = certificate_number(year=year, month=month, registry_code=registry_code, serial=0)
    return f"{prefix}{national[:10]}{serial:05d}"
