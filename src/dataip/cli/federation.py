"""`dataip federation …`: the trust list this registry follows, its own entry, and pushing its
checkpoints to the peers' witnesses (issue 21).

Exit codes: 0 good; 1 the list was refused (expired, unsigned, tampered, rolled back, wrong
operator) or none is in force; 2 bad usage or unreadable input; 3 the list could not be fetched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dataip.bootstrap import Registry, build
from dataip.config import Settings
from dataip.domain.errors import DomainError
from dataip.federation.trust_list import TrustList, format_time
from dataip.ledger.errors import FormatError
from dataip.ledger.note import Signer
from dataip.services.federation import peers_feed, trust
from dataip.services.federation import push as push_svc
from dataip.services.federation import witness as witness_svc

federation_app = typer.Typer(
    help="The federation (issue 21): the trust list (show, refresh, entry, sign, keygen) and "
    "pushing checkpoints to the peers' witnesses (push); following the peers' event feeds "
    "for duplicates (client-jwks, peer-client, follow); what the witness refused (witness-log)."
)
console = Console()
err = Console(stderr=True)

OK, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3


def _registry() -> Registry:
    return build(Settings())


def _die(e: DomainError) -> typer.Exit:
    err.print(f"[red]{e.code}[/red]: {e.message_zh} / {e.message_en}", soft_wrap=True)
    return typer.Exit(UNREACHABLE if e.code == "trust_list_unavailable" else REFUSED)


def _table(listed: TrustList) -> Table:
    table = Table()
    for column in ("agency", "name", "issuer", "log origin", "witness"):
        table.add_column(column, overflow="fold")
    for r in listed.registries:
        table.add_row(r.agency_code, r.name, r.issuer, r.log_origin, r.witness_name)
    return table


@federation_app.command("show")
def show(
    as_json: Annotated[bool, typer.Option("--json", help="The list as JSON.")] = False,
) -> None:
    """The trust list in force (the newest accepted), from the database; no fetch."""
    reg = _registry()
    listed = trust.current_or_none(reg.env)
    if listed is None:
        try:
            trust.current(reg.env)  # says why there is none
        except DomainError as e:
            raise _die(e) from None
        return
    now = reg.env.now()
    expired = now >= listed.expires
    if as_json:
        typer.echo(
            json.dumps({**listed.to_json(), "expired": expired}, ensure_ascii=False, indent=2)
        )
    else:
        console.print(
            f"trust list of {listed.operator}, sequence {listed.sequence}: issued "
            f"{format_time(listed.issued)}, expires {format_time(listed.expires)}"
            + (" [red](EXPIRED — run `dataip federation refresh`)[/red]" if expired else ""),
            soft_wrap=True,
        )
        console.print(_table(listed))
    if expired:
        raise typer.Exit(REFUSED)


@federation_app.command("refresh")
def refresh(
    file: Annotated[
        Path | None,
        typer.Option(help="Accept this signed list file instead of fetching the URL.", exists=True),
    ] = None,
) -> None:
    """Fetch the list from DATAIP_FEDERATION_LIST_URL, verify it against the operator key and
    store it as the list in force (refused: expired, unsigned, tampered, rolled back)."""
    reg = _registry()
    try:
        if file is not None:
            accepted = trust.accept(reg.env, file.read_bytes())
        else:
            accepted = trust.refresh(reg.env)
    except DomainError as e:
        raise _die(e) from None
    listed = accepted.listed
    what = "accepted" if accepted.stored else "unchanged"
    console.print(
        f"{what}: trust list of {listed.operator}, sequence {listed.sequence}, "
        f"{len(listed.registries)} registries, expires {format_time(listed.expires)}",
        soft_wrap=True,
    )


@federation_app.command("entry")
def entry() -> None:
    """Print this registry's entry (JSON) for the list operator: agency code, name, issuer,
    certificate JWKS, log origin and key, event feed, witness key and endpoint."""
    reg = _registry()
    issuer = reg.settings.issuer_id
    try:
        own = trust.own_entry(
            reg.env,
            issuer=issuer,
            log_origin=reg.log_keys.origin,
            log_key=reg.log_keys.verifier_text,
            witness_url=f"{issuer}/witness",
        )
    except DomainError as e:
        raise _die(e) from None
    typer.echo(json.dumps(own.to_json(), ensure_ascii=False, indent=2))


@federation_app.command("sign")
def sign(
    file: Annotated[Path, typer.Argument(help="The list as JSON (`operator`, `sequence`, …).")],
    key: Annotated[Path, typer.Option(help="The operator's signer key file (PRIVATE+KEY+…).")],
    out: Annotated[Path | None, typer.Option(help="Write the signed list here.")] = None,
) -> None:
    """For the list operator: sign a list (C2SP signed note, decision 0012). `issued` and
    `expires` are RFC 3339 UTC times; `sequence` must grow with every list."""
    try:
        signer = Signer.from_text(key.read_text("ascii").strip())
        listed = TrustList.from_json(json.loads(file.read_text("utf-8")))
        note = listed.sign(signer)
    except DomainError as e:
        err.print(f"[red]{e.code}[/red]: {e.message_en}", soft_wrap=True)
        raise typer.Exit(USAGE) from None
    except (OSError, ValueError, FormatError, UnicodeDecodeError) as exc:
        err.print(f"cannot sign: {exc}", soft_wrap=True)
        raise typer.Exit(USAGE) from None
    if out:
        out.write_text(note, "utf-8")
        err.print(f"signed sequence {listed.sequence} as {signer.name}; written to {out}")
    else:
        typer.echo(note, nl=False)


@federation_app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="The operator's key name, e.g. trust.example.cn")],
    out: Annotated[Path, typer.Option(help="Where to write the private key (mode 0600).")],
) -> None:
    """For the list operator: make its Ed25519 note key; prints the verifier key registries
    configure as DATAIP_FEDERATION_OPERATOR_KEY."""
    signer = Signer.generate(name)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        err.print(f"{out} exists; not overwriting a key")
        raise typer.Exit(USAGE) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.to_text() + "\n")
    typer.echo(signer.verifier().to_text())


@federation_app.command("push")
def push(
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
    now: Annotated[
        bool,
        typer.Option("--now", help="Also to the witnesses it is backing off from after failures."),
    ] = False,
) -> None:
    """Send this registry's latest checkpoint to the witnesses of the other registries on
    the list in force and keep the cosignatures that verify (the server does this after
    each integrator round; this is for cron). Exit 1 if a witness failed."""
    reg = _registry()
    report = push_svc.push(reg.env, now_too=now)
    if as_json:
        typer.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    else:
        console.print(
            f"checkpoint size {report.size}: cosigned by {len(report.cosigned)}, already "
            f"{len(report.current)}, backing off {len(report.deferred)}, failed "
            f"{len(report.failed)}",
            soft_wrap=True,
        )
        for name, why in report.failed.items():
            err.print(f"[red]{name}[/red]: {why}", soft_wrap=True, highlight=False)
    if report.failed:
        raise typer.Exit(REFUSED)


@federation_app.command("client-jwks")
def client_jwks() -> None:
    """This registry's public client key (JWKS) for the peers' admins: each registers this
    registry as an institutional client of kind `registry` with scope events:read and gives
    back a client_id (`dataip federation peer-client`). The key is made on first use."""
    reg = _registry()
    typer.echo(json.dumps(peers_feed.client_jwks(reg.env), indent=2))


@federation_app.command("peer-client")
def peer_client(
    issuer: Annotated[str, typer.Argument(help="The peer's issuer URL, as listed.")],
    client_id: Annotated[
        str | None, typer.Argument(help="The client_id its admin gave; omit to stop following.")
    ] = None,
) -> None:
    """Record the client_id a peer registry's admin registered for this registry."""
    reg = _registry()
    peers_feed.set_client(reg.env, issuer, client_id)
    typer.echo(f"{issuer}: {'following as ' + client_id if client_id else 'not followed'}")


@federation_app.command("follow")
def follow(
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Read the listed peers' event feeds from where the last run stopped and keep their
    registrations' public facts for the examiner's duplicate warning (`dataip tick` does
    this too). Exit 1 if a peer failed (its cursor stays where it was)."""
    reg = _registry()
    report = peers_feed.follow(reg.env)
    if as_json:
        typer.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    else:
        console.print(
            f"followed {len(report.followed)} peer(s), stored {report.stored} registration(s), "
            f"no client {len(report.skipped)}, failed {len(report.failed)}",
            soft_wrap=True,
        )
        for name, why in report.failed.items():
            err.print(f"[red]{name}[/red]: {why}", soft_wrap=True, highlight=False)
    if report.failed:
        raise typer.Exit(REFUSED)


@federation_app.command("witness-log")
def witness_log(
    limit: Annotated[int, typer.Option(help="How many, newest first.", min=1, max=10_000)] = 50,
    origin: Annotated[str | None, typer.Option(help="Only this log's origin.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The rows as JSON.")] = False,
) -> None:
    """The add-checkpoint requests this registry's witness refused, newest first: when, the
    log's origin and the sizes the request named, the refusal's code and HTTP status (never
    the body; the newest 10,000 are kept). A 409 from `old 0` or a 422 `witness_inconsistent`
    is how a log that shows two views (a fork) looks from here."""
    reg = _registry()
    rows = witness_svc.refusals(reg.env, limit=limit, origin=origin)
    if as_json:
        doc = [{**r, "at": r["at"].isoformat()} for r in rows]
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("no refused add-checkpoint requests")
        return
    table = Table()
    for column in ("when (UTC)", "origin", "old", "size", "status", "code"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["at"].strftime("%Y-%m-%d %H:%M:%S"),
            str(r["origin"] or "—"),
            "—" if r["old_size"] is None else str(r["old_size"]),
            "—" if r["size"] is None else str(r["size"]),
            str(r["status"]),
            str(r["code"]),
        )
    console.print(table)
