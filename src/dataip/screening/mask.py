"""De-identification for display (GB/T 37964-2019 《个人信息去标识化指南》 techniques).

Four of the standard's techniques, chosen per kind:

* masking (屏蔽) — identifiers keep only what a person needs to recognise a record of their
  own: ``110105********002X``, ``138****5678``, ``6222 **** **** 1234``, ``z***@example.com``;
  names keep the surname (``张*``, ``欧阳**``);
* generalisation (泛化) — an address is cut to its province/city part, a birth date to its year;
* keyed pseudonymisation (假名化) — HMAC-SHA256 under the registry's key, truncated: the same
  value always gives the same pseudonym, which cannot be reversed or recomputed without the
  key (a plain hash of a name or a phone number can be, by enumeration);
* suppression (抑制) — health information is not shown at all.

Every function returns text that does not contain the raw value; reports only ever carry
what comes out of here.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = [
    "COMPOUND_SURNAMES",
    "TECHNIQUES",
    "TECHNIQUE_LABELS",
    "generalise_address",
    "generalise_date",
    "mask_name",
    "mask_value",
    "pseudonymise",
    "technique_for",
]

SUPPRESSED = "[已隐去 suppressed]"

# kind -> GB/T 37964 technique used for it in the preview
TECHNIQUES = {
    "resident_id": "masking",
    "uscc": "masking",
    "mobile": "masking",
    "landline": "masking",
    "bank_card": "masking",
    "email": "masking",
    "ipv4": "masking",
    "ipv6": "masking",
    "passport": "masking",
    "hk_macau_permit": "masking",
    "plate": "masking",
    "person_name": "pseudonymisation",
    "address": "generalisation",
    "birth_date": "generalisation",
    "health": "suppression",
}
TECHNIQUE_LABELS: dict[str, tuple[str, str]] = {
    "masking": ("屏蔽", "masking"),
    "generalisation": ("泛化", "generalisation"),
    "pseudonymisation": ("假名化", "pseudonymisation"),
    "suppression": ("抑制", "suppression"),
}
# when one column holds several kinds, the strongest technique wins
_STRENGTH = {"suppression": 3, "generalisation": 2, "pseudonymisation": 1, "masking": 0}

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 "  # noqa: SIM905
    "独孤 南宫 西门 百里 呼延 澹台 公冶 宗政 濮阳 太叔 申屠 钟离 闾丘 万俟 司空 第五".split()
)


def technique_for(kinds: set[str] | frozenset[str], *, have_key: bool) -> str:
    """The technique a column with these kinds gets (pseudonymisation needs a key)."""
    best = "masking"
    for kind in kinds:
        t = TECHNIQUES.get(kind, "masking")
        if t == "pseudonymisation" and not have_key:
            t = "masking"
        if _STRENGTH[t] > _STRENGTH[best]:
            best = t
    return best


def _stars(n: int) -> str:
    return "*" * max(n, 1)


def mask_value(kind: str, value: str) -> str:
    """A masked rendering of one canonical value of a kind (see the module docstring)."""
    n = len(value)
    if kind == "resident_id":
        return value[:6] + "*" * 8 + value[14:]
    if kind == "mobile":
        return value[:3] + "****" + value[7:]
    if kind == "landline":
        area = 3 if value[1] in "12" else 4
        return value[:area] + "-" + _stars(n - area - 2) + value[-2:]
    if kind == "bank_card":
        middle = "*" * (n - 8)
        grouped = " ".join(middle[i : i + 4] for i in range(0, len(middle), 4))
        return f"{value[:4]} {grouped} {value[-4:]}"
    if kind == "uscc":
        return value[:8] + "*" * 8 + value[-2:]
    if kind == "email":
        name, _, host = value.partition("@")
        return f"{name[:1]}***@{host}"
    if kind == "ipv4":
        a, b, _c, _d = value.split(".")
        return f"{a}.{b}.*.*"
    if kind == "ipv6":
        head = value.split(":")[:2]
        return ":".join(head) + ":*:*"
    if kind in ("passport", "hk_macau_permit"):
        return value[:1] + _stars(n - 3) + value[-2:]
    if kind == "plate":
        return value[:2] + _stars(n - 4) + value[-2:]
    if kind == "person_name":
        return mask_name(value)
    if kind == "address":
        return generalise_address(value)
    if kind == "birth_date":
        return generalise_date(value)
    return SUPPRESSED


def mask_name(name: str) -> str:
    """Keep the surname (``张*``, ``欧阳**``); anything else keeps its first character."""
    name = name.strip()
    if not name:
        return ""
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(len(name) - keep, 1)


_ADMIN = re.compile(
    r"^(.{1,10}?(?:省|自治区|特别行政区))?(.{1,10}?(?:市|自治州|地区|盟))?(.{1,10}?(?:区|县|旗))?"
)


def generalise_address(address: str) -> str:
    """Province and city (prefecture) of an address; ``…`` marks what was cut."""
    m = _ADMIN.match(address.strip())
    head = ""
    if m:
        province, city, county = m.groups()
        head = (province or "") + (city or "")
        if not head and county:
            head = county  # e.g. "桂花县…" with no province or city
    return f"{head}…" if head else SUPPRESSED


_DATE = re.compile(r"((?:19|20)[0-9]{2})")


def generalise_date(value: str) -> str:
    """A date to its year (``1990年``)."""
    m = _DATE.search(value)
    return f"{m.group(1)}年" if m else SUPPRESSED


def pseudonymise(value: str, key: bytes, *, length: int = 12) -> str:
    """HMAC-SHA256(key, value) in hex, truncated: ``P-3fa9c2d1e4b7``."""
    digest = hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"P-{digest[:length]}"
