"""Issue 22 §1 (R27): every formula of the data-quality score, with cases computed by hand
(docs/value.md states them)."""

from __future__ import annotations

from datetime import date

import pytest

from dataip.domain.public_record import VOCABULARIES
from dataip.value.quality import (
    GRADES,
    INDICATORS,
    Assessment,
    Declared,
    Table,
    assess,
    bp,
    freshness_bp,
    grade,
    weighted_mean,
)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (1, 3, 3333),  # 3333.33…
        (2, 3, 6667),  # 6666.67…
        (1, 8, 1250),
        (1, 20_000, 1),  # 0.5 rounds half up
        (0, 7, 0),
        (7, 7, 10_000),
        (10, 12, 8333),
    ],
)
def test_r27_ratio_in_basis_points_rounds_half_up(k: int, n: int, expected: int) -> None:
    assert bp(k, n) == expected


def test_r27_weighted_mean_rounds_half_up_and_ignores_nothing_else() -> None:
    assert weighted_mean([(10_000, 1), (0, 1)]) == 5_000
    assert weighted_mean([(10_000, 1), (0, 2)]) == 3_333
    assert weighted_mean([(1, 1), (2, 1)]) == 2  # 1.5 → 2
    assert weighted_mean([]) is None
    assert sum(w for _, _, w in INDICATORS.values()) == 100


@pytest.mark.parametrize(
    ("score", "key", "zh"),
    [
        (10_000, "excellent", "优"),
        (9_000, "excellent", "优"),
        (8_999, "good", "良"),
        (8_000, "good", "良"),
        (7_999, "fair", "中"),
        (6_000, "fair", "中"),
        (5_999, "poor", "差"),
        (0, "poor", "差"),
    ],
)
def test_r27_grade_bands(score: int, key: str, zh: str) -> None:
    assert grade(score)[:2] == (key, zh)


def test_r27_grade_keys_are_the_log_vocabulary() -> None:
    assert {g[1] for g in GRADES} == VOCABULARIES["quality_grades"]


@pytest.mark.parametrize(
    ("age", "cycle", "expected"),
    [
        (0, 31, 10_000),
        (31, 31, 10_000),  # within the cycle
        (62, 31, 6_667),  # (124 − 62) / 93 = 0.6667
        (36, 31, 9_462),  # 88 / 93 = 0.94623…
        (124, 31, 0),  # four cycles
        (500, 31, 0),
        (2, 1, 6_667),  # daily: a day late
        (-3, 7, 10_000),  # a date after the assessment counts as today
    ],
)
def test_r27_freshness_against_the_update_cycle(age: int, cycle: int, expected: int) -> None:
    assert freshness_bp(age, cycle) == expected


HAND = Table(
    ("编号", "日期", "金额"),
    (
        ("1", "2026-01-01", "10"),
        ("2", "2026-01-02", ""),
        ("2", "2026-01-02", ""),  # repeats the row before
        ("3", "2026/01/05", "-5"),  # another date format; a negative amount
    ),
)
HAND_DECLARED = Declared(
    update_cycle="monthly",
    span_start=date(2026, 1, 1),
    span_end=date(2026, 1, 31),
    access="on_request",
)


def _subs(a: Assessment) -> dict[str, tuple[str, int | None]]:
    return {s.key: (s.basis, s.value_bp) for i in a.indicators for s in i.subs}


def test_r27_a_small_table_scored_by_hand() -> None:
    a = assess([HAND], HAND_DECLARED, today=date(2026, 2, 10))
    assert a.column_kinds == {"date": 1, "integer": 2}
    assert _subs(a) == {
        # normativity: no code column; 3 of 3 columns named; nothing declared
        "reference_data": ("not_applicable", None),
        "data_model": ("measured", 10_000),
        "data_standard": ("declared", 0),
        "metadata": ("declared", 0),
        # completeness: 10 of 12 cells filled; 2 of 4 rows complete
        "element_completeness": ("measured", 8_333),
        "record_completeness": ("measured", 5_000),
        # accuracy: 10 of 10 shaped; 9 of 10 valid (−5 is no amount); 1 of 4 rows repeated;
        # 编号 has 3 distinct of 4
        "format_compliance": ("measured", 10_000),
        "content_correctness": ("measured", 9_000),
        "duplicate_rate": ("measured", 7_500),
        "uniqueness": ("measured", 7_500),
        # consistency: 9 of 10 in their column's most common format (one 2026/01/05)
        "same_data_consistency": ("measured", 9_000),
        "related_data_consistency": ("not_applicable", None),
        # timeliness: latest 2026-01-05, 36 days before 2026-02-10, cycle 31: 88/93
        "timeliness": ("measured", 9_462),
        "period_correctness": ("measured", 10_000),
        # accessibility: on request 70; availability not declared; 1 of 1 file read
        "accessible": ("declared", 7_000),
        "available": ("not_applicable", None),
        "sample_readable": ("measured", 10_000),
    }
    scores = {i.key: i.value_bp for i in a.indicators}
    assert scores == {
        "normativity": 3_333,  # (10000 + 0 + 0) / 3
        "completeness": 6_667,  # (8333 + 5000) / 2 = 6666.5 → 6667
        "accuracy": 8_500,  # (10000 + 9000 + 7500 + 7500) / 4
        "consistency": 9_000,
        "timeliness": 9_731,  # (9462 + 10000) / 2
        "accessibility": 8_500,  # (7000 + 10000) / 2
    }
    # (15·3333 + 20·6667 + 25·8500 + 15·9000 + 15·9731 + 10·8500) / 100 = 7618
    assert a.overall_bp == 7_618 and grade(a.overall_bp)[1] == "中"
    assert a.rows == 4 and a.columns == 3 and a.files == 1


def test_r27_evidence_names_columns_privately_and_counts_publicly() -> None:
    a = assess([HAND], HAND_DECLARED, today=date(2026, 2, 10))
    element = a.indicator("completeness").subs[0]
    assert element.evidence_zh == "12 个单元格中 2 个为空（金额：2/4）"
    assert element.public_zh == "12 个单元格中 2 个为空"
    assert "金额" not in element.public_en and element.numerator == 10


def test_r27_an_indicator_with_nothing_applicable_leaves_the_overall_mean() -> None:
    # no cycle declared and no span: timeliness is not assessed; the rest weigh in full
    a = assess([HAND], Declared(access="on_request"), today=date(2026, 2, 10))
    assert a.indicator("timeliness").value_bp is None
    # (15·3333 + 20·6667 + 25·8500 + 15·9000 + 10·8500) / 85 = 615835 / 85 = 7245.1
    assert a.overall_bp == 7_245


def test_r27_declared_last_update_stands_in_for_sample_dates() -> None:
    t = Table(("名称",), (("甲",), ("乙",)))
    d = Declared(update_cycle="weekly", last_updated=date(2026, 2, 1))
    sub = assess([t], d, today=date(2026, 2, 10)).indicator("timeliness").subs[0]
    # 9 days, cycle 7: (28 − 9) / 21 = 0.90476
    assert (sub.basis, sub.value_bp) == ("declared", 9_048)
    none = assess([t], Declared(update_cycle="weekly"), today=date(2026, 2, 10))
    assert none.indicator("timeliness").subs[0].value_bp == 0


def test_r27_an_unreadable_file_lowers_accessibility() -> None:
    a = assess([HAND, Table((), (), readable=False)], HAND_DECLARED, today=date(2026, 2, 10))
    readable = next(s for s in a.indicator("accessibility").subs if s.key == "sample_readable")
    assert readable.value_bp == 5_000 and readable.public_zh == "2 个样例文件中 1 个无法读取"


def test_r27_round_trip_of_a_stored_assessment() -> None:
    a = assess([HAND], HAND_DECLARED, today=date(2026, 2, 10))
    assert Assessment.from_dict(a.to_dict()) == a


def test_r27_identifier_columns_are_named_as_identifiers_or_lead_the_table() -> None:
    # 路段编号 names another table's rows (a road segment per reading): it may repeat
    t = Table(("时间", "路段编号"), (("08:00", "GY-1"), ("08:05", "GY-1")))
    a = assess([t], Declared(), today=date(2026, 2, 10))
    uniq = next(s for s in a.indicator("accuracy").subs if s.key == "uniqueness")
    assert uniq.basis == "not_applicable"
    for names in (("编号", "名称"), ("记录ID", "名称"), ("企业编号", "名称")):
        t = Table(names, (("1", "甲"), ("1", "乙")))
        a = assess([t], Declared(), today=date(2026, 2, 10))
        uniq = next(s for s in a.indicator("accuracy").subs if s.key == "uniqueness")
        assert uniq.value_bp == 5_000, names
