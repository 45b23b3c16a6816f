"""`dataip statistics …`, `dataip report annual YEAR` and `dataip cases …` (R30, JS25§2, §10).

dataip statistics rebuild            every month recomputed from the raw rows
dataip statistics refresh [--force]  what `dataip tick` runs once a day
dataip report annual 2026 [--out report.pdf]
dataip cases add NUMBER --year 2026 --title T --text TEXT --as examiner
dataip cases remove ID --as examiner
dataip cases list [--year 2026]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dataip.bootstrap import Registry
from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.value import annual_report, statistics, typical_cases

statistics_app = typer.Typer(help="Statistics (R30): the monthly aggregates.")
report_app = typer.Typer(help="Reports: the annual report (JS25§2).")
cases_app = typer.Typer(help="Typical cases the registry curates for the annual report.")
console = Console()
err = Console(stderr=True)


def _registry() -> Registry:
    from dataip.cli.main import _registry as build  # here: main imports this module

    return build()


def _fail(e: DomainError) -> None:
    err.print(f"[red]{e.code}[/red]: {e.message_zh} / {e.message_en}")
    raise typer.Exit(1)


@statistics_app.command("rebuild")
def rebuild() -> None:
    """Recompute every month's aggregates from the registrations, filings and events."""
    report = statistics.rebuild(env=_registry().env)
    console.print(f"rebuilt {len(report.months)} months in {report.seconds:.2f} s")


@statistics_app.command("refresh")
def refresh(force: Annotated[bool, typer.Option("--force")] = False) -> None:
    """The daily refresh (`dataip tick` runs it): the months that changed."""
    report = statistics.refresh(env=_registry().env, force=force)
    if report.skipped:
        console.print("already refreshed today (use --force)")
    else:
        console.print(f"refreshed {len(report.months)} months in {report.seconds:.2f} s")


@report_app.command("annual")
def annual(
    year: Annotated[int, typer.Argument(min=2000, max=2100)],
    out: Annotated[Path | None, typer.Option("--out", help="the PDF to write")] = None,
) -> None:
    """Render the year's annual report as a PDF (A4, Chinese)."""
    from dataip.web.pages import report_pdf

    reg = _registry()
    pdf = report_pdf.render_pdf(annual_report.contents(env=reg.env, year=year))
    path = out or Path(f"annual-report-{year}.pdf")
    path.write_bytes(pdf)
    console.print(f"wrote {path} ({len(pdf):,} bytes)")


@cases_app.command("add")
def cases_add(
    number: str,
    year: Annotated[int, typer.Option(min=2000, max=2100)],
    title: Annotated[str, typer.Option()],
    text: Annotated[str, typer.Option()],
    as_user: Annotated[str, typer.Option("--as")],
) -> None:
    """Add a typical case (screened for personal data before it is saved)."""
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        case = typical_cases.add(who, env=reg.env, number=number, year=year, title=title, text=text)
    except DomainError as e:
        _fail(e)
    console.print_json(json.dumps(case, ensure_ascii=False))


@cases_app.command("remove")
def cases_remove(case_id: int, as_user: Annotated[str, typer.Option("--as")]) -> None:
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        typical_cases.remove(who, env=reg.env, case_id=case_id)
    except DomainError as e:
        _fail(e)
    console.print(f"removed typical case {case_id}")


@cases_app.command("list")
def cases_list(year: Annotated[int | None, typer.Option()] = None) -> None:
    rows = typical_cases.cases(env=_registry().env, year=year)
    console.print_json(json.dumps(rows, ensure_ascii=False))
