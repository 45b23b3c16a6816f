"""R29 (issue 23 §3): a need's fields and their validation; budget bands are ranges of
integer fen."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime

import pytest

from dataip.domain.errors import DomainError
from dataip.matching.needs import BUDGET_BANDS, Need, NeedFields, band_range, validate_need

TODAY = date(2026, 10, 14)
OK = NeedFields(
    title="公交客流数据",
    scenario="transport",
    industry_code="5411",
    data_wanted="需要每条线路各站点分时段的上车人数",
    region_code="52",
    period_from=date(2026, 11, 1),
    period_to=date(2027, 10, 31),
    budget_band="100k_1m",
    expires_on=date(2027, 1, 31),
)


def test_r29_valid_need_passes() -> None:
    validate_need(OK, today=TODAY)
    validate_need(replace(OK, region_code=None, industry_code="G"), today=TODAY)


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"title": "公交"}, "invalid_need_title"),
        ({"title": "  公交  "}, "invalid_need_title"),
        ({"data_wanted": "短"}, "invalid_data_wanted"),
        ({"scenario": "space"}, "invalid_scenario"),
        ({"industry_code": "54111"}, "invalid_industry"),
        ({"region_code": "520"}, "invalid_region"),
        ({"budget_band": "a_lot"}, "invalid_budget_band"),
        ({"period_to": date(2026, 10, 31)}, "invalid_period"),
        ({"period_from": date(2026, 1, 1), "period_to": date(2026, 10, 13)}, "invalid_period"),
        ({"expires_on": TODAY}, "invalid_expiry"),
        ({"expires_on": date(2027, 10, 16)}, "invalid_expiry"),
    ],
)
def test_r29_invalid_need_fields(over: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as e:
        validate_need(replace(OK, **over), today=TODAY)  # type: ignore[arg-type]
    assert e.value.code == code and e.value.status == 422


def test_r29_budget_bands_are_contiguous_integer_fen() -> None:
    ordered = [b for b in BUDGET_BANDS if b != "negotiable"]
    for low, high in itertools.pairwise(ordered):
        assert band_range(low)[1] == band_range(high)[0]
    assert band_range("under_10k") == (0, 1_000_000)  # ¥10,000 = 1,000,000 fen
    assert band_range("over_10m")[1] is None
    assert all(isinstance(v, int) for b in BUDGET_BANDS for v in band_range(b) if v is not None)


def test_r29_need_status_on_a_day() -> None:
    at = datetime(2026, 10, 14, 10, 0)
    need = Need(
        1,
        1,
        1,
        "t",
        "transport",
        "5411",
        "w",
        None,
        TODAY,
        TODAY,
        "negotiable",
        date(2026, 10, 20),
        "open",
        at,
        None,
        1,
    )
    assert need.open_on(date(2026, 10, 20)) and need.status_on(date(2026, 10, 20)) == "open"
    assert not need.open_on(date(2026, 10, 21))
    assert need.status_on(date(2026, 10, 21)) == "expired"
    assert replace(need, state="withdrawn").status_on(TODAY) == "withdrawn"
