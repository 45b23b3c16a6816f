"""`dataip evidence-package …` and `dataip verify-package …`: a registration's evidence package
(证据包, issue 20 §7) made on the registry's server, and checked anywhere, offline.

    dataip evidence-package NUMBER --out FILE [--full --as USER] [--purpose TEXT]
    dataip verify-package FILE [--log-key VKEY | --issuer-url https://registry]

`verify-package` needs no registry: it checks the checkpoint's signature with the log's key,
each leaf's inclusion proof against the checkpoint's root, each certificate's signature with
the issuer's keys in the package, and that the leaves say what the record and archive say
(`sharing.evidence_package.verify_package`). Give the log's key as you obtained it yourself
(`--log-key`, e.g. from the registry's published /.well-known/jwks.json or a letter), or
`--issuer-url` to fetch it; without either the package's own key is used, and the verdict says
that the key was not checked against an independent source.

Exit codes: 0 verified; 1 not verified (or, for evidence-package, refused); 2 bad input;
3 the registry could not be reached (--issuer-url).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.markup import escape

from dataip.bootstrap import build
from dataip.cli.log import read_key
from dataip.config import Settings
from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.context import ANONYMOUS
from dataip.services.ledger import integrate
from dataip.services.sharing import evidence_package as package
from dataip.sharing.evidence_package import PackageReport, verify_package

console = Console()
err = Console(stderr=True)


def evidence_package(
    number: Annotated[str, typer.Argument(help="Registration or certificate number.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the package (JSON).")],
    full: Annotated[
        bool, typer.Option(help="With the archive (holders and the registry's staff: --as).")
    ] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="The account acting.")] = None,
    purpose: Annotated[str | None, typer.Option(help="Why (e.g. a court's case number).")] = None,
) -> None:
    """Write the evidence package of a registration (run on the registry's server)."""
    reg = build(Settings())
    try:
        who = accounts.identity_for(env=reg.env, username=as_user) if as_user else ANONYMOUS
        integrate(reg.env, reg.log_keys)  # cover the latest events (a lease keeps it safe)
        doc = package.build(who, env=reg.env, number=number, full=full, purpose=purpose)
    except DomainError as e:
        err.print(f"[red]{e.code}[/red]: {e.message_zh} / {e.message_en}")
        raise typer.Exit(1) from None
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    console.print(
        f"证据包已写入 / evidence package written: {out} "
        f"({len(doc['events'])} events, {len(doc['certificates'])} certificates, "
        f"scope {doc['scope']})"
    )


def _published_log_key(url: str) -> str:
    try:
        r = httpx.get(f"{url.rstrip('/')}/.well-known/jwks.json", timeout=10)
        r.raise_for_status()
        return str(r.json()["dataip_log"]["vkey"])
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as e:
        err.print(f"[red]cannot read the registry's published log key[/red]: {e}")
        raise typer.Exit(3) from None


def _verdict(report: PackageReport) -> None:
    if report.ok:
        console.print(
            "[green]验证通过[/green] / [green]VERIFIED[/green]: "
            f"登记 {report.registration_number}：{report.events_proven} 个事件均已收录于透明日志"
            f"（{report.log_origin}，树大小 {report.tree_size}），"
            f"{report.certificates_verified} 个证书版本签名有效且与日志一致。",
            soft_wrap=True,
        )
        console.print(
            f"registration {report.registration_number}: {report.events_proven} events proven "
            f"in log {report.log_origin} (tree size {report.tree_size}); "
            f"{report.certificates_verified} certificate versions authentic and logged.",
            soft_wrap=True,
        )
        if report.unproven:
            console.print(
                f"[yellow]注意 / note[/yellow]: {report.unproven} 个事件尚未被检查点覆盖 / "
                f"{report.unproven} events not yet covered by the checkpoint (not proven)."
            )
        if report.key_source == "package":
            console.print(
                "[yellow]注意 / note[/yellow]: 日志公钥取自证据包本身，未与独立来源核对；"
                "请使用 --log-key 或 --issuer-url / the log key came from the package itself "
                "and was not checked against an independent source: use --log-key or "
                "--issuer-url.",
                soft_wrap=True,
            )
        return
    console.print("[red]验证未通过[/red] / [red]NOT VERIFIED[/red]:")
    for f in report.findings:
        where = f" ({escape(f.where)})" if f.where else ""
        console.print(f"  - [red]{f.code}[/red]{where}: {f.zh} / {escape(f.en)}", soft_wrap=True)


def verify_package_command(
    file: Annotated[Path, typer.Argument(help="An evidence package (JSON).")],
    log_key: Annotated[
        str | None,
        typer.Option("--log-key", help="The log's C2SP verifier key (or a file holding it)."),
    ] = None,
    issuer_url: Annotated[
        str | None, typer.Option(help="Fetch the log key the registry publishes.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """Verify an evidence package offline (checkpoint signature, inclusion proofs,
    certificate signatures, leaves against the record)."""
    try:
        data = file.read_bytes()
        key = read_key(log_key) if log_key else None
    except (OSError, UnicodeDecodeError) as e:
        err.print(f"[red]cannot read the package or key[/red]: {e}")
        raise typer.Exit(2) from None
    if key is None and issuer_url:
        key = _published_log_key(issuer_url)
    report = verify_package(data, log_key=key)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "verified": report.ok,
                    "registration_number": report.registration_number,
                    "log": report.log_origin,
                    "tree_size": report.tree_size,
                    "key_source": report.key_source,
                    "events_proven": report.events_proven,
                    "unproven": report.unproven,
                    "certificates_verified": report.certificates_verified,
                    "findings": [f.__dict__ for f in report.findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _verdict(report)
    if not report.ok:
        raise typer.Exit(1)
