"""`dataip log …`: run, audit and watch transparency logs (this registry's or anyone's).

Exit codes: 0 all good; 1 the log is damaged or lies (audit findings, split view, bad
receipt); 2 bad usage or unreadable input; 3 the log could not be reached.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from dataip.bootstrap import Registry, build
from dataip.cli import log_static
from dataip.cli.witnessed import read_policy
from dataip.config import Settings
from dataip.federation import policy as tlog_policy
from dataip.federation.policy import Policy, PolicyResult
from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.client import LogClient, MonitorState, SplitView
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Verifier
from dataip.ledger.proof import parse_proof, verify_proof
from dataip.services import certificates, ledger

log_app = typer.Typer(help="The transparency log (C2SP tlog-tiles): integrate, audit, monitor.")
console = Console()
err = Console(stderr=True)

OK, LIES, USAGE, UNREACHABLE = 0, 1, 2, 3
COSIGNED = "cosigned-checkpoint"  # the registry's checkpoint with its witnesses' cosignatures


def _registry() -> Registry:
    return build(Settings())


def _die(message: str, code: int) -> typer.Exit:
    err.print(message, soft_wrap=True)
    return typer.Exit(code)


@log_app.command("integrate")
def integrate(
    watch: Annotated[bool, typer.Option(help="Keep publishing every --interval seconds.")] = False,
    interval: Annotated[float, typer.Option(min=0.1)] = 1.0,
) -> None:
    """Sequence pending leaves and sign a checkpoint (what the server does every second)."""
    reg = _registry()
    while True:
        report = ledger.integrate(reg.env, reg.log_keys)
        certificates.attach_proofs(reg.env)
        log_static.publish_after_integrate(reg)  # DATAIP_LOG_STATIC_DIR (issue 25 §3)
        if report.skipped_lease:
            console.print("another integrator holds the lease; nothing done")
        elif report.checkpoints or not watch:
            console.print(f"log size {report.size_after} (+{report.appended})")
        if not watch:
            return
        time.sleep(interval)


@log_app.command("export-static")
def export_static(
    directory: Annotated[
        Path | None, typer.Argument(help="The folder (DATAIP_LOG_STATIC_DIR).")
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            help="Into this blob store instead, as objects under log/ "
            "(DATAIP_LOG_STATIC_STORE: database, a database URL, local:PATH)."
        ),
    ] = None,
) -> None:
    """Write every tile, entry bundle, the key and the checkpoint of the log into DIRECTORY
    (or --store), laid out as the /log/ URLs (the backfill before turning
    DATAIP_LOG_STATIC_DIR or _STORE on). What is already there is compared, never
    overwritten; exit 1 if one differs."""
    log_static.export(_registry(), directory, store)


@log_app.command("key")
def key() -> None:
    """Print the log's verifier key (what /log/key serves)."""
    console.print(_registry().log_keys.verifier_text, soft_wrap=True, highlight=False)


@log_app.command("receipt")
def receipt(index: Annotated[int, typer.Argument(min=0)]) -> None:
    """Print a C2SP tlog-proof receipt for leaf INDEX against the latest checkpoint."""
    from dataip.domain.errors import DomainError

    try:
        text = ledger.receipt(_registry().env, index)
    except DomainError as e:
        raise _die(f"{e.code}: {e.message_zh} / {e.message_en}", LIES) from None
    typer.echo(text, nl=False)


@log_app.command("audit")
def audit(
    as_json: Annotated[bool, typer.Option("--json", help="Findings as JSON.")] = False,
    from_dir: Annotated[
        Path | None,
        typer.Option(help="Audit a static copy of the log in this folder instead."),
    ] = None,
    from_url: Annotated[
        str | None,
        typer.Option(
            help="Audit the log served under this URL instead (a static server, a CDN, or "
            "the registry's own, e.g. https://registry/log)."
        ),
    ] = None,
    from_store: Annotated[
        str | None,
        typer.Option(
            help="Audit the static copy in this blob store instead (objects under log/; "
            "database, a database URL, local:PATH, as DATAIP_LOG_STATIC_STORE)."
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            help="With --from-*: the log's verifier key (or file); default: this registry's."
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            help="With --from-*: the checkpoint last audited clean; the new one must "
            "extend it (kept up to date)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1)] = 10.0,
) -> None:
    """Rebuild the tree from the stored leaves; check every hash, checkpoint and the database
    rows the leaves commit to, and screen every leaf's public part for personal data. Exit 1
    when anything was edited behind the registry's back or a leaf publishes an identifier.

    With --from-dir, --from-url or --from-store: check a tlog-tiles copy of the log instead
    — the signed checkpoint, every entry bundle and hash tile against it, and (--state)
    consistency with the checkpoint last audited. Exit 1 when a file differs from what the
    checkpoint signs."""
    if from_dir is not None or from_url is not None or from_store is not None:
        log_static.audit_copy(
            from_dir=from_dir,
            from_url=from_url,
            from_store=from_store,
            key=key,
            state_file=state,
            as_json=as_json,
            timeout=timeout,
            local_key=_local_key,
        )
        return
    reg = _registry()
    with Progress(console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("auditing", total=None)
        report = ledger.audit(
            reg.env,
            reg.log_keys.verifier,
            origin=reg.log_keys.origin,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "size": report.size,
                    "checkpoints": report.checkpoints,
                    "pending": report.pending,
                    "personal_data": _personal_data(report),
                    "findings": [f.__dict__ for f in report.findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        console.print(
            f"log {reg.log_keys.origin}: {report.size} leaves, {report.checkpoints} checkpoints,"
            f" {report.pending} pending",
            soft_wrap=True,
        )
        if report.findings:
            table = Table("finding", "index", "event", "detail")
            for f in report.findings:
                table.add_row(f.code, _str(f.index), _str(f.event_id), f.message)
            console.print(table)
            published = _personal_data(report)
            if published:
                console.print(
                    f"[red]{len(published)} leaves publish identifiers the screening detectors "
                    f"find[/red] (indices: "
                    f"{', '.join(map(str, published))}); a log cannot be edited: see "
                    "docs/operations.md",
                    soft_wrap=True,
                )
        else:
            console.print("[green]audit clean[/green]")
    if not report.ok:
        raise typer.Exit(LIES)


def _local_key() -> str:
    """This registry's log key, for auditing its own copies; never made here (an auditor on
    another machine must say which key with --key)."""
    if not Settings().resolved_log_key_file().exists():
        raise ValueError("no log key here: give the log's verifier key with --key")
    return _registry().log_keys.verifier_text


def _personal_data(report: ledger.AuditReport) -> list[int]:
    """The indices of the leaves in which the screening detectors found an identifier."""
    return sorted(
        {f.index for f in report.findings if f.code == "personal_data" and f.index is not None}
    )


def _str(v: int | None) -> str:
    return "" if v is None else str(v)


def read_key(value: str) -> str:
    """A verifier key given inline or as a file holding it."""
    path = Path(value)
    return path.read_text("ascii").strip() if path.is_file() else value.strip()


@log_app.command("verify-receipt")
def verify_receipt(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    key: Annotated[str, typer.Option(help="The log's verifier key, or a file holding it.")],
    origin: Annotated[str | None, typer.Option(help="Require this checkpoint origin.")] = None,
    leaf: Annotated[
        Path | None,
        typer.Option(help="The leaf bytes; default: the receipt's extra data.", exists=True),
    ] = None,
) -> None:
    """Verify a tlog-proof receipt offline: checkpoint signature, then inclusion of the leaf."""
    try:
        text = file.read_text("utf-8")
        verifier = Verifier.from_text(read_key(key))
        parsed = parse_proof(text)
    except (FormatError, UnicodeDecodeError, ValueError) as exc:
        raise _die(f"cannot read receipt or key: {exc}", USAGE) from None
    data = leaf.read_bytes() if leaf else parsed.extra
    if not data:
        raise _die("the receipt carries no leaf; give it with --leaf", USAGE)
    try:
        cp = verify_proof(text, [verifier], leaf_data=data, origin=origin)
    except VerificationError as exc:
        raise _die(f"[red]receipt does NOT verify[/red]: {exc}", LIES) from None
    out: dict[str, Any] = {
        "verified": True,
        "origin": cp.origin,
        "index": parsed.index,
        "tree_size": cp.size,
        "leaf_hash": base64.b64encode(merkle.leaf_hash(data)).decode(),
    }
    with contextlib.suppress(ValueError):
        out["leaf"] = json.loads(data)
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


# --- watching other logs ----------------------------------------------------------------------


def _http_fetch(url: str, timeout: float) -> Any:
    base = url.rstrip("/")
    client = httpx.Client(timeout=timeout, follow_redirects=False)

    def fetch(path: str) -> bytes:
        r = client.get(f"{base}/{path}")
        if r.status_code != 200:
            raise _Unreachable(f"GET {base}/{path}: HTTP {r.status_code}")
        return r.content

    return fetch


class _Unreachable(Exception):
    pass


def _load_state(path: Path) -> MonitorState | None:
    if not path.exists():
        return None
    try:
        return MonitorState.from_json(path.read_text("utf-8"))
    except (FormatError, UnicodeDecodeError) as exc:
        raise _die(f"state file {path}: {exc}", USAGE) from None


def _save_state(path: Path, state: MonitorState) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(state.to_json(), "utf-8")
    os.replace(tmp, path)


def _watch(
    url: str,
    state_file: Path,
    key: str | None,
    timeout: float,
    policy: Policy | None = None,
) -> tuple[LogClient, MonitorState, Checkpoint]:
    """Fetch and verify the checkpoint; check it extends the last one seen. Saves nothing.

    With a ``policy`` (C2SP tlog-policy) the log's cosigned checkpoint is fetched instead
    (``cosigned-checkpoint`` under the prefix), signed by a log of the policy, and refused
    (exit 1) unless its cosignatures meet the policy's quorum."""
    state = _load_state(state_file)
    fetch = _http_fetch(url, timeout)
    try:
        if policy is not None:
            note_text = fetch(COSIGNED).decode("utf-8")
            result = _policy_check(policy, note_text, state.origin if state else None)
            key_text = result.log.verifier.to_text()
            if key:
                _pinned(read_key(key), key_text, "--key")
        elif key is None and state is None:
            key_text = fetch("key").decode("ascii").strip()  # trust on first use, then pinned
            err.print(f"pinning the log key served by {url}: {key_text}", soft_wrap=True)
        else:
            key_text = read_key(key) if key else state.verifier_key  # type: ignore[union-attr]
        verifier = Verifier.from_text(key_text)
        if state is not None and state.verifier_key != key_text:
            raise _die("the key differs from the one pinned in the state file", USAGE)
        client = LogClient(fetch, [verifier], origin=state.origin if state else None)
        if policy is not None:  # the very note whose quorum was checked, not a second fetch
            new, note = result.checkpoint, note_text
        else:
            new, note = client.checkpoint()
        if state is None:
            client.check_root(new)
        else:
            old = Checkpoint.parse(_body(state.checkpoint))
            client.check_consistent(old, state.checkpoint, new, note)
    except _Unreachable as exc:
        raise _die(f"log unreachable: {exc}", UNREACHABLE) from None
    except httpx.HTTPError as exc:
        raise _die(f"log unreachable: {exc}", UNREACHABLE) from None
    except SplitView as exc:
        evidence = state_file.with_name(state_file.name + ".split-view")
        evidence.write_text("\n\n".join(exc.evidence), "utf-8")
        files = [evidence]
        for which, signed in zip(("seen", "new"), exc.evidence, strict=False):
            files.append(state_file.with_name(f"{state_file.name}.split-view.{which}.note"))
            files[-1].write_text(signed, "utf-8")
        raise _die(
            f"[red]SPLIT VIEW (fork)[/red]: {exc}; both signed checkpoints saved to "
            + ", ".join(str(f) for f in files),
            LIES,
        ) from None
    except (VerificationError, FormatError, ValueError, UnicodeDecodeError) as exc:
        raise _die(f"[red]log failed verification[/red]: {exc}", LIES) from None
    return client, MonitorState(new.origin, key_text, new.size, new.root_hash, note), new


def _pinned(given: str, expected: str, what: str) -> None:
    if given != expected:
        raise _die(f"{what} is not the policy's key for this log", USAGE)


def _policy_check(policy: Policy, note: str, origin: str | None) -> PolicyResult:
    """The quorum, or exit 1: a checkpoint without it is reported, never accepted."""
    result = tlog_policy.check(policy, note, origin=origin)
    if not result.satisfied:
        raise _die(
            f"[red]checkpoint without the quorum[/red]: {result.summary(policy)}; not accepted",
            LIES,
        )
    err.print(result.summary(policy), highlight=False, soft_wrap=True)
    return result


def _body(note: str) -> str:
    return note.partition("\n\n")[0] + "\n"


@log_app.command("monitor")
def monitor(
    url: Annotated[str, typer.Argument(help="The log prefix, e.g. https://registry/log")],
    state: Annotated[Path, typer.Option(help="Where the last verified checkpoint is kept.")],
    key: Annotated[
        str | None, typer.Option(help="Verifier key (or file); default: pinned on first run.")
    ] = None,
    entries: Annotated[bool, typer.Option(help="Also fetch and check every new leaf.")] = False,
    policy: Annotated[
        Path | None,
        typer.Option(
            help="A C2SP tlog-policy file: check the log's cosigned checkpoint "
            "(<url>/cosigned-checkpoint) and require the policy's quorum of witnesses."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1)] = 10.0,
) -> None:
    """Check a registry's log from outside: signature, tiles, and consistency with the last
    checkpoint seen. Exit 1 on a split view or rewrite (evidence saved beside the state), or,
    with --policy, on a checkpoint without the quorum (reported, never accepted)."""
    rules = read_policy(policy) if policy is not None else None
    previous = _load_state(state)
    client, new_state, new = _watch(url, state, key, timeout, rules)
    start = previous.size if previous else 0
    if entries and new.size > start:
        try:
            leaves = client.entries(start, new.size, new.size)
            bad = [start + i for i, leaf in enumerate(leaves) if not _is_leaf(leaf)]
        except (VerificationError, FormatError, _Unreachable) as exc:
            raise _die(f"[red]entries failed verification[/red]: {exc}", LIES) from None
        if bad:
            raise _die(f"[red]malformed leaves at indices {bad[:10]}[/red]", LIES)
    _save_state(state, new_state)
    grew = f"+{new.size - start}" if previous else "first checkpoint, key pinned"
    console.print(f"{new.origin}: size {new.size} ({grew}), consistent", soft_wrap=True)


def _is_leaf(data: bytes) -> bool:
    try:
        doc = json.loads(data)
    except ValueError:
        return False
    return isinstance(doc, dict) and {"v", "type", "at"} <= set(doc)


@log_app.command("witness")
def witness(
    url: Annotated[str, typer.Argument(help="The other registry's log prefix")],
    witness_key: Annotated[Path, typer.Option(help="This witness's cosigner key file.")],
    state: Annotated[Path, typer.Option(help="The last checkpoint this witness cosigned.")],
    log_key: Annotated[
        str | None, typer.Option(help="The log's verifier key (or file); pinned on first run.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the cosigned checkpoint here.")] = None,
    timeout: Annotated[float, typer.Option(min=0.1)] = 10.0,
) -> None:
    """Cosign another registry's checkpoint (C2SP tlog-cosignature) after checking that it
    extends everything this witness cosigned before — never sign two forks."""
    try:
        signer = CosignatureSigner.from_text(witness_key.read_text("ascii").strip())
    except (FormatError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise _die(f"witness key {witness_key}: {exc}", USAGE) from None
    _, new_state, _ = _watch(url, state, log_key, timeout)
    cosigned = cosign(new_state.checkpoint, signer)
    _save_state(state, new_state)
    if out:
        out.write_text(cosigned, "utf-8")
        err.print(f"cosigned size {new_state.size} as {signer.name}; written to {out}")
    else:
        typer.echo(cosigned, nl=False)


@log_app.command("witness-keygen")
def witness_keygen(
    name: Annotated[str, typer.Argument(help="The witness's name, e.g. witness.gz.example.cn")],
    out: Annotated[Path, typer.Option(help="Where to write the private key (mode 0600).")],
) -> None:
    """Make a cosigner key; prints the verifier key to hand to relying parties."""
    signer = CosignatureSigner.generate(name)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _die(f"{out} exists; not overwriting a key", USAGE) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.to_text() + "\n")
    typer.echo(signer.verifier().to_text())
