"""`dataip institutions …`: the operator's checks of the sharing capability (issue 20)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from dataip.bootstrap import build
from dataip.config import Settings
from dataip.services.sharing import reads

institutions_app = typer.Typer(help="Institutional clients (courts, banks, exchanges; R25).")
console = Console()


@institutions_app.command("verify-reads")
def verify_reads(
    quiet: Annotated[bool, typer.Option(help="print findings only")] = False,
) -> None:
    """Recompute the chained account of institutional reads (机构查阅记录): exit 1 and name
    every edited, unlinked or missing record."""
    reg = build(Settings())
    try:
        findings = reads.verify(env=reg.env)
    finally:
        reg.dispose()
    for f in findings:
        console.print(f"[red]{f.problem}[/red] record {f.seq}")
    if findings:
        raise typer.Exit(1)
    if not quiet:
        console.print("the account of institutional reads is intact")
