"""The valuation's vocabulary (数据资产评估): exact numbers, rounding, and the records every
result carries so that a page can explain it — each input, each factor, each formula.

Money is integer fen (分); rates, shares, scores and weights are integer basis points
(10 000 bp = 100 %) or exact :class:`fractions.Fraction`; nothing here is a float. A figure is
rounded once, to fen, half to even (:func:`to_fen`), at the end of the approach that makes it;
the reconciliation weighs those rounded figures and rounds again, so every figure a report
shows can be recomputed from the figures above it.

Pure: standard library and the domain's error type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Final

from dataip.domain.errors import DomainError

__all__ = [
    "BP",
    "Factor",
    "Formula",
    "bad_input",
    "bp_fraction",
    "decimal_text",
    "fraction_text",
    "pct",
    "to_bp",
    "to_fen",
    "yuan_text",
]

BP: Final = 10_000  # 100 % in basis points
MAX_FEN: Final = 10**15  # a trillion yuan: the bound every amount input is checked against


def to_fen(x: Fraction) -> int:
    """Round an exact amount to whole fen, half to even (Python's ``round`` of a Fraction)."""
    return round(x)


def to_bp(x: Fraction) -> int:
    """Round an exact score or rate (in bp) to a whole basis point, half to even."""
    return round(x)


def bp_fraction(bp: int) -> Fraction:
    return Fraction(bp, BP)


def decimal_text(x: Fraction, places: int = 4) -> str:
    """A fraction as a decimal for people (half to even at `places`); never used to compute."""
    scaled = round(x * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def yuan_text(fen: int) -> str:
    """Integer fen as yuan for people: 119500000 -> "¥1,195,000.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def pct(bp: int | Fraction) -> str:
    """Basis points as a percentage for people: 8500 -> "85.00%"."""
    return decimal_text(Fraction(bp) / 100, 2) + "%"


def fraction_text(x: Fraction) -> str:
    """The exact value, ``"num/den"`` (or ``"num"``): what a recomputation starts from."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def bad_input(field_name: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(
        "invalid_valuation_input",
        f"估值输入有误（{field_name}）：{zh}",
        f"invalid valuation input ({field_name}): {en}",
        status=422,
        details={"field": field_name, **details},
    )


def check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise bad_input(name, f"须为 {lo} 至 {hi} 的整数", f"an integer from {lo} to {hi}")
    return value


@dataclass(frozen=True)
class Factor:
    """One factor of a result: a code, its labels, the value it takes (bp, fen, a ratio or a
    count), what it contributes, and the evidence it was taken from."""

    code: str
    zh: str
    en: str
    value: str  # as shown: "8500 bp", "1.2000", "3", "2027-06-30"
    points_bp: int | None = None  # what it adds to (or, negative, takes from) a score
    evidence_zh: str = ""
    evidence_en: str = ""
    source: str = "registry"  # registry | declared | measured | assessed | entered
    value_en: str | None = None  # the value in English where it is words, not a number

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": {"zh": self.zh, "en": self.en},
            "value": self.value,
            "value_en": self.value if self.value_en is None else self.value_en,
            "points_bp": self.points_bp,
            "evidence": {"zh": self.evidence_zh, "en": self.evidence_en},
            "source": self.source,
        }


@dataclass(frozen=True)
class Formula:
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class LegalFacts:
    """The registration's legal state on the valuation day, read from the register."""

    today: date
    state: str  # a RegState value
    valid_until: date
    pledges: tuple[str, ...] = ()  # filing numbers of pledges in force
    freezes: tuple[str, ...] = ()  # court preservations in force
    exclusive_licences: tuple[str, ...] = ()  # exclusive licences in force
    agreement_end: date | None = None  # the data agreement's end (G§18), if it caps validity


@dataclass(frozen=True)
class CollectionFacts:
    quality_bp: int  # overall quality score, 0..10 000 (GB/T 36344)
    quality_source: str  # assessed (the quality assessment) | measured | declared
    records: int | None  # declared scale (R5.8)


@dataclass(frozen=True)
class TechnicalFacts:
    evidence: str  # deposit | declared | none
    update_frequency: str | None
    has_processing_rules: bool
    has_achievement: bool  # intellectual-achievement attributes described (R5.5)


@dataclass(frozen=True)
class EconomicFacts:
    filings: int  # licence and trade filings recorded for this registration
    scenarios: int  # application scenarios declared (R5.3)
    practical_values: int  # practical values declared (R5.4)


@dataclass(frozen=True)
class CostInputs:
    """成本法: replacement cost items (fen), a reasonable profit rate and the scenario factor
    of the value-adjustment coefficient (bp); an appraiser may set the coefficient itself."""

    items: tuple[tuple[str, int], ...]  # (code, fen): collection, storage, processing …
    profit_rate_bp: int
    scenario_bp: int
    coefficient_bp: int | None = None


@dataclass(frozen=True)
class IncomeInputs:
    """收益法: the incremental income of each year of the useful life (fen), the discount rate
    and the data's contribution share (bp)."""

    incomes: tuple[int, ...]
    discount_rate_bp: int
    contribution_bp: int


@dataclass(frozen=True)
class Comparable:
    """A licence or trade recorded in this registry, anonymous: no number, no party."""

    kind: str  # licence | trade
    amount_fen: int
    month: str  # YYYY-MM of the contract
    months_ago: int
    industry_code: str | None
    section: str | None
    records: int | None
    quality_bp: int | None = None


@dataclass(frozen=True)
class MarketInputs:
    comparables: tuple[Comparable, ...]
    index_bp: int = 300  # the price index's yearly change used for the time adjustment


# replacement-cost items (重置成本构成), after the guidance's cost approach
COST_ITEMS: Final[dict[str, tuple[str, str]]] = {
    "planning": ("规划成本", "planning"),
    "collection": ("采集成本", "collection"),
    "processing": ("加工成本", "processing"),
    "storage": ("存储与计算成本", "storage and computing"),
    "labour": ("人力成本", "labour"),
    "compliance": ("合规与安全成本", "compliance and security"),
    "other": ("其他成本", "other"),
}

APPROACHES: Final[dict[str, tuple[str, str]]] = {
    "cost": ("成本法", "cost approach"),
    "income": ("收益法", "income approach"),
    "market": ("市场法", "market approach"),
}


@dataclass(frozen=True)
class ValuationInputs:
    """Everything a valuation is computed from; `approaches` says which were asked for."""

    valuation_date: date
    legal: LegalFacts
    collection: CollectionFacts
    technical: TechnicalFacts
    economic: EconomicFacts
    industry_code: str | None = None
    section: str | None = None
    cost: CostInputs | None = None
    income: IncomeInputs | None = None
    market: MarketInputs | None = None
    weights_bp: Mapping[str, int] | None = None  # the appraiser's weights, or equal weights
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def approaches(self) -> tuple[str, ...]:
        return tuple(a for a in APPROACHES if getattr(self, a) is not None)
