"""Issue 22 §1: a column's kind and the conformance of its values — check characters (GB
32100, GB 11643 via python-stdnum), code tables (GB/T 2260 regions, GB/T 4754 industries),
real dates, plausible ranges — and the cross-column rules; the region lookup others reuse."""

from __future__ import annotations

from datetime import date

import pytest

from dataip.domain.regions import division, prefecture_name, province_name
from dataip.value.columns import profile_column
from dataip.value.relations import relations
from tests.support.api import make_resident_id, make_uscc

TODAY = date(2026, 12, 7)


def _p(name: str, cells: list[str]):  # type: ignore[no-untyped-def]
    return profile_column(name, cells, today=TODAY)


def test_r27_regions_name_province_prefecture_and_county() -> None:
    d = division("520102")
    assert d is not None and (d.province, d.prefecture, d.county, d.current) == (
        "贵州省",
        "贵阳市",
        "南明区",
        True,
    )
    assert division("110103") is not None and division("110103").current is False  # 崇文区
    assert division("999999") is None and division("52010") is None
    assert province_name("330106") == "浙江省" and prefecture_name("330106") == "杭州市"
    assert prefecture_name("110105") == "北京市"  # a municipality's 市辖区
    assert prefecture_name("520000") is None and province_name("99") is None


@pytest.mark.parametrize(
    ("name", "cells", "kind", "shaped", "valid"),
    [
        ("信用代码", [make_uscc(1), make_uscc(2), make_uscc(3)[:-1] + "0", ""], "uscc", 3, 2),
        (
            "证件号",
            [make_resident_id(order=1), make_resident_id(order=2)[:-1] + "0"],
            "resident_id",
            2,
            1,
        ),
        ("区划代码", ["520102", "330106", "999999"], "region", 3, 2),
        ("代码", ["520102", "330106", "520103", "520111"], "region", 4, 4),  # no hint: by table
        ("行业代码", ["6511", "I", "C1311", "D1311", "9999"], "industry", 5, 3),
        ("数量", ["1", "2", "-3", "4", "5"], "integer", 5, 4),  # a count is never negative
        ("年龄", ["30", "151"], "integer", 2, 1),
        ("比例", ["12.5", "3.25", "1,200.5"], "decimal", 3, 2),  # over 100
        ("日期", ["2026-01-31", "2026-02-30", "2026/03/01"], "date", 3, 2),
        ("时间", ["2026-01-31 08:00", "2026-01-31 25:00:00"], "datetime", 2, 1),
        ("日期", ["20260131", "20261301"], "date", 2, 1),  # 8 digits only with a date header
        ("编号", ["20260131", "20261301"], "integer", 2, 2),
        ("名称", ["甲", "乙", "3"], "text", 0, 0),
        ("空", ["", "NULL", " n/a "], "blank", 0, 0),
    ],
)
def test_r27_column_kind_and_conformance(
    name: str, cells: list[str], kind: str, shaped: int, valid: int
) -> None:
    p = _p(name, cells)
    assert (p.kind, p.shaped, p.valid) == (kind, shaped, valid)


def test_r27_blank_markers_and_the_80_percent_rule() -> None:
    p = _p("值", ["1", "2", "3", "4", "x", "NULL", "None", "", "\\N"])
    assert p.blank == 4 and p.kind == "integer" and p.shaped == 4  # 4 of 5 = 80%
    assert _p("值", ["1", "2", "3", "x", "y"]).kind == "text"  # 3 of 5


def test_r27_formats_counted_for_one_columns_consistency() -> None:
    p = _p("日期", ["2026-01-01", "2026-01-02", "2026年1月3日", "2026/01/04"])
    assert p.dominant == 2 and sum(p.formats.values()) == 4


def test_r27_cross_column_rules() -> None:
    rid = make_resident_id("520102", "19800101", 3)  # order 3: odd, male
    cols = {
        "开始日期": ["2026-01-01", "2026-03-01"],
        "结束日期": ["2026-02-01", "2026-02-01"],  # the second ends before it starts
        "身份证号": [rid, rid],
        "出生日期": ["1980-01-01", "1980-01-02"],
        "性别": ["男", "女"],
        "区划代码": ["520102", "520102"],
        "省份": ["贵州", "浙江省"],
    }
    profiles = [_p(k, v) for k, v in cols.items()]
    found = {r.rule: (r.consistent, r.checked) for r in relations(profiles, list(cols.values()))}
    assert found == {
        "start_before_end": (1, 2),
        "birth_date": (1, 2),
        "sex": (1, 2),
        "province": (1, 2),
    }
