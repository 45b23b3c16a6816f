"""`dataip fingerprint …`: a data holder's local tools. Nothing here talks to a registry.

    dataip fingerprint PATH [--hash sm3] [--out FILE | --json] [--workers N]
        (without --out the manifest is NAME.manifest.json in the current directory; the
        command says where it wrote it)
    dataip fingerprint prove-sample MANIFEST DATAFILE SAMPLE [--out PROOF]
    dataip fingerprint verify-sample PROOF --root ROOT

Exit codes: 0 done; 1 the input cannot be fingerprinted or proven, or a proof fails; 2 usage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from typer.core import TyperGroup

from dataip.evidence import sample as samples
from dataip.evidence.fingerprint import FingerprintError, Manifest, fingerprint
from dataip.evidence.hashing import HASH_NAMES
from dataip.ledger.errors import VerificationError

err = Console(stderr=True)


class _HashByDefault(TyperGroup):
    """`dataip fingerprint PATH` means `dataip fingerprint hash PATH`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["hash", *args]
        return super().parse_args(ctx, args)


fingerprint_app = typer.Typer(
    cls=_HashByDefault,
    help="Fingerprint a data set locally (the data never leaves you); prove sample rows.",
    no_args_is_help=True,
)


class _LazyBar:
    """A progress bar that appears only once hashing has taken more than a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < 1.0 or not err.is_terminal:
                return
            self.bar = Progress(
                "fingerprinting",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("hash", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _default_out(path: Path) -> Path:
    return Path(f"{path.resolve().name}.manifest.json")


def _target(path: Path, out: Path | None) -> Path:
    """Where the manifest goes: --out (a folder gets NAME.manifest.json in it), else the
    current directory — never inside the folder it describes (the next run would fingerprint
    the manifest as part of the data set; exit 2)."""
    target = _default_out(path) if out is None else out
    if out is not None and out.is_dir():
        target = out / _default_out(path).name
    if path.is_dir() and target.resolve().is_relative_to(path.resolve()):
        err.print(
            f"[red]the manifest would be written into the data set it describes[/red] "
            f"({target.resolve()}): give --out FILE outside {path.resolve()}",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(2)
    if not target.parent.is_dir():
        err.print(
            f"[red]cannot write the manifest to {target}[/red]: there is no folder {target.parent}",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(1)
    return target


@fingerprint_app.command("hash", hidden=True)
def hash_(
    path: Annotated[Path, typer.Argument(help="A file or a folder.")],
    hash_name: Annotated[str, typer.Option("--hash", help="sha256 or sm3.")] = "sha256",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the manifest (default: NAME.manifest.json in the current "
            "directory)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest to stdout.")] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Threads (default: all cores).")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Reuse files finished by an interrupted run.")
    ] = True,
) -> None:
    """Fingerprint PATH into a manifest: per-file digest, 1 MiB chunk root, row root for
    CSV/TSV/JSONL, and the data-set root."""
    if hash_name not in HASH_NAMES:
        err.print(f"--hash must be one of {', '.join(HASH_NAMES)}")
        raise typer.Exit(2)
    target = None if as_json else _target(path, out)
    journal = Path(f"{target}.partial") if target and resume else None
    bar = _LazyBar()
    try:
        report = fingerprint(
            path, hash_name=hash_name, workers=workers, journal=journal, on_progress=bar
        )
    except FingerprintError as exc:
        bar.close()
        err.print(f"[red]cannot fingerprint[/red]: {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    bar.close()
    text = report.manifest.to_json()
    if target is None:
        sys.stdout.write(text)
        return
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(text, "utf-8")
        tmp.replace(target)
    except OSError as exc:
        err.print(f"[red]cannot write the manifest to {target}[/red]: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    if journal is not None:
        journal.unlink(missing_ok=True)
    files = len(report.manifest.files)
    reused = f", {report.reused} unchanged since the interrupted run" if report.reused else ""
    err.print(f"{files} file(s){reused}; root {hash_name}:{report.manifest.root}", highlight=False)
    where = f"manifest written to {target.resolve()}"
    if out is None:
        where += " (the current directory; --out FILE writes it elsewhere)"
    err.print(where, highlight=False, soft_wrap=True)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        err.print(f"[red]cannot read {what} {path}[/red]: {exc.strerror or exc}")
        raise typer.Exit(1) from None


@fingerprint_app.command("prove-sample")
def prove_sample(
    manifest: Annotated[Path, typer.Argument(help="The data set's manifest.")],
    data_file: Annotated[Path, typer.Argument(help="The evidenced CSV/TSV/JSONL file.")],
    sample: Annotated[Path, typer.Argument(help="Sample rows (same format).")],
    out: Annotated[
        Path | None, typer.Option(help="Proof file (default SAMPLE.proof.json).")
    ] = None,
    path: Annotated[str | None, typer.Option(help="The file's path in the manifest.")] = None,
) -> None:
    """Prove that each sample row is a row of the evidenced file."""
    try:
        parsed = Manifest.from_json(_read(manifest, "manifest"))
        proof = samples.prove(parsed, data_file, _read(sample, "sample"), path=path)
    except (FingerprintError, samples.SampleError) as exc:
        err.print(f"[red]cannot prove the sample[/red]: {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[red]cannot read {exc.filename}[/red]: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    target = out or sample.with_name(sample.name + ".proof.json")
    target.write_text(json.dumps(proof, ensure_ascii=False, indent=1) + "\n", "utf-8")
    err.print(f"{len(proof['rows'])} row(s) proven against root {parsed.root}; written to {target}")


@fingerprint_app.command("verify-sample")
def verify_sample(
    proof: Annotated[Path, typer.Argument(help="A proof from prove-sample.")],
    root: Annotated[str, typer.Option(help="The data set's root (hex), e.g. from its deposit.")],
) -> None:
    """Check a sample proof with nothing but the data set's root."""
    try:
        ok = samples.verify(_read(proof, "proof"), root)
    except VerificationError as exc:
        err.print(f"[red]sample NOT proven[/red]: {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    typer.echo(
        f"{len(ok.indices)} sample row(s) proven to be rows of {ok.path}"
        f" ({ok.rows} rows) in data set {ok.root}"
    )
