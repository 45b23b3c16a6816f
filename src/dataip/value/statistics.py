"""Statistics of the register (R30, 登记统计): the formulas, pure.

Every figure the statistics page, the API, the CSV files and the annual report publish is
computed here from plain integers and dates, so that a test (or a reader) can recompute it:

* **Working-day durations** (办理用时, R0): the working days *after* the day a step started
  up to and including the day it ended — the way R0.1 counts a period (the trigger day is
  not counted), so an act done on the last day of an N-working-day period took N working
  days, and an act done the same day took 0. :class:`WorkdayIndex` answers it in O(1) per
  pair from a cumulative count over the calendar.
* **Percentiles** by the *nearest-rank* method: the P-th percentile of N sorted values is
  the value at rank ⌈P·N/100⌉ (1-based). The median is the 50th percentile by the same rule
  (for an even N the lower of the two middle values), so every published figure is a
  duration some application actually took, and it can be read exactly off a histogram of
  whole working days (:func:`histogram_percentile`), which is what the registry stores.
* **Shares** as exact fractions, shown in basis points rounded half up (:func:`share_bp`).
* **Amounts** in integer fen; shown in 元 or 万元 by integer arithmetic (:func:`yuan_text`,
  :func:`wan_yuan_text`); a cell that sums fewer than :data:`MIN_AMOUNT_CELL` contracts is
  withheld, because a sum of one contract is that contract's confidential amount.
* **Holder types** from the Unified Social Credit Code's first two characters (GB 32100),
  **regions** from its characters 3–4 (the province of the registering authority, GB/T 2260).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Final

__all__ = [
    "HOLDER_TYPES",
    "MIN_AMOUNT_CELL",
    "SEGMENTS",
    "UNKNOWN",
    "DurationSummary",
    "WorkdayIndex",
    "histogram_percentile",
    "holder_type",
    "merge_histograms",
    "month_key",
    "month_range",
    "nearest_rank",
    "percent_text",
    "province_of",
    "share_bp",
    "summarise",
    "wan_yuan_text",
    "working_days_between",
    "yuan_text",
]

UNKNOWN: Final = "-"  # a dimension's key when the fact is missing (no industry, no credit code)

#: The processing segments (办理环节) published per month, in order: (key, zh, en).
SEGMENTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("accept", "申请→受理", "Filing → acceptance"),
    ("decide", "受理→审查决定", "Acceptance → examination decision"),
    ("certify", "审查决定→发证", "Decision → certificate"),
    ("overall", "申请→发证（全程）", "Filing → certificate (overall)"),
)

#: Holder types (持有人类型): key → (zh, en). From GB 32100 characters 1–2 of the credit
#: code, or the party kind for a natural person.
HOLDER_TYPES: Final[dict[str, tuple[str, str]]] = {
    "enterprise": ("企业", "Enterprise"),
    "individual_business": ("个体工商户", "Individual business"),
    "cooperative": ("农民专业合作社及集体经济组织", "Cooperative or collective"),
    "public_institution": ("事业单位", "Public institution"),
    "government": ("机关", "Government body"),
    "social_organisation": ("社会组织", "Social organisation"),
    "natural_person": ("自然人", "Natural person"),
    "other": ("其他组织", "Other organisation"),
}

# GB 32100 characters 1–2 (registration authority + organisation type) → holder type
_USCC_TYPES: Final[dict[str, str]] = {
    "91": "enterprise",
    "92": "individual_business",
    "93": "cooperative",
    "N1": "cooperative",
    "N2": "cooperative",
    "N3": "cooperative",
    "12": "public_institution",
    "A1": "public_institution",
    "11": "government",
    "51": "social_organisation",
    "52": "social_organisation",
    "53": "social_organisation",
}

#: A sum of fewer contracts than this is not published (it would disclose one contract's
#: confidential amount, or two parties' amounts to each other).
MIN_AMOUNT_CELL: Final = 3


def holder_type(*, kind: str | None, credit_code: str | None) -> str:
    """A holder's type: natural persons by their party kind, organisations by the credit
    code's characters 1–2 (91 enterprise, 12 public institution, 51–53 social organisation …);
    anything else is ``other``."""
    if kind == "natural_person":
        return "natural_person"
    code = (credit_code or "").strip().upper()
    return _USCC_TYPES.get(code[:2], "other")


def province_of(credit_code: str | None, provinces: Mapping[str, str]) -> str:
    """The province (GB/T 2260, two digits) of the authority that registered a credit code:
    its characters 3–4; :data:`UNKNOWN` for a natural person, a national-level code (10) or
    a code that names no province."""
    code = (credit_code or "").strip()
    key = code[2:4]
    return key if len(code) == 18 and key in provinces else UNKNOWN


def month_key(d: date) -> str:
    """`2026-11`: the month a fact is counted in."""
    return f"{d.year:04d}-{d.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month key from ``first`` to ``last`` inclusive (empty when first > last)."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def working_days_between(start: date, end: date, is_working_day: Callable[[date], bool]) -> int:
    """R0.1: the working days after ``start`` up to and including ``end`` (0 when ``end`` is
    not after ``start``). The reference definition; :class:`WorkdayIndex` is the fast one."""
    n, d = 0, start + timedelta(days=1)
    while d <= end:
        n += is_working_day(d)
        d += timedelta(days=1)
    return n


class WorkdayIndex:
    """Working days between two dates in O(1): a cumulative count of working days per day
    over [first, last], so that ``between(a, b) = cum[b] - cum[a]``. Dates outside the span
    are counted day by day (correct, only slower)."""

    def __init__(self, first: date, last: date, is_working_day: Callable[[date], bool]) -> None:
        self.first, self.last, self._is = first, last, is_working_day
        cum, n = [], 0
        for i in range((last - first).days + 1):
            n += is_working_day(first + timedelta(days=i))
            cum.append(n)
        self._cum = cum

    def between(self, start: date, end: date) -> int:
        if end <= start:
            return 0
        if self.first <= start and end <= self.last:
            return self._cum[(end - self.first).days] - self._cum[(start - self.first).days]
        return working_days_between(start, end, self._is)


def nearest_rank(sorted_values: list[int], percent: int) -> int | None:
    """The ``percent``-th percentile of ``sorted_values`` (ascending) by nearest rank: the
    value at 1-based rank ⌈percent·N/100⌉; None for no values."""
    if not sorted_values:
        return None
    if not 0 < percent <= 100:
        raise ValueError("percent is in (0, 100]")
    rank = max(1, math.ceil(Fraction(percent * len(sorted_values), 100)))
    return sorted_values[rank - 1]


def histogram_percentile(histogram: Mapping[int, int], percent: int) -> int | None:
    """The same nearest-rank percentile read off a histogram {value: count}: the smallest
    value whose cumulative count reaches rank ⌈percent·N/100⌉. Exact for whole values."""
    total = sum(histogram.values())
    if total == 0:
        return None
    if not 0 < percent <= 100:
        raise ValueError("percent is in (0, 100]")
    rank = max(1, math.ceil(Fraction(percent * total, 100)))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks cover the total")  # pragma: no cover


@dataclass(frozen=True)
class DurationSummary:
    """One month's (or one period's) durations of a segment, in working days."""

    count: int
    median: int | None
    p90: int | None
    mean_x100: int | None  # the mean × 100, rounded half up (shown with two decimals)
    max: int | None


def summarise(histogram: Mapping[int, int]) -> DurationSummary:
    """Count, median and 90th percentile (nearest rank), mean and maximum of a histogram."""
    h = {int(k): int(v) for k, v in histogram.items() if v}
    total = sum(h.values())
    if total == 0:
        return DurationSummary(0, None, None, None, None)
    mean = Fraction(sum(k * v for k, v in h.items()) * 100, total)
    return DurationSummary(
        count=total,
        median=histogram_percentile(h, 50),
        p90=histogram_percentile(h, 90),
        mean_x100=math.floor(mean + Fraction(1, 2)),
        max=max(h),
    )


def merge_histograms(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Histograms added: a year's durations are the sum of its months'."""
    out: dict[int, int] = {}
    for h in histograms:
        for k, v in h.items():
            out[k] = out.get(k, 0) + v
    return out


def share_bp(part: int, whole: int) -> int | None:
    """``part / whole`` in basis points (1/10,000), rounded half up; None when whole is 0."""
    if whole <= 0:
        return None
    return math.floor(Fraction(part * 10_000, whole) + Fraction(1, 2))


def percent_text(bp: int | None) -> str:
    """Basis points as a percentage with two decimals: 3333 → `33.33%`."""
    if bp is None:
        return "—"
    return f"{bp // 100}.{bp % 100:02d}%"


def yuan_text(fen: int) -> str:
    """Integer fen as 元 with thousands separators and two decimals: 12000050 → `120,000.50`."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def wan_yuan_text(fen: int) -> str:
    """Integer fen as 万元 with two decimals, rounded half up: 12_345_678 fen → `12.35`."""
    sign = "-" if fen < 0 else ""
    # 1 万元 = 1,000,000 fen; two decimals of 万元 are units of 10,000 fen
    units = (abs(fen) + 5_000) // 10_000
    return f"{sign}{units // 100:,}.{units % 100:02d}"
