"""`dataip` command line: operate the registry (init, serve, demo, tick) and use it."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dataip.bootstrap import ConfigurationError, Registry, build, init_database, parse_now
from dataip.cli.backup import backup_app
from dataip.cli.blobs import blobs_app
from dataip.cli.certs import keys_app
from dataip.cli.certs import verify as certs_verify
from dataip.cli.evidence import evidence_app
from dataip.cli.evidence_package import evidence_package, verify_package_command
from dataip.cli.federation import federation_app
from dataip.cli.fingerprint import fingerprint_app
from dataip.cli.log import log_app
from dataip.cli.rankings import rankings_app
from dataip.cli.screen import screen
from dataip.cli.sharing import institutions_app, webhooks_app
from dataip.cli.statistics import cases_app, report_app, statistics_app
from dataip.config import WILDCARD_HOSTS, Settings
from dataip.domain.errors import DomainError
from dataip.services import (
    accounts,
    after_registration,
    certificates,
    ledger,
    procedure,
    reference,
    registrations,
    scheduler,
)
from dataip.services import applications as apps
from dataip.services.context import ANONYMOUS, FixedClock
from dataip.services.federation import peers_feed
from dataip.services.sharing import delivery

app = typer.Typer(help="dataip — 数据知识产权登记 registry", no_args_is_help=True)
applications_app = typer.Typer(help="Applications: list, show, act (as a named account).")
registrations_app = typer.Typer(help="Registrations: show, act after registration, archive.")
users_app = typer.Typer(help="Accounts the operator manages (registry staff).")
calendar_app = typer.Typer(help="The working-day calendar (R0).")
app.add_typer(applications_app, name="applications")
app.add_typer(registrations_app, name="registrations")
app.add_typer(users_app, name="users")
app.add_typer(calendar_app, name="calendar")
app.add_typer(log_app, name="log")
app.add_typer(fingerprint_app, name="fingerprint")
app.add_typer(evidence_app, name="evidence")
app.add_typer(keys_app, name="keys")
app.add_typer(institutions_app, name="institutions")  # issue 20
app.add_typer(webhooks_app, name="webhooks")  # issue 20 §5
app.add_typer(federation_app, name="federation")  # issue 21
app.add_typer(rankings_app, name="rankings")  # issue 22 §4
app.add_typer(statistics_app, name="statistics")  # issue 22 §5
app.add_typer(report_app, name="report")  # issue 22 §6
app.add_typer(cases_app, name="cases")  # issue 22 §6
app.add_typer(blobs_app, name="blobs")  # issue 25 §2
app.add_typer(backup_app, name="backup")  # issue 25 §5
app.command("verify")(certs_verify)
app.command("evidence-package")(evidence_package)  # issue 20 §7
app.command("verify-package")(verify_package_command)
app.command("screen")(screen)
console = Console()
err = Console(stderr=True)


def _registry(as_of: str | None = None) -> Registry:
    settings = Settings()
    clock = FixedClock(parse_now(as_of)) if as_of else None
    if clock is not None and settings.env == "production":
        err.print("[red]--as-of is refused when DATAIP_ENV=production[/red]")
        raise typer.Exit(2)
    return build(settings, clock=clock)


def _fail(e: DomainError) -> None:
    err.print(f"[red]{e.code}[/red]: {e.message_zh} / {e.message_en}")
    if e.details:
        err.print_json(json.dumps(e.details, ensure_ascii=False, default=str))
    raise typer.Exit(1)


@app.command()
def init() -> None:
    """Create or migrate the database and load the shipped industry table."""
    reg = _registry()
    out = init_database(reg)
    console.print(
        f"database ready: {reg.database_label} (industries loaded: {out['industries_loaded']})",
        soft_wrap=True,
    )
    console.print(f"transparency log: {reg.log_keys.verifier_text}", soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (DATAIP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65_535, help="Port (DATAIP_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes on the one socket (DATAIP_WORKERS; docs/operations.md).",
        ),
    ] = None,
) -> None:
    """Start the HTTP server (portal, API, /healthz, /metrics). Unless DATAIP_PUBLIC_BASE_URL
    is set, certificates, QR codes and the log's origin name the bind address. Prints
    "ready at URL" once it accepts connections (with --workers N: once all N do); Ctrl+C or
    SIGTERM stops it."""
    import uvicorn

    from dataip.web.app import create_app
    from dataip.web.middleware import configure_logging

    settings = Settings().bound_to(host, port)
    configure_logging(settings.log_level)
    reg = build(settings)  # keys made on first use, before any worker reads them
    init_database(reg)
    line = _ready_line(settings)
    processes = workers or settings.workers
    if processes > 1:
        from dataip.web import workers as served

        reg.dispose()  # each worker builds its own
        if not served.run(settings, processes, line):
            raise typer.Exit(3)
        return

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:  # not when the port is taken (uvicorn says so and exits)
                print(line, flush=True)  # flushed: bin/start's output may be a pipe or a file

    Server(
        uvicorn.Config(
            create_app(registry=reg),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
    ).run()


def _ready_line(settings: Settings) -> str:
    url = settings.public_base_url.rstrip("/")
    listening = f"{settings.host}:{settings.port}"
    if settings.public_base_url_derived and settings.host in WILDCARD_HOSTS:
        return (
            f"ready at {url} (listening on {listening}; set DATAIP_PUBLIC_BASE_URL to the "
            "address others reach it at: certificates carry it)"
        )
    if not settings.public_base_url_derived:
        return f"ready at {url} (listening on {listening})"
    return f"ready at {url}"


@app.command()
def demo() -> None:
    """Fill a fresh database with a realistic mix of parties, applications and registrations."""
    from dataip.services.demo import populate

    reg = _registry()
    init_database(reg)
    with reg.env.uow() as uow:
        if uow.users.by_username("admin"):
            console.print("demo data already present (accounts admin / examiner / applicant)")
            return
    summary = populate(reg.env)
    summary["log_leaves"] = ledger.integrate(reg.env, reg.log_keys).size_after
    summary["certificates_with_log_proof"] = certificates.attach_proofs(reg.env)
    table = Table(title="demo data / 演示数据")
    table.add_column("what")
    table.add_column("count", justify="right")
    for k, v in summary.items():
        table.add_row(k, str(v))
    console.print(table)
    console.print("accounts: admin / examiner / applicant — password [bold]demo-password[/bold]")


@app.command()
def tick(
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO time (tests, demos)")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Apply passed deadlines' consequences (deemed withdrawal) and due approvals; screen
    queued sample files. Exits 1 when an item failed (rolled back alone, retried next run)."""
    reg = _registry(as_of)
    report = scheduler.tick(env=reg.env, batch_size=batch_size)
    hooks = _deliver_webhooks(reg)  # issue 20 §5: pending webhook deliveries
    peers = peers_feed.follow(reg.env)  # issue 21 §5: the peers' event feeds
    if json_out:
        console.print_json(
            json.dumps(
                {**report.__dict__, "webhooks": hooks.__dict__, "peers": peers.__dict__},
                ensure_ascii=False,
            )
        )
    else:
        console.print(
            f"tick as of {report.as_of}: deemed withdrawn {report.deemed_withdrawn}, "
            f"approved {report.approved}, recomputed {report.recomputed}, "
            f"registrations cancelled {report.registrations_cancelled}, "
            f"renewal reminders {report.renewal_reminders}, "
            f"samples screened {report.samples_screened}, "
            f"match notices {report.match_notices}, "
            f"signal days closed {report.signal_days_closed}, "
            f"webhooks delivered {hooks.delivered} (failed attempts {hooks.failed}), "
            f"peer registrations stored {peers.stored} (peer feeds failed {len(peers.failed)})"
            + (" (another tick holds the lease)" if report.skipped_lease else "")
        )
        for f in report.failures:
            console.print(f"failed: {f['job']} {f['subject']}: {f['code']} {f['message']}")
    if report.failures:
        # what failed was rolled back alone and the rest applied; exit 1 so cron says so
        raise typer.Exit(1)


def _deliver_webhooks(reg: Registry) -> delivery.RoundReport:
    return delivery.run_pending(reg.env, delivery.DeliverySetup.from_settings(reg.settings))


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
) -> None:
    """Create an account of any role (operator bootstrap: the first admin, examiners)."""
    reg = _registry()
    try:
        u = accounts.create_user_as_operator(
            env=reg.env, username=username, password=password, display_name=display_name, role=role
        )
    except DomainError as e:
        _fail(e)
    console.print(f"created {u.username} ({u.role}) id={u.id}")


def _payload(payload: str) -> dict[str, Any]:
    """A JSON object from the option: inline, `@file.json`, or `-` for stdin (exit 2 if not)."""
    raw = (
        sys.stdin.read()
        if payload == "-"
        else (Path(payload[1:]).read_text("utf-8") if payload.startswith("@") else payload)
    )
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as e:
        err.print(f"[red]invalid_payload[/red]: payload is not JSON ({e})")
        raise typer.Exit(2) from None
    if not isinstance(body, dict):
        err.print("[red]invalid_payload[/red]: payload must be a JSON object")
        raise typer.Exit(2)
    return body


@applications_app.command("list")
def applications_list(
    as_user: Annotated[str, typer.Option("--as")],
    state: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        rows = apps.list_for(who, env=reg.env, state=state, limit=limit)
    except DomainError as e:
        _fail(e)
    table = Table()
    for col in ("id", "number", "state", "name", "filed"):
        table.add_column(col)
    for a in rows:
        table.add_row(
            str(a.id),
            a.application_number or "",
            apps.state_label(a.state)[0],
            a.name,
            str(a.filing_date or ""),
        )
    console.print(table)


def _view_json(v: apps.ApplicationView) -> dict[str, Any]:
    a = v.application
    return {
        "id": a.id,
        "state": a.state,
        "version": a.version,
        "application_number": a.application_number,
        "name": a.name,
        "filing_date": str(a.filing_date) if a.filing_date else None,
        "deadlines": [
            {
                "kind": d.kind,
                "party": d.party,
                "due_on": str(d.due_on),
                "provisional": d.provisional,
            }
            for d in v.deadlines
        ],
        "allowed_actions": v.allowed_actions,
        "registration": {
            "registration_number": v.registration.registration_number,
            "certificate_number": v.registration.certificate_number,
            "valid_until": str(v.registration.valid_until),
        }
        if v.registration
        else None,
        "checks": v.checks or None,
    }


@applications_app.command("show")
def applications_show(application_id: int, as_user: Annotated[str, typer.Option("--as")]) -> None:
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        v = apps.view(who, env=reg.env, application_id=application_id)
    except DomainError as e:
        _fail(e)
    console.print_json(json.dumps(_view_json(v), ensure_ascii=False))


@applications_app.command("act")
def applications_act(
    application_id: int,
    action: str,
    as_user: Annotated[str, typer.Option("--as")],
    payload: Annotated[str, typer.Option(help="JSON object, or @file.json, or - for stdin")] = "{}",
    if_match: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Perform one transition, e.g. `dataip applications act 7 accept --as examiner`."""
    reg = _registry()
    body = _payload(payload)
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        procedure.perform(
            who,
            env=reg.env,
            application_id=application_id,
            action=action,
            if_match=if_match,
            payload=body,
        )
        v = apps.view(who, env=reg.env, application_id=application_id)
    except DomainError as e:
        _fail(e)
    console.print_json(json.dumps(_view_json(v), ensure_ascii=False))


def _registration_json(v: registrations.RegistrationView) -> dict[str, Any]:
    r = v.registration
    return {
        "registration_number": r.registration_number,
        "certificate_number": r.certificate_number,
        "certificate_version": r.certificate_version,
        "name": r.name,
        "state": r.state,
        "state_label": v.state_label[0],
        "valid_from": str(r.valid_from),
        "valid_until": str(r.valid_until),
        "version": r.version,
        "holders": v.holders,
        "encumbrances": v.encumbrances,
        "filings": v.filings,
        "requests": v.requests,
        "allowed_actions": v.allowed_actions,
    }


@registrations_app.command("show")
def registrations_show(
    number: str, as_user: Annotated[str | None, typer.Option("--as")] = None
) -> None:
    """The public record and status (as an account: also what that account may see and do)."""
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user) if as_user else ANONYMOUS
        v = registrations.view(who, env=reg.env, number=number)
    except DomainError as e:
        _fail(e)
    console.print_json(json.dumps(_registration_json(v), ensure_ascii=False))


@registrations_app.command("act")
def registrations_act(
    number: str,
    action: str,
    as_user: Annotated[str, typer.Option("--as")],
    payload: Annotated[str, typer.Option(help="JSON object, or @file.json, or - for stdin")] = "{}",
    if_match: Annotated[int | None, typer.Option()] = None,
) -> None:
    """One action after registration, e.g. `dataip registrations act N renew --as applicant`."""
    reg = _registry()
    body = _payload(payload)
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        after_registration.perform(
            who, env=reg.env, number=number, action=action, payload=body, if_match=if_match
        )
        v = registrations.view(who, env=reg.env, number=number)
    except DomainError as e:
        _fail(e)
    console.print_json(json.dumps(_registration_json(v), ensure_ascii=False))


@registrations_app.command("archive")
def registrations_archive(
    number: str,
    as_user: Annotated[str, typer.Option("--as")],
    out: Annotated[Path | None, typer.Option(help="write the dossier here")] = None,
) -> None:
    """The registration archive (G§25) as one JSON dossier."""
    reg = _registry()
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        dossier = registrations.archive(who, env=reg.env, number=number)
    except DomainError as e:
        _fail(e)
    text = json.dumps(dossier, ensure_ascii=False, indent=2)
    if out is None:
        console.print_json(text)
    else:
        out.write_text(text + "\n", "utf-8")
        console.print(f"wrote {out} ({len(dossier['events'])} events)")


@calendar_app.command("due")
def calendar_due(period: str, trigger: str) -> None:
    """Show the due date of a profile period triggered on a day (YYYY-MM-DD)."""
    reg = _registry()
    day = date.fromisoformat(trigger)
    try:
        d = reference.due_date_for_day(env=reg.env, period=period, trigger=day)
    except DomainError as e:
        _fail(e)
    console.print(
        f"{period} from {day}: due {d.due_on}" + (" (暂定 provisional)" if d.provisional else "")
    )


@calendar_app.command("load-year")
def calendar_load_year(
    year: int, file: Path, as_user: Annotated[str, typer.Option("--as")]
) -> None:
    """Load a year's published arrangement from JSON {"holidays": [...], "makeup_workdays":
    [...], "source": "国办发明电〔…〕"}; provisional deadlines are recomputed."""
    reg = _registry()
    data = json.loads(file.read_text("utf-8"))
    try:
        who = accounts.identity_for(env=reg.env, username=as_user)
        n = reference.load_year(
            who,
            env=reg.env,
            year=year,
            holidays=[date.fromisoformat(d) for d in data["holidays"]],
            makeup_workdays=[date.fromisoformat(d) for d in data.get("makeup_workdays", [])],
            source=str(data.get("source") or file.name),
        )
    except DomainError as e:
        _fail(e)
    console.print(f"loaded {year}; recomputed {n} provisional dates")


def main() -> None:
    try:
        app()
    except ConfigurationError as e:  # a setting or key file to fix: say which, no traceback
        err.print(f"[red]configuration error[/red]: {e}", soft_wrap=True, highlight=False)
        raise SystemExit(2) from None
