"""Identity numbers used for real-name registration (REQUIREMENTS R1, R32).

* Natural persons: resident identity number, GB 11643-1999 — 18 characters:
  address code (6, GB/T 2260) + birth date (8, YYYYMMDD) + order code (3) +
  check character (ISO 7064 MOD 11-2, ``0``–``9`` or ``X``).
* Organisations: unified social credit code (USCC), GB 32100-2015 — 18 characters
  over ``0-9A-Z`` without ``I O S V Z``: registration-authority code (1) +
  organisation-type code (1) + administrative division of the registering
  authority (6 digits, GB/T 2260) + entity code (9, the former organisation code)
  + check character (ISO 7064 MOD 31-3).

Pure: stdlib and python-stdnum only.  Hard failures raise
:class:`~dataip.domain.errors.DomainError` (status 400) with ``details["reason"]``;
soft findings are returned as ``IdentifierCheck.warnings``.

Notes on python-stdnum (2.2) that shaped this module:

* ``stdnum.cn.ric.validate`` also rejects a number whose county code did not exist
  yet in the birth year (its table records ``[1998-]灌阳县`` for 450327).  People
  carry codes assigned later (re-issued cards, moved registrations), so that check
  is only a warning here (``county_unknown_for_birth_year``).
* ``stdnum.cn.ric.calc_check_digit`` expects the number *including* a check
  position (it drops the last character); passing 17 digits silently yields a
  wrong digit.
* ``stdnum.cn.uscc.validate`` requires characters 1–8 to be digits, so it refuses
  GB 32100 codes whose authority code is a letter (``A``, ``N``, ``Y``).  The
  structure is therefore checked here and only the check character comes from
  ``stdnum.cn.uscc.calc_check_digit``.
* ``stdnum.cn.ric.get_birth_place`` raises a bare ``KeyError`` (not a
  ``ValidationError``) for a known province with an unknown county (e.g. 110199).
* stdnum's ``compact`` maps full-width digits but not full-width letters
  (``ｘ`` stays ``Ｘ``); :func:`normalise` applies NFKC first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from dataip.domain.errors import DomainError

__all__ = [
    "PROVINCES",
    "REGISTRATION_AUTHORITIES",
    "RESIDENCE_PERMIT_PREFIXES",
    "USCC_ORG_TYPES",
    "IdentifierCheck",
    "check_resident_id",
    "check_uscc",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "normalise",
    "org_type",
    "province_name",
    "region_code",
    "registration_authority",
]

KIND_RESIDENT_ID: Final = "resident_id"
KIND_USCC: Final = "uscc"

#: Province-level codes of GB/T 2260 (first two digits of a 6-digit division code).
#: ``83`` is not a GB/T 2260 code: it is the address code (830000) of residence
#: permits for Taiwan residents, which share the GB 11643 layout.
PROVINCES: Final[dict[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾省",
}

#: Address-code prefixes of residence permits for Hong Kong, Macao and Taiwan
#: residents (港澳台居民居住证, numbers 810000…/820000…/830000…).  Valid, but flagged
#: with the warning ``residence_permit`` because they are verified differently.
RESIDENCE_PERMIT_PREFIXES: Final[frozenset[str]] = frozenset({"81", "82", "83"})

#: GB 32100 character 1: registration-management authority (登记管理部门代码).
REGISTRATION_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业（农业农村）",
    "Y": "其他",
}

#: GB 32100 character 2 (机构类别代码), by authority code.
USCC_ORG_TYPES: Final[dict[str, dict[str, str]]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

#: Division code used by national-level registration authorities (e.g. 911000001000013428).
NATIONAL_DIVISION_PREFIX: Final = "10"

_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SEPARATORS: Final = re.compile(r"[\s\-]+")
_EARLIEST_BIRTH: Final = date(1900, 1, 1)


@dataclass(frozen=True)
class IdentifierCheck:
    """Outcome of a successful identifier check."""

    number: str
    kind: str
    warnings: tuple[str, ...] = ()
    birth_date: date | None = None
    region: str | None = None


def normalise(raw: str) -> str:
    """NFKC (full-width → ASCII), drop whitespace and hyphens, upper-case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def province_name(division_code: str) -> str | None:
    """Province name for a GB/T 2260 division code (only its first 2 digits are read)."""
    return PROVINCES.get(division_code[:2])


_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)


def _short_province(name: str) -> str:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def province_code(name: str) -> str | None:
    """The 2-digit GB/T 2260 code of a province-level division named in full (贵州省,
    广西壮族自治区) or short (贵州, 广西); None for any other text."""
    wanted = name.strip()
    if not wanted:
        return None
    for code, full in PROVINCES.items():
        if code != "83" and wanted in (full, _short_province(full)):
            return code
    return None


# --------------------------------------------------------------------------- resident ID


def _ric_error(reason: str, zh: str, en: str, number: str) -> DomainError:
    return DomainError(
        "invalid_resident_id",
        f"居民身份证号码无效：{zh}",
        f"Invalid resident ID number: {en}",
        status=400,
        details={"reason": reason, "length": len(number)},
    )


def check_resident_id(raw: str, *, today: date) -> IdentifierCheck:
    """Check a GB 11643 resident identity number (18 characters).

    Raises ``DomainError("invalid_resident_id")`` with ``details["reason"]`` one of
    ``length``, ``format``, ``checksum``, ``birth_date``, ``province``.  A county code
    that stdnum's table does not know for the birth year is only a warning.
    """
    number = normalise(raw)
    if len(number) != 18:
        raise _ric_error(
            "length",
            f"应为18位，实际为{len(number)}位",
            f"must be 18 characters long, got {len(number)}",
            number,
        )
    if not (number[:17].isascii() and number[:17].isdigit()):
        raise _ric_error(
            "format", "前17位必须是数字", "the first 17 characters must be digits", number
        )
    if not (number[17] == "X" or (number[17].isascii() and number[17].isdigit())):
        raise _ric_error(
            "format", "第18位校验码只能是数字或X", "the 18th character must be a digit or X", number
        )
    # ric.calc_check_digit ignores the last character of its argument.
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise _ric_error(
            "checksum",
            "第18位校验码不正确（ISO 7064 MOD 11-2）",
            "check character is wrong (ISO 7064 MOD 11-2)",
            number,
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _ric_error(
            "birth_date",
            f"第7–14位出生日期{number[6:14]}不存在",
            f"birth date {number[6:14]} (characters 7-14) does not exist",
            number,
        ) from None
    if birth > today:
        raise _ric_error(
            "birth_date",
            f"出生日期{birth.isoformat()}晚于今天",
            f"birth date {birth.isoformat()} is in the future",
            number,
        )
    if birth < _EARLIEST_BIRTH:
        raise _ric_error(
            "birth_date",
            f"出生日期{birth.isoformat()}早于1900年",
            f"birth date {birth.isoformat()} is before 1900",
            number,
        )
    province = PROVINCES.get(number[:2])
    if province is None:
        raise _ric_error(
            "province",
            f"前2位{number[:2]}不是有效的省级行政区划代码（GB/T 2260）",
            f"the first 2 digits {number[:2]} are not a province code (GB/T 2260)",
            number,
        )
    warnings: list[str] = []
    if number[:2] in RESIDENCE_PERMIT_PREFIXES:
        warnings.append("residence_permit")
    try:
        ric.get_birth_place(number)
    except (ValidationError, KeyError, ValueError):
        # stdnum raises KeyError, not InvalidComponent, when the province is in its
        # table but the county is not (e.g. 110199).
        warnings.append("county_unknown_for_birth_year")
    return IdentifierCheck(
        number=number,
        kind=KIND_RESIDENT_ID,
        warnings=tuple(warnings),
        birth_date=birth,
        region=province,
    )


# --------------------------------------------------------------------------------- USCC


def _uscc_error(reason: str, zh: str, en: str, number: str) -> DomainError:
    return DomainError(
        "invalid_uscc",
        f"统一社会信用代码无效：{zh}",
        f"Invalid unified social credit code: {en}",
        status=400,
        details={"reason": reason, "length": len(number)},
    )


def check_uscc(raw: str) -> IdentifierCheck:
    """Check a GB 32100 unified social credit code (18 characters).

    Raises ``DomainError("invalid_uscc")`` with ``details["reason"]`` one of
    ``length``, ``format``, ``checksum``.  Unknown authority / type codes and an
    unknown province in the division code are warnings
    (``registration_authority_unknown``, ``org_type_unknown``, ``region_unknown``).
    """
    number = normalise(raw)
    if len(number) != 18:
        raise _uscc_error(
            "length",
            f"应为18位，实际为{len(number)}位",
            f"must be 18 characters long, got {len(number)}",
            number,
        )
    bad = [c for c in number if c not in _USCC_ALPHABET]
    if bad:
        raise _uscc_error(
            "format",
            f"含有不允许的字符{''.join(sorted(set(bad)))}（只用数字和除I、O、S、V、Z外的大写字母）",
            f"characters {''.join(sorted(set(bad)))!r} are not allowed "
            "(digits and upper-case letters except I, O, S, V, Z)",
            number,
        )
    if not number[2:8].isdigit():
        raise _uscc_error(
            "format",
            "第3–8位行政区划码必须是数字",
            "characters 3-8 (administrative division) must be digits",
            number,
        )
    if number[17] != uscc.calc_check_digit(number[:17]):
        raise _uscc_error(
            "checksum",
            "第18位校验码不正确",
            "check character is wrong (GB 32100)",
            number,
        )
    warnings: list[str] = []
    if registration_authority(number) is None:
        warnings.append("registration_authority_unknown")
    elif org_type(number) is None:
        warnings.append("org_type_unknown")
    region = province_name(number[2:8])
    if region is None and not number[2:8].startswith(NATIONAL_DIVISION_PREFIX):
        warnings.append("region_unknown")
    return IdentifierCheck(number=number, kind=KIND_USCC, warnings=tuple(warnings), region=region)


def registration_authority(code: str) -> str | None:
    """Chinese name of the registration authority (USCC character 1), or None."""
    return REGISTRATION_AUTHORITIES.get(normalise(code)[:1])


def org_type(code: str) -> str | None:
    """Chinese name of the organisation type (USCC characters 1–2), or None."""
    n = normalise(code)
    if len(n) < 2:
        return None
    return USCC_ORG_TYPES.get(n[0], {}).get(n[1])


def region_code(code: str) -> str:
    """The 6-digit administrative division of the registering authority (chars 3–8)."""
    return normalise(code)[2:8]


# ------------------------------------------------------------------------------ masking


def mask_name(name: str) -> str:
    """A natural person's name as public notices show it: the surname only, ``张**``."""
    return name[:1] + "*" * (len(name) - 1)


def mask_resident_id(n: str) -> str:
    """Keep the first 6 and last 4 characters: ``110105********002X``.

    Inputs too short to keep 10 characters are masked entirely.
    """
    s = normalise(n)
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_phone(n: str) -> str:
    """Mask the middle digits of a phone number: ``138****5678``.

    Keeps the first 3 and last 4 digits (separators and a leading ``+`` stay in
    place); numbers with fewer than 8 digits keep only their last 2 digits.
    """
    s = unicodedata.normalize("NFKC", n).strip()
    digits = sum(c.isdigit() for c in s)
    keep_head, keep_tail = (3, 4) if digits >= 8 else (0, 2)
    out: list[str] = []
    i = 0
    for c in s:
        if c.isdigit():
            out.append(c if i < keep_head or i >= digits - keep_tail else "*")
            i += 1
        else:
            out.append(c)
    return "".join(out)
