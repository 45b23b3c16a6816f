"""The hotness ranking (热度榜, issue 22 §4): the daily snapshot and what pages and the API read.

`refresh` is the day's aggregation (run by `dataip tick` after the day closes, or `dataip
rankings refresh`): it reads the window's published daily counts, scores every registration
with `dataip.value.hotness.scores` — the formula anyone can rerun on the published counts —
and stores the ranks overall, per GB/T 4754 section and per province in `hot_scores`, so a
ranking page is one indexed read. Only registrations in force are ranked; the counts of the
others stay published.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dataip.domain.errors import DomainError
from dataip.domain.identifiers import PROVINCES
from dataip.services.context import Env
from dataip.services.value import signals
from dataip.value import hotness

__all__ = [
    "HotRow",
    "RefreshReport",
    "daily_counts",
    "hot",
    "policy",
    "refresh",
]

MAX_LIMIT = 200
MAX_DAILY_SPAN = 366


def policy(env: Env) -> hotness.HotnessPolicy:
    return hotness.policy_from_table(env.profile.hotness)


@dataclass(frozen=True)
class RefreshReport:
    as_of: date | None
    days_closed: int
    ranked: int


def refresh(env: Env, *, force: bool = True) -> RefreshReport:
    """Close the days up to yesterday, then rebuild the snapshot as of the last closed day —
    always when `force`, else only when a day closed (what `tick` does every run)."""
    closed = signals.close_days(env)
    as_of = signals.closed_through(env)
    if as_of is None or not (closed or force):
        return RefreshReport(as_of, len(closed), -1)
    return RefreshReport(as_of, len(closed), rebuild(env, as_of))


def top_as_of(env: Env, as_of: date, *, limit: int = 10) -> list[dict[str, Any]]:
    """The ranking as it stood on the closed day `as_of` — the published formula over the
    published daily counts of its window, exactly as `rebuild` would rank them then — without
    touching the snapshot the ranking page serves (the annual report's 热度榜 as of 31
    December). Registrations no longer in force are left out, as on the page."""
    pol = policy(env)
    first = as_of - timedelta(days=pol.window_days - 1)
    with env.read() as uow:
        rows = [
            (str(reg), day, kind, n) for reg, day, kind, n in uow.signals.window_rows(first, as_of)
        ]
        scored = hotness.scores(rows, pol, as_of)
        live = uow.signals.rankable(sorted(int(r) for r, s in scored.items() if s > 0))
        ranked = hotness.rank({live[int(r)][0]: s for r, s in scored.items() if int(r) in live})
        out = []
        for row in ranked[:limit]:
            reg = uow.registrations.by_number(row.key)
            out.append(
                {
                    "rank": row.rank,
                    "registration_number": row.key,
                    "name": reg.name if reg is not None else row.key,
                    "score": hotness.format_score(row.score),
                }
            )
    return out


def rebuild(env: Env, as_of: date) -> int:
    """The snapshot as of `as_of` from the daily counts; the number of rows ranked. Memory is
    a few integers per registration with a count in the window (a million: about 300 MB)."""
    pol = policy(env)
    first = as_of - timedelta(days=pol.window_days - 1)
    table = pol.decay()
    index = {k: i for i, k in enumerate(hotness.KINDS)}
    weights = [pol.weight(k) for k in hotness.KINDS]
    caps = [pol.cap(k) for k in hotness.KINDS]
    score: dict[int, int] = {}
    totals: dict[int, list[int]] = {}
    with env.read() as uow:
        # the same sum as hotness.scores, inlined: this loop runs over every counted row
        for reg, day, kind, count in uow.signals.window_rows(first, as_of):
            k = index.get(kind)
            if k is None:
                continue
            cap = caps[k]
            n = min(count, cap) if cap else count
            score[reg] = score.get(reg, 0) + weights[k] * n * table[(as_of - day).days]
            per = totals.get(reg)
            if per is None:
                per = totals[reg] = [0] * len(index)
            per[k] += count
        live = uow.signals.rankable(sorted(r for r, s in score.items() if s > 0))
    # hotness.rank's order (score descending, then registration number), overall and within
    # each section and province
    ordered = sorted(live, key=lambda reg: (-score[reg], live[reg][0]))
    in_section: dict[str, int] = {}
    in_region: dict[str, int] = {}
    now = env.now()

    def rows() -> Iterator[dict[str, Any]]:
        for rank_all, reg in enumerate(ordered, start=1):
            number, section, region = live[reg]
            rank_section = rank_region = None
            if section:
                rank_section = in_section[section] = in_section.get(section, 0) + 1
            if region:
                rank_region = in_region[region] = in_region.get(region, 0) + 1
            yield {
                "registration_id": reg,
                "as_of": as_of,
                "registration_number": number,
                "score": score[reg],
                "section": section,
                "region": region,
                "rank_all": rank_all,
                "rank_section": rank_section,
                "rank_region": rank_region,
                "counts": dict(zip(hotness.KINDS, totals[reg], strict=True)),
                "computed_at": now,
            }

    with env.uow() as uow:
        uow.signals.replace_snapshot(rows())
        uow.commit()
    return len(ordered)


@dataclass(frozen=True)
class HotRow:
    rank: int
    registration_number: str
    name: str
    holders: list[str]  # legal persons' and organisations' names only
    industry_code: str | None
    industry_name: str | None  # GB/T 4754
    section: str | None
    region: str | None
    score: int  # thousandths of a point
    counts: dict[str, int]

    @property
    def score_text(self) -> str:
        return hotness.format_score(self.score)


def hot(
    env: Env, *, section: str | None = None, region: str | None = None, limit: int = 50
) -> tuple[date | None, list[HotRow]]:
    """The snapshot's top `limit` overall, in a GB/T 4754 section (a letter) or in a
    province (2 digits of the division code); (as of, rows)."""
    if section and region:
        raise DomainError(
            "ranking_filter_conflict",
            "请只选择行业门类或地区之一",
            "choose an industry section or a region, not both",
            status=422,
        )
    if section is not None and not (len(section) == 1 and "A" <= section <= "T"):
        raise DomainError(
            "unknown_section",
            "行业门类应为 A–T 之一",
            "the industry section is one letter A–T",
            status=422,
        )
    if region is not None and region not in PROVINCES:
        raise DomainError(
            "unknown_region",
            "地区应为省级行政区划代码的前两位",
            "the region is a province's two-digit division code",
            status=422,
        )
    limit = max(1, min(limit, MAX_LIMIT))
    with env.read() as uow:
        as_of, _ = uow.signals.snapshot_as_of()
        rows = uow.signals.hot(section=section, region=region, limit=limit)
    rank_key = "rank_section" if section else "rank_region" if region else "rank_all"
    return as_of, [
        HotRow(
            rank=int(r[rank_key]),
            registration_number=r["registration_number"],
            name=r["name"],
            holders=[
                str(h.get("name"))
                for h in (r["holders"] or [])
                if h.get("kind") != "natural_person" and h.get("name")
            ],
            industry_code=r["industry_code"],
            industry_name=r["industry_name"],
            section=r["section"],
            region=r["region"],
            score=int(r["score"]),
            counts={k: int(r["counts"].get(k, 0)) for k in hotness.KINDS},
        )
        for r in rows
    ]


# --- the published daily counts -------------------------------------------------------------


def _cursor_out(row: tuple[date, int, str, str, int]) -> str:
    raw = f"{row[0].isoformat()}|{row[1]}|{row[3]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_in(cursor: str) -> tuple[date, int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, reg, kind = raw.split("|")
        if kind not in hotness.KINDS:
            raise ValueError(kind)
        return date.fromisoformat(day), int(reg), kind
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            "invalid_cursor", "分页游标无效", "the page cursor is not valid", status=422
        ) from None


def _too_long() -> DomainError:
    return DomainError(
        "range_too_long", "一次最多查询 366 天", "ask for at most 366 days at a time", status=422
    )


@dataclass(frozen=True)
class DailyCounts:
    first: date | None
    last: date | None
    rows: Sequence[tuple[date, int, str, str, int]]
    next_cursor: str | None


def daily_counts(
    env: Env,
    *,
    first: date | None = None,
    last: date | None = None,
    cursor: str | None = None,
    limit: int = 1000,
) -> DailyCounts:
    """The counts the formula uses, for closed days only (an open day's are still moving):
    (day, registration id, registration number, kind, count), by day, registration, kind.
    Without `from`/`to`, the current snapshot's window."""
    after = _cursor_in(cursor) if cursor else None  # refused before anything is read
    if first and last and (last - first).days >= MAX_DAILY_SPAN:
        raise _too_long()
    through = signals.closed_through(env)
    if through is None:
        return DailyCounts(first, last, [], None)
    pol = policy(env)
    last = min(last or through, through)
    first = first or (last - timedelta(days=pol.window_days - 1))
    if first > last:
        return DailyCounts(first, last, [], None)
    if (last - first).days >= MAX_DAILY_SPAN:
        raise _too_long()
    limit = max(1, min(limit, 10_000))
    with env.read() as uow:
        rows = uow.signals.daily_page(first, last, after, limit)
    return DailyCounts(first, last, rows, _cursor_out(rows[-1]) if len(rows) == limit else None)
