"""The application form (登记申请书): every item of G§7 / R5 as typed, checked fields.

Drafts may be incomplete; `check_complete` lists every defect at once (the same list an examiner's
consolidated correction notice is built from). Enumerations carry an "other + text" escape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataip.domain.errors import DomainError

SCENARIOS: dict[str, tuple[str, str]] = {
    "eco_environment": ("生态环境", "Eco-environment"),
    "transport": ("交通运输", "Transport"),
    "sci_tech": ("科技创新", "Sci-tech innovation"),
    "healthcare": ("医疗健康", "Healthcare"),
    "public_service": ("公共服务", "Public service"),
    "education_culture": ("教育文化", "Education & culture"),
    "geospatial": ("地理空间", "Geospatial"),
    "labour_employment": ("劳动就业", "Labour & employment"),
    "credit_service": ("信用服务", "Credit service"),
    "other": ("其他", "Other"),
}
PRACTICAL_VALUES: dict[str, tuple[str, str]] = {
    "analysis_evaluation": ("分析评价", "Analysis / evaluation"),
    "risk_identification": ("风险识别", "Risk identification"),
    "dispatch_decision": ("调度决策", "Dispatch / decision"),
    "precision_marketing": ("精准营销", "Precision marketing"),
    "enterprise_management": ("企业管理", "Enterprise management"),
    "industry_service": ("产业服务", "Industry service"),
    "disaster_prevention": ("防灾防害", "Disaster prevention"),
    "other": ("其他", "Other"),
}
SOURCE_KINDS: dict[str, tuple[str, str]] = {
    "personal": ("个人数据", "Personal data"),
    "enterprise": ("企业数据", "Enterprise data"),
    "public": ("公共数据", "Public data"),
}
ACQUISITION_METHODS: dict[str, tuple[str, str]] = {
    "self_generated": ("自行产生", "Self-generated"),
    "agreement": ("协议获得", "Obtained by agreement"),
    "public_collection": ("公开收集", "Public collection"),
    "public_authorisation": ("公共数据授权", "Public-data authorisation"),
    "other": ("其他", "Other"),
}
UPDATE_FREQUENCIES: dict[str, tuple[str, str]] = {
    "realtime": ("实时", "Real time"),
    "daily": ("每日", "Daily"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
    "quarterly": ("每季度", "Quarterly"),
    "yearly": ("每年", "Yearly"),
    "irregular": ("不定期", "Irregular"),
    "static": ("不更新", "Not updated"),
    "other": ("其他", "Other"),
}
DATA_FORMATS: dict[str, tuple[str, str]] = {
    "excel": ("Excel", "Excel"),
    "csv": ("CSV", "CSV"),
    "xml": ("XML", "XML"),
    "json": ("JSON", "JSON"),
    "graph_database": ("图形数据库", "Graph database"),
    "relational_database": ("关系型数据库", "Relational database"),
    "text": ("文本", "Text"),
    "image": ("图像", "Image"),
    "audio_video": ("音视频", "Audio / video"),
    "other": ("其他", "Other"),
}
ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "scenarios": SCENARIOS,
    "practical_values": PRACTICAL_VALUES,
    "source_kinds": SOURCE_KINDS,
    "acquisition_methods": ACQUISITION_METHODS,
    "data_formats": DATA_FORMATS,
}

# G§7(1): "main application scenario + data collection" (数据集合), e.g. 城市交通拥堵预测数据集.
# A bare "…数据" names no collection: 交通数据 is a field of data, not a scenario's data set.
COLLECTION_SUFFIXES = ("数据集合", "数据集", "数据库", "数据资源", "数据产品")
NAME_MAX = 100
TEXT_MAX = 5000
SHARE_TOTAL_BP = 10_000  # shares in basis points: 100% = 10 000

COMMITMENT_TEXT_ZH = (
    "本申请人承诺：所提交的登记申请事项及材料真实、合法、有效，数据来源合法合规，"
    "不危害国家安全、公共利益和他人合法权益，如有不实，愿承担相应法律责任。"
)
COMMITMENT_TEXT_EN = (
    "The applicant declares that the filing and its materials are true, lawful and valid, that "
    "the data were lawfully obtained, and accepts legal responsibility for any untruth."
)


@dataclass(frozen=True)
class Defect:
    """One item of a consolidated correction notice (补正事项)."""

    field: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "zh": self.zh, "en": self.en}


def check_name(name: str) -> Defect | None:
    """G§7(1): the name reads "scenario + data collection" (e.g. 城市交通拥堵预测数据集)."""
    name = name.strip()
    if not name:
        return Defect("name", "required", "请填写数据知识产权名称", "the name is required")
    if len(name) > NAME_MAX:
        return Defect("name", "too_long", f"名称不得超过{NAME_MAX}字", f"max {NAME_MAX} chars")
    suffix = next((s for s in COLLECTION_SUFFIXES if name.endswith(s)), None)
    if suffix is None or len(name) - len(suffix) < 2 or not re.search(r"[\u4e00-\u9fff]", name):
        return Defect(
            "name",
            "name_pattern",
            "名称应为“主要应用场景+数据集合”格式，如“城市交通拥堵预测数据集”",
            "the name must read 'main scenario + data collection', e.g. 城市交通拥堵预测数据集",
        )
    return None


def _enum_defects(form: Mapping[str, Any], key: str, label_zh: str, label_en: str) -> list[Defect]:
    block = form.get(key) or {}
    values = block.get("values") if isinstance(block, Mapping) else None
    if not values:
        return [Defect(key, "required", f"请选择{label_zh}", f"choose at least one {label_en}")]
    out: list[Defect] = []
    unknown = [v for v in values if v not in ENUMS[key]]
    if unknown:
        out.append(
            Defect(
                key,
                "unknown_value",
                f"{label_zh}含无效选项：{unknown}",
                f"unknown {label_en}: {unknown}",
            )
        )
    if "other" in values and not str(block.get("other_text") or "").strip():
        out.append(
            Defect(
                key,
                "other_text_required",
                f"选择“其他”时须说明{label_zh}",
                f"'other' {label_en} needs a description",
            )
        )
    return out


def _text(form: Mapping[str, Any], path: str) -> str:
    cur: Any = form
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, Mapping) else None
    return str(cur or "").strip()


REQUIRED_TEXT: tuple[tuple[str, str, str], ...] = (
    ("practical_values.description", "实用价值说明", "practical value description"),
    ("intellectual_achievement", "智力成果属性说明", "intellectual-achievement attributes"),
    ("processing_rules", "规则或算法说明", "processing rules or algorithm description"),
    ("scope.coverage", "数据覆盖范围", "scope / coverage"),
    ("update.term", "更新期限说明", "update term"),
)


def check_complete(
    form: Mapping[str, Any],
    *,
    industry_is_class: Callable[[str], bool],
    today: date,
    skip: frozenset[str] = frozenset(),
) -> list[Defect]:
    """Every defect of a form against G§7 / R5, all at once (一次性告知). `skip` names items
    another register does not require (`domain.registers.DATA_IP_ONLY`)."""
    defects: list[Defect] = []
    d = check_name(str(form.get("name") or ""))
    if d:
        defects.append(d)
    code = str(form.get("industry_code") or "")
    if not code:
        defects.append(
            Defect(
                "industry_code",
                "required",
                "请选择所属国民经济行业",
                "choose an industry class (GB/T 4754-2017)",
            )
        )
    elif not industry_is_class(code):
        defects.append(
            Defect(
                "industry_code",
                "not_a_class",
                f"行业代码{code}不是GB/T 4754-2017的小类",
                f"{code} is not a GB/T 4754-2017 class",
            )
        )
    defects += _enum_defects(form, "scenarios", "应用场景", "application scenario")
    if "practical_values" not in skip:
        defects += _enum_defects(form, "practical_values", "实用价值", "practical value")
    defects += _enum_defects(form, "source_kinds", "数据来源类型", "data source kind")
    defects += _enum_defects(form, "acquisition_methods", "数据获得方式", "acquisition method")
    defects += _enum_defects(form, "data_formats", "数据格式", "data format")
    for path, zh, en in REQUIRED_TEXT:
        if path in skip:
            continue
        value = _text(form, path)
        if not value:
            defects.append(Defect(path, "required", f"请填写{zh}", f"{en} is required"))
        elif len(value) > TEXT_MAX:
            defects.append(
                Defect(path, "too_long", f"{zh}不得超过{TEXT_MAX}字", f"{en}: max {TEXT_MAX} chars")
            )
    kinds = set((form.get("source_kinds") or {}).get("values") or [])
    # G§7(7): personal or public data → explain the anonymisation / de-identification applied.
    if kinds & {"personal", "public"} and not _text(form, "anonymisation"):
        defects.append(
            Defect(
                "anonymisation",
                "required",
                "涉及个人数据或公共数据的，须说明匿名化、去标识化处理情况",
                "personal or public data: explain the anonymisation applied",
            )
        )
    methods = set((form.get("acquisition_methods") or {}).get("values") or [])
    if "agreement" in methods and not _text(form, "agreement_end_date"):
        defects.append(
            Defect(
                "agreement_end_date",
                "required",
                "协议获得的数据须填写协议截止日期",
                "data obtained by agreement: give the agreement's end date",
            )
        )
    scope = form.get("scope") or {}
    if not isinstance(scope.get("records"), int) or scope.get("records", 0) <= 0:
        defects.append(
            Defect("scope.records", "required", "请填写数据记录数", "give the number of records")
        )
    if _text(form, "update.frequency") not in UPDATE_FREQUENCIES:
        defects.append(
            Defect("update.frequency", "required", "请选择更新频率", "choose an update frequency")
        )
    if not form.get("sample_blobs"):
        defects.append(Defect("sample_blobs", "required", "请上传样例数据", "upload sample data"))
    if methods & {"agreement", "public_authorisation"} and not form.get("source_proof_blobs"):
        defects.append(
            Defect(
                "source_proof_blobs",
                "required",
                "请上传数据来源证明材料（协议或授权文件）",
                "upload the agreement or authorisation proving the source",
            )
        )
    defects += check_evidence(form.get("evidence") or {}, today=today)
    if not form.get("commitment_accepted"):
        defects.append(
            Defect(
                "commitment_accepted", "required", "请签署承诺声明", "sign the commitment statement"
            )
        )
    return defects


def check_evidence(ev: Mapping[str, Any], *, today: date) -> list[Defect]:
    """G§8 / R6: evidenced on a trusted platform or notarised, before applying."""
    platform = all(
        str(ev.get(k) or "").strip() for k in ("platform", "certificate_number", "hash_value")
    )
    notary = all(
        str(ev.get(k) or "").strip() for k in ("notary_body", "notarial_certificate_number")
    )
    if not (platform or notary):
        return [
            Defect(
                "evidence",
                "evidence_required",
                "登记前须完成数据存证（存证平台、证书编号、哈希值）或公证（公证机构、公证书编号）",
                "evidence (platform, certificate number, hash) or notarisation is required",
            )
        ]
    out: list[Defect] = []
    hv = str(ev.get("hash_value") or "").strip()
    if hv and not re.fullmatch(r"(?i)(sha256:|sm3:)?[0-9a-f]{64}", hv):
        out.append(
            Defect(
                "evidence.hash_value",
                "invalid_hash",
                "存证哈希值应为64位十六进制",
                "the evidence hash must be 64 hex digits",
            )
        )
    on = str(ev.get("evidenced_on") or "")
    if not on:
        out.append(
            Defect(
                "evidence.evidenced_on",
                "required",
                "请填写存证或公证日期",
                "give the date of evidence or notarisation",
            )
        )
    else:
        try:
            if date.fromisoformat(on) > today:
                out.append(
                    Defect(
                        "evidence.evidenced_on",
                        "after_filing",
                        "存证或公证须在申请之前完成",
                        "evidence must predate the filing",
                    )
                )
        except ValueError:
            out.append(
                Defect("evidence.evidenced_on", "invalid_date", "日期格式无效", "invalid date")
            )
    return out


def evidence_hash(form: Mapping[str, Any]) -> str | None:
    """The normalised evidence hash (lower-case hex, no prefix) used for duplicate checks;
    None unless it is one (a draft may hold anything up to the form's limit until
    `check_evidence` refuses it at submission, but only a hash is compared and stored)."""
    hv = str((form.get("evidence") or {}).get("hash_value") or "").strip().lower()
    hv = hv.split(":", 1)[-1]
    return hv if re.fullmatch(r"[0-9a-f]{64}", hv) else None


@dataclass(frozen=True)
class Share:
    party_id: int
    share_bp: int
    rights_bounds: str


def blob_references(form: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every uploaded file a form names, as (dotted field, sha256): a key ending in `_blob`
    holds one, in `_blobs` a list (sample_blobs, source_proof_blobs,
    evidence.sample_proof_blob, and any such field added later). Values of another type are
    returned as they are (a lone value where a list belongs counts as one), for the caller
    to refuse: nothing that could name a file slips past an ownership check."""
    out: list[tuple[str, Any]] = []
    for key, value in form.items():
        field = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += blob_references(value, f"{field}.")
        elif value is None:
            continue
        elif key.endswith("_blob"):
            out.append((field, value))
        elif key.endswith("_blobs"):
            out += [(field, v) for v in (value if isinstance(value, list) else [value])]
    return out


def check_shares(shares: Sequence[Share]) -> None:
    """R3 / Z§4.3: joint applicants' agreed shares sum to 100 % and each states its bounds."""
    if not shares:
        raise DomainError(
            "applicants_required",
            "至少须有一名申请人",
            "at least one applicant is required",
            status=422,
        )
    ids = [s.party_id for s in shares]
    if len(set(ids)) != len(ids):
        raise DomainError(
            "duplicate_applicant", "共同申请人重复", "an applicant is listed twice", status=422
        )
    if any(s.share_bp <= 0 or s.share_bp > SHARE_TOTAL_BP for s in shares):
        raise DomainError(
            "invalid_share",
            "份额须大于0且不超过100%",
            "each share must be above 0 and at most 100%",
            status=422,
        )
    total = sum(s.share_bp for s in shares)
    if total != SHARE_TOTAL_BP:
        raise DomainError(
            "shares_not_100",
            f"共同申请人份额合计须为100%（当前{total / 100:g}%）",
            f"shares must sum to 100% (now {total / 100:g}%)",
            status=422,
            details={"total_bp": total},
        )
    if len(shares) > 1 and any(not s.rights_bounds.strip() for s in shares):
        raise DomainError(
            "rights_bounds_required",
            "共同申请须约定各方行使权利的边界",
            "joint applicants must state the bounds of exercising rights",
            status=422,
        )
