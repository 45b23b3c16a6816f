"""Issue 22 §1: sample files are read by the screening readers (no parser of our own) and
scored — a GB18030 export, a workbook, an empty sample, a cell too large to measure whole,
a file cut at the row cap."""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from dataip.screening.read import read_table
from dataip.value.columns import CELL_CHARS, profile_column
from dataip.value.quality import Declared, Table, assess

TODAY = date(2026, 12, 7)
CSV = "编号,城市,日期,销量\n1,贵阳,2026-12-01,320\n2,遵义,2026-12-02,\n3,安顺,2026-12-03,95\n"


def _table(data: bytes, name: str, **kw: int) -> Table:
    t = read_table(data, filename=name, **kw)
    return Table(t.columns, t.rows, truncated=t.truncated)


def test_r27_gb18030_and_utf8_samples_score_alike() -> None:
    gb = _table(CSV.encode("gb18030"), "s.csv")
    utf = _table(CSV.encode("utf-8-sig"), "s.csv")
    assert gb == utf and gb.columns == ("编号", "城市", "日期", "销量")
    a = assess([gb], Declared(update_cycle="daily"), today=TODAY)
    element = a.indicator("completeness").subs[0]
    assert (element.numerator, element.denominator) == (11, 12)
    # latest date 2026-12-03, 4 days before, daily: 0
    assert a.indicator("timeliness").subs[0].value_bp == 0


def test_r27_a_workbook_is_read_like_a_csv() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for line in CSV.strip().split("\n"):
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    t = _table(buf.getvalue(), "s.xlsx")
    assert t.columns == ("编号", "城市", "日期", "销量") and len(t.rows) == 3


def test_r27_an_empty_sample_scores_zero_completeness_and_stays_bounded() -> None:
    for t in (_table(b"", "s.csv"), _table("编号,名称\n".encode(), "s.csv")):
        a = assess([t], Declared(), today=TODAY)
        assert a.indicator("completeness").value_bp == 0
        assert 0 <= a.overall_bp <= 10_000
        assert a.indicator("accuracy").value_bp is None  # nothing to measure


def test_r27_a_huge_cell_is_measured_on_its_first_characters() -> None:
    huge = "9" * 50_000
    p = profile_column("备注", [huge, "1"], today=TODAY)
    assert p.kind == "integer" and p.shaped == 2
    a = assess([Table(("备注",), ((huge,), ("x" * 90_000,)))], Declared(), today=TODAY)
    assert a.indicator("completeness").value_bp == 10_000
    assert CELL_CHARS == 1_000


def test_r27_only_the_first_rows_are_read_and_that_is_said() -> None:
    body = "编号\n" + "".join(f"{i}\n" for i in range(50))
    t = _table(body.encode(), "s.csv", max_rows=20)
    assert len(t.rows) == 20 and t.truncated
    a = assess([t], Declared(), today=TODAY)
    assert a.truncated and a.rows == 20
    assert not _table(body.encode(), "s.csv", max_rows=50).truncated
