"""`dataip backup …`: an online backup of a running registry (database, blobs, keys), its
restore onto a new database and data dir, the checks a restored registry must pass, and the
drill that does all of it (issue 25 §5; docs/operations.md "Backups and the restore drill").

A backup is a folder: ``manifest.json`` (SHA-256 of every file, the log's key and the
checkpoint at backup time), ``database.sqlite3`` (SQLite's online backup API, WAL-safe) or
``database.dump`` (``pg_dump --format=custom``), and ``data/`` with the blob folder and every
key: the log's signing key, the certificate keys, the witness key and the peer client key.

Exit codes: 0 good; 1 the backup is incomplete or damaged, or the restored registry fails a
check; 2 bad usage (a target that is not empty, a tool missing).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from sqlalchemy.pool import NullPool

from dataip.bootstrap import Registry, build
from dataip.config import Settings
from dataip.domain.errors import DomainError
from dataip.ledger.client import MonitorState
from dataip.ledger.errors import FormatError, VerificationError
from dataip.services import certificates, operations

backup_app = typer.Typer(
    help="Backups: create (online), restore onto a new database and data dir, check a restored "
    "registry, and the whole drill."
)
console = Console()
err = Console(stderr=True)
OK, FAILED, USAGE = 0, 1, 2
FORMAT = 1
MANIFEST = "manifest.json"
# the registry's identity: without these a restored registry is another registry
REQUIRED_KEYS = ("data/log-signing.key", "data/certificate-keys/active")


def _die(message: str, code: int = FAILED) -> typer.Exit:
    err.print(message, soft_wrap=True, highlight=False)
    return typer.Exit(code)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env(url: sa.URL) -> dict[str, str]:
    """libpq's environment for the database at `url` (pg_dump, pg_restore)."""
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[var] = str(value)
    return env


def _run_tool(args: list[str], env: dict[str, str]) -> None:
    if shutil.which(args[0]) is None:
        raise _die(f"{args[0]} is not installed (the PostgreSQL client tools)", USAGE)
    r = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise _die(f"{' '.join(args[:2])}… failed ({r.returncode}): {r.stderr.strip()}")


def _key_files(settings: Settings) -> list[tuple[Path, str]]:
    """(where the registry keeps it, where the backup keeps it) of every key and the blobs."""
    return [
        (settings.resolved_log_key_file(), "data/log-signing.key"),
        (settings.resolved_certificate_key_dir(), "data/certificate-keys"),
        (settings.resolved_witness_key_file(), "data/witness-cosigner.key"),
        (settings.resolved_peer_client_key_file(), "data/peer-client.jwk"),
    ] + ([(folder, "data/blobs")] if (folder := _blob_folder(settings)) else [])


def _blob_folder(settings: Settings) -> Path | None:
    """The folder of a local blob store (DATAIP_BLOB_STORE `local` or `local:PATH`); None when
    the blobs are in a database (`database`: the registry's own, so in its dump)."""
    spec = settings.blob_store.strip()
    if spec in ("", "local"):
        return settings.blob_dir
    if spec.startswith("local:"):
        return Path(spec.removeprefix("local:"))
    return None


def _blobs_elsewhere(settings: Settings) -> str | None:
    """A blob store this backup does not hold: a database of its own."""
    spec = settings.blob_store.strip()
    if _blob_folder(settings) is None and spec != "database":
        return "DATAIP_BLOB_STORE names a database of its own: back it up too (not in this backup)"
    return None


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)  # copy2: modes (0600 keys) kept
    else:
        shutil.copy2(src, dst)


@backup_app.command("create")
def create(
    out: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
) -> None:
    """Back up the registry while it runs: the log's checkpoint first, then the database
    (SQLite's backup API or pg_dump), then blobs and keys, each file's SHA-256 in the
    manifest. Everything the checkpoint covers is in the database copy (the log only grows)."""
    if out.exists() and any(out.iterdir()):
        raise _die(f"{out} is not empty", USAGE)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = Settings()
    reg = build(settings)
    try:
        started = time.monotonic()
        state = _log_state(reg)
        url = sa.make_url(settings.resolved_database_url())
        if url.get_backend_name() == "sqlite":
            database = "database.sqlite3"
            src = sqlite3.connect(str(url.database))
            dst = sqlite3.connect(str(out / database))
            with contextlib.closing(src), contextlib.closing(dst):
                src.backup(dst)
        else:
            database = "database.dump"
            _run_tool(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(out / database)],
                _pg_env(url),
            )
        for src_path, rel in _key_files(settings):
            if src_path.exists():
                _copy(src_path, out / rel)
        files = {
            p.relative_to(out).as_posix(): _sha256(p)
            for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != MANIFEST
        }
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database,
            "dialect": url.get_backend_name(),
            "log": json.loads(state.to_json()) if state else None,
            "blob_store": settings.blob_store,
            "files": files,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    finally:
        reg.dispose()
    if (warning := _blobs_elsewhere(settings)) is not None:
        err.print(f"[yellow]{warning}[/yellow]", soft_wrap=True)
    size = sum((out / rel).stat().st_size for rel in files)
    console.print(
        f"backup {out}: {len(files)} files, {size / 1e6:.1f} MB"
        f" in {time.monotonic() - started:.1f} s"
        + (f"; log size {state.size}" if state else "; no checkpoint yet"),
        soft_wrap=True,
        highlight=False,
    )


def _log_state(reg: Registry) -> MonitorState | None:
    try:
        return operations.log_state(reg.env, reg.log_keys.verifier)
    except DomainError:  # no checkpoint signed yet
        return None


def _manifest(backup: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((backup / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _die(f"{backup} is not a backup: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise _die(f"{backup}: backup format {manifest.get('format')!r}, not {FORMAT}")
    return manifest


def _verify_files(backup: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its hash, and the keys are among them."""
    files: dict[str, str] = manifest["files"]
    problems = [f"missing key: {rel}" for rel in REQUIRED_KEYS if rel not in files]
    for rel, digest in files.items():
        path = backup / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif _sha256(path) != digest:
            problems.append(f"damaged (SHA-256 differs): {rel}")
    if problems:
        raise _die(f"[red]backup {backup} is not complete[/red]:\n  " + "\n  ".join(problems[:20]))


def _database_empty(url: sa.URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        return not path.exists() or path.stat().st_size == 0
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return not sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


@backup_app.command("restore")
def restore(
    backup: Annotated[Path, typer.Argument(help="A folder `dataip backup create` wrote.")],
) -> None:
    """Restore a backup onto the configured registry (DATAIP_DATABASE_URL, DATAIP_DATA_DIR
    and the key settings), which must be new: an empty database, no keys, no blobs. Checks
    every file's hash first. Then run `dataip log audit` and `dataip backup check`."""
    manifest = _manifest(backup)
    _verify_files(backup, manifest)
    settings = Settings()
    url = sa.make_url(settings.resolved_database_url())
    if url.get_backend_name() != manifest["dialect"]:
        raise _die(f"the backup is of a {manifest['dialect']} database, not {url.drivername}", 2)
    occupied = [str(p) for p, _ in _key_files(settings) if p.exists() and _non_empty(p)]
    if occupied or not _database_empty(url):
        raise _die(
            "restore onto a new registry only: "
            + ", ".join(occupied or [f"database {url.render_as_string()} has tables"]),
            USAGE,
        )
    started = time.monotonic()
    for dst, rel in _key_files(settings):
        if (backup / rel).exists():
            _copy(backup / rel, dst)
    database = backup / manifest["database"]
    if url.get_backend_name() == "sqlite":
        target = Path(str(url.database))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            copy_from = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            copy_to = sqlite3.connect(str(target))
            with contextlib.closing(copy_from), contextlib.closing(copy_to):
                copy_from.backup(copy_to)
        except sqlite3.DatabaseError as exc:
            raise _die(f"[red]the database copy does not read[/red]: {exc}") from None
    else:
        _run_tool(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                str(url.database),
                str(database),
            ],
            _pg_env(url),
        )
    console.print(
        f"restored {backup} in {time.monotonic() - started:.1f} s; next: `dataip log audit`,"
        f" `dataip backup check {backup}`",
        soft_wrap=True,
        highlight=False,
    )


def _non_empty(path: Path) -> bool:
    return any(path.iterdir()) if path.is_dir() else True


@backup_app.command("check")
def check(
    backup: Annotated[Path, typer.Argument(help="The backup this registry was restored from.")],
    certificates_out: Annotated[
        Path | None,
        typer.Option(help="Also write the PDF of the latest certificate here."),
    ] = None,
) -> None:
    """Check the configured (restored) registry against the backup: the same log key, a
    checkpoint that extends the backed-up one (consistency proof from its tiles), and every
    certificate it issued verifies with its keys. Exit 1 when any of these fails."""
    manifest = _manifest(backup)
    reg = build(Settings())
    try:
        if manifest["log"] is not None:
            old = MonitorState.from_json(json.dumps(manifest["log"]))
            try:
                new = operations.check_extends(reg.env, reg.log_keys.verifier, old)
            except (VerificationError, FormatError, DomainError) as exc:
                raise _die(f"[red]log: not the backed-up log[/red]: {exc}") from None
            console.print(
                f"log {new.origin}: size {new.size} extends the backed-up size {old.size}"
                " (same key, consistency proof from the tiles)",
                soft_wrap=True,
                highlight=False,
            )
        issued = operations.issued_certificates(reg.env)
        bad = []
        for cert in issued:
            got = certificates.verify(env=reg.env, token=cert.token, online=False)
            if not got.get("authentic"):
                bad.append(f"{cert.number} v{cert.version}: {got.get('summary_en')}")
        if bad:
            raise _die(
                f"[red]{len(bad)} of {len(issued)} certificates do not verify[/red]:\n  "
                + "\n  ".join(bad[:20])
            )
        console.print(f"certificates: {len(issued)} verify with the restored keys")
        if certificates_out is not None and issued:
            certificates_out.mkdir(parents=True, exist_ok=True)
            for cert in issued[-1:]:
                pdf = certificates.pdf(env=reg.env, number=cert.number, version=cert.version)
                (certificates_out / f"{cert.number}-v{cert.version}.pdf").write_bytes(pdf)
    finally:
        reg.dispose()


# --- the drill -------------------------------------------------------------------------------


class _Step:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []

    def run(self, name: str, args: list[str], env: dict[str, str]) -> str:
        started = time.monotonic()
        r = subprocess.run(
            [_dataip(), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        took = time.monotonic() - started
        self.rows.append((name, took, "ok" if r.returncode == 0 else f"FAILED ({r.returncode})"))
        console.print(f"{name} ({took:.1f} s):", soft_wrap=True, highlight=False)
        for line in r.stdout.strip().splitlines():
            console.print(f"  {line}", soft_wrap=True, highlight=False, markup=False)
        if r.returncode != 0:
            raise _die(f"[red]drill failed at: {name}[/red] (`dataip {' '.join(args)}`)")
        return r.stdout


def _dataip() -> str:
    beside = Path(sys.executable).with_name("dataip")
    return str(beside) if beside.exists() else (shutil.which("dataip") or "dataip")


@contextlib.contextmanager
def _target_database(source: sa.URL, given: str | None, work: Path, keep: bool) -> Iterator[str]:
    """The restore's database: the one given, a SQLite file in the work folder, or a new
    database beside the source's on its PostgreSQL server (dropped afterwards unless kept)."""
    if given:
        yield given
        return
    if source.get_backend_name() == "sqlite":
        yield f"sqlite:///{(work / 'restored' / 'dataip.sqlite3').as_posix()}"
        return
    name = f"{source.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(source, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@backup_app.command("drill")
def drill(
    work: Annotated[
        Path | None, typer.Option(help="Working folder (default: a temporary one, removed).")
    ] = None,
    backup: Annotated[
        Path | None, typer.Option(help="Restore this backup instead of making a new one.")
    ] = None,
    restore_database_url: Annotated[
        str | None,
        typer.Option(
            help="The new database to restore onto (default: a SQLite file in the "
            "working folder, or a new database on the source's PostgreSQL server)."
        ),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the restored registry and folder.")] = False,
) -> None:
    """The backup-and-restore drill on the configured registry: back it up while it runs,
    restore onto a new database and data dir, then `dataip log audit`, `dataip backup check`
    (same log key; the checkpoint extends the backed-up one; every certificate verifies) and
    `dataip verify` on certificate PDFs of the old and the restored registry. Exit 1 at the
    first step that fails."""
    settings = Settings()
    source = sa.make_url(settings.resolved_database_url())
    folder = work or Path(tempfile.mkdtemp(prefix="dataip-drill-"))
    folder.mkdir(parents=True, exist_ok=True)
    steps = _Step()
    src_env = {k: v for k, v in os.environ.items()}
    src_env.setdefault("DATAIP_PUBLIC_BASE_URL", settings.public_base_url)
    src_env["COLUMNS"] = "200"
    try:
        if backup is None:
            backup = folder / "backup"
            steps.run("backup", ["backup", "create", str(backup)], src_env)
        restored = folder / "restored"
        with _target_database(source, restore_database_url, folder, keep) as target_url:
            env = {k: v for k, v in src_env.items() if not k.endswith(("_KEY_FILE", "_KEY_DIR"))}
            env.update(DATAIP_DATA_DIR=str(restored), DATAIP_DATABASE_URL=target_url)
            steps.run("restore", ["backup", "restore", str(backup)], env)
            steps.run("log audit", ["log", "audit"], env)
            new_dir = folder / "restored-certificates"
            steps.run(
                "check", ["backup", "check", str(backup), "--certificates-out", str(new_dir)], env
            )
            # the old registry's first certificate on the restored registry; the restored
            # registry's last certificate on both (each `dataip verify` is a process: a few).
            # The old registry's PDF is made now: the steps above fail without rendering one.
            old_pdfs = _source_certificates(settings, folder / "source-certificates")
            for pdf in old_pdfs:
                steps.run(f"verify old {pdf.name} on the restored", ["verify", str(pdf)], env)
            for pdf in sorted(new_dir.glob("*.pdf")) if new_dir.exists() else []:
                steps.run(f"verify restored {pdf.name} on the restored", ["verify", str(pdf)], env)
                steps.run(f"verify restored {pdf.name} on the old", ["verify", str(pdf)], src_env)
        total = sum(t for _, t, _ in steps.rows)
        console.print(
            f"[green]drill passed[/green]: {len(steps.rows)} steps in {total:.1f} s",
            highlight=False,
        )
    finally:
        if work is None and not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _source_certificates(settings: Settings, out: Path) -> list[Path]:
    """The PDF of the old registry's first certificate (it does not change with the backup)."""
    reg = build(settings)
    try:
        issued = operations.issued_certificates(reg.env)
        if not issued:
            return []
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for cert in issued[:1]:
            path = out / f"{cert.number}-v{cert.version}.pdf"
            path.write_bytes(
                certificates.pdf(env=reg.env, number=cert.number, version=cert.version)
            )
            paths.append(path)
        return paths
    finally:
        reg.dispose()
