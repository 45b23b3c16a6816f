"""R27 / issue 22 §2, properties (hypothesis): the figure moves the obvious way with each
input, every score stays within 0..10 000 bp, and a legal defect never raises a score or a
value."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.value.valuation import evaluate
from dataip.value.valuation_model import (
    CollectionFacts,
    CostInputs,
    EconomicFacts,
    IncomeInputs,
    LegalFacts,
    MarketInputs,
    TechnicalFacts,
)
from tests.unit.value.valuation_cases import TODAY, comparable, inputs

FEN = st.integers(0, 10**12)
BP = st.integers(0, 10_000)

costs = st.builds(
    CostInputs,
    items=st.lists(st.tuples(st.just("collection"), FEN), min_size=1, max_size=4).map(tuple),
    profit_rate_bp=st.integers(0, 50_000),
    scenario_bp=BP,
)
incomes = st.builds(
    IncomeInputs,
    incomes=st.lists(FEN, min_size=1, max_size=8).map(tuple),
    discount_rate_bp=st.integers(0, 50_000),
    contribution_bp=BP,
)
legals = st.builds(
    LegalFacts,
    today=st.just(TODAY),
    state=st.sampled_from(["valid", "revocation_pending", "re_examination"]),
    valid_until=st.integers(0, 900).map(lambda d: TODAY + timedelta(days=d)),
    pledges=st.lists(st.just("BA"), max_size=2).map(tuple),
    freezes=st.lists(st.just("BQ"), max_size=2).map(tuple),
    exclusive_licences=st.lists(st.just("BA"), max_size=2).map(tuple),
    agreement_end=st.none() | st.integers(-10, 900).map(lambda d: TODAY + timedelta(days=d)),
)
collections = st.builds(
    CollectionFacts,
    quality_bp=BP,
    quality_source=st.sampled_from(["declared", "measured"]),
    records=st.none() | st.integers(0, 10**9),
)
technicals = st.builds(
    TechnicalFacts,
    evidence=st.sampled_from(["deposit", "declared", "none"]),
    update_frequency=st.none() | st.sampled_from(["realtime", "daily", "static", "other"]),
    has_processing_rules=st.booleans(),
    has_achievement=st.booleans(),
)
economics = st.builds(
    EconomicFacts,
    filings=st.integers(0, 20),
    scenarios=st.integers(0, 10),
    practical_values=st.integers(0, 8),
)
markets = st.builds(
    MarketInputs,
    comparables=st.lists(
        st.builds(
            comparable,
            amount=FEN,
            months_ago=st.integers(0, 36),
            records=st.none() | st.integers(1, 10**8),
            quality_bp=st.none() | st.integers(1, 10_000),
        ),
        min_size=3,
        max_size=6,
    ).map(tuple),
    index_bp=st.integers(0, 1000),
)


def _everything(**kw):  # type: ignore[no-untyped-def]
    return inputs(**kw)


@settings(max_examples=60, deadline=None)
@given(legals, collections, technicals, economics, costs, incomes, markets)
def test_r27_scores_are_bounded(lg, co, te, ec, cost, income, market) -> None:  # type: ignore[no-untyped-def]
    v = evaluate(
        inputs(
            legal=lg,
            collection=co,
            technical=te,
            economic=ec,
            cost=cost,
            income=income,
            market=market,
        )
    )
    for d in v.dimensions:
        assert 0 <= d.score_bp <= 10_000, d.code
    assert 0 <= v.overall_bp <= 10_000
    assert v.value_fen is not None and v.value_fen >= 0


@settings(max_examples=60, deadline=None)
@given(
    legals,
    collections,
    costs,
    incomes,
    st.sampled_from(
        ["pledges", "freezes", "exclusive_licences", "revocation", "agreement", "expiry"]
    ),
)
def test_r27_a_defect_never_raises_a_score_or_a_value(lg, co, cost, income, defect) -> None:  # type: ignore[no-untyped-def]
    worse = {
        "pledges": lambda f: replace(f, pledges=(*f.pledges, "BA-new")),
        "freezes": lambda f: replace(f, freezes=(*f.freezes, "BQ-new")),
        "exclusive_licences": lambda f: replace(f, exclusive_licences=("x",)),
        "revocation": lambda f: replace(f, state="revocation_pending"),
        "agreement": lambda f: replace(f, agreement_end=TODAY + timedelta(days=30)),
        "expiry": lambda f: replace(f, valid_until=TODAY + timedelta(days=30)),
    }[defect](lg)
    if (
        defect == "agreement"
        and lg.agreement_end is not None
        and lg.agreement_end < worse.agreement_end
    ):  # type: ignore[operator]
        return  # an earlier end is the defect, not a later one
    if defect == "expiry" and lg.valid_until < worse.valid_until:
        return
    before = evaluate(inputs(legal=lg, collection=co, cost=cost, income=income))
    after = evaluate(inputs(legal=worse, collection=co, cost=cost, income=income))
    assert after.dimension("legal").score_bp <= before.dimension("legal").score_bp
    assert after.overall_bp <= before.overall_bp
    assert after.value_fen is not None and before.value_fen is not None
    assert after.value_fen <= before.value_fen
    for a, b in zip(after.approaches, before.approaches, strict=True):
        assert (a.value_fen or 0) <= (b.value_fen or 0), a.approach


@settings(max_examples=60, deadline=None)
@given(costs, collections, legals, st.integers(0, 10**9), st.integers(0, 10_000), BP)
def test_r27_cost_value_rises_with_cost_profit_quality_and_scenario(
    cost,
    co,
    lg,
    more_fen,
    more_rate,
    quality,  # type: ignore[no-untyped-def]
) -> None:
    base = evaluate(inputs(cost=cost, collection=co, legal=lg)).value_fen
    assert base is not None
    higher_cost = replace(cost, items=(*cost.items, ("storage", more_fen)))
    assert evaluate(inputs(cost=higher_cost, collection=co, legal=lg)).value_fen >= base  # type: ignore[operator]
    higher_rate = replace(cost, profit_rate_bp=min(50_000, cost.profit_rate_bp + more_rate))
    assert evaluate(inputs(cost=higher_rate, collection=co, legal=lg)).value_fen >= base  # type: ignore[operator]
    better = replace(co, quality_bp=max(co.quality_bp, quality))
    assert evaluate(inputs(cost=cost, collection=better, legal=lg)).value_fen >= base  # type: ignore[operator]
    wider = replace(cost, scenario_bp=max(cost.scenario_bp, quality))
    assert evaluate(inputs(cost=wider, collection=co, legal=lg)).value_fen >= base  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(incomes, legals, st.integers(0, 10_000), BP, st.integers(0, 10**9))
def test_r27_income_value_rises_with_income_and_share_and_falls_with_the_rate(
    income,
    lg,
    more_rate,
    share,
    more_income,  # type: ignore[no-untyped-def]
) -> None:
    base = evaluate(inputs(income=income, legal=lg)).value_fen
    assert base is not None
    dearer = replace(income, discount_rate_bp=min(50_000, income.discount_rate_bp + more_rate))
    assert evaluate(inputs(income=dearer, legal=lg)).value_fen <= base  # type: ignore[operator]
    bigger = replace(income, contribution_bp=max(income.contribution_bp, share))
    assert evaluate(inputs(income=bigger, legal=lg)).value_fen >= base  # type: ignore[operator]
    richer = replace(income, incomes=(income.incomes[0] + more_income, *income.incomes[1:]))
    assert evaluate(inputs(income=richer, legal=lg)).value_fen >= base  # type: ignore[operator]
    longer = replace(income, incomes=(*income.incomes, more_income)[:20])
    assert evaluate(inputs(income=longer, legal=lg)).value_fen >= base  # type: ignore[operator]


@settings(max_examples=50, deadline=None)
@given(markets, collections, st.integers(0, 10**9), BP)
def test_r27_market_value_rises_with_amounts_and_quality(market, co, more, quality) -> None:  # type: ignore[no-untyped-def]
    base = evaluate(inputs(market=market, collection=co)).value_fen
    assert base is not None
    first = market.comparables[0]
    richer = replace(
        market,
        comparables=(replace(first, amount_fen=first.amount_fen + more), *market.comparables[1:]),
    )
    assert evaluate(inputs(market=richer, collection=co)).value_fen >= base  # type: ignore[operator]
    better = replace(co, quality_bp=max(co.quality_bp, quality))
    assert evaluate(inputs(market=market, collection=better)).value_fen >= base  # type: ignore[operator]


@settings(max_examples=50, deadline=None)
@given(collections, technicals, economics, st.integers(0, 10**9), st.integers(0, 10))
def test_r27_dimensions_rise_with_their_inputs(co, te, ec, more, n) -> None:  # type: ignore[no-untyped-def]
    v = evaluate(
        inputs(
            collection=co,
            technical=te,
            economic=ec,
            cost=None,
            income=None,
            market=MarketInputs(()),
        )
    )
    bigger = replace(co, records=(co.records or 0) + more)
    w = evaluate(inputs(collection=bigger, technical=te, economic=ec, market=MarketInputs(())))
    assert w.dimension("collection").score_bp >= v.dimension("collection").score_bp
    richer = replace(ec, filings=ec.filings + n, scenarios=ec.scenarios + n)
    w = evaluate(inputs(collection=co, technical=te, economic=richer, market=MarketInputs(())))
    assert w.dimension("economic").score_bp >= v.dimension("economic").score_bp
    rules = replace(te, has_processing_rules=True, has_achievement=True)
    w = evaluate(inputs(collection=co, technical=rules, economic=ec, market=MarketInputs(())))
    assert w.dimension("technical").score_bp >= v.dimension("technical").score_bp
