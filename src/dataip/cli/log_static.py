"""`dataip log export-static` and `dataip log audit --from-dir/--from-url/--from-store`: the
log's static face (issue 25 §3) written in full, and any tlog-tiles copy of the log checked
against its signed checkpoint — a folder, a blob store, a static web server, a CDN, or the
application's /log/."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from dataip.bootstrap import ConfigurationError, Registry, open_static_store
from dataip.config import Settings
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.client import LogClient, MonitorState, SplitView
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Verifier
from dataip.ledger.tile_audit import TileAuditReport, TileFinding, audit_tiles
from dataip.services import log_static

OK, LIES, USAGE, UNREACHABLE = 0, 1, 2, 3
console = Console()
err = Console(stderr=True)


def die(message: str, code: int) -> typer.Exit:
    err.print(message, soft_wrap=True, highlight=False)
    return typer.Exit(code)


def publish_after_integrate(reg: Registry) -> None:
    """After `dataip log integrate`: the static copy, when DATAIP_LOG_STATIC_DIR or _STORE
    is set."""
    if reg.log_static is None:
        return
    try:
        report = log_static.publish(reg.env, reg.log_static, key_text=reg.log_keys.verifier_text)
    except log_static.StaticConflict as exc:
        raise die(f"[red]static log copy refused[/red]: {exc}", LIES) from None
    if report.written:
        console.print(
            f"static copy at {reg.log_static.location}: size {report.size_after}, "
            f"{report.written} files written",
            soft_wrap=True,
        )


def _open_store(spec: str, reg: Registry | None = None) -> log_static.StaticStore:
    settings = reg.settings if reg is not None else Settings()
    try:
        return open_static_store(settings, spec, engine=reg.engine if reg else None)
    except ConfigurationError as exc:
        raise die(str(exc), USAGE) from None


def export(reg: Registry, directory: Path | None, spec: str | None) -> None:
    """Write (or compare) every tile, bundle, the key and the checkpoint into `directory`
    or the blob store `spec` names."""
    if (directory is None) == (spec is None):
        raise die("give a folder or --store, one of them", USAGE)
    store = log_static.FolderStore(directory) if directory else _open_store(str(spec), reg)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("exporting", total=None)
        try:
            report = log_static.publish(
                reg.env,
                store,
                key_text=reg.log_keys.verifier_text,
                everything=True,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except log_static.StaticConflict as exc:
            raise die(f"[red]refused[/red]: {exc}", LIES) from None
    if report.skipped_lease:
        raise die("another process is publishing the static copy; try again", UNREACHABLE)
    if store.read("checkpoint") is None:
        raise die("the log has no checkpoint yet: run `dataip log integrate` first", USAGE)
    console.print(
        f"static copy at {store.location}: size {report.size_after}, {report.written} files "
        f"written, {report.unchanged} already there and identical",
        soft_wrap=True,
    )


def _store_fetch(store: log_static.StaticStore) -> Callable[[str], bytes | None]:
    def fetch(path: str) -> bytes | None:
        return store.read(path)  # StaticConflict: the store's own hash check failed

    return fetch


class _StoreFindings:
    """The tiles a store could not hand back intact (its own hash check failed): the audit
    sees them as missing; they are reported as ``corrupted`` with the store's word."""

    def __init__(self, raw: Callable[[str], bytes | None]) -> None:
        self.raw = raw
        self.corrupted: dict[str, str] = {}

    def fetch(self, path: str) -> bytes | None:
        try:
            return self.raw(path)
        except log_static.StaticConflict as exc:
            self.corrupted[path] = str(exc)
            return None

    def annotate(self, report: TileAuditReport) -> None:
        report.findings = [
            TileFinding("corrupted", f.path, self.corrupted[f.path])
            if f.code == "missing" and f.path in self.corrupted
            else f
            for f in report.findings
        ]


def _url_fetch(url: str, timeout: float) -> Callable[[str], bytes | None]:
    base = url.rstrip("/")
    client = httpx.Client(timeout=timeout, follow_redirects=False)

    def fetch(path: str) -> bytes | None:
        r = client.get(f"{base}/{path}")
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise _Unreachable(f"GET {base}/{path}: HTTP {r.status_code}")
        return r.content

    return fetch


class _Unreachable(Exception):
    pass


def audit_copy(
    *,
    from_dir: Path | None,
    from_url: str | None,
    from_store: str | None = None,
    key: str | None,
    state_file: Path | None,
    as_json: bool,
    timeout: float,
    local_key: Callable[[], str],
) -> None:
    """Audit a tlog-tiles copy of the log: checkpoint signature, every tile and bundle, and
    consistency with the checkpoint this audit last found clean (``--state``)."""
    if [from_dir, from_url, from_store].count(None) != 2:
        raise die("give one of --from-dir, --from-url or --from-store", USAGE)
    if from_dir is not None and not from_dir.is_dir():
        raise die(f"{from_dir} is not a folder", USAGE)
    if from_dir is not None:
        where, raw = str(from_dir), _store_fetch(log_static.FolderStore(from_dir))
    elif from_store is not None:
        store = _open_store(from_store)
        where, raw = store.location, _store_fetch(store)
    else:
        where, raw = str(from_url), _url_fetch(str(from_url), timeout)
    tiles = _StoreFindings(raw)
    state = _load_state(state_file)
    try:
        key_text = _read_key(key) if key else (state.verifier_key if state else local_key())
        verifier = Verifier.from_text(key_text)
    except (FormatError, ValueError, OSError) as exc:
        raise die(f"log key: {exc}", USAGE) from None
    if state is not None and state.verifier_key != key_text:
        raise die("the key differs from the one in the state file", USAGE)
    try:
        note_bytes = raw("checkpoint")
        if note_bytes is None:
            raise die(f"{where}: no checkpoint", LIES)
        note = note_bytes.decode("utf-8")
        checkpoint, _ = open_checkpoint(note, [verifier], origin=state.origin if state else None)
        with Progress(console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task("auditing tiles", total=checkpoint.size)
            report = audit_tiles(
                lambda tile: tiles.fetch(tile.path),
                checkpoint,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        tiles.annotate(report)
        if state is not None and report.ok:
            _check_consistent(raw, verifier, state, checkpoint, note, report)
    except log_static.StaticConflict as exc:  # the checkpoint itself fails the store's check
        raise die(f"[red]checkpoint at {where} unreadable[/red]: {exc}", LIES) from None
    except _Unreachable as exc:
        raise die(f"log unreachable: {exc}", UNREACHABLE) from None
    except httpx.HTTPError as exc:
        raise die(f"log unreachable: {exc}", UNREACHABLE) from None
    except (VerificationError, FormatError, UnicodeDecodeError, ValueError) as exc:
        raise die(f"[red]checkpoint at {where} does not verify[/red]: {exc}", LIES) from None
    _print(where, checkpoint, report, as_json)
    if not report.ok:
        raise typer.Exit(LIES)
    if state_file is not None:
        new = MonitorState(checkpoint.origin, key_text, checkpoint.size, checkpoint.root_hash, note)
        tmp = state_file.with_name(state_file.name + ".tmp")
        tmp.write_text(new.to_json(), "utf-8")
        tmp.replace(state_file)


def _check_consistent(
    raw: Callable[[str], bytes | None],
    verifier: Verifier,
    state: MonitorState,
    new: Checkpoint,
    note: str,
    report: TileAuditReport,
) -> None:
    """The checkpoint extends the one last audited (a proof computed from the tiles)."""

    def fetch(path: str) -> bytes:
        data = raw(path)
        if data is None and ".p/" in path:  # the spec's fallback: the full tile
            data = raw(path.partition(".p/")[0])
        if data is None:
            raise FormatError(f"{path} missing")
        return data

    client = LogClient(fetch, [verifier], origin=state.origin)
    old = Checkpoint.parse(state.checkpoint.partition("\n\n")[0] + "\n")
    try:
        client.check_consistent(old, state.checkpoint, new, note)
    except SplitView as exc:
        report.findings.append(TileFinding("split_view", "checkpoint", str(exc)))


def _print(where: str, cp: Checkpoint, report: TileAuditReport, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "origin": cp.origin,
                    "size": cp.size,
                    "tiles": report.tiles,
                    "bundles": report.bundles,
                    "findings": [f.__dict__ for f in report.findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console.print(
        f"log {cp.origin} at {where}: {cp.size} leaves, {report.tiles} tiles and "
        f"{report.bundles} entry bundles checked against the signed checkpoint",
        soft_wrap=True,
        highlight=False,
    )
    if not report.findings:
        console.print("[green]audit clean[/green]")
        return
    table = Table("finding", "file", "detail")
    for f in report.findings:
        table.add_row(f.code, f.path, f.message)
    console.print(table)


def _read_key(value: str) -> str:
    path = Path(value)
    return path.read_text("ascii").strip() if path.is_file() else value.strip()


def _load_state(path: Path | None) -> MonitorState | None:
    if path is None or not path.exists():
        return None
    try:
        return MonitorState.from_json(path.read_text("utf-8"))
    except (FormatError, UnicodeDecodeError) as exc:
        raise die(f"state file {path}: {exc}", USAGE) from None


__all__ = ["audit_copy", "export", "publish_after_integrate"]
