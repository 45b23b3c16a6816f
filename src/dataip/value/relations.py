"""Cross-column consistency (关联数据一致性, GB/T 36344-2018 §5.5): rules that relate two
columns of one row, each checked on the rows where both columns hold a valid value.

* a start date is not after its end date — columns paired by their headers (开始/起始/起 and
  结束/终止/止, start/begin/from and end/until/to, the rest of the header equal, or the only
  start and the only end column of the table);
* a resident ID's birth date (characters 7–14) is the birth-date column's date;
* a resident ID's sex (character 17: odd male, even female) is the sex column's (男/女, M/F,
  male/female, 1/2);
* a region code's province is the province column's (贵州省 or 贵州).

Each rule yields (rows consistent, rows checked) and the pair's column names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from dataip.domain import identifiers, regions
from dataip.value.columns import TEMPORAL, ColumnProfile

__all__ = ["Relation", "relations"]

_START: Final = re.compile(r"开始|起始|起|start|begin|from", re.I)
_END: Final = re.compile(r"结束|终止|截止|止|end|until|to\b", re.I)
_BIRTH: Final = re.compile(r"出生|生日|birth", re.I)
_SEX: Final = re.compile(r"性别|sex|gender", re.I)
_PROVINCE: Final = re.compile(r"省份|省|province", re.I)
_MALE: Final = frozenset({"男", "m", "male", "1"})
_FEMALE: Final = frozenset({"女", "f", "female", "2"})


@dataclass(frozen=True)
class Relation:
    rule: str  # start_before_end | birth_date | sex | province
    columns: tuple[str, str]
    consistent: int
    checked: int


def _day(x: object) -> date | None:
    if isinstance(x, datetime):
        return x.date()
    return x if isinstance(x, date) else None


def _pairs(temporal: Sequence[ColumnProfile]) -> list[tuple[ColumnProfile, ColumnProfile]]:
    starts = [c for c in temporal if _START.search(c.name)]
    ends = [c for c in temporal if _END.search(c.name) and c not in starts]
    out = []
    for s in starts:
        stem = _START.sub("", s.name)
        match = [e for e in ends if _END.sub("", e.name) == stem]
        if match:
            out.append((s, match[0]))
    if not out and len(starts) == 1 and len(ends) == 1:
        out.append((starts[0], ends[0]))
    return out


def _sex_of(text: str) -> str | None:
    s = text.strip().lower()
    return "m" if s in _MALE else "f" if s in _FEMALE else None


def relations(columns: Sequence[ColumnProfile], raw: Sequence[Sequence[str]]) -> list[Relation]:
    """The rules that apply to these columns (``raw``: each column's cells as read, in the
    order of ``columns``), with their counts."""
    out: list[Relation] = []
    temporal = [c for c in columns if c.kind in TEMPORAL]
    for start, end in _pairs(temporal):
        checked = ok = 0
        for a, b in zip(start.parsed, end.parsed, strict=True):
            da, db = _day(a), _day(b)
            if da is not None and db is not None:
                checked += 1
                ok += da <= db
        if checked:
            out.append(Relation("start_before_end", (start.name, end.name), ok, checked))
    ids = [c for c in columns if c.kind == "resident_id"]
    births = [c for c in temporal if _BIRTH.search(c.name)]
    by_name = {c.name: i for i, c in enumerate(columns)}
    sexes = [c for c in columns if _SEX.search(c.name) and c.kind == "text"]
    for rid in ids:
        for birth in births:
            checked = ok = 0
            for number, day in zip(rid.parsed, birth.parsed, strict=True):
                d = _day(day)
                if isinstance(number, str) and d is not None:
                    checked += 1
                    ok += number[6:14] == d.strftime("%Y%m%d")
            if checked:
                out.append(Relation("birth_date", (rid.name, birth.name), ok, checked))
        for sex in sexes:
            checked = ok = 0
            for number, text in zip(rid.parsed, raw[by_name[sex.name]], strict=True):
                said = _sex_of(text)
                if isinstance(number, str) and said is not None:
                    checked += 1
                    ok += ("m" if int(number[16]) % 2 else "f") == said
            if checked:
                out.append(Relation("sex", (rid.name, sex.name), ok, checked))
    provinces = [c for c in columns if _PROVINCE.search(c.name) and c.kind == "text"]
    for region in (c for c in columns if c.kind == "region"):
        for prov in provinces:
            checked = ok = 0
            for code, text in zip(region.parsed, raw[by_name[prov.name]], strict=True):
                named = identifiers.province_code(text)
                if isinstance(code, str) and named is not None:
                    checked += 1
                    ok += named == code[:2] and regions.province_name(code) is not None
            if checked:
                out.append(Relation("province", (region.name, prov.name), ok, checked))
    return out
