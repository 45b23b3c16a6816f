"""`dataip screen FILE`: screen a sample file for personal information, locally.

    dataip screen 样本.csv                 # a table per column, the grade hint
    dataip screen 样本.xlsx --json         # the report as JSON (masked examples only)
    dataip screen big.csv --workers 2 --limit-rows 5000000

Exit codes: 0 a report (whatever it found); 2 the file cannot be screened (the error's code
and its Chinese and English message on stderr).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dataip.screening import DEFAULT_LIMITS, Limits, Report, ScreeningError, screen_path

err = Console(stderr=True)
out = Console()


def _table(report: Report) -> None:
    out.print(
        f"{report.filename}: {report.format}"
        + (f", {report.encoding}" if report.encoding else "")
        + f", {report.rows} rows, {len(report.columns)} columns",
        highlight=False,
    )
    table = Table(title="筛查结果 screening findings")
    for col in ("column", "kind", "count", "share", "confidence", "examples (masked)"):
        right = col in ("count", "share", "confidence")
        table.add_column(col, justify="right" if right else "left")
    for c in report.columns:
        if not c.findings:
            continue
        for i, f in enumerate(c.findings):
            table.add_row(
                c.name if i == 0 else "",
                f.kind,
                str(f.count),
                f"{f.share:.1%}",
                f"{f.confidence:.2f}",
                ", ".join(f.examples),
            )
    if table.row_count:
        out.print(table)
    else:
        out.print("未发现个人信息 / no personal information found")
    for c in report.columns:
        for zh, en in c.notes:
            out.print(f"[dim]{c.name}: {zh} / {en}[/dim]")
    g = report.grade
    out.print(f"分级提示 grade hint: [bold]{g.grade}[/bold] — {g.reason_zh}", highlight=False)
    out.print(f"  {g.reason_en}", highlight=False)


def screen(
    file: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON, JSON Lines or XML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Processes scanning chunks.")] = 1,
    limit_bytes: Annotated[
        int, typer.Option("--limit-bytes", min=1, help="Bytes read (decompressed).")
    ] = DEFAULT_LIMITS.max_bytes,
    limit_rows: Annotated[
        int, typer.Option("--limit-rows", min=1, help="Data rows.")
    ] = DEFAULT_LIMITS.max_rows,
    limit_columns: Annotated[
        int, typer.Option("--limit-columns", min=1, help="Columns.")
    ] = DEFAULT_LIMITS.max_columns,
    limit_cells: Annotated[
        int, typer.Option("--limit-cells", min=1, help="Cells (rows × columns).")
    ] = DEFAULT_LIMITS.max_cells,
    limit_cell: Annotated[
        int, typer.Option("--limit-cell", min=1, help="Characters in one cell.")
    ] = DEFAULT_LIMITS.max_cell_chars,
    limit_depth: Annotated[
        int, typer.Option("--limit-depth", min=1, help="JSON/XML nesting.")
    ] = DEFAULT_LIMITS.max_depth,
    declared_records: Annotated[
        int | None, typer.Option(min=0, help="Records of the whole data set (grade hint).")
    ] = None,
) -> None:
    """Screen a sample file for personal information (样本数据筛查): per-column findings
    with masked examples, a masking preview and a grade hint. Nothing leaves this machine."""
    limits = Limits(
        max_bytes=limit_bytes,
        max_rows=limit_rows,
        max_columns=limit_columns,
        max_cells=limit_cells,
        max_cell_chars=limit_cell,
        max_depth=limit_depth,
    )
    key = os.urandom(32)  # pseudonyms in the preview: consistent within this run only
    try:
        report = screen_path(
            file,
            limits=limits,
            workers=workers,
            pseudonym_key=key,
            declared_records=declared_records,
        )
    except ScreeningError as e:
        err.print(f"[red]{e.code}[/red]: {e.message_zh} / {e.message_en}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        _table(report)
