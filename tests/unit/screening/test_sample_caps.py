"""Issue 18: the caps that fit a sample, and the budgets of the process that screens one.

Every cap and every budget is refused with its own stable code and a Chinese and an English
message — through :class:`Sandbox`, as the registry screens — and a refused or killed
screening leaves the sandbox ready for the next file. The issue's workbook (671 KB expanding
to 106 MB, under the zip-bomb guard's 200:1) is refused by the absolute cap before anything
is decompressed.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from dataip.screening import DEFAULT_LIMITS, SAMPLE_LIMITS, Limits, tables
from dataip.screening.errors import CODES
from dataip.screening.sandbox import Budget, Outcome, Sandbox
from tests.support import samples

CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(Budget(cpu_seconds=20))
    yield box
    box.close()


@functools.cache
def _slow() -> bytes:
    """A workbook that takes seconds of CPU to screen (about 4 s here) under DEFAULT_LIMITS
    (the sample caps let through nothing that slow since calamine reads XLSX)."""
    return samples.xlsx(250_000, 6, lambda r, c: str(r * 7 + c))


def refused(outcome: Outcome, code: str) -> dict[str, object]:
    """The outcome is the error `code`, with a Chinese and an English message."""
    assert outcome.report is None and outcome.error is not None, outcome
    assert outcome.error["code"] == code, outcome.error
    assert code in CODES
    zh, en = str(outcome.error["message_zh"]), str(outcome.error["message_en"])
    assert CJK.search(zh) and zh.startswith(CODES[code][0]), zh
    assert en.startswith(CODES[code][1]) and not CJK.search(en), en
    return dict(outcome.error["details"])  # type: ignore[arg-type]


def still_works(box: Sandbox) -> None:
    ok = box.screen(b"name,mobile\n\xe5\xbc\xa0\xe4\xbc\x9f,13812345678\n", filename="ok.csv",
                    limits=SAMPLE_LIMITS)  # fmt: skip
    assert ok.error is None and "mobile" in ok.kinds, ok


def test_i18_the_issue_workbook_passes_the_ratio_guard_but_not_the_absolute_cap(
    sandbox: Sandbox,
) -> None:
    bomb = samples.zip_ratio_xlsx()
    expanded, ratio = samples.uncompressed_size(bomb), samples.largest_ratio(bomb)
    assert len(bomb) < 1_000_000 and expanded > 100_000_000, (len(bomb), expanded)
    assert 100 < ratio < SAMPLE_LIMITS.max_compression_ratio, ratio  # the guard lets it by
    started = time.monotonic()
    details = refused(sandbox.screen(bomb, filename="导出.xlsx", limits=SAMPLE_LIMITS),
                      "screening_too_large")  # fmt: skip
    assert time.monotonic() - started < 2  # the ZIP directory only: nothing decompressed
    assert details["declared"] == expanded and details["limit"] == SAMPLE_LIMITS.max_bytes
    # before issue 18 the registry screened with the data-set defaults, which let it by
    tables.check_zip(io.BytesIO(bomb), DEFAULT_LIMITS)
    still_works(sandbox)


def test_i18_a_text_file_over_the_byte_cap_is_refused(sandbox: Sandbox) -> None:
    limits = replace(SAMPLE_LIMITS, max_bytes=1 << 20)
    data = samples.csv_rows(40_000, 3, lambda r, c: f"{r}-{c}-贵阳")
    assert len(data) > limits.max_bytes
    refused(sandbox.screen(data, filename="s.csv", limits=limits), "screening_too_large")


def test_i18_rows_over_the_row_cap_are_refused(sandbox: Sandbox) -> None:
    over = samples.csv_rows(SAMPLE_LIMITS.max_rows + 1, 2, lambda r, c: str(r * 10 + c))
    details = refused(sandbox.screen(over, filename="s.csv", limits=SAMPLE_LIMITS),
                      "screening_too_many_rows")  # fmt: skip
    assert details["limit"] == SAMPLE_LIMITS.max_rows
    at = samples.csv_rows(SAMPLE_LIMITS.max_rows, 2, lambda r, c: str(r * 10 + c))
    done = sandbox.screen(at, filename="s.csv", limits=SAMPLE_LIMITS)
    assert done.error is None and done.report and done.report["rows"] == SAMPLE_LIMITS.max_rows


def test_i18_columns_over_the_column_cap_are_refused(sandbox: Sandbox) -> None:
    wide = samples.csv_rows(3, SAMPLE_LIMITS.max_columns + 1, lambda r, c: "x")
    refused(sandbox.screen(wide, filename="s.csv", limits=SAMPLE_LIMITS),
            "screening_too_many_columns")  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_i18_cells_over_the_cell_cap_are_refused(sandbox: Sandbox, fmt: str) -> None:
    limits = replace(SAMPLE_LIMITS, max_cells=50_000)
    rows, cols = 5_001, 10  # 50,010 cells: rows and columns each well within their caps
    if fmt == "csv":
        data = samples.csv_rows(rows, cols, lambda r, c: str(r + c), header=False)
    elif fmt == "xlsx":
        data = samples.xlsx(rows, cols, lambda r, c: str(r + c))
    else:
        data = "".join(
            json.dumps({f"k{c}": r + c for c in range(cols)}) + "\n" for r in range(rows)
        ).encode()
    details = refused(sandbox.screen(data, filename=f"s.{fmt}", limits=limits),
                      "screening_too_many_cells")  # fmt: skip
    assert details["limit"] == 50_000
    fits = replace(limits, max_cells=rows * cols)
    assert sandbox.screen(data, filename=f"s.{fmt}", limits=fits).error is None


def test_i18_the_cpu_time_budget_is_enforced_by_the_kernel() -> None:
    # a wall budget far beyond the CPU one, so that on a loaded machine (where one CPU second
    # takes many wall seconds) it is still the kernel's CPU limit that ends the worker
    box = Sandbox(Budget(cpu_seconds=1, wall_seconds=300))
    try:
        slow = _slow()
        details = refused(box.screen(slow, filename="慢.xlsx", limits=DEFAULT_LIMITS),
                          "screening_cpu_time")  # fmt: skip
        assert details["limit"] == 1
        still_works(box)  # a new worker; and the budget is per file, not per worker
        for _ in range(3):
            medium = samples.xlsx(2_000, 10, lambda r, c: f"{r}")
            assert box.screen(medium, filename="m.xlsx", limits=SAMPLE_LIMITS).error is None
    finally:
        box.close()


def test_i18_the_memory_budget_is_enforced_by_the_kernel() -> None:
    box = Sandbox(Budget(cpu_seconds=20, memory_bytes=160 << 20))
    try:
        # one JSON document of 3 million small objects: about 600 MB once parsed
        doc = ("[" + ",".join(['{"a":1}'] * 3_000_000) + "]").encode()
        assert len(doc) < SAMPLE_LIMITS.max_document_bytes
        details = refused(box.screen(doc, filename="大.json", limits=SAMPLE_LIMITS),
                          "screening_out_of_memory")  # fmt: skip
        assert details["limit"] == 160 << 20
        still_works(box)
    finally:
        box.close()


def test_i18_the_wall_clock_limit_kills_a_screening_that_takes_too_long() -> None:
    box = Sandbox(Budget(cpu_seconds=20, wall_seconds=0.3))
    try:
        slow = _slow()
        refused(box.screen(slow, filename="慢.xlsx", limits=DEFAULT_LIMITS), "screening_timed_out")
        box.budget = Budget(cpu_seconds=20)
        still_works(box)
    finally:
        box.close()


def test_i18_a_worker_that_dies_mid_file_is_a_crash_with_its_status(sandbox: Sandbox) -> None:
    still_works(sandbox)  # the worker is up
    worker = sandbox._worker
    assert worker is not None
    slow = _slow()
    # after the file has crossed the pipe (a worker that dies before it has is replaced and
    # the file screened by the new one, by design) and well inside its seconds of screening
    threading.Timer(1.5, os.kill, (worker.proc.pid, signal.SIGSEGV)).start()
    details = refused(sandbox.screen(slow, filename="慢.xlsx", limits=DEFAULT_LIMITS),
                      "screening_crashed")  # fmt: skip
    assert details["status"] == -signal.SIGSEGV
    still_works(sandbox)


def test_i18_what_crosses_back_is_masked_and_the_raw_rows_only_when_nothing_was_found(
    sandbox: Sandbox,
) -> None:
    personal = "姓名,手机\n张伟,13812345678\n".encode()
    o = sandbox.screen(personal, filename="p.csv", limits=SAMPLE_LIMITS)
    assert o.public is not None and o.public["raw"] is None
    assert "13812345678" not in json.dumps([o.report, o.public], ensure_ascii=False)
    clean = "城市,销量\n贵阳,320\n".encode()
    o = sandbox.screen(clean, filename="c.csv", limits=SAMPLE_LIMITS)
    assert o.public is not None and o.public["raw"]["rows"] == [["贵阳", "320"]]


def test_i18_sample_limits_are_a_samples_and_budgets_must_be_sane() -> None:
    assert SAMPLE_LIMITS.max_bytes == 32 << 20 and SAMPLE_LIMITS.max_rows == 100_000
    assert SAMPLE_LIMITS.max_cells == 1_000_000
    assert SAMPLE_LIMITS.max_compression_ratio == DEFAULT_LIMITS.max_compression_ratio
    with pytest.raises(ValueError):
        Budget(cpu_seconds=0)
    with pytest.raises(ValueError):
        Limits(max_cells=0)
