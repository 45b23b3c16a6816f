"""How the portal shows the screening of sample files (R26, issue 18): each file's state
(waiting, being screened, screened, could not be screened), what was found by kind in the
reader's language, or why the file could not be screened. The applicant sees it on the form
and on the application's page; the examiner's page shows the full (masked) report."""

from __future__ import annotations

from typing import Any

from dataip.services import screening

KIND_LABELS: dict[str, tuple[str, str]] = {
    "resident_id": ("居民身份证号", "resident ID number"),
    "uscc": ("统一社会信用代码", "unified social credit code"),
    "mobile": ("手机号码", "mobile number"),
    "landline": ("固定电话号码", "landline number"),
    "bank_card": ("银行卡号", "bank card number"),
    "email": ("电子邮箱", "e-mail address"),
    "ipv4": ("IPv4 地址", "IPv4 address"),
    "ipv6": ("IPv6 地址", "IPv6 address"),
    "passport": ("护照号码", "passport number"),
    "hk_macau_permit": ("港澳居民来往内地通行证号码", "Hong Kong/Macau travel permit number"),
    "plate": ("机动车号牌", "vehicle licence plate"),
    "person_name": ("姓名", "personal name"),
    "address": ("地址", "address"),
    "health": ("健康信息", "health information"),
    "birth_date": ("出生日期", "date of birth"),
}


def sample_states(checks: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """The application's sample files as the portal shows them, in the form's order."""
    en = lang == "en"
    out = []
    for s in (checks or {}).get("screening") or []:
        status = s.get("status") or screening.NOT_SCREENED
        zh_label, en_label = screening.STATUS_LABELS[status]
        error = s.get("error") or {}
        out.append(
            {
                "blob": s["blob"],
                "filename": s.get("filename") or s["blob"][:12],
                "status": status,
                "label": en_label if en else zh_label,
                "kinds": [KIND_LABELS.get(k, (k, k))[1 if en else 0] for k in s.get("kinds") or []],
                "has_personal_data": s.get("has_personal_data"),
                "error": (error.get("message_en") if en else error.get("message_zh")) or None,
                "code": error.get("code"),
            }
        )
    return out


def by_blob(states: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["blob"]: s for s in states}
