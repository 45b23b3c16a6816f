"""Data-asset valuation (数据资产评估) after the China Appraisal Society's 2023 guidance
(《数据资产评估指导意见》): the cost, income and market approaches, a reconciliation of the
approaches used, a sensitivity table, and the four dimensions of Z§4.2 as sub-scores.

* cost (成本法): ``replacement cost × (1 + profit rate) × K`` where the value-adjustment
  coefficient ``K = (0.4 × quality + 0.3 × legal + 0.3 × scenario) / 10000`` (or the
  appraiser's own K);
* income (收益法): ``Σ_t income_t × contribution share / (1 + i)^t`` over the useful life, one
  row per year, with ``i = the discount rate + (10000 − legal) / 10`` bp (a legal-risk premium);
* market (市场法): the mean of comparable licences and trades recorded in this registry, each
  ``amount × quality × scale × time × industry`` adjusted; needs at least three.

Each approach's figure is rounded once to fen, half to even; the reconciliation weighs those
figures (the appraiser's weights, renormalised over the approaches that could be computed, or
equal weights) and rounds again. Every result carries its inputs, factors and formula (zh/en).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

from dataip.value.valuation_dimensions import (
    Dimension,
    collection_dimension,
    economic_dimension,
    legal_dimension,
    technical_dimension,
)
from dataip.value.valuation_model import (
    APPROACHES,
    BP,
    COST_ITEMS,
    MAX_FEN,
    Comparable,
    CostInputs,
    Factor,
    Formula,
    IncomeInputs,
    MarketInputs,
    ValuationInputs,
    bad_input,
    bp_fraction,
    check_int,
    decimal_text,
    fraction_text,
    pct,
    to_bp,
    to_fen,
    yuan_text,
)

__all__ = [
    "COEFFICIENT_WEIGHTS",
    "MIN_COMPARABLES",
    "SENSITIVITY_STEPS",
    "ApproachResult",
    "Valuation",
    "cost_approach",
    "evaluate",
    "income_approach",
    "market_approach",
    "reconcile",
]

# K's weights (bp): quality, legal status, scenario — the guidance's three adjustment factors
COEFFICIENT_WEIGHTS: Final = {"quality": 4000, "legal": 3000, "scenario": 3000}
LEGAL_PREMIUM_DIVISOR: Final = 10  # (10000 − legal) / 10 bp added to the discount rate
MIN_COMPARABLES: Final = 3
REFERENCE_QUALITY_BP: Final = 7000  # a comparable whose quality is not known
CLAMP: Final = (Fraction(1, 2), Fraction(2))  # quality and scale ratios stay within ½…2
SAME_SECTION: Final = Fraction(9500, BP)
OTHER_SECTION: Final = Fraction(8500, BP)
SENSITIVITY_STEPS: Final = (-20, -10, 10, 20)  # per cent of the parameter
# parameter -> the approach it belongs to, zh, en
PARAMETERS: Final = {
    "discount_rate": ("income", "折现率", "discount rate"),
    "contribution_share": ("income", "数据贡献率", "contribution share"),
    "profit_rate": ("cost", "合理利润率", "profit rate"),
    "coefficient": ("cost", "价值调整系数", "value-adjustment coefficient"),
}


@dataclass(frozen=True)
class ApproachResult:
    approach: str
    available: bool
    value_fen: int | None
    exact: Fraction | None
    factors: tuple[Factor, ...]
    formula: Formula
    rows: tuple[dict[str, Any], ...] = ()  # income: one per year; market: one per comparable
    reason: tuple[str, str] | None = None  # why not available (zh, en)

    def to_dict(self) -> dict[str, Any]:
        zh, en = APPROACHES[self.approach]
        return {
            "approach": self.approach,
            "label": {"zh": zh, "en": en},
            "available": self.available,
            "value_fen": self.value_fen,
            "exact_fen": None if self.exact is None else fraction_text(self.exact),
            "factors": [f.to_dict() for f in self.factors],
            "formula": self.formula.to_dict(),
            "rows": list(self.rows),
            "reason": None if self.reason is None else {"zh": self.reason[0], "en": self.reason[1]},
        }


@dataclass(frozen=True)
class Valuation:
    inputs: ValuationInputs
    dimensions: tuple[Dimension, ...]
    overall_bp: int
    approaches: tuple[ApproachResult, ...]
    weights: dict[str, Fraction]
    value_fen: int | None
    sensitivity: tuple[dict[str, Any], ...] = field(default=())

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    def approach(self, code: str) -> ApproachResult | None:
        return next((a for a in self.approaches if a.approach == code), None)

    def to_dict(self) -> dict[str, Any]:
        legal = self.dimension("legal")
        return {
            "value_fen": self.value_fen,
            "overall_bp": self.overall_bp,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "legal_defects": [d.to_dict() for d in legal.defects],
            "approaches": [a.to_dict() for a in self.approaches],
            "reconciliation": {
                "weights": {
                    k: {"exact": fraction_text(w), "percent": decimal_text(w * 100, 2)}
                    for k, w in self.weights.items()
                },
                "formula": RECONCILIATION.to_dict(),
            },
            "sensitivity": list(self.sensitivity),
        }


RECONCILIATION: Final = Formula(
    "最终价值 = Σ 权重 × 各方法价值（各方法价值先四舍六入五成双至分，合计后再取整至分）；"
    "未给权重时各可用方法等权",
    "final value = Σ weight × each approach's value (each rounded half to even to fen first, "
    "the sum rounded again); equal weights over the approaches computed when none are given",
)


def _ratio(a: int, b: int) -> Fraction:
    r = Fraction(a, max(b, 1))
    return min(max(r, CLAMP[0]), CLAMP[1])


def _item(code: str) -> tuple[str, str]:
    return COST_ITEMS.get(code, COST_ITEMS["other"])


def coefficient(cost: CostInputs, quality_bp: int, legal_bp: int) -> tuple[Fraction, Factor]:
    """The value-adjustment coefficient K (价值调整系数), 0..1, or the appraiser's own."""
    if cost.coefficient_bp is not None:
        k = bp_fraction(cost.coefficient_bp)
        return k, Factor(
            "coefficient",
            "价值调整系数（评估人员确定）",
            "value-adjustment coefficient (set by the appraiser)",
            decimal_text(k),
            source="entered",
        )
    w = COEFFICIENT_WEIGHTS
    k = Fraction(
        w["quality"] * quality_bp + w["legal"] * legal_bp + w["scenario"] * cost.scenario_bp,
        BP * BP,
    )
    return k, Factor(
        "coefficient",
        "价值调整系数",
        "value-adjustment coefficient",
        decimal_text(k),
        evidence_zh=f"(0.4 × 质量 {pct(quality_bp)} + 0.3 × 法律 {pct(legal_bp)} + 0.3 × 场景 "
        f"{pct(cost.scenario_bp)})",
        evidence_en=f"(0.4 × quality {pct(quality_bp)} + 0.3 × legal {pct(legal_bp)} + 0.3 × "
        f"scenario {pct(cost.scenario_bp)})",
    )


def cost_approach(
    cost: CostInputs, quality_bp: int, legal_bp: int, tweak: dict[str, Fraction] | None = None
) -> ApproachResult:
    t = tweak or {}
    replacement = sum(fen for _, fen in cost.items)
    r = bp_fraction(cost.profit_rate_bp) * t.get("profit_rate", Fraction(1))
    k, k_factor = coefficient(cost, quality_bp, legal_bp)
    k *= t.get("coefficient", Fraction(1))
    exact = replacement * (1 + r) * k
    return ApproachResult(
        "cost",
        True,
        to_fen(exact),
        exact,
        (
            Factor(
                "replacement_cost",
                "重置成本",
                "replacement cost",
                yuan_text(replacement),
                evidence_zh="；".join(f"{_item(c)[0]} {yuan_text(fen)}" for c, fen in cost.items),
                evidence_en="; ".join(f"{_item(c)[1]} {yuan_text(fen)}" for c, fen in cost.items),
                source="entered",
            ),
            Factor(
                "profit_rate",
                "合理利润率",
                "reasonable profit rate",
                pct(r * BP),
                source="entered",
            ),
            Factor(
                "scenario",
                "场景因素",
                "scenario factor",
                pct(cost.scenario_bp),
                source="entered",
            ),
            k_factor,
        ),
        Formula(
            "评估值 = 重置成本 × (1 + 合理利润率) × 价值调整系数；"
            "价值调整系数 = (0.4 × 质量 + 0.3 × 法律 + 0.3 × 场景) ÷ 10000",
            "value = replacement cost × (1 + profit rate) × coefficient; "
            "coefficient = (0.4 × quality + 0.3 × legal + 0.3 × scenario) / 10000",
        ),
    )


def income_approach(
    income: IncomeInputs, legal_bp: int, tweak: dict[str, Fraction] | None = None
) -> ApproachResult:
    t = tweak or {}
    premium = Fraction(BP - legal_bp, LEGAL_PREMIUM_DIVISOR)
    entered = Fraction(income.discount_rate_bp) * t.get("discount_rate", Fraction(1))
    rate = (entered + premium) / BP
    share = bp_fraction(income.contribution_bp) * t.get("contribution_share", Fraction(1))
    rows: list[dict[str, Any]] = []
    total = Fraction(0)
    for year, amount in enumerate(income.incomes, start=1):
        factor = 1 / (1 + rate) ** year
        pv = amount * share * factor
        total += pv
        rows.append(
            {
                "year": year,
                "income_fen": amount,
                "contribution": decimal_text(share),
                "discount_factor": decimal_text(factor, 6),
                "present_value_fen": to_fen(pv),
                "present_value_exact": fraction_text(pv),
            }
        )
    return ApproachResult(
        "income",
        True,
        to_fen(total),
        total,
        (
            Factor(
                "discount_rate",
                "折现率（输入）",
                "discount rate (entered)",
                pct(entered),
                source="entered",
            ),
            Factor(
                "legal_premium",
                "法律风险溢价",
                "legal-risk premium",
                pct(premium),
                evidence_zh="(10000 − 法律价值得分) ÷ 10",
                evidence_en="(10000 − legal score) / 10",
            ),
            Factor("effective_rate", "适用折现率", "rate applied", pct(rate * BP)),
            Factor(
                "contribution_share",
                "数据贡献率",
                "contribution share",
                pct(share * BP),
                source="entered",
            ),
            Factor(
                "useful_life",
                "收益期（年）",
                "useful life (years)",
                str(len(income.incomes)),
                source="entered",
            ),
        ),
        Formula(
            "评估值 = Σ 第t年增量收益 × 数据贡献率 ÷ (1 + 折现率)^t，t = 1…收益期；"
            "折现率 = 输入折现率 + (10000 − 法律价值得分) ÷ 10（万分之一）",
            "value = Σ income in year t × contribution share / (1 + rate)^t, t = 1…useful "
            "life; rate = the discount rate entered + (10000 − legal score) / 10 bp",
        ),
        tuple(rows),
    )


def _industry_factor(subject: ValuationInputs, c: Comparable) -> tuple[Fraction, str, str]:
    s, o = subject.industry_code or "", c.industry_code or ""
    if s and o and s[:2] == o[:2]:
        return Fraction(1), "同一行业大类", "same division"
    if subject.section and subject.section == c.section:
        return SAME_SECTION, "同一行业门类", "same section"
    return OTHER_SECTION, "不同行业门类", "another section"


def market_approach(subject: ValuationInputs, market: MarketInputs) -> ApproachResult:
    formula = Formula(
        "评估值 = 可比案例调整后金额的算术平均；调整后金额 = 成交金额 × 质量修正 × 规模修正 × "
        "期日修正 × 行业修正；质量、规模修正 = 本数据 ÷ 可比案例（限 0.5–2）；"
        "期日修正 = 1 + 年价格指数变动 × 间隔月数 ÷ 12",
        "value = mean of the comparables' adjusted amounts; adjusted = amount × quality × "
        "scale × time × industry; quality and scale = subject / comparable (within 0.5–2); "
        "time = 1 + the yearly price index change × months between / 12",
    )
    index = Factor(
        "price_index",
        "年价格指数变动",
        "yearly price index change",
        pct(market.index_bp),
        source="entered",
    )
    n = len(market.comparables)
    if n < MIN_COMPARABLES:
        return ApproachResult(
            "market",
            False,
            None,
            None,
            (Factor("comparables", "可比案例数", "comparables", str(n), evidence_zh="至少 3 个"),),
            formula,
            reason=(
                f"本登记机构记录的可比许可、交易案例不足 {MIN_COMPARABLES} 个（现有 {n} 个），"
                "市场法不适用",
                f"fewer than {MIN_COMPARABLES} comparable licences or trades are recorded in "
                f"this registry ({n}): the market approach is not available",
            ),
        )
    q_s = subject.collection.quality_bp
    rows: list[dict[str, Any]] = []
    total = Fraction(0)
    for c in market.comparables:
        q = _ratio(q_s, c.quality_bp if c.quality_bp is not None else REFERENCE_QUALITY_BP)
        recs = subject.collection.records
        scale = Fraction(1) if recs is None or c.records is None else _ratio(recs, c.records)
        time = 1 + Fraction(market.index_bp * c.months_ago, BP * 12)
        ind, ind_zh, ind_en = _industry_factor(subject, c)
        adjusted = c.amount_fen * q * scale * time * ind
        total += adjusted
        rows.append(
            {
                "kind": c.kind,
                "section": c.section,
                "month": c.month,
                "quality": decimal_text(q),
                "scale": decimal_text(scale),
                "time": decimal_text(time),
                "industry": decimal_text(ind),
                "industry_match": {"zh": ind_zh, "en": ind_en},
                "adjusted_fen": to_fen(adjusted),
            }
        )
    mean = total / n
    return ApproachResult(
        "market",
        True,
        to_fen(mean),
        mean,
        (
            Factor("comparables", "可比案例数", "comparables", str(n)),
            Factor(
                "quality",
                "本数据质量",
                "subject's quality",
                pct(q_s),
                evidence_zh=f"可比案例质量未知时按 {pct(REFERENCE_QUALITY_BP)}",
                evidence_en=f"{pct(REFERENCE_QUALITY_BP)} where a comparable's is not known",
            ),
            index,
        ),
        formula,
        tuple(rows),
    )


def reconcile(
    results: tuple[ApproachResult, ...], weights_bp: dict[str, int] | None
) -> tuple[dict[str, Fraction], int | None]:
    """The weights over the approaches computed, and the final figure (None: none computed)."""
    done = [a for a in results if a.available and a.value_fen is not None]
    if not done:
        return {}, None
    if weights_bp:
        given = {a.approach: Fraction(weights_bp.get(a.approach, 0)) for a in done}
        total = sum(given.values())
        if total == 0:
            raise bad_input(
                "weights_bp",
                "可计算的方法权重合计为零",
                "the weights of the approaches computed add up to zero",
            )
        weights = {k: v / total for k, v in given.items()}
    else:
        weights = {a.approach: Fraction(1, len(done)) for a in done}
    value = to_fen(sum((weights[a.approach] * (a.value_fen or 0) for a in done), Fraction(0)))
    return weights, value


def check(inputs: ValuationInputs) -> None:
    """The inputs' bounds (422 `invalid_valuation_input`, naming the field)."""
    check_int("quality_bp", inputs.collection.quality_bp, 0, BP)
    if not inputs.approaches:
        raise bad_input("approaches", "至少选择一种评估方法", "choose at least one approach")
    if inputs.cost is not None:
        c = inputs.cost
        if not c.items:
            raise bad_input("cost.items", "至少填写一项成本", "at least one cost item")
        for i, (code, fen) in enumerate(c.items):
            if code not in COST_ITEMS:
                raise bad_input(f"cost.items[{i}]", "未知的成本项", "an unknown cost item")
            check_int(f"cost.items[{i}]", fen, 0, MAX_FEN)
        check_int("cost.profit_rate_bp", c.profit_rate_bp, 0, 5 * BP)
        check_int("cost.scenario_bp", c.scenario_bp, 0, BP)
        if c.coefficient_bp is not None:
            check_int("cost.coefficient_bp", c.coefficient_bp, 0, 2 * BP)
    if inputs.income is not None:
        inc = inputs.income
        if not 1 <= len(inc.incomes) <= 20:
            raise bad_input(
                "income.incomes", "收益期为 1 至 20 年", "a useful life of 1 to 20 years"
            )
        for i, fen in enumerate(inc.incomes):
            check_int(f"income.incomes[{i}]", fen, 0, MAX_FEN)
        check_int("income.discount_rate_bp", inc.discount_rate_bp, 0, 5 * BP)
        check_int("income.contribution_bp", inc.contribution_bp, 0, BP)
    if inputs.market is not None:
        check_int("market.index_bp", inputs.market.index_bp, -BP, BP)
    for k, w in (inputs.weights_bp or {}).items():
        if k not in APPROACHES:
            raise bad_input("weights_bp", "未知的评估方法", "an unknown approach", approach=k)
        check_int(f"weights_bp.{k}", w, 0, BP)


def _approaches(
    inputs: ValuationInputs, legal_bp: int, tweak: dict[str, Fraction] | None = None
) -> tuple[ApproachResult, ...]:
    out: list[ApproachResult] = []
    if inputs.cost is not None:
        out.append(cost_approach(inputs.cost, inputs.collection.quality_bp, legal_bp, tweak))
    if inputs.income is not None:
        out.append(income_approach(inputs.income, legal_bp, tweak))
    if inputs.market is not None:
        out.append(market_approach(inputs, inputs.market))
    return tuple(out)


def _sensitivity(
    inputs: ValuationInputs, legal_bp: int, base: int | None
) -> tuple[dict[str, Any], ...]:
    rows: list[dict[str, Any]] = []
    if base is None:
        return ()
    weights = dict(inputs.weights_bp) if inputs.weights_bp else None
    for param, (approach, zh, en) in PARAMETERS.items():
        if getattr(inputs, approach) is None:
            continue
        if param == "coefficient" and inputs.cost is None:
            continue
        cells = []
        for step in SENSITIVITY_STEPS:
            tweak = {param: 1 + Fraction(step, 100)}
            _, value = reconcile(_approaches(inputs, legal_bp, tweak), weights)
            assert value is not None
            change = None if base == 0 else to_bp(Fraction(value - base, base) * BP)
            cells.append({"step_percent": step, "value_fen": value, "change_bp": change})
        rows.append({"parameter": param, "label": {"zh": zh, "en": en}, "cells": cells})
    return tuple(rows)


def evaluate(inputs: ValuationInputs) -> Valuation:
    """The whole valuation: dimensions, each approach asked for, reconciliation, sensitivity."""
    check(inputs)
    dims = (
        legal_dimension(inputs.legal),
        collection_dimension(inputs.collection),
        technical_dimension(inputs.technical),
        economic_dimension(inputs.economic),
    )
    legal_bp = dims[0].score_bp
    overall = to_bp(Fraction(sum(d.score_bp for d in dims), len(dims)))
    results = _approaches(inputs, legal_bp)
    weights, value = reconcile(results, dict(inputs.weights_bp) if inputs.weights_bp else None)
    return Valuation(
        inputs,
        dims,
        overall,
        results,
        weights,
        value,
        _sensitivity(inputs, legal_bp, value),
    )
