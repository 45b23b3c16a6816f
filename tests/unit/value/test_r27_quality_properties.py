"""Issue 22 §1 done-means: property tests — every score is an integer in 0..10000; more
blanks never raise 完整性; a defect never raises the score that measures it (a repeated row,
a broken check character, a malformed date, a staler date)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.value.quality import Assessment, Declared, Table, assess, freshness_bp
from tests.support.api import make_uscc

TODAY = date(2026, 12, 7)
CELL = st.one_of(
    st.sampled_from(["", "NULL", "1", "2.5", "2026-01-01", "2026/13/01", "520102", "贵阳", "x"]),
    st.text(max_size=6),
)
ROWS = st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=0, max_size=12)
NAMES = ("编号", "日期", "区划代码")
DECLARED = st.builds(
    Declared,
    update_cycle=st.sampled_from([None, "daily", "monthly", "static"]),
    standards=st.integers(0, 3),
    documentation=st.booleans(),
    access=st.sampled_from([None, "api", "offline"]),
    availability_bp=st.one_of(st.none(), st.integers(0, 10_000)),
)


def _table(rows: list[list[str]]) -> Table:
    return Table(NAMES, tuple(tuple(r) for r in rows))


def _all_scores(a: Assessment) -> list[int]:
    out = [a.overall_bp]
    for i in a.indicators:
        out += [i.value_bp] if i.value_bp is not None else []
        out += [s.value_bp for s in i.subs if s.value_bp is not None]
    return out


def _sub(a: Assessment, key: str) -> int | None:
    return next(s.value_bp for i in a.indicators for s in i.subs if s.key == key)


@settings(max_examples=150, deadline=None)
@given(ROWS, DECLARED)
def test_r27_every_score_is_an_integer_between_0_and_10000(
    rows: list[list[str]], declared: Declared
) -> None:
    a = assess([_table(rows)], declared, today=TODAY)
    assert all(type(s) is int and 0 <= s <= 10_000 for s in _all_scores(a))


@settings(max_examples=150, deadline=None)
@given(ROWS, st.data())
def test_r27_more_blanks_never_raise_completeness(
    rows: list[list[str]], data: st.DataObject
) -> None:
    if not rows:
        return
    i = data.draw(st.integers(0, len(rows) - 1))
    j = data.draw(st.integers(0, 2))
    blanked = [list(r) for r in rows]
    blanked[i][j] = ""
    before = assess([_table(rows)], Declared(), today=TODAY).indicator("completeness")
    after = assess([_table(blanked)], Declared(), today=TODAY).indicator("completeness")
    assert (after.value_bp or 0) <= (before.value_bp or 0)
    for b, a in zip(before.subs, after.subs, strict=True):
        assert (a.value_bp or 0) <= (b.value_bp or 0)


@settings(max_examples=100, deadline=None)
@given(ROWS, st.data())
def test_r27_a_repeated_row_never_raises_the_duplicate_score(
    rows: list[list[str]], data: st.DataObject
) -> None:
    if not rows:
        return
    row = data.draw(st.sampled_from(rows))
    before = _sub(assess([_table(rows)], Declared(), today=TODAY), "duplicate_rate")
    after = _sub(assess([_table([*rows, row])], Declared(), today=TODAY), "duplicate_rate")
    assert after is not None and after <= (before if before is not None else 10_000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=2, max_size=10, unique=True), st.data())
def test_r27_a_broken_check_character_never_raises_reference_or_correctness(
    ns: list[int], data: st.DataObject
) -> None:
    codes = [make_uscc(n) for n in ns]
    i = data.draw(st.integers(0, len(codes) - 1))
    broken = list(codes)
    last = "0" if broken[i][-1] != "0" else "1"
    broken[i] = broken[i][:-1] + last
    t0 = Table(("信用代码",), tuple((c,) for c in codes))
    t1 = Table(("信用代码",), tuple((c,) for c in broken))
    a0, a1 = (assess([t], Declared(), today=TODAY) for t in (t0, t1))
    for key in ("reference_data", "content_correctness"):
        assert (_sub(a1, key) or 0) <= (_sub(a0, key) or 0)
    assert a1.overall_bp <= a0.overall_bp


@settings(max_examples=100, deadline=None)
@given(st.integers(-10, 2_000), st.integers(0, 400), st.sampled_from([1, 7, 31, 92, 366]))
def test_r27_a_staler_date_never_raises_timeliness(age: int, later: int, cycle: int) -> None:
    assert freshness_bp(age + later, cycle) <= freshness_bp(age, cycle)
    latest = TODAY - timedelta(days=max(age, 0))
    older = latest - timedelta(days=later)
    d = Declared(
        update_cycle={1: "daily", 7: "weekly", 31: "monthly", 92: "quarterly", 366: "yearly"}[cycle]
    )

    def score(day: date) -> int | None:
        t = Table(("日期",), ((day.isoformat(),),))
        return assess([t], d, today=TODAY).indicator("timeliness").value_bp

    assert (score(older) or 0) <= (score(latest) or 0)
