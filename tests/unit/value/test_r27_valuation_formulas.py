"""R27 / issue 22 §2: every valuation formula against a case computed by hand (integer fen,
basis points, exact fractions; no floats)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest

from dataip.domain.errors import DomainError
from dataip.value.valuation import (
    cost_approach,
    evaluate,
    income_approach,
    market_approach,
    reconcile,
)
from dataip.value.valuation_dimensions import (
    collection_dimension,
    economic_dimension,
    legal_dimension,
    technical_dimension,
)
from dataip.value.valuation_model import (
    CollectionFacts,
    CostInputs,
    EconomicFacts,
    TechnicalFacts,
    decimal_text,
    to_fen,
)
from tests.unit.value.valuation_cases import COST, INCOME, MARKET, TODAY, comparable, inputs, legal


def test_r27_rounding_is_half_to_even_to_fen_at_the_end() -> None:
    assert to_fen(Fraction(5, 2)) == 2
    assert to_fen(Fraction(7, 2)) == 4
    assert to_fen(Fraction(-5, 2)) == -2
    assert to_fen(Fraction(2_000_001, 2)) == 1_000_000
    assert decimal_text(Fraction(86, 100)) == "0.8600"
    assert decimal_text(Fraction(1, 3), 6) == "0.333333"


def test_r27_cost_approach_by_hand() -> None:
    # R = 1,000,000 + 500,000 = 1,500,000 fen; r = 10 %;
    # K = (0.4 × 0.80 + 0.3 × 1.00 + 0.3 × 0.80) = 0.86; V = 1,500,000 × 1.1 × 0.86
    r = cost_approach(COST, quality_bp=8000, legal_bp=10000)
    assert r.value_fen == 1_419_000
    assert r.exact == Fraction(1_419_000)
    assert {f.code: f.value for f in r.factors}["coefficient"] == "0.8600"
    # the appraiser's own coefficient replaces K: 1,500,000 × 1.1 × 0.5
    own = cost_approach(replace(COST, coefficient_bp=5000), 8000, 10000)
    assert own.value_fen == 825_000


def test_r27_cost_approach_rounds_half_to_even() -> None:
    # 1 fen × 1.5 × 1 = 1.5 → 2 ; 3 fen × 1.5 × 1 = 4.5 → 4
    c = CostInputs(
        items=(("other", 1),), profit_rate_bp=5000, scenario_bp=10000, coefficient_bp=10000
    )
    assert cost_approach(c, 0, 0).value_fen == 2
    c3 = replace(c, items=(("other", 3),))
    assert cost_approach(c3, 0, 0).value_fen == 4


def test_r27_income_approach_by_hand_one_row_per_year() -> None:
    # 500,000 / 1.1 + 500,000 / 1.21 = 454,545.45… + 413,223.14… = 867,768.59… → 867,769
    r = income_approach(INCOME, legal_bp=10000)
    assert r.value_fen == 867_769
    assert [row["year"] for row in r.rows] == [1, 2]
    assert [row["present_value_fen"] for row in r.rows] == [454_545, 413_223]
    assert r.rows[0]["discount_factor"] == "0.909091"
    assert r.exact == Fraction(500_000) / Fraction(11, 10) + Fraction(500_000) / Fraction(121, 100)


def test_r27_income_approach_legal_risk_premium() -> None:
    # legal 8000 → premium (10000 − 8000) / 10 = 200 bp → rate 12 %:
    # 500,000 / 1.12 + 500,000 / 1.2544 = 446,428.57… + 398,596.93… = 845,025.51… → 845,026
    r = income_approach(INCOME, legal_bp=8000)
    assert r.value_fen == 845_026
    assert {f.code: f.value for f in r.factors}["effective_rate"] == "12.00%"


def test_r27_market_approach_by_hand() -> None:
    subject = inputs(collection=CollectionFacts(7000, "declared", None))
    r = market_approach(subject, MARKET)
    assert r.value_fen == 1_000_000  # every factor 1: quality 7000/7000, no scale, same class
    # one comparable 12 months old: × (1 + 3 % × 12 / 12) = 1,030,000; mean 1,010,000
    aged = replace(MARKET, comparables=(comparable(), comparable(), comparable(months_ago=12)))
    assert market_approach(subject, aged).value_fen == 1_010_000
    # quality 8400 vs 7000 → 1.2; scale 20,000 vs 10,000 → 2; another section → 0.85
    subj = inputs(collection=CollectionFacts(8400, "declared", 20_000))
    c = comparable(records=10_000, industry_code="0111", section="A")
    r = market_approach(subj, replace(MARKET, comparables=(c, c, c)))
    assert r.value_fen == 2_040_000  # 1,000,000 × 1.2 × 2 × 1 × 0.85
    # same section, another division → 0.95
    c = comparable(industry_code="6510", section="I")
    assert market_approach(subject, replace(MARKET, comparables=(c, c, c))).value_fen == 950_000
    # ratios are clamped to 0.5…2
    c = comparable(records=1, quality_bp=10000)
    subj = inputs(collection=CollectionFacts(100, "declared", 10**9))
    r = market_approach(subj, replace(MARKET, comparables=(c, c, c)))
    assert r.value_fen == 1_000_000  # 0.5 (quality) × 2 (scale)


def test_r27_market_approach_needs_three_comparables() -> None:
    r = market_approach(inputs(), replace(MARKET, comparables=(comparable(), comparable())))
    assert not r.available and r.value_fen is None
    assert r.reason is not None and "3" in r.reason[0]


def test_r27_reconciliation_equal_and_stated_weights() -> None:
    cost = cost_approach(COST, 8000, 10000)  # 1,419,000
    income = income_approach(INCOME, 10000)  # 867,769
    weights, value = reconcile((cost, income), None)
    assert weights == {"cost": Fraction(1, 2), "income": Fraction(1, 2)}
    assert value == 1_143_384  # (1,419,000 + 867,769) / 2 = 1,143,384.5 → even
    weights, value = reconcile((cost, income), {"cost": 7000, "income": 3000})
    assert value == to_fen(Fraction(7, 10) * 1_419_000 + Fraction(3, 10) * 867_769)
    # a weight on an approach that could not be computed is dropped, the rest renormalised
    market = market_approach(inputs(), replace(MARKET, comparables=()))
    weights, value = reconcile((cost, market), {"cost": 5000, "market": 5000})
    assert weights == {"cost": Fraction(1)} and value == 1_419_000


def test_r27_legal_dimension_and_its_defects() -> None:
    assert legal_dimension(legal()).score_bp == 10000
    d = legal_dimension(legal(pledges=("BA1",), freezes=("BQ1",)))
    assert d.score_bp == 10000 - 2000 - 4000
    assert [x.code for x in d.defects] == ["frozen", "pledged"]
    soon = TODAY + timedelta(days=100)
    d = legal_dimension(legal(agreement_end=soon))
    assert [(x.code, x.deduction_bp) for x in d.defects] == [("agreement_ending", 2500)]
    assert legal_dimension(legal(agreement_end=TODAY + timedelta(days=181))).score_bp == 10000
    d = legal_dimension(legal(valid_until=TODAY + timedelta(days=90)))
    assert d.score_bp == 9000
    worst = legal(
        state="revocation_pending",
        pledges=("a",),
        freezes=("b",),
        exclusive_licences=("c",),
        agreement_end=TODAY,
        valid_until=TODAY,
    )
    assert legal_dimension(worst).score_bp == 0  # 16,000 bp of deductions, floored at 0
    assert legal_dimension(legal(state="re_examination")).score_bp == 7000


def test_r27_other_dimensions_by_hand() -> None:
    # 0.6 × 8000 + 0.4 × 6000 (50,000 records) = 7200
    assert collection_dimension(CollectionFacts(8000, "declared", 50_000)).score_bp == 7200
    assert collection_dimension(CollectionFacts(8000, "declared", None)).score_bp == 4800
    assert collection_dimension(CollectionFacts(10000, "measured", 10**6)).score_bp == 10000
    # deposit 3000 + daily 2500 + rules 2000 + no achievement
    t = TechnicalFacts("deposit", "daily", True, False)
    assert technical_dimension(t).score_bp == 7500
    assert technical_dimension(TechnicalFacts("deposit", "realtime", True, True)).score_bp == 10000
    # 2 filings 3500 + 2 scenarios 2000 + 4 values (3 counted) 3000
    assert economic_dimension(EconomicFacts(2, 2, 4)).score_bp == 8500
    assert economic_dimension(EconomicFacts(0, 0, 0)).score_bp == 0


def test_r27_evaluate_reconciles_and_tabulates_sensitivity() -> None:
    v = evaluate(inputs(cost=COST))
    assert v.value_fen == 1_419_000
    assert [d.score_bp for d in v.dimensions] == [10000, 7200, 7500, 8500]
    assert v.overall_bp == 8300  # (10000 + 7200 + 7500 + 8500) / 4
    rows = {r["parameter"]: r for r in v.sensitivity}
    assert set(rows) == {"profit_rate", "coefficient"}
    plus10 = next(c for c in rows["profit_rate"]["cells"] if c["step_percent"] == 10)
    assert plus10["value_fen"] == 1_431_900  # 1,500,000 × 1.11 × 0.86
    assert plus10["change_bp"] == 91  # 12,900 / 1,419,000 = 0.90909… %
    minus20 = next(c for c in rows["coefficient"]["cells"] if c["step_percent"] == -20)
    assert minus20["value_fen"] == 1_135_200  # 1,500,000 × 1.1 × 0.688
    d = v.to_dict()
    assert d["value_fen"] == 1_419_000
    assert d["approaches"][0]["formula"]["zh"].startswith("评估值 = 重置成本")


def test_r27_evaluate_income_sensitivity_rows() -> None:
    v = evaluate(inputs(income=INCOME))
    rows = {r["parameter"]: r for r in v.sensitivity}
    assert set(rows) == {"discount_rate", "contribution_share"}
    # contribution share × 1.2 scales the value exactly: 0.6 instead of 0.5
    up = next(c for c in rows["contribution_share"]["cells"] if c["step_percent"] == 20)
    assert up["value_fen"] == to_fen(
        Fraction(600_000) / Fraction(11, 10) + Fraction(600_000) / Fraction(121, 100)
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"collection": CollectionFacts(10001, "declared", None)}, "quality_bp"),
        ({"cost": replace(COST, items=())}, "cost.items"),
        ({"cost": replace(COST, profit_rate_bp=-1)}, "cost.profit_rate_bp"),
        ({"income": replace(INCOME, incomes=())}, "income.incomes"),
        ({"income": replace(INCOME, contribution_bp=10001)}, "income.contribution_bp"),
        ({"cost": COST, "weights_bp": {"cost": 10001}}, "weights_bp.cost"),
        ({}, "approaches"),
    ],
)
def test_r27_bad_inputs_are_refused_naming_the_field(change: dict, field: str) -> None:
    with pytest.raises(DomainError) as e:
        evaluate(inputs(**change))
    assert e.value.code == "invalid_valuation_input"
    assert e.value.details["field"] == field


def test_r27_valuation_date_is_carried() -> None:
    assert evaluate(inputs(cost=COST)).inputs.valuation_date == date(2026, 12, 7)
