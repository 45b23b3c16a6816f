"""`--smoke`: every benchmark's seconds-long run, which CI runs so that none of them rots.

    python bench/tick.py --smoke                     # results to $TMPDIR/dataip-bench-smoke/
    python bench/tick.py --smoke --out /tmp/t.json   # options given still win

A smoke run goes through the whole script — data set, timed runs, verification, the JSON —
at sizes where the figures mean nothing; its results never go to bench/results/ unless
`--out` says so. tests/bench/test_bench_smoke.py runs each script this way.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SMOKE_DIR = Path(tempfile.gettempdir()) / "dataip-bench-smoke"


def add_smoke_option(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, name: str, **sizes: Any
) -> None:
    """Add `--smoke`; when it is among the arguments, `sizes` (and a scratch `--out`) become
    the defaults, so options given on the command line still win."""
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a seconds-long run at tiny sizes (CI runs it; the figures mean nothing); "
        f"results go to {SMOKE_DIR}/{name}.json unless --out",
    )
    args = sys.argv[1:] if argv is None else argv
    if "--smoke" in args:
        parser.set_defaults(out=SMOKE_DIR / f"{name}.json", **sizes)
