"""A usage intention (需求, issue 23 §3): what it holds and which values are valid.

A need names a scenario (the application scenarios of G§7, `domain.application.SCENARIOS`), a
GB/T 4754 industry (section letter or code; the services check the code exists), the data
wanted, a region (an administrative division code prefix, or none for the whole country), the
period the data would be used in, a budget band and the day it expires (at most a year ahead;
an expired need is no longer shown or matched). Budget bands are ranges of integer fen, not
amounts: a need publishes an order of magnitude, never a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dataip.domain.application import SCENARIOS
from dataip.domain.errors import DomainError

__all__ = [
    "BUDGET_BANDS",
    "MAX_EXPIRY_DAYS",
    "Contact",
    "Need",
    "NeedFields",
    "band_range",
    "validate_need",
]

# band → (zh, en, lowest fen, highest fen or None): 1 yuan = 100 fen
BUDGET_BANDS: dict[str, tuple[str, str, int, int | None]] = {
    "under_10k": ("1 万元以下", "under ¥10,000", 0, 1_000_000),
    "10k_100k": ("1 万至 10 万元", "¥10,000 – ¥100,000", 1_000_000, 10_000_000),
    "100k_1m": ("10 万至 100 万元", "¥100,000 – ¥1 million", 10_000_000, 100_000_000),
    "1m_10m": ("100 万至 1000 万元", "¥1 – 10 million", 100_000_000, 1_000_000_000),
    "over_10m": ("1000 万元以上", "over ¥10 million", 1_000_000_000, None),
    "negotiable": ("面议", "to be negotiated", 0, None),
}
MAX_EXPIRY_DAYS = 366
TITLE = (4, 100)
DATA_WANTED = (10, 2000)
_INDUSTRY = re.compile(r"^(?:[A-T]|[0-9]{2,4})$")
_REGION = re.compile(r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$")


def band_range(band: str) -> tuple[int, int | None]:
    """A band's range in fen: lowest included, highest excluded (None: no upper bound)."""
    _, _, low, high = BUDGET_BANDS[band]
    return low, high


@dataclass(frozen=True)
class NeedFields:
    title: str
    scenario: str
    industry_code: str
    data_wanted: str
    region_code: str | None
    period_from: date
    period_to: date
    budget_band: str
    expires_on: date


def _bad(code: str, zh: str, en: str, field: str) -> DomainError:
    return DomainError(code, zh, en, status=422, details={"fields": [field]})


def validate_need(f: NeedFields, *, today: date) -> None:
    """Raise a 422 `DomainError` naming the first field that is not valid."""
    title = f.title.strip()
    if not TITLE[0] <= len(title) <= TITLE[1]:
        raise _bad(
            "invalid_need_title",
            f"需求标题须为{TITLE[0]}至{TITLE[1]}个字",
            f"the title is {TITLE[0]} to {TITLE[1]} characters",
            "title",
        )
    wanted = f.data_wanted.strip()
    if not DATA_WANTED[0] <= len(wanted) <= DATA_WANTED[1]:
        raise _bad(
            "invalid_data_wanted",
            f"所需数据说明须为{DATA_WANTED[0]}至{DATA_WANTED[1]}个字",
            f"the data wanted is described in {DATA_WANTED[0]} to {DATA_WANTED[1]} characters",
            "data_wanted",
        )
    if f.scenario not in SCENARIOS:
        raise _bad("invalid_scenario", "未知的应用场景", "unknown application scenario", "scenario")
    if not _INDUSTRY.match(f.industry_code):
        raise _bad(
            "invalid_industry",
            "行业须为门类字母（如 I）或 2–4 位行业代码",
            "industry is a section letter (e.g. I) or a 2–4 digit code",
            "industry_code",
        )
    if f.region_code is not None and not _REGION.match(f.region_code):
        raise _bad(
            "invalid_region",
            "地区须为 2、4 或 6 位行政区划代码",
            "region is a 2, 4 or 6 digit administrative division code",
            "region_code",
        )
    if f.budget_band not in BUDGET_BANDS:
        raise _bad("invalid_budget_band", "未知的预算区间", "unknown budget band", "budget_band")
    if f.period_to < f.period_from or f.period_to < today:
        raise _bad(
            "invalid_period",
            "使用期间的结束日不得早于开始日或今天",
            "the period of use ends on or after its start and today",
            "period_to",
        )
    if not today < f.expires_on <= today + timedelta(days=MAX_EXPIRY_DAYS):
        raise _bad(
            "invalid_expiry",
            f"有效期须在明天至{MAX_EXPIRY_DAYS}天之内",
            f"a need expires between tomorrow and {MAX_EXPIRY_DAYS} days from today",
            "expires_on",
        )


@dataclass(frozen=True)
class Need:
    """A stored need (table `needs`); `open_on(day)` says whether it is shown and matched."""

    id: int
    author_user_id: int
    party_id: int
    title: str
    scenario: str
    industry_code: str
    data_wanted: str
    region_code: str | None
    period_from: date
    period_to: date
    budget_band: str
    expires_on: date
    state: str  # open | withdrawn
    created_at: datetime
    withdrawn_at: datetime | None
    version: int

    def open_on(self, day: date) -> bool:
        return self.state == "open" and day <= self.expires_on

    def status_on(self, day: date) -> str:
        """open | withdrawn | expired (expiry is a date, not a stored state)."""
        if self.state == "open" and day > self.expires_on:
            return "expired"
        return self.state


@dataclass(frozen=True)
class Contact:
    """A contact request on a match (table `need_contacts`)."""

    id: int
    need_id: int
    registration_id: int
    proposed_by: str  # author | holder
    holder_user_id: int | None
    state: str  # proposed | accepted | declined
    proposed_at: datetime
    answered_at: datetime | None
    version: int
