"""The published statistics of a period (R30): what the statistics page, the API, the CSV
files and the annual report show, read from the monthly aggregates only (never the register).

Names, not codes: industries by their GB/T 4754 names, regions by province, holder and source
types by their Chinese (and English) names; the codes ride along for machines."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from typing import Any

from dataip.domain.identifiers import PROVINCES
from dataip.services.context import Env
from dataip.services.value import statistics as agg
from dataip.value import statistics as f

__all__ = ["SOURCE_TYPES", "TABLES", "VALUE_KINDS", "compute_figures", "figures", "table"]

SOURCE_TYPES: dict[str, tuple[str, str]] = {
    "personal": ("个人数据", "Personal data"),
    "enterprise": ("企业数据", "Enterprise data"),
    "public": ("公共数据", "Public data"),
    "mixed": ("多种来源", "More than one kind"),
}
VALUE_KINDS: dict[str, tuple[str, str]] = {
    "licence": ("许可备案（许可费）", "Licences (fees)"),
    "trade": ("交易备案（交易价款）", "Trades (prices)"),
    "pledge": ("质押备案（质押融资额）", "Pledges (financing secured)"),
}
UNKNOWN_NAMES = {
    "section": ("未填写行业", "No industry given"),
    "division": ("未填写行业", "No industry given"),
    "region": (
        "未能识别（自然人或全国性代码）",
        "Not identified (natural person or national code)",
    ),
    "source": ("未能识别", "Not identified"),
}


def _named(
    counts: dict[str, int], names: dict[str, tuple[str, str]], measure: str
) -> list[dict[str, Any]]:
    total = sum(counts.values())
    out = []
    for key, n in counts.items():
        zh, en = names.get(key) or UNKNOWN_NAMES.get(measure, (key, key))
        out.append(
            {"code": key, "name": zh, "name_en": en, "count": n, "share_bp": f.share_bp(n, total)}
        )
    return sorted(out, key=lambda d: (-d["count"], d["code"]))


# The figures of a period change only when the aggregates are refreshed (once a day): each
# server process keeps the last periods' figures, keyed by the refresh's generation, so a page
# asked again until the next refresh costs one small read. Callers must not change them.
_CACHE: OrderedDict[tuple[int, int, str | None, str | None], dict[str, Any]] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def figures(*, env: Env, first: str | None, last: str | None) -> dict[str, Any]:
    """Every published figure of months ``first``..``last`` (open ends: all months), as of
    the last refresh (cached per refresh; `compute_figures` reads the aggregates anew)."""
    with env.read() as uow:
        key = (id(env.uow), agg.generation(uow), first, last)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    fig = compute_figures(env=env, first=first, last=last)
    with _LOCK:
        _CACHE[key] = fig
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return fig


def compute_figures(*, env: Env, first: str | None, last: str | None) -> dict[str, Any]:
    """The figures read from the month aggregates (no cache)."""
    with env.read() as uow:
        totals = uow.statistics.count_totals(first, last)
        monthly_rows = uow.statistics.monthly_counts(first, last)
        value = uow.statistics.value(first, last)
        durations = uow.statistics.durations(first, last)
        duration_totals = uow.statistics.duration_totals(first, last)
        industries = uow.statistics.industry_sections(levels=("section", "division"))
        as_of = agg.refreshed_at(uow)
    by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for measure, key, n in totals:
        by[measure][key] += n
    for month, measure, n in monthly_rows:
        per_month[month][measure] += n
    months = agg.months_between(
        [r[0] for r in monthly_rows] + [r[0] for r in value] + [r[0] for r in durations],
        first,
        last,
    )
    section_names = {k: (v[0], v[0]) for k, v in industries.items() if k.isalpha()}
    division_names = {k: (v[0], v[0]) for k, v in industries.items() if len(k) == 2}
    holders = by["holder_type"]
    total_holders = sum(holders.values())
    enterprises = holders.get("enterprise", 0)
    divisions = _named(by["division"], division_names, "division")
    for d in divisions:
        d["section"] = industries[d["code"]][1] if d["code"] in industries else f.UNKNOWN
    return {
        "period": {"from": first, "to": last, "months": months},
        "as_of": as_of.isoformat() if as_of else None,
        "totals": {
            "applications": sum(by["applications"].values()),
            "registrations": sum(by["registrations"].values()),
            "holders": total_holders,
            "enterprise_holders": enterprises,
            "enterprise_share_bp": f.share_bp(enterprises, total_holders),
            "industry_sections": sum(1 for k, n in by["section"].items() if n and k != f.UNKNOWN),
            "regions": sum(1 for k, n in by["region"].items() if n and k != f.UNKNOWN),
        },
        "monthly": [
            {
                "month": m,
                "applications": per_month[m]["applications"],
                "registrations": per_month[m]["registrations"],
            }
            for m in months
        ],
        "by_section": _named(by["section"], section_names, "section"),
        "by_division": divisions,
        "by_region": _named(by["region"], {k: (v, v) for k, v in PROVINCES.items()}, "region"),
        "by_holder_type": _named(holders, f.HOLDER_TYPES, "holder_type"),
        "by_source": _named(by["source"], SOURCE_TYPES, "source"),
        "value": _value(value, months),
        "processing": _processing(durations, duration_totals, months),
    }


def _cell(count: int, fen: int) -> dict[str, Any]:
    shown = count >= f.MIN_AMOUNT_CELL
    return {
        "count": count,
        "amount_fen": fen if shown else None,
        "withheld": not shown and count > 0,
    }


def _value(rows: list[tuple[str, str, int, int]], months: list[str]) -> dict[str, Any]:
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    monthly: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for month, kind, n, fen in rows:
        total[kind][0] += n
        total[kind][1] += fen
        monthly[(month, kind)][0] += n
        monthly[(month, kind)][1] += fen
    kinds = []
    for kind, (zh, en) in VALUE_KINDS.items():
        n, fen = total.get(kind, [0, 0])
        kinds.append({"kind": kind, "name": zh, "name_en": en, **_cell(n, fen)})
    all_n = sum(k["count"] for k in kinds)
    # the sum of every kind only when no kind is withheld (else a difference discloses it)
    all_shown = all(not k["withheld"] for k in kinds) and all_n >= f.MIN_AMOUNT_CELL
    return {
        "min_cell": f.MIN_AMOUNT_CELL,
        "kinds": kinds,
        "total": {
            "count": all_n,
            "amount_fen": sum(k["amount_fen"] or 0 for k in kinds) if all_shown else None,
        },
        "monthly": [
            {
                "month": m,
                **{kind: _cell(*monthly.get((m, kind), [0, 0])) for kind in VALUE_KINDS},
            }
            for m in months
        ],
    }


def _summary(h: dict[int, int]) -> dict[str, Any]:
    s = f.summarise(h)
    return {
        "count": s.count,
        "median": s.median,
        "p90": s.p90,
        "mean_x100": s.mean_x100,
        "max": s.max,
    }


def _processing(
    rows: list[tuple[str, str, int, int]],
    totals: list[tuple[str, int, int]],
    months: list[str],
) -> dict[str, Any]:
    hist: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for month, segment, days, n in rows:
        hist[(month, segment)][days] = hist[(month, segment)].get(days, 0) + n
    whole: dict[str, dict[int, int]] = defaultdict(dict)
    for segment, days, n in totals:  # the period's histogram, added up by the database
        whole[segment][days] = whole[segment].get(days, 0) + n
    segments = []
    for key, zh, en in f.SEGMENTS:
        segments.append({"segment": key, "name": zh, "name_en": en, **_summary(whole[key])})
    return {
        "unit": "working_days",
        "percentile_method": "nearest_rank",
        "segments": segments,
        "monthly": [
            {
                "month": m,
                **{key: _summary(hist.get((m, key), {})) for key, _, _ in f.SEGMENTS},
            }
            for m in months
        ],
    }


# --- flat tables: the CSV downloads and the tables beside the charts -------------------------

TABLES = (
    "totals",
    "by-industry",
    "by-division",
    "by-region",
    "by-holder-type",
    "by-source",
    "monthly",
    "value-realised",
    "processing-times",
)


def _amount(cell: dict[str, Any]) -> str:
    return "" if cell["amount_fen"] is None else str(cell["amount_fen"])


def table(name: str, fig: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """A figure set as one flat table (header, rows) — a CSV file's content."""
    if name == "totals":
        t = fig["totals"]
        return ["指标 measure", "数值 value"], [[k, "" if v is None else v] for k, v in t.items()]
    named = {
        "by-industry": "by_section",
        "by-division": "by_division",
        "by-region": "by_region",
        "by-holder-type": "by_holder_type",
        "by-source": "by_source",
    }
    if name in named:
        head = ["代码 code", "名称 name", "数量 count", "占比(基点) share_bp"]
        return head, [[d["code"], d["name"], d["count"], d["share_bp"]] for d in fig[named[name]]]
    if name == "monthly":
        return ["月份 month", "申请 applications", "登记 registrations"], [
            [m["month"], m["applications"], m["registrations"]] for m in fig["monthly"]
        ]
    if name == "value-realised":
        head = ["月份 month"]
        for kind in VALUE_KINDS:
            head += [f"{kind}_count", f"{kind}_amount_fen"]
        rows = []
        for m in fig["value"]["monthly"]:
            row: list[Any] = [m["month"]]
            for kind in VALUE_KINDS:
                row += [m[kind]["count"], _amount(m[kind])]
            rows.append(row)
        total: list[Any] = ["合计 total"]
        for k in fig["value"]["kinds"]:
            total += [k["count"], _amount(k)]
        return head, [*rows, total]
    if name == "processing-times":
        head = ["月份 month"]
        for key, _, _ in f.SEGMENTS:
            head += [f"{key}_count", f"{key}_median_wd", f"{key}_p90_wd"]
        rows = []
        for m in fig["processing"]["monthly"]:
            row = [m["month"]]
            for key, _, _ in f.SEGMENTS:
                s = m[key]
                row += [s["count"], _blank(s["median"]), _blank(s["p90"])]
            rows.append(row)
        return head, rows
    raise KeyError(name)


def _blank(v: int | None) -> Any:
    return "" if v is None else v
