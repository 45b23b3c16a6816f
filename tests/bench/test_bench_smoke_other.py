"""The other half of the bench scripts' smoke runs (test_bench_smoke.py runs the first): two
modules, so that two test workers share them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.test_bench_smoke import SCRIPTS, run_smoke


@pytest.mark.parametrize("name", SCRIPTS[1::2])
def test_i19_bench_script_runs_at_its_smoke_size(name: str, tmp_path: Path) -> None:
    run_smoke(name, tmp_path)
