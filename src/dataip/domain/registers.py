"""The registers one deployment keeps (登记簿种类, R31, issue 24 §1): data intellectual property
(数据知识产权登记, the measures G§1–G§22) and data property (数据产权登记) — the three rights
the 2022 data-element opinions (《关于构建数据基础制度更好发挥数据要素作用的意见》, 数据二十条)
separate: holding the data resource (数据资源持有权), processing and using the data (数据加工
使用权), operating the data product (数据产品经营权).

Both registers run the one procedure engine (`domain.lifecycle`); what differs is data: the
register's profile (periods, numbering prefix, certificate type, its authority), its transition
table (`lifecycle.transitions_for`) and the form items each requires (`property_defects`).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Final, Literal

from dataip.domain.application import TEXT_MAX, Defect, check_complete
from dataip.domain.errors import DomainError
from dataip.domain.lifecycle import TRANSITIONS, Actor, Transition

RegisterKind = Literal["data_ip", "data_property"]
DATA_IP: Final = "data_ip"
DATA_PROPERTY: Final = "data_property"
REGISTERS: Final[tuple[str, ...]] = (DATA_IP, DATA_PROPERTY)

REGISTER_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    DATA_IP: ("数据知识产权登记", "Data IP registration"),
    DATA_PROPERTY: ("数据产权登记", "Data property registration"),
}
# what the certificate of each register is called (the credential's subject type, the PDF title)
CERTIFICATE_TYPES: Final[Mapping[str, tuple[str, str, str]]] = {
    DATA_IP: (
        "DataIntellectualProperty",
        "数据知识产权登记证书",
        "Data IP registration certificate",
    ),
    DATA_PROPERTY: (
        "DataPropertyRight",
        "数据产权登记证书",
        "Data property registration certificate",
    ),
}

# 数据二十条 (2022) §(三)–(六): the three rights a data property registration claims
PROPERTY_RIGHTS: Final[Mapping[str, tuple[str, str]]] = {
    "resource_holding": ("数据资源持有权", "right to hold the data resource"),
    "processing_use": ("数据加工使用权", "right to process and use the data"),
    "product_operation": ("数据产品经营权", "right to operate the data product"),
}

# items of the data IP form (G§7) that only data IP requires: a data property registration
# claims a right over data held, processed or operated, not an intellectual achievement
DATA_IP_ONLY: Final = frozenset(
    {"intellectual_achievement", "practical_values", "practical_values.description"}
)

# the data property items (issue 24 §1): the right claimed, where the data came from and on
# what legal basis it is held, and the applicant's compliance statement
PROPERTY_TEXT: Final[tuple[tuple[str, str, str], ...]] = (
    ("property.data_source", "数据来源说明", "the data's source"),
    ("property.legality_basis", "合法性依据", "the legality basis"),
    ("property.compliance_statement", "合规声明", "the compliance statement"),
)


def register_of(value: object) -> str:
    """A register kind as stored; anything else is not a register."""
    if value not in REGISTERS:
        raise ValueError(f"unknown register: {value!r}")
    return str(value)


def property_defects(form: Mapping[str, Any]) -> list[Defect]:
    """What a data property filing lacks beyond the shared form, all at once (一次性告知)."""
    prop = form.get("property") or {}
    out: list[Defect] = []
    rights = prop.get("rights") or []
    if not rights:
        out.append(
            Defect(
                "property.rights", "required", "请选择申请登记的权利", "choose the right(s) claimed"
            )
        )
    elif any(r not in PROPERTY_RIGHTS for r in rights):
        out.append(
            Defect("property.rights", "invalid", "申请登记的权利无效", "unknown right claimed")
        )
    for path, zh, en in PROPERTY_TEXT:
        value = str(prop.get(path.split(".", 1)[1]) or "").strip()
        if not value:
            out.append(Defect(path, "required", f"请填写{zh}", f"{en} is required"))
        elif len(value) > TEXT_MAX:
            out.append(
                Defect(path, "too_long", f"{zh}不得超过{TEXT_MAX}字", f"{en}: max {TEXT_MAX} chars")
            )
    if prop.get("compliance_statement") and not prop.get("compliance_accepted"):
        out.append(
            Defect(
                "property.compliance_accepted",
                "required",
                "请确认合规声明",
                "confirm the compliance statement",
            )
        )
    return out


def filing_defects(
    form: Mapping[str, Any],
    register: str,
    *,
    industry_is_class: Callable[[str], bool],
    today: date,
) -> list[Defect]:
    """Every defect of a filing in `register`: the shared form (G§7 / R5, less what only data
    IP requires) and, for data property, its own items."""
    if register != DATA_PROPERTY:
        return check_complete(form, industry_is_class=industry_is_class, today=today)
    shared = check_complete(
        form, industry_is_class=industry_is_class, today=today, skip=DATA_IP_ONLY
    )
    return shared + property_defects(form)


def rights_label(rights: list[str], lang: str = "zh") -> str:
    """The rights claimed as the certificate prints them."""
    i = 0 if lang == "zh" else 1
    sep = "、" if lang == "zh" else ", "
    return sep.join(PROPERTY_RIGHTS[r][i] for r in rights if r in PROPERTY_RIGHTS)


# Issue 24 §1 (R31): the data property register runs the same table, less the fast track
# (Z§2.1's 快捷通道 is data IP's). Where its authority is another body, the rows the registry
# acts on are that body's (`authority`); this registry's examiners then only watch.
_DATA_IP_ONLY_ACTIONS = frozenset({"request_fast_track", "grant_fast_track", "refuse_fast_track"})
_AUTHORITY: frozenset[Actor] = frozenset({"authority"})


def _forwarded(t: Transition) -> Transition:
    if "registry" not in t.actors:
        return t
    return replace(t, actors=(t.actors - frozenset({"registry"})) | _AUTHORITY)


_PROPERTY_TABLE = tuple(t for t in TRANSITIONS if t.action not in _DATA_IP_ONLY_ACTIONS)
_TABLES: dict[tuple[str, bool], tuple[Transition, ...]] = {
    ("data_ip", False): TRANSITIONS,
    ("data_property", False): _PROPERTY_TABLE,
    ("data_property", True): tuple(_forwarded(t) for t in _PROPERTY_TABLE),
}


def transitions_for(
    register: str = "data_ip", *, forwarded: bool = False
) -> tuple[Transition, ...]:
    """The transition table of a register (`domain.registers`); `forwarded`: its filings are
    decided by another body (the profile's `authority = "forward"`)."""
    try:
        return _TABLES[(register, forwarded and register != "data_ip")]
    except KeyError:
        raise DomainError(
            "unknown_register", "未知的登记类型", f"unknown register: {register}", status=422
        ) from None
