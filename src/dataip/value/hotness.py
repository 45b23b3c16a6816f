"""The hotness ranking (热度榜, Z§4.2, R27): signal kinds, their weights, the time decay and the
score — exactly recomputable from the published daily counts.

The formula, for a registration r ranked as of the closed day D::

    score(r) = Σ_{a=0}^{W-1} Σ_k  w_k · min(c_k(r, D−a), cap_k) · F(a)
    F(a)     = ⌊1000 · 2^(−a/H)⌋        (a ≥ 0 whole days; F(0) = 1000)

`c_k(r, d)` is the published count of signal kind k for r on day d, `w_k` the kind's integer
weight, `cap_k` the most a single day may contribute per kind (no cap when 0), H the half-life
in days and W the window in days (profile `[hotness]`). Every quantity is an integer, so the
score is an integer: it is published in thousandths of a point (`score / 1000` with exactly
three decimals, e.g. ``"12.345"``). F(a) is defined exactly — the largest integer x with
x^H · 2^a ≤ 1000^H — so no floating point is involved anywhere and anyone with big integers
(or the decay table the API publishes) gets the same numbers bit for bit.

Ranking: registrations with a positive score, by score descending, ties by registration
number ascending; ranks 1, 2, 3 … (no shared ranks).

Pure: no storage, no HTTP. `services/value/signals.py` collects the counts and
`services/value/hotness.py` publishes the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

__all__ = [
    "FILING_KINDS",
    "KINDS",
    "KIND_LABELS",
    "PUBLIC_KINDS",
    "SCALE",
    "DailyCount",
    "HotnessPolicy",
    "RankedRow",
    "decay",
    "decay_table",
    "format_score",
    "policy_from_table",
    "rank",
    "score",
    "scores",
]

SCALE: Final = 1000  # F(0): scores are in thousandths of a point

# The signal kinds, in the order pages show them. The first five come from the public's
# visits (one per visitor per registration per day, bots and holders not counted); the
# filings from the registry's own records; citations as an upstream source from issue 23's
# derivation graph (a confirmed link naming the registration).
KINDS: Final = (
    "view",
    "search",
    "verification",
    "certificate_download",
    "sample_download",
    "licence",
    "pledge",
    "trade",
    "citation",
)
PUBLIC_KINDS: Final = frozenset(KINDS[:5])
FILING_KINDS: Final = ("licence", "pledge", "trade")

KIND_LABELS: Final[dict[str, tuple[str, str]]] = {
    "view": ("浏览", "views"),
    "search": ("检索命中", "search hits"),
    "verification": ("证书核验", "verifications"),
    "certificate_download": ("证书下载", "certificate downloads"),
    "sample_download": ("样例下载", "sample downloads"),
    "licence": ("许可备案", "licences filed"),
    "pledge": ("质押备案", "pledges filed"),
    "trade": ("交易备案", "trades filed"),
    "citation": ("被引为上游数据", "citations as a source"),
}

DEFAULT_WEIGHTS: Final[dict[str, int]] = {
    "view": 1,
    "search": 1,
    "verification": 3,
    "certificate_download": 2,
    "sample_download": 2,
    "licence": 20,
    "pledge": 20,
    "trade": 30,
    "citation": 10,
}


@dataclass(frozen=True)
class HotnessPolicy:
    """The profile's `[hotness]` settings: the formula's parameters and the collection's
    limits (`visitor_daily_cap`: the most signals one visitor adds in a day, across every
    registration and kind; further ones are not counted)."""

    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    half_life_days: int = 30
    window_days: int = 90
    daily_caps: Mapping[str, int] = field(default_factory=dict)  # per registration and day
    visitor_daily_cap: int = 200

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(KINDS)
        if unknown:
            raise ValueError(f"hotness.weights names unknown kinds: {', '.join(sorted(unknown))}")
        if set(self.daily_caps) - set(KINDS):
            raise ValueError("hotness.daily_caps names unknown kinds")
        if any(w < 0 for w in self.weights.values()) or any(
            c < 0 for c in self.daily_caps.values()
        ):
            raise ValueError("hotness weights and caps are non-negative integers")
        if not 1 <= self.half_life_days <= 3650:
            raise ValueError("hotness.half_life_days must be 1..3650")
        if not 1 <= self.window_days <= 3650:
            raise ValueError("hotness.window_days must be 1..3650")
        if self.visitor_daily_cap < 1:
            raise ValueError("hotness.visitor_daily_cap must be at least 1")

    def weight(self, kind: str) -> int:
        return int(self.weights.get(kind, 0))

    def cap(self, kind: str) -> int:
        return int(self.daily_caps.get(kind, 0))

    def decay(self) -> tuple[int, ...]:
        return decay_table(self.half_life_days, self.window_days)

    def describe(self) -> dict[str, object]:
        """The parameters as the API publishes them (with the decay table, for checking)."""
        return {
            "scale": SCALE,
            "half_life_days": self.half_life_days,
            "window_days": self.window_days,
            "weights": {k: self.weight(k) for k in KINDS},
            "daily_caps": {k: self.cap(k) for k in KINDS},
            "decay": list(self.decay()),
        }


def decay(age_days: int, half_life_days: int) -> int:
    """F(a) = ⌊SCALE · 2^(−a/H)⌋, exactly: the largest integer x with x^H · 2^a ≤ SCALE^H."""
    if age_days < 0 or half_life_days < 1:
        raise ValueError("age ≥ 0 and half-life ≥ 1")
    bound = SCALE**half_life_days
    lo, hi = 0, SCALE  # F(a) ≤ SCALE; F(0) = SCALE
    while lo < hi:  # invariant: lo satisfies, hi+1 does not
        mid = (lo + hi + 1) // 2
        if mid**half_life_days * 2**age_days <= bound:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=32)
def decay_table(half_life_days: int, window_days: int) -> tuple[int, ...]:
    """F(0) … F(W−1)."""
    return tuple(decay(a, half_life_days) for a in range(window_days))


@dataclass(frozen=True)
class DailyCount:
    """One published row: on `day`, `count` signals of `kind` for a registration."""

    day: date
    kind: str
    count: int


def score(counts: Iterable[DailyCount], policy: HotnessPolicy, as_of: date) -> int:
    """One registration's score as of the closed day `as_of`, in thousandths of a point.
    Rows of the same day and kind are one count (as published: one row each); days after
    `as_of` or before the window contribute nothing."""
    return scores((("", c.day, c.kind, c.count) for c in counts), policy, as_of).get("", 0)


def scores(
    rows: Iterable[tuple[str, date, str, int]], policy: HotnessPolicy, as_of: date
) -> dict[str, int]:
    """Scores of many registrations from rows (key, day, kind, count); keys whose rows all
    fall outside the window score 0."""
    table = policy.decay()
    merged: dict[tuple[str, date, str], int] = {}
    for key, day, kind, count in rows:
        merged[key, day, kind] = merged.get((key, day, kind), 0) + max(count, 0)
    out: dict[str, int] = {}
    for (key, day, kind), count in merged.items():
        age = (as_of - day).days
        total = out.get(key, 0)
        if 0 <= age < len(table):
            cap = policy.cap(kind)
            total += policy.weight(kind) * (min(count, cap) if cap else count) * table[age]
        out[key] = total
    return out


@dataclass(frozen=True)
class RankedRow:
    rank: int
    key: str  # the registration number
    score: int


def rank(scored: Mapping[str, int]) -> list[RankedRow]:
    """Positive scores only, by score descending, ties by key (registration number)
    ascending; ranks 1, 2, 3 …"""
    ordered = sorted(((-s, k) for k, s in scored.items() if s > 0))
    return [RankedRow(i, k, -neg) for i, (neg, k) in enumerate(ordered, start=1)]


def format_score(value: int) -> str:
    """Thousandths as a decimal with exactly three places: 12345 → "12.345"."""
    if value < 0:
        raise ValueError("scores are non-negative")
    whole, frac = divmod(value, SCALE)
    return f"{whole}.{frac:03d}"


def policy_from_table(table: Mapping[str, object]) -> HotnessPolicy:
    """A profile's `[hotness]` TOML table as a policy (missing keys take the defaults);
    ValueError names what is wrong."""
    known = {"weights", "half_life_days", "window_days", "daily_caps", "visitor_daily_cap"}
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"[hotness] has unknown keys: {', '.join(sorted(unknown))}")

    def _ints(value: object, name: str) -> dict[str, int]:
        if not isinstance(value, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value.values()
        ):
            raise ValueError(f"hotness.{name} maps kinds to integers")
        return {str(k): int(v) for k, v in value.items()}

    def _int(name: str, default: int) -> int:
        value = table.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"hotness.{name} is an integer")
        return value

    weights = dict(DEFAULT_WEIGHTS)
    weights.update(_ints(table.get("weights", {}), "weights"))
    return HotnessPolicy(
        weights=weights,
        half_life_days=_int("half_life_days", 30),
        window_days=_int("window_days", 90),
        daily_caps=_ints(table.get("daily_caps", {}), "daily_caps"),
        visitor_daily_cap=_int("visitor_daily_cap", 200),
    )
