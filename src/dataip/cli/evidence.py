"""`dataip evidence …`: deposit a fingerprint with a registry; verify a deposit receipt offline.

    dataip evidence deposit MANIFEST --url https://registry --token TOKEN [--with-manifest]
    dataip evidence verify RECEIPT --key KEY [--manifest MANIFEST]

Exit codes: 0 done; 1 refused by the registry, or the receipt does not verify; 2 bad input;
3 the registry could not be reached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from dataip.cli.log import read_key
from dataip.evidence.fingerprint import FingerprintError, Manifest
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Verifier
from dataip.ledger.proof import parse_proof, verify_proof

evidence_app = typer.Typer(help="Evidence deposits (存证): deposit a fingerprint, verify receipts.")
err = Console(stderr=True)


def _manifest(path: Path) -> Manifest:
    try:
        return Manifest.from_json(path.read_bytes())
    except OSError as exc:
        err.print(f"[red]cannot read {path}[/red]: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    except FingerprintError as exc:
        err.print(f"[red]{path} is not a valid manifest[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(2) from None


@evidence_app.command("deposit")
def deposit(
    manifest: Annotated[Path, typer.Argument(help="From `dataip fingerprint`.")],
    url: Annotated[
        str, typer.Option(envvar="DATAIP_REGISTRY_URL", help="The registry's base URL.")
    ] = "http://127.0.0.1:8000",
    token: Annotated[
        str | None, typer.Option(envvar="DATAIP_TOKEN", help="Your API token.")
    ] = None,
    with_manifest: Annotated[
        bool, typer.Option(help="Also send the manifest (names, sizes, digests; never data).")
    ] = False,
    title: Annotated[str | None, typer.Option(help="A label only you will see.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Receipt file (default MANIFEST.receipt).")
    ] = None,
) -> None:
    """Deposit a data set's root with a registry; save the receipt it returns."""
    parsed = _manifest(manifest)
    if not token:
        err.print("give --token or set DATAIP_TOKEN (log in to the registry to get one)")
        raise typer.Exit(2)
    body: dict[str, Any] = {"root": parsed.root, "hash": parsed.hash, "title": title}
    if with_manifest:
        body["manifest"] = parsed.to_dict()
    try:
        r = httpx.post(
            url.rstrip("/") + "/api/v1/evidence",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        err.print(f"[red]registry unreachable[/red]: {exc}")
        raise typer.Exit(3) from None
    if r.status_code != 201:
        try:
            problem = r.json()
            message = f"{problem['code']}: {problem['message_zh']} / {problem['message_en']}"
        except (ValueError, KeyError):
            message = f"HTTP {r.status_code}"
        err.print(f"[red]deposit refused[/red]: {message}", soft_wrap=True)
        raise typer.Exit(1)
    dep = r.json()
    target = out or manifest.with_name(manifest.name + ".receipt")
    if dep.get("receipt"):
        target.write_text(dep["receipt"], "utf-8")
        where = f"receipt written to {target}"
    else:
        where = f"receipt not ready yet: GET {url}/api/v1/evidence/{dep['number']}"
    typer.echo(f"deposited as {dep['number']} at {dep['deposited_at']}; {where}")


@evidence_app.command("verify")
def verify(
    receipt: Annotated[Path, typer.Argument(help="A deposit receipt (C2SP tlog-proof).")],
    key: Annotated[str, typer.Option(help="The registry log's verifier key, or a file.")],
    manifest: Annotated[
        Path | None, typer.Option(help="Also check the receipt is for this manifest.")
    ] = None,
    origin: Annotated[str | None, typer.Option(help="Require this log origin.")] = None,
) -> None:
    """Verify a deposit receipt offline: log signature, inclusion of the deposit's leaf, and
    (with --manifest) that it deposited this data set."""
    try:
        text = receipt.read_text("utf-8")
        verifier = Verifier.from_text(read_key(key))
        parsed = parse_proof(text)
        leaf: dict[str, Any] = json.loads(parsed.extra)
    except (OSError, UnicodeDecodeError, FormatError, ValueError) as exc:
        err.print(f"[red]cannot read the receipt or key[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        checkpoint = verify_proof(text, [verifier], leaf_data=parsed.extra, origin=origin)
    except VerificationError as exc:
        err.print(f"[red]receipt does NOT verify[/red]: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    public = leaf.get("public") or {}
    if leaf.get("type") != "EvidenceDeposited" or "root" not in public:
        err.print("[red]this receipt is not for an evidence deposit[/red]")
        raise typer.Exit(1)
    if manifest is not None:
        m = _manifest(manifest)
        if (m.hash, m.root) != (public.get("hash"), public.get("root")):
            err.print(f"[red]the receipt is for another data set[/red] ({public.get('root')})")
            raise typer.Exit(1)
    typer.echo(
        json.dumps(
            {
                "verified": True,
                "number": public.get("number"),
                "hash": public.get("hash"),
                "root": public.get("root"),
                "deposited_at": leaf.get("at"),
                "log": checkpoint.origin,
                "index": parsed.index,
                "tree_size": checkpoint.size,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
