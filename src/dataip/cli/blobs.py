"""`dataip blobs …`: the blob store (issue 25 §2) — copy every object between two stores and
verify what a store holds. A store is named as DATAIP_BLOB_STORE names one: `local`,
`local:PATH`, `database`, or a database URL. Exit 1 when any object is corrupted, missing
or in conflict; a copy can be run again and resumes (what is already there intact is
skipped)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dataip.bootstrap import ConfigurationError, open_blob_store
from dataip.config import Settings
from dataip.services.blobstore import ObjectStore, transfer

blobs_app = typer.Typer(help="Blob storage (issue 25): copy between stores, verify hashes.")
console = Console()
err = Console(stderr=True)

STORE_HELP = "local | local:PATH | database | a database URL (default: DATAIP_BLOB_STORE)"


def _store(settings: Settings, spec: str | None) -> ObjectStore:
    try:
        return open_blob_store(settings, spec or settings.blob_store).objects
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _report(verb: str, outcome: transfer.Outcome, json_out: bool) -> None:
    if json_out:
        console.print_json(json.dumps({"action": verb, **outcome.as_dict()}))
    else:
        for key, problem in outcome.problems:
            err.print(f"[red]{key}: {problem}[/red]")
        done = (
            f"{outcome.copied} copied, {outcome.skipped} already there, "
            f"{outcome.repaired} repaired, "
            if verb == "copy"
            else ""
        )
        console.print(f"{verb}: {outcome.checked} checked, {done}{len(outcome.problems)} problems")
    if not outcome.ok:
        raise typer.Exit(1)


@blobs_app.command("copy")
def copy(
    source: Annotated[str, typer.Option("--from", help=STORE_HELP)],
    target: Annotated[str, typer.Option("--to", help=STORE_HELP)],
    prefix: Annotated[str, typer.Option(help="only keys that start with this")] = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Copy every object from one store to another, checking each one's hash in both."""
    settings = Settings()
    src, dst = _store(settings, source), _store(settings, target)
    if src.describe() == dst.describe():
        err.print("[red]--from and --to name the same store[/red]")
        raise typer.Exit(2)
    _report("copy", transfer.copy(src, dst, prefix=prefix), json_out)


@blobs_app.command("verify")
def verify(
    store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
    prefix: Annotated[str, typer.Option(help="only keys that start with this")] = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Read every object back and check its hash."""
    _report("verify", transfer.verify(_store(Settings(), store), prefix=prefix), json_out)
