"""The four dimensions of a data IP's value (Z§4.2: 法律价值, 数据集合价值, 技术价值, 经济价值),
each a sub-score of 0..10 000 bp with the factors and evidence it was made from, and the legal
defects (法律瑕疵) that lower the legal dimension, each with the deduction it causes.

Every table below is part of the published method (docs/valuation.md states them): a score is
the sum of its factors' points, capped at 10 000; the legal dimension starts at 10 000 and
loses each defect's deduction, floored at 0, so a defect never raises a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Final

from dataip.domain.after_registration import REG_STATE_LABELS, RegState
from dataip.domain.application import UPDATE_FREQUENCIES
from dataip.value.valuation_model import (
    BP,
    CollectionFacts,
    EconomicFacts,
    Factor,
    Formula,
    LegalFacts,
    TechnicalFacts,
    pct,
    to_bp,
)

__all__ = [
    "AGREEMENT_SOON_DAYS",
    "DEDUCTIONS",
    "DIMENSIONS",
    "Defect",
    "Dimension",
    "collection_dimension",
    "economic_dimension",
    "legal_defects",
    "legal_dimension",
    "scale_points",
    "technical_dimension",
]

DIMENSIONS: Final[dict[str, tuple[str, str]]] = {
    "legal": ("法律价值", "legal value"),
    "collection": ("数据集合价值", "data-collection value"),
    "technical": ("技术价值", "technical value"),
    "economic": ("经济价值", "economic value"),
}

# A legal defect -> (deduction in bp, zh, en). One deduction per kind of defect, however many
# filings show it: the first pledge is what changes a lender's position.
DEDUCTIONS: Final[dict[str, tuple[int, str, str]]] = {
    "revocation_pending": (5000, "撤销审查中", "revocation pending"),
    "re_examination": (3000, "复审中", "under re-examination"),
    "frozen": (4000, "司法保全（冻结）中", "frozen by a court (preservation)"),
    "pledged": (2000, "质押中", "pledged"),
    "exclusive_licence": (1500, "存在独占许可", "an exclusive licence in force"),
    "agreement_ending": (
        2500,
        "数据获取协议即将到期",
        "the data agreement ends soon",
    ),
    "validity_ending": (1000, "登记有效期即将届满", "the registration expires soon"),
}
AGREEMENT_SOON_DAYS: Final = 180  # the agreement ends within this many days: a defect
VALIDITY_SOON_DAYS: Final = 90  # the registration expires within this many days: a defect


@dataclass(frozen=True)
class Defect:
    code: str
    deduction_bp: int
    evidence_zh: str
    evidence_en: str

    def to_dict(self) -> dict[str, Any]:
        _, zh, en = DEDUCTIONS[self.code]
        return {
            "code": self.code,
            "label": {"zh": zh, "en": en},
            "deduction_bp": self.deduction_bp,
            "evidence": {"zh": self.evidence_zh, "en": self.evidence_en},
        }


@dataclass(frozen=True)
class Dimension:
    code: str
    score_bp: int
    factors: tuple[Factor, ...]
    formula: Formula
    defects: tuple[Defect, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        zh, en = DIMENSIONS[self.code]
        return {
            "code": self.code,
            "label": {"zh": zh, "en": en},
            "score_bp": self.score_bp,
            "factors": [f.to_dict() for f in self.factors],
            "formula": self.formula.to_dict(),
            "defects": [d.to_dict() for d in self.defects],
        }


def _days(a: date, b: date) -> int:
    return (b - a).days


def legal_defects(facts: LegalFacts) -> tuple[Defect, ...]:
    """What lowers the legal dimension, read from the register on the valuation day."""
    out: list[Defect] = []

    def add(code: str, zh: str, en: str) -> None:
        out.append(Defect(code, DEDUCTIONS[code][0], zh, en))

    if facts.state == "revocation_pending":
        add("revocation_pending", "登记状态：撤销审查中", "state: revocation pending")
    if facts.state == "re_examination":
        add("re_examination", "登记状态：复审中", "state: under re-examination")
    if facts.freezes:
        n = len(facts.freezes)
        add("frozen", f"在保全中的裁定 {n} 项", f"{n} preservation(s) in force")
    if facts.pledges:
        n = len(facts.pledges)
        add("pledged", f"在押质押备案 {n} 项", f"{n} pledge filing(s) in force")
    if facts.exclusive_licences:
        n = len(facts.exclusive_licences)
        add("exclusive_licence", f"有效独占许可 {n} 项", f"{n} exclusive licence(s) in force")
    if facts.agreement_end is not None:
        left = _days(facts.today, facts.agreement_end)
        if left <= AGREEMENT_SOON_DAYS:
            add(
                "agreement_ending",
                f"协议于 {facts.agreement_end.isoformat()} 到期（剩余 {max(left, 0)} 天，"
                f"不超过 {AGREEMENT_SOON_DAYS} 天）",
                f"the agreement ends on {facts.agreement_end.isoformat()} ({max(left, 0)} days "
                f"left, at most {AGREEMENT_SOON_DAYS})",
            )
    left = _days(facts.today, facts.valid_until)
    if left <= VALIDITY_SOON_DAYS:
        add(
            "validity_ending",
            f"有效期至 {facts.valid_until.isoformat()}（剩余 {max(left, 0)} 天）",
            f"valid until {facts.valid_until.isoformat()} ({max(left, 0)} days left)",
        )
    return tuple(out)


def legal_dimension(facts: LegalFacts) -> Dimension:
    defects = legal_defects(facts)
    score = max(0, BP - sum(d.deduction_bp for d in defects))
    factors = (
        Factor(
            "in_force",
            "登记在效力中",
            "registration in force",
            REG_STATE_LABELS[RegState(facts.state)][0],
            BP,
            f"有效期至 {facts.valid_until.isoformat()}",
            f"valid until {facts.valid_until.isoformat()}",
            value_en=REG_STATE_LABELS[RegState(facts.state)][1],
        ),
        *(
            Factor(
                d.code,
                DEDUCTIONS[d.code][1],
                DEDUCTIONS[d.code][2],
                "−" + pct(d.deduction_bp),
                -d.deduction_bp,
                d.evidence_zh,
                d.evidence_en,
            )
            for d in defects
        ),
    )
    return Dimension(
        "legal",
        score,
        factors,
        Formula(
            "法律价值 = max(0, 10000 − Σ 各项法律瑕疵扣减)",
            "legal = max(0, 10000 − Σ deductions of the legal defects)",
        ),
        defects,
    )


# where the overall quality score came from: the registry's quality assessment (issue 22 §1,
# measured from the samples where a measure exists, declared otherwise), or the valuer
QUALITY_SOURCES: Final = {
    "assessed": ("登记机构数据质量评价（GB/T 36344）", "the registry's quality assessment"),
    "measured": ("实测", "measured"),
    "declared": ("估值人填报", "declared by the valuer"),
}
SCALE_BANDS: Final = ((10**6, 10000), (10**5, 8000), (10**4, 6000), (10**3, 4000), (0, 2000))
QUALITY_WEIGHT_BP: Final = 6000
SCALE_WEIGHT_BP: Final = 4000


def scale_points(records: int | None) -> int:
    if records is None:
        return 0
    return next(points for floor, points in SCALE_BANDS if records >= floor)


def collection_dimension(facts: CollectionFacts) -> Dimension:
    scale = scale_points(facts.records)
    score = to_bp(Fraction(QUALITY_WEIGHT_BP * facts.quality_bp + SCALE_WEIGHT_BP * scale, BP))
    source_zh, source_en = QUALITY_SOURCES.get(facts.quality_source, ("填报", "declared"))
    return Dimension(
        "collection",
        score,
        (
            Factor(
                "quality",
                "数据质量综合得分（GB/T 36344）",
                "overall data quality (GB/T 36344)",
                pct(facts.quality_bp),
                facts.quality_bp,
                f"来源：{source_zh}",
                f"source: {source_en}",
                facts.quality_source,
            ),
            Factor(
                "scale",
                "数据规模（记录数）",
                "scale (records)",
                "—" if facts.records is None else f"{facts.records:,}",
                scale,
                "≥100万条 10000；≥10万 8000；≥1万 6000；≥1千 4000；其余 2000；未填 0",
                "≥1M records 10000; ≥100k 8000; ≥10k 6000; ≥1k 4000; fewer 2000; none 0",
                "declared",
            ),
        ),
        Formula(
            "数据集合价值 = (0.6 × 质量得分 + 0.4 × 规模得分)，四舍六入五成双至万分之一",
            "collection = 0.6 × quality + 0.4 × scale, rounded half to even to a bp",
        ),
    )


EVIDENCE_POINTS: Final = {"deposit": 3000, "declared": 2000, "none": 0}
EVIDENCE_LABELS: Final = {
    "deposit": ("本机构存证", "deposited here"),
    "declared": ("外部存证或公证", "external evidence or notary"),
    "none": ("无", "none"),
}
FREQUENCY_POINTS: Final = {
    "realtime": 3000,
    "daily": 2500,
    "weekly": 2000,
    "monthly": 1500,
    "quarterly": 1000,
    "yearly": 800,
    "irregular": 500,
    "other": 500,
    "static": 0,
}
RULES_POINTS: Final = 2000
ACHIEVEMENT_POINTS: Final = 2000


def technical_dimension(facts: TechnicalFacts) -> Dimension:
    ev = EVIDENCE_POINTS[facts.evidence]
    fr = FREQUENCY_POINTS.get(facts.update_frequency or "", 0)
    ru = RULES_POINTS if facts.has_processing_rules else 0
    ac = ACHIEVEMENT_POINTS if facts.has_achievement else 0
    yes_zh, yes_en = ("已说明", "described"), ("未说明", "not described")
    return Dimension(
        "technical",
        min(BP, ev + fr + ru + ac),
        (
            Factor(
                "evidence",
                "存证或公证",
                "evidence or notarisation",
                EVIDENCE_LABELS[facts.evidence][0],
                ev,
                "本机构存证 3000；外部存证或公证 2000；无 0",
                "deposit here 3000; external evidence or notary 2000; none 0",
                value_en=EVIDENCE_LABELS[facts.evidence][1],
            ),
            Factor(
                "update_frequency",
                "更新频率",
                "update frequency",
                UPDATE_FREQUENCIES.get(facts.update_frequency or "", ("—", "—"))[0],
                fr,
                "实时 3000；每日 2500；每周 2000；每月 1500；每季度 1000；每年 800；不定期 500",
                "real time 3000; daily 2500; weekly 2000; monthly 1500; quarterly 1000; "
                "yearly 800; irregular 500",
                "declared",
                UPDATE_FREQUENCIES.get(facts.update_frequency or "", ("—", "—"))[1],
            ),
            Factor(
                "processing_rules",
                "数据处理规则或算法",
                "processing rules or algorithm",
                (yes_zh if ru else yes_en)[0],
                ru,
                "已说明 2000",
                "described 2000",
                "declared",
                (yes_zh if ru else yes_en)[1],
            ),
            Factor(
                "achievement",
                "智力成果属性",
                "intellectual-achievement attributes",
                (yes_zh if ac else yes_en)[0],
                ac,
                "已说明 2000",
                "described 2000",
                "declared",
                (yes_zh if ac else yes_en)[1],
            ),
        ),
        Formula(
            "技术价值 = min(10000, 存证 + 更新频率 + 处理规则 + 智力成果)",
            "technical = min(10000, evidence + update frequency + rules + achievement)",
        ),
    )


FILING_POINTS: Final = ((3, 4000), (2, 3500), (1, 2500), (0, 0))
PER_SCENARIO: Final = 1000
PER_VALUE: Final = 1000
MAX_COUNTED: Final = 3


def economic_dimension(facts: EconomicFacts) -> Dimension:
    fi = next(points for floor, points in FILING_POINTS if facts.filings >= floor)
    sc = PER_SCENARIO * min(facts.scenarios, MAX_COUNTED)
    pv = PER_VALUE * min(facts.practical_values, MAX_COUNTED)
    return Dimension(
        "economic",
        min(BP, fi + sc + pv),
        (
            Factor(
                "filings",
                "许可与交易备案",
                "licence and trade filings",
                str(facts.filings),
                fi,
                "1 项 2500；2 项 3500；3 项及以上 4000",
                "1 filing 2500; 2 filings 3500; 3 or more 4000",
            ),
            Factor(
                "scenarios",
                "应用场景",
                "application scenarios",
                str(facts.scenarios),
                sc,
                "每项 1000，至多 3 项",
                "1000 each, at most 3",
                "declared",
            ),
            Factor(
                "practical_values",
                "现实价值",
                "practical values",
                str(facts.practical_values),
                pv,
                "每项 1000，至多 3 项",
                "1000 each, at most 3",
                "declared",
            ),
        ),
        Formula(
            "经济价值 = min(10000, 备案 + 场景 + 现实价值)",
            "economic = min(10000, filings + scenarios + practical values)",
        ),
    )
