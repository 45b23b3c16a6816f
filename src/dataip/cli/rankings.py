"""`dataip rankings …`: the hotness ranking (热度榜, issue 22 §4) — close the days whose signals
are final and rebuild the ranking snapshot (`dataip tick` does the same once a day closes)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dataip.bootstrap import build, parse_now
from dataip.config import Settings
from dataip.services.context import FixedClock
from dataip.services.value import hotness

rankings_app = typer.Typer(help="The hotness ranking (热度榜, issue 22): refresh the snapshot.")
console = Console()


@rankings_app.command("refresh")
def refresh(
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO time (tests, demos)")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Close every day up to yesterday (its filings counted, its salt and de-duplication rows
    deleted) and rebuild the ranking as of the last closed day."""
    settings = Settings()
    if as_of and settings.env == "production":
        Console(stderr=True).print("[red]--as-of is refused when DATAIP_ENV=production[/red]")
        raise typer.Exit(2)
    reg = build(settings, clock=FixedClock(parse_now(as_of)) if as_of else None)
    report = hotness.refresh(reg.env)
    out = {
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "days_closed": report.days_closed,
        "ranked": report.ranked,
    }
    if json_out:
        console.print_json(json.dumps(out))
    else:
        console.print(
            f"ranking as of {out['as_of']}: {report.ranked} registrations ranked, "
            f"{report.days_closed} days closed"
        )
