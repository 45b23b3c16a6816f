"""Data quality per GB/T 36344-2018 (信息技术 数据质量评价指标): its six indicators scored
from a registration's sample files where a measure exists, and from what the holder declares
otherwise (R27). Every sub-score says whether it was measured (实测) or declared (申报), its
counts, and its formula; docs/value.md states them all.

Scale and rounding: scores are integers in basis points (0–10000 = 0–100.00 分). A ratio
``k / n`` is ``round_half_up(10000 × k / n)`` computed on integers; a weighted mean is
``round_half_up(Σ wᵢ·sᵢ / Σ wᵢ)`` likewise. A sub-score that does not apply (nothing to
measure, nothing declared that could be) is listed as *not applicable* and left out of its
indicator's mean; an indicator none of whose sub-scores applies is left out of the overall
mean, the other indicators' weights then counting in full.

Indicators and their sub-indicators (the standard's §5 names in brackets):

* 规范性 normativity — reference data (权威参考数据: valid codes ÷ coded values, in the
  columns holding credit codes, resident IDs, GB/T 2260 regions and GB/T 4754 industries),
  data model (数据模型: named columns ÷ columns), data standards (数据标准, declared), metadata
  (元数据: a data dictionary or documentation, declared);
* 完整性 completeness — element completeness (数据元素完整性: filled cells ÷ cells), record
  completeness (数据记录完整性: rows with every cell filled ÷ rows);
* 准确性 accuracy — format compliance (数据格式合规性: values shaped as their column's type ÷
  filled values of typed columns), content correctness (数据内容正确性: valid values ÷ shaped
  values — real dates, check characters, codes in their tables, numbers in range), duplicate
  rate (数据重复率: 1 − repeated rows ÷ rows), uniqueness (数据唯一性: distinct values ÷ filled
  values of identifier columns, named 编号/序号/ID/主键);
* 一致性 consistency — same-data consistency (相同数据一致性: values in their column's most
  common written format ÷ shaped values), related-data consistency (关联数据一致性: rows
  satisfying the cross-column rules ÷ rows checked, see :mod:`.relations`);
* 时效性 timeliness — timeliness at a point (基于时间点的及时性: the latest date in the sample,
  or the declared last update, against the declared update cycle — :func:`freshness_bp`),
  correctness in a period (基于时间段的正确性: dates within the declared time span ÷ dates);
* 可访问性 accessibility — accessible (可访问: the declared access method), available (可用:
  the declared service availability), readable sample (sample files read ÷ sample files).

Weights: each sub-score weighs 1 in its indicator; the indicators weigh 规范性 15, 完整性 20,
准确性 25, 一致性 15, 时效性 15, 可访问性 10 (of 100). Grades: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差
below (:data:`GRADES`, in basis points).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

from dataip.value.columns import (
    CELL_CHARS,
    CODES,
    TEMPORAL,
    TYPED,
    ColumnProfile,
    is_blank,
    profile_column,
)
from dataip.value.relations import Relation, relations
from dataip.value.subscores import SUBS

__all__ = [
    "ACCESS_METHODS",
    "CYCLE_DAYS",
    "FULL",
    "GRADES",
    "INDICATORS",
    "METHOD",
    "SUBS",
    "Assessment",
    "Declared",
    "IndicatorScore",
    "SubScore",
    "Table",
    "assess",
    "bp",
    "freshness_bp",
    "grade",
    "weighted_mean",
]

METHOD: Final = "GB/T 36344-2018 · dataip quality 1"
FULL: Final = 10_000
MEASURED, DECLARED, NOT_APPLICABLE = "measured", "declared", "not_applicable"

INDICATORS: Final[dict[str, tuple[str, str, int]]] = {
    "normativity": ("规范性", "Normativity", 15),
    "completeness": ("完整性", "Completeness", 20),
    "accuracy": ("准确性", "Accuracy", 25),
    "consistency": ("一致性", "Consistency", 15),
    "timeliness": ("时效性", "Timeliness", 15),
    "accessibility": ("可访问性", "Accessibility", 10),
}
# (lowest score in bp, key, zh, en), best first
GRADES: Final = (
    (9_000, "excellent", "优", "excellent"),
    (8_000, "good", "良", "good"),
    (6_000, "fair", "中", "fair"),
    (0, "poor", "差", "poor"),
)
# The declared update cycle (the form's update.frequency) in days; the others have no cycle.
CYCLE_DAYS: Final[dict[str, int]] = {
    "realtime": 1,
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "yearly": 366,
}
STALE_CYCLES: Final = 3  # the score falls to 0 this many cycles after the first is over
ACCESS_METHODS: Final[dict[str, tuple[str, str, int]]] = {
    "api": ("在线接口", "online API", 10_000),
    "download": ("在线下载", "download", 10_000),
    "on_request": ("申请后提供", "on request", 7_000),
    "offline": ("线下交付", "offline delivery", 4_000),
}

# identifier columns: named only as an identifier, or the first column named as one (a
# 路段编号 further right names another table's rows, and repeats)
_ID_NAME: Final = re.compile(r"(记录)?(编号|序号|主键|id|ID|编码)", re.I)
_ID_FIRST: Final = re.compile(r"编号|序号|主键|(^|_)id$|^id", re.I)
_BIRTH: Final = re.compile(r"出生|生日|birth", re.I)
_UNNAMED: Final = re.compile(r"column_\d+")
_WORST: Final = 3  # columns named in the evidence

# What a measured ratio's evidence says of its counts ({k}, {n}, {bad} = n - k), zh and en.
_SAID: Final[dict[str, tuple[str, str]]] = {
    "reference_data": ("{n} 个代码值中 {bad} 个无效", "{bad} of {n} code values invalid"),
    "data_model": ("{n} 列中 {bad} 列无列名", "{bad} of {n} columns unnamed"),
    "element_completeness": ("{n} 个单元格中 {bad} 个为空", "{bad} of {n} cells blank"),
    "record_completeness": ("{n} 行中 {bad} 行有空单元格", "{bad} of {n} rows have a blank cell"),
    "format_compliance": (
        "有类型列的 {n} 个值中 {bad} 个不符合格式",
        "{bad} of {n} values of typed columns not in their type's format",
    ),
    "content_correctness": (
        "{n} 个格式合规值中 {bad} 个无效",
        "{bad} of {n} well-formed values invalid",
    ),
    "duplicate_rate": ("{n} 行中 {bad} 行重复", "{bad} of {n} rows repeated"),
    "uniqueness": (
        "标识列 {n} 个值中 {bad} 个与其他值重复",
        "{bad} of {n} identifier values repeat another",
    ),
    "same_data_consistency": (
        "{n} 个值中 {bad} 个未按本列最常见写法书写",
        "{bad} of {n} values not in their column's most common format",
    ),
    "related_data_consistency": (
        "跨列检查 {n} 行，{bad} 行不一致",
        "{bad} of {n} rows checked across columns inconsistent",
    ),
    "period_correctness": (
        "{n} 个日期中 {bad} 个在申报的时间跨度之外",
        "{bad} of {n} dates outside the declared time span",
    ),
    "sample_readable": (
        "{n} 个样例文件中 {bad} 个无法读取",
        "{bad} of {n} sample files could not be read",
    ),
}

_Count = Callable[[ColumnProfile], int]
# The ratios summed over columns: per column what counts (k) of what (n), and whether the
# evidence names the columns with the most missing first (else in the columns' order).
_PER_COLUMN: Final[dict[str, tuple[_Count, _Count, bool]]] = {
    "reference_data": (lambda c: c.valid, lambda c: c.filled, False),
    "element_completeness": (lambda c: c.cells - c.blank, lambda c: c.cells, True),
    "format_compliance": (lambda c: c.shaped, lambda c: c.filled, True),
    "content_correctness": (lambda c: c.valid, lambda c: c.shaped, True),
    "same_data_consistency": (lambda c: c.dominant, lambda c: c.shaped, True),
}


# --- arithmetic ----------------------------------------------------------------------------------


def bp(k: int, n: int) -> int:
    """``k / n`` in basis points, rounded half up (``n`` > 0, 0 ≤ ``k`` ≤ ``n``)."""
    return (2 * FULL * k + n) // (2 * n)


def weighted_mean(pairs: Iterable[tuple[int, int]]) -> int | None:
    """Σ wᵢ·sᵢ ÷ Σ wᵢ over (score, weight) pairs, rounded half up; None for no pairs."""
    items = list(pairs)
    total = sum(w for _, w in items)
    if not items or total <= 0:
        return None
    return (2 * sum(s * w for s, w in items) + total) // (2 * total)


def grade(score_bp: int) -> tuple[str, str, str]:
    """(key, zh, en) of the band the score falls in."""
    for low, key, zh, en in GRADES:
        if score_bp >= low:
            return key, zh, en
    return GRADES[-1][1:]  # pragma: no cover - the last band starts at 0


def freshness_bp(age_days: int, cycle_days: int) -> int:
    """Timeliness at a point: ``age_days`` since the latest date against the update cycle."""
    a, c = max(0, age_days), cycle_days
    if a <= c:
        return FULL
    if a >= (STALE_CYCLES + 1) * c:
        return 0
    return bp((STALE_CYCLES + 1) * c - a, STALE_CYCLES * c)


# --- inputs and results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A parsed sample file: its column names and rows of strings (as the screening readers
    give them); ``readable`` False for a file that could not be read (no rows then)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    readable: bool = True
    truncated: bool = False  # only the first rows were measured


@dataclass(frozen=True)
class Declared:
    """What the holder declares (申报) where no measure exists. ``update_cycle`` and the time
    span come from the registration's form; the rest from the holder's assessment request."""

    update_cycle: str | None = None
    last_updated: date | None = None
    span_start: date | None = None
    span_end: date | None = None
    standards: int = 0  # how many standards the data follows, as declared
    documentation: bool = False
    access: str | None = None  # ACCESS_METHODS
    availability_bp: int | None = None
    # False: the holder was not asked (the examiner's preview of an application): the
    # sub-scores only a declaration fills are not applicable rather than 0
    asked: bool = True


@dataclass(frozen=True)
class SubScore:
    key: str
    indicator: str
    basis: str  # measured | declared | not_applicable
    value_bp: int | None
    weight: int
    numerator: int | None
    denominator: int | None
    evidence_zh: str  # may name columns: for the holder and the examiner
    evidence_en: str
    public_zh: str  # counts only
    public_en: str


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    weight: int
    value_bp: int | None
    subs: tuple[SubScore, ...]


@dataclass(frozen=True)
class Assessment:
    method: str
    assessed_on: date
    overall_bp: int
    indicators: tuple[IndicatorScore, ...]
    files: int
    rows: int  # measured, over every file
    columns: int
    truncated: bool
    column_kinds: dict[str, int] = field(default_factory=dict)

    def indicator(self, key: str) -> IndicatorScore:
        return next(i for i in self.indicators if i.key == key)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["assessed_on"] = self.assessed_on.isoformat()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Assessment:
        indicators = tuple(
            IndicatorScore(
                key=i["key"],
                weight=i["weight"],
                value_bp=i["value_bp"],
                subs=tuple(SubScore(**s) for s in i["subs"]),
            )
            for i in d["indicators"]
        )
        return cls(
            method=d["method"],
            assessed_on=date.fromisoformat(d["assessed_on"]),
            overall_bp=d["overall_bp"],
            indicators=indicators,
            files=d["files"],
            rows=d["rows"],
            columns=d["columns"],
            truncated=d["truncated"],
            column_kinds=dict(d.get("column_kinds") or {}),
        )


# --- measuring ----------------------------------------------------------------------------------


def _n(k: int) -> str:
    return f"{k:,}"


def _ratio(key: str, k: int, n: int, worst: Sequence[tuple[str, int, int]] = ()) -> SubScore:
    """A measured ratio ``k / n`` (not applicable when ``n`` is 0), its counts described as
    ``_SAID[key]`` says; ``worst``: (column, bad, of) shown privately."""
    indicator = SUBS[key][0]
    if n == 0:
        return SubScore(key, indicator, NOT_APPLICABLE, None, 1, None, None, *_na(key) * 2)
    fill = {"k": _n(k), "n": _n(n), "bad": _n(n - k)}
    zh, en = _SAID[key]
    public_zh, public_en = zh.format(**fill), en.format(**fill)
    shown = [w for w in worst if w[1] > 0][:_WORST]
    more_zh = "；".join(f"{c}：{_n(b)}/{_n(of)}" for c, b, of in shown)
    more_en = "; ".join(f"{c}: {_n(b)}/{_n(of)}" for c, b, of in shown)
    return SubScore(
        key,
        indicator,
        MEASURED,
        bp(k, n),
        1,
        k,
        n,
        f"{public_zh}（{more_zh}）" if more_zh else public_zh,
        f"{public_en} ({more_en})" if more_en else public_en,
        public_zh,
        public_en,
    )


def _by_column(key: str, cols: Sequence[ColumnProfile]) -> SubScore:
    """A ratio summed over columns as ``_PER_COLUMN[key]`` counts it: k = Σ counted, n = Σ of,
    each column's shortfall (of − counted) its private evidence."""
    counted, of, worst_first = _PER_COLUMN[key]
    worst = [(c.name, of(c) - counted(c), of(c)) for c in cols]
    if worst_first:
        worst.sort(key=lambda w: -w[1])
    return _ratio(key, sum(counted(c) for c in cols), sum(of(c) for c in cols), worst)


def _na(key: str) -> tuple[str, str]:
    return ("样例中无可测量的数据", "nothing in the sample to measure")


def _declared(key: str, value: int | None, zh: str, en: str) -> SubScore:
    basis = DECLARED if value is not None else NOT_APPLICABLE
    return SubScore(key, SUBS[key][0], basis, value, 1, None, None, zh, en, zh, en)


@dataclass
class _Profiled:
    label: str  # the column names' prefix when there are several files
    columns: list[ColumnProfile]
    rows: list[tuple[str, ...]]
    relations: list[Relation]


def _profile(tables: Sequence[Table], today: date) -> list[_Profiled]:
    out = []
    readable = [t for t in tables if t.readable]
    for i, t in enumerate(readable, 1):
        width = max([len(t.columns), *(len(r) for r in t.rows)], default=0)
        names = [t.columns[j] if j < len(t.columns) else f"column_{j + 1}" for j in range(width)]
        rows = [tuple(r) + ("",) * (width - len(r)) for r in t.rows]
        raw = [[r[j] for r in rows] for j in range(width)]
        cols = [profile_column(names[j], raw[j], today=today) for j in range(width)]
        label = f"文件{i}·" if len(readable) > 1 else ""
        for c in cols:
            c.name = label + c.name
        out.append(_Profiled(label, cols, rows, relations(cols, raw)))
    return out


def _measure(p: list[_Profiled]) -> list[SubScore]:
    cols = [c for t in p for c in t.columns]
    typed = [c for c in cols if c.kind in TYPED]
    coded = [c for c in cols if c.kind in CODES]
    rows = [r for t in p for r in t.rows]
    full_rows = sum(1 for r in rows if not any(is_blank(v[:CELL_CHARS]) for v in r))
    dup = 0
    for t in p:
        seen = Counter(tuple(v.strip() for v in r) for r in t.rows)
        dup += sum(k - 1 for k in seen.values())
    ids: list[ColumnProfile] = []
    distinct = 0
    for t in p:
        for j, c in enumerate(t.columns):
            own = c.name.removeprefix(t.label)
            if c.kind != "blank" and (
                _ID_NAME.fullmatch(own) or (j == 0 and _ID_FIRST.search(own))
            ):
                ids.append(c)
                distinct += len({r[j].strip() for r in t.rows if not is_blank(r[j])})
    rel = [r for t in p for r in t.relations]
    named = sum(
        1 for t in p for c in t.columns if not _UNNAMED.fullmatch(c.name.removeprefix(t.label))
    )
    return [
        _by_column("reference_data", coded),
        _ratio("data_model", named, len(cols)),
        _by_column("element_completeness", cols),
        _ratio("record_completeness", full_rows, len(rows)),
        _by_column("format_compliance", typed),
        _by_column("content_correctness", typed),
        _ratio("duplicate_rate", len(rows) - dup, len(rows)),
        _ratio("uniqueness", distinct, sum(c.filled for c in ids)),
        _by_column("same_data_consistency", typed),
        _ratio(
            "related_data_consistency",
            sum(r.consistent for r in rel),
            sum(r.checked for r in rel),
            [(" / ".join(r.columns), r.checked - r.consistent, r.checked) for r in rel],
        ),
    ]


def _dates(p: list[_Profiled], *, births: bool) -> list[date]:
    return [
        d
        for t in p
        for c in t.columns
        if c.kind in TEMPORAL and (births or not _BIRTH.search(c.name))
        for d in c.parsed
        if isinstance(d, date)
    ]


def _timeliness(p: list[_Profiled], declared: Declared, today: date) -> list[SubScore]:
    cycle = CYCLE_DAYS.get(declared.update_cycle or "")
    past = [d for d in _dates(p, births=False) if d <= today]
    out: list[SubScore] = []
    if cycle is None:
        out.append(
            _declared(
                "timeliness",
                None,
                "未申报固定的更新周期，不评及时性",
                "no regular update cycle declared: timeliness not assessed",
            )
        )
    elif past or declared.last_updated is not None:
        latest = max(past) if past else declared.last_updated
        assert latest is not None
        age = (today - latest).days
        score = freshness_bp(age, cycle)
        zh = f"最新日期 {latest.isoformat()}，距评估日 {age} 天；更新周期 {cycle} 天"
        en = f"latest date {latest.isoformat()}, {age} days before the assessment; cycle {cycle} d"
        basis = MEASURED if past else DECLARED
        if not past:
            zh, en = "申报的" + zh, "declared " + en
        out.append(
            SubScore("timeliness", "timeliness", basis, score, 1, age, cycle, zh, en, zh, en)
        )
    else:
        out.append(
            _declared(
                "timeliness",
                0,
                "样例中无日期，也未申报最近更新日期",
                "no date in the sample and no last update declared",
            )
        )
    dated = _dates(p, births=False)
    if declared.span_start is None and declared.span_end is None:
        out.append(_declared("period_correctness", None, *_no_span()))
    else:
        lo = declared.span_start or date.min
        hi = declared.span_end or date.max
        inside = sum(1 for d in dated if lo <= d <= hi)
        out.append(_ratio("period_correctness", inside, len(dated)))
    return out


def _no_span() -> tuple[str, str]:
    return ("未申报数据的时间跨度", "no time span declared")


def _not_asked(subs: list[SubScore]) -> list[SubScore]:
    zh, en = "登记主体尚未申报", "not declared by the holder yet"
    return [
        SubScore(s.key, s.indicator, NOT_APPLICABLE, None, 1, None, None, zh, en, zh, en)
        if s.basis == DECLARED
        else s
        for s in subs
    ]


def _declarations(declared: Declared, tables: Sequence[Table]) -> list[SubScore]:
    access = ACCESS_METHODS.get(declared.access or "")
    avail = declared.availability_bp
    readable = sum(1 for t in tables if t.readable)
    subs = [
        _declared(
            "data_standard",
            FULL if declared.standards > 0 else 0,
            f"申报遵循 {declared.standards} 项标准",
            f"{declared.standards} standard(s) followed, as declared",
        ),
        _declared(
            "metadata",
            FULL if declared.documentation else 0,
            "申报提供数据字典或说明文档" if declared.documentation else "未申报数据字典或说明文档",
            "documentation declared" if declared.documentation else "no documentation declared",
        ),
        _declared(
            "accessible",
            access[2] if access else 0,
            f"申报访问方式：{access[0]}" if access else "未申报访问方式",
            f"declared access: {access[1]}" if access else "no access method declared",
        ),
        _declared(
            "available",
            None if avail is None else max(0, min(FULL, avail)),
            f"申报可用率 {avail / 100:.2f}%" if avail is not None else "未申报服务可用率",
            f"declared availability {avail / 100:.2f}%"
            if avail is not None
            else "no availability declared",
        ),
        _ratio("sample_readable", readable, len(tables)),
    ]
    return subs if declared.asked else _not_asked(subs)


def assess(tables: Sequence[Table], declared: Declared, *, today: date) -> Assessment:
    """Score the sample ``tables`` and the declarations on ``today`` (the assessment date)."""
    p = _profile(tables, today)
    timely = _timeliness(p, declared, today)
    subs = _measure(p) + (timely if declared.asked else _not_asked(timely))
    subs += _declarations(declared, tables)
    if not any(t.rows for t in p):  # an empty sample demonstrates no completeness
        subs = [
            SubScore(s.key, s.indicator, MEASURED, 0, 1, 0, 0, *_EMPTY_EVIDENCE, *_EMPTY_EVIDENCE)
            if s.key in ("element_completeness", "record_completeness")
            else s
            for s in subs
        ]
    indicators = []
    for key, (_, _, weight) in INDICATORS.items():
        mine = tuple(s for s in subs if s.indicator == key)
        order = [k for k, v in SUBS.items() if v[0] == key]
        mine = tuple(sorted(mine, key=lambda s: order.index(s.key)))
        value = weighted_mean((s.value_bp, s.weight) for s in mine if s.value_bp is not None)
        indicators.append(IndicatorScore(key, weight, value, mine))
    overall = weighted_mean((i.value_bp, i.weight) for i in indicators if i.value_bp is not None)
    kinds = Counter(c.kind for t in p for c in t.columns)
    return Assessment(
        method=METHOD,
        assessed_on=today,
        overall_bp=overall or 0,
        indicators=tuple(indicators),
        files=len(tables),
        rows=sum(len(t.rows) for t in p),
        columns=sum(len(t.columns) for t in p),
        truncated=any(t.truncated for t in tables),
        column_kinds=dict(sorted(kinds.items())),
    )


_EMPTY_EVIDENCE: Final = ("样例没有数据行", "the sample has no data rows")
