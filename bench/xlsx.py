"""Benchmark reading sample workbooks (`dataip.screening.tables.xlsx_sheets`, issue 19): the
costliest workbook the sample caps let through, read by dataip's reader (the caps' checks of
the zip and of every cell reference, then calamine) against openpyxl in read-only mode (the
reader before, and the usual Python way) in the same run, plus the whole screening of it.

    python bench/xlsx.py                  # the worst case within SAMPLE_LIMITS
    python bench/xlsx.py --rows 20000     # a smaller one
    python bench/xlsx.py --smoke          # seconds; CI runs it

The workbook is built here: `--rows` rows (the header included) of inline-string cells, as
many columns as the caps' bytes allow (6 at 100,000 rows), each cell an identity-like value
(an ID number, a phone, a name, an address: what screening looks for). Inline strings are
openpyxl's slowest cell kind. Each reader reads every row into lists of text, in this
process, `--repeat` times; the best run's seconds are reported with cells per second (the
readers use one core; `screen` is the whole screening, whose detectors may use worker
processes, so its CPU seconds here leave theirs out). Results: bench/results/xlsx.json.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataip.screening import SAMPLE_LIMITS  # noqa: E402
from dataip.screening.parse import cell_text  # noqa: E402
from dataip.screening.screen import screen_bytes  # noqa: E402
from dataip.screening.tables import xlsx_sheets  # noqa: E402
from smoke import add_smoke_option  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results" / "xlsx.json"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"


def _cell(r: int, c: int) -> str:
    kinds = (
        lambda: f"5201051990{r % 12 + 1:02d}{r % 28 + 1:02d}{r % 1000:03d}X",
        lambda: f"139{r:08d}"[:11],
        lambda: "王伟" if r % 2 else "李娜",
        lambda: f"贵阳市观山湖区{r % 100}号",
        lambda: str(r * 7 + c),
        lambda: f"{r % 28 + 1}日",
    )
    return kinds[c % len(kinds)]()


def workbook(rows: int, cols: int) -> bytes:
    """One sheet of `rows` × `cols` inline-string cells, packed as Excel packs it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="r1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
            '<sheet name="样例" sheetId="1" r:id="r1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="r1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode())
            for r in range(rows):
                cells = "".join(
                    f'<c t="inlineStr"><is><t>{"列" + str(c + 1) if r == 0 else _cell(r, c)}'
                    "</t></is></c>"
                    for c in range(cols)
                )
                f.write(f"<row>{cells}</row>".encode())
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def read_dataip(data: bytes) -> int:
    cells = 0
    for _title, _n, rows in xlsx_sheets(io.BytesIO(data), SAMPLE_LIMITS):
        for row in rows:
            cells += len(row)
    return cells


def read_openpyxl(data: bytes) -> int:
    import openpyxl  # the baseline (a dev dependency)

    cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                ws.reset_dimensions()
                for row in ws.iter_rows(values_only=True):
                    cells += len([cell_text(v) for v in row])
        finally:
            wb.close()
    return cells


def screen(data: bytes) -> int:
    report = screen_bytes(data, filename="样例.xlsx", limits=SAMPLE_LIMITS)
    return int(report.rows)


def best(fn: Callable[[bytes], int], data: bytes, repeat: int) -> dict[str, Any]:
    runs = []
    count = 0
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        count = fn(data)
        runs.append((time.process_time() - cpu, time.perf_counter() - wall))
    cpu_s, wall_s = min(runs)
    return {"count": count, "cpu_seconds": round(cpu_s, 3), "wall_seconds": round(wall_s, 3)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--rows", type=int, default=SAMPLE_LIMITS.max_rows, help="rows (100,000)")
    p.add_argument("--repeat", type=int, default=3, help="runs per reader; the best counts")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(p, argv, "xlsx", rows=2000, repeat=1)
    args = p.parse_args(argv)
    cell_bytes = 36  # an inline-string cell's markup and its text, on average
    room = SAMPLE_LIMITS.max_bytes - 4096 - args.rows * len(b"<row></row>")
    cols = max(1, min(SAMPLE_LIMITS.max_columns, room // (args.rows * cell_bytes), 6))
    data = workbook(args.rows, cols)
    cells = args.rows * cols
    print(f"workbook: {args.rows:,} rows × {cols} columns, {len(data):,} bytes", flush=True)
    results: dict[str, Any] = {}
    for name, fn in (("dataip", read_dataip), ("openpyxl", read_openpyxl), ("screen", screen)):
        r = best(fn, data, args.repeat)
        r["cells_per_second"] = round(cells / r["wall_seconds"]) if r["wall_seconds"] else None
        results[name] = r
        print(
            f"  {name:9} {r['wall_seconds']:8.3f} s ({r['cpu_seconds']:.3f} CPU-s here)"
            f"  {r['cells_per_second'] or 0:>12,} cells/s"
        )
    assert results["dataip"]["count"] == results["openpyxl"]["count"] == cells
    speedup = results["openpyxl"]["wall_seconds"] / max(results["dataip"]["wall_seconds"], 1e-9)
    print(f"  dataip reads it {speedup:.1f}× faster than openpyxl")
    out = {
        "benchmark": "xlsx",
        "workbook": {"rows": args.rows, "columns": cols, "cells": cells, "bytes": len(data)},
        "repeat": args.repeat,
        "readers": results,
        "speedup_vs_openpyxl": round(speedup, 2),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
