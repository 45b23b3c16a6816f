"""Builders for the valuation's unit tests: a registration's facts with every field at a
plain, hand-computable value."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from dataip.value.valuation_model import (
    CollectionFacts,
    Comparable,
    CostInputs,
    EconomicFacts,
    IncomeInputs,
    LegalFacts,
    MarketInputs,
    TechnicalFacts,
    ValuationInputs,
)

TODAY = date(2026, 12, 7)


def legal(**kw: Any) -> LegalFacts:
    base = LegalFacts(today=TODAY, state="valid", valid_until=date(2028, 12, 6))
    return replace(base, **kw)


def comparable(amount: int = 1_000_000, **kw: Any) -> Comparable:
    base = Comparable(
        kind="licence",
        amount_fen=amount,
        month="2026-12",
        months_ago=0,
        industry_code="6450",
        section="I",
        records=None,
    )
    return replace(base, **kw)


def inputs(**kw: Any) -> ValuationInputs:
    base = ValuationInputs(
        valuation_date=TODAY,
        legal=legal(),
        collection=CollectionFacts(quality_bp=8000, quality_source="declared", records=50_000),
        technical=TechnicalFacts(
            evidence="deposit",
            update_frequency="daily",
            has_processing_rules=True,
            has_achievement=False,
        ),
        economic=EconomicFacts(filings=2, scenarios=2, practical_values=4),
        industry_code="6450",
        section="I",
    )
    return replace(base, **kw)


COST = CostInputs(
    items=(("collection", 1_000_000), ("processing", 500_000)),
    profit_rate_bp=1000,
    scenario_bp=8000,
)
INCOME = IncomeInputs(incomes=(1_000_000, 1_000_000), discount_rate_bp=1000, contribution_bp=5000)
MARKET = MarketInputs(comparables=(comparable(), comparable(), comparable()), index_bp=300)
