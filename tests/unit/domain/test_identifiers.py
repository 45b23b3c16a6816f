"""R1 real-name registration: resident ID (GB 11643) and USCC (GB 32100) checks.

No real person's ID number appears here: resident IDs are built from a region
code, a birth date and an order code, with the check digit from stdnum.
"""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import (
    IdentifierCheck,
    check_resident_id,
    check_uscc,
    mask_phone,
    mask_resident_id,
    org_type,
    region_code,
    registration_authority,
)

TODAY = date(2026, 6, 1)
STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643's published example

REAL_USCCS = [
    ("9144030010001686XA", "广东省"),
    ("911000001000013428", None),  # 100000: national-level registration authority
    ("91350900587527783P", "福建省"),
    ("91440300192317458F", "广东省"),
    ("91520000214434146R", "贵州省"),
    ("91110000600037341L", "北京市"),
]


def make_id(body17: str) -> str:
    """Append the GB 11643 check digit (stdnum ignores the argument's last char)."""
    assert len(body17) == 17
    return body17 + ric.calc_check_digit(body17 + "0")


def make_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def with_wrong_check(n: str) -> str:
    wrong = "0" if n[-1] != "0" else "1"
    return n[:-1] + wrong


# ---------------------------------------------------------------- resident ID: accepted


@pytest.mark.parametrize(
    ("raw", "number", "birth", "region"),
    [
        (STANDARD_EXAMPLE, STANDARD_EXAMPLE, date(1949, 12, 31), "北京市"),
        ("11010519491231002x", STANDARD_EXAMPLE, date(1949, 12, 31), "北京市"),
        (to_fullwidth("11010519491231002x"), STANDARD_EXAMPLE, date(1949, 12, 31), "北京市"),
        ("  110105 19491231 002X\n", STANDARD_EXAMPLE, date(1949, 12, 31), "北京市"),
        (make_id("52010219900307123"), make_id("52010219900307123"), date(1990, 3, 7), "贵州省"),
        (make_id("33010620000229004"), make_id("33010620000229004"), date(2000, 2, 29), "浙江省"),
        # born today is allowed
        (make_id("11010520260601001"), make_id("11010520260601001"), TODAY, "北京市"),
    ],
    ids=["standard", "lowercase_x", "fullwidth", "spaces", "guizhou", "leap_day", "born_today"],
)
def test_r1_valid_resident_id_is_accepted_and_normalised(
    raw: str, number: str, birth: date, region: str
) -> None:
    result = check_resident_id(raw, today=TODAY)
    assert result == IdentifierCheck(
        number=number, kind="resident_id", warnings=(), birth_date=birth, region=region
    )


def test_r1_standard_example_check_digit_is_x() -> None:
    assert make_id("11010519491231002") == STANDARD_EXAMPLE


# ---------------------------------------------------------------- resident ID: refused


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "length"),
        ("   ", "length"),
        (STANDARD_EXAMPLE[:17], "length"),
        (STANDARD_EXAMPLE + "0", "length"),
        ("1101051949123100AX", "format"),
        ("11010519491231002A", "format"),
        ("11010519491231002٣", "format"),  # Arabic-Indic digit is not an ASCII digit
        (with_wrong_check(STANDARD_EXAMPLE), "checksum"),
        ("110105194912310021", "checksum"),
        (make_id("11010520000230001"), "birth_date"),  # 2月30日
        (make_id("11010520010229001"), "birth_date"),  # 2001 is not a leap year
        (make_id("11010519901301001"), "birth_date"),  # month 13
        (make_id("11010520260602001"), "birth_date"),  # tomorrow
        (make_id("11010520990101001"), "birth_date"),  # far future
        (make_id("11010518991231001"), "birth_date"),  # before 1900
        (make_id("99010519900101001"), "province"),
        (make_id("00010519900101001"), "province"),
        (make_id("24010519900101001"), "province"),
        (make_id("55010519900101001"), "province"),
    ],
    ids=[
        "empty",
        "blank",
        "17_chars",
        "19_chars",
        "letter_in_body",
        "bad_check_char",
        "non_ascii_digit",
        "bad_check_digit_x",
        "bad_check_digit",
        "feb_30",
        "feb_29_non_leap",
        "month_13",
        "tomorrow",
        "future",
        "before_1900",
        "province_99",
        "province_00",
        "province_24",
        "province_55",
    ],
)
def test_r1_resident_id_defect_is_refused_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_resident_id(raw, today=TODAY)
    err = exc.value
    assert err.code == "invalid_resident_id"
    assert err.status == 400
    assert err.details["reason"] == reason
    assert err.message_zh.startswith("居民身份证号码无效")
    assert str(err).startswith("invalid_resident_id: Invalid resident ID number")


def test_r1_resident_id_bad_check_digit_is_refused() -> None:
    with pytest.raises(DomainError) as exc:
        check_resident_id("110105194912310020", today=TODAY)
    assert exc.value.details["reason"] == "checksum"
    assert "校验码" in exc.value.message_zh
    assert "check character" in exc.value.message_en


# ---------------------------------------------------------------- resident ID: warnings


def test_r1_county_younger_than_holder_is_only_a_warning() -> None:
    # 450327 灌阳县 was created in 1998; a holder born in 1996 carries it legitimately.
    number = make_id("45032719960101001")
    assert not ric.is_valid(number)  # stdnum alone would refuse this real-world shape
    result = check_resident_id(number, today=TODAY)
    assert result.warnings == ("county_unknown_for_birth_year",)
    assert result.region == "广西壮族自治区"
    assert result.birth_date == date(1996, 1, 1)


def test_r1_county_existing_at_birth_gives_no_warning() -> None:
    result = check_resident_id(make_id("45032719990101001"), today=TODAY)
    assert result.warnings == ()


def test_r1_county_unknown_to_table_is_only_a_warning() -> None:
    # 110199 is not a Beijing county in stdnum's table; the province is still real.
    result = check_resident_id(make_id("11019919900101001"), today=TODAY)
    assert result.warnings == ("county_unknown_for_birth_year",)
    assert result.region == "北京市"


@pytest.mark.parametrize(
    ("body", "region"),
    [
        ("81000020000101001", "香港特别行政区"),
        ("82000020000101001", "澳门特别行政区"),
        ("83000020000101001", "台湾省"),
    ],
)
def test_r1_residence_permit_numbers_pass_with_warning(body: str, region: str) -> None:
    result = check_resident_id(make_id(body), today=TODAY)
    assert "residence_permit" in result.warnings
    assert result.region == region


# --------------------------------------------------------------------------------- USCC


@pytest.mark.parametrize(("code", "region"), REAL_USCCS)
def test_r1_real_uscc_codes_pass(code: str, region: str | None) -> None:
    result = check_uscc(code)
    assert result == IdentifierCheck(number=code, kind="uscc", warnings=(), region=region)
    assert registration_authority(code) == "工商（市场监管）"
    assert org_type(code) == "企业"


@pytest.mark.parametrize(
    "raw",
    [
        "9144030010001686xa",
        to_fullwidth("9144030010001686XA"),
        " 91440300-10001686XA ",
    ],
    ids=["lowercase", "fullwidth", "separators"],
)
def test_r1_uscc_is_normalised(raw: str) -> None:
    assert check_uscc(raw).number == "9144030010001686XA"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "length"),
        ("91520000214434146", "length"),
        ("91520000214434146R0", "length"),
        ("91520000214434146I", "format"),  # I is not in the alphabet
        ("9152000021443414OR", "format"),  # O neither
        ("91520000214434146!", "format"),
        ("9152A000214434146R", "format"),  # division code must be digits
        (with_wrong_check("91520000214434146R"), "checksum"),
        ("91520000214434146Q", "checksum"),
    ],
)
def test_r1_uscc_defect_is_refused_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_uscc(raw)
    assert exc.value.code == "invalid_uscc"
    assert exc.value.status == 400
    assert exc.value.details["reason"] == reason


@pytest.mark.parametrize(
    ("body", "authority", "kind"),
    [
        ("Y1520102MA6DXXXX0", "其他", "其他"),
        ("N2520102MA6DXXXX0", "农业（农业农村）", "村级集体经济组织"),
        ("A1110000MA00XXXX0", "中央军委改革和编制办公室", "军队事业单位"),
    ],
)
def test_r1_uscc_letter_authority_codes_pass_although_stdnum_refuses(
    body: str, authority: str, kind: str
) -> None:
    code = make_uscc(body)
    assert not uscc.is_valid(code)  # stdnum wants digits in chars 1-8
    result = check_uscc(code)
    assert result.warnings == ()
    assert registration_authority(code) == authority
    assert org_type(code) == kind


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        ("B1520102MA6DXXXX0", "registration_authority_unknown"),
        ("97520102MA6DXXXX0", "org_type_unknown"),
        ("91990000MA6DXXXX0", "region_unknown"),
    ],
)
def test_r1_uscc_unknown_codes_are_warnings(body: str, warning: str) -> None:
    assert check_uscc(make_uscc(body)).warnings == (warning,)


@pytest.mark.parametrize(
    ("code", "authority", "kind"),
    [
        ("91", "工商（市场监管）", "企业"),
        ("92", "工商（市场监管）", "个体工商户"),
        ("93", "工商（市场监管）", "农民专业合作社"),
        ("11", "机构编制", "机关"),
        ("12", "机构编制", "事业单位"),
        ("51", "民政", "社会团体"),
        ("52", "民政", "民办非企业单位"),
        ("53", "民政", "基金会"),
        ("Y1", "其他", "其他"),
        ("y1", "其他", "其他"),
        ("B1", None, None),
        ("9", "工商（市场监管）", None),
        ("", None, None),
    ],
)
def test_r1_uscc_authority_and_type_tables(
    code: str, authority: str | None, kind: str | None
) -> None:
    assert registration_authority(code) == authority
    assert org_type(code) == kind


@pytest.mark.parametrize(
    ("code", "division"),
    [
        ("91520000214434146R", "520000"),
        ("9144030010001686XA", "440300"),
        ("91350900587527783P", "350900"),
    ],
)
def test_r32_uscc_region_code_is_chars_3_to_8(code: str, division: str) -> None:
    assert region_code(code) == division


# ------------------------------------------------------------------------------ masking


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (STANDARD_EXAMPLE, "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_r26_mask_resident_id(raw: str, masked: str) -> None:
    assert mask_resident_id(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "+86 1**-****-5678"),
        ("０２１－１２３４５６７８", "021-****5678"),
        ("12345", "***45"),
    ],
)
def test_r26_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


# --------------------------------------------------------------------------- DomainError


def test_domain_error_carries_code_messages_status_and_details() -> None:
    err = DomainError("x_code", "中文", "English", status=409, details={"a": 1})
    assert (err.code, err.message_zh, err.message_en, err.status) == (
        "x_code",
        "中文",
        "English",
        409,
    )
    assert err.details == {"a": 1}
    assert str(err) == "x_code: English"
    assert DomainError("c", "z", "e").status == 422
    assert DomainError("c", "z", "e").details == {}
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.code, copy.status, copy.details) == ("x_code", 409, {"a": 1})
