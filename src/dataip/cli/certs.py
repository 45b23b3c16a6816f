"""`dataip keys …` and `dataip verify …`: the registry's certificate keys, and checking a
certificate anywhere — offline against trusted issuers' keys, or online against its issuer.

    dataip keys init | rotate | list
    dataip verify CREDENTIAL --issuers TRUSTED.json     (offline)
    dataip verify CREDENTIAL --online https://registry  (adds the current status)

CREDENTIAL is a vc+jwt, the co-signed JSON, the QR code's text (the link, or its base32 alone),
or a file holding one — the certificate PDF too (its attached vc+jwt is read).

Exit codes: 0 authentic; 1 not authentic (forged, altered, unknown issuer); 2 bad input;
3 the registry could not be reached.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from dataip.bootstrap import load_certificate_keys, rotate_certificate_key
from dataip.certs import pdf, qr, status_list, tlog, vc
from dataip.certs.keys import IssuerKey
from dataip.certs.sm2 import Sm2Key
from dataip.config import Settings, load_profile
from dataip.domain.errors import DomainError
from dataip.ledger.note import Verifier
from dataip.services.certificates import TrustedIssuers, trusted_from_doc, trusted_from_json

keys_app = typer.Typer(help="The registry's certificate signing keys (Ed25519, by kid).")
console = Console()
err = Console(stderr=True)


@keys_app.command("init")
def keys_init() -> None:
    """Make the first issuer key if there is none (the server also does on first start)."""
    settings = Settings()
    keys = load_certificate_keys(settings, load_profile(settings.profile))
    console.print(f"active key {keys.active.kid} in {settings.resolved_certificate_key_dir()}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new key and sign with it from now on; older keys stay in the JWKS and keep
    verifying what they signed. Restart the server to pick it up."""
    settings = Settings()
    load_certificate_keys(settings, load_profile(settings.profile))  # the directory is sound
    key = rotate_certificate_key(settings.resolved_certificate_key_dir())
    console.print(f"active key is now {key.kid}")


@keys_app.command("list")
def keys_list() -> None:
    settings = Settings()
    keys = load_certificate_keys(settings, load_profile(settings.profile))
    for kid in keys.own:
        console.print(f"{kid}{'  (active)' if kid == keys.active.kid else ''}")


def _token(value: str) -> str:
    """The credential itself, or the contents of the file it names: a certificate PDF gives
    the vc+jwt attached to it; any other file is read as UTF-8 text."""
    path = Path(value)
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a token longer than a file name may be
        is_file = False
    if not is_file:
        return value.strip()
    try:
        data = path.read_bytes()
        if data.startswith(b"%PDF-"):
            return pdf.attached_token(data)
        return data.decode("utf-8").strip()
    except DomainError as exc:
        err.print(f"[red]cannot read {value}[/red]: {exc.message_zh} / {exc.message_en}")
        raise typer.Exit(2) from None
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]cannot read {value}[/red]: {exc}")
        raise typer.Exit(2) from None


def _fetch(url: str) -> dict[str, Any]:
    try:
        r = httpx.get(url, timeout=10)
        r.raise_for_status()
        doc: dict[str, Any] = r.json()
        return doc
    except (httpx.HTTPError, ValueError) as exc:
        err.print(f"[red]cannot reach {url}[/red]: {exc}")
        raise typer.Exit(3) from None


def _list_status(list_token: str, keys: dict[str, IssuerKey], bound: dict[str, str]) -> vc.Verified:
    try:
        return vc.verify(list_token, keys, issuers=bound)
    except DomainError as e:
        err.print(f"[red]the status list is not authentic[/red]: {e.code}")
        raise typer.Exit(1) from None


def _cached_status(got: vc.Verified | qr.VerifiedQr, lst: vc.Verified) -> tuple[str, str]:
    """(status, summary) of the certificate from a cached, verified status list."""
    now = datetime.now(UTC)
    try:
        if isinstance(got, qr.VerifiedQr):
            index = got.certificate.status_index
            if index is None:
                raise DomainError(
                    "no_status_position",
                    "该二维码凭证未载明状态列表位置",
                    "this QR credential names no status-list position",
                )
            got_status = status_list.status_at_index(index, got.issuer, lst, now)
        else:
            got_status = status_list.status_from_list(got.credential, got.issuer, lst, now)
    except DomainError as e:
        err.print(f"[red]{e.message_en}[/red]")
        raise typer.Exit(1 if e.code == "wrong_status_list" else 2) from None
    fresh = got_status.freshness
    note = "" if fresh == "within_validity" else f" (the list has {fresh.replace('_', ' ')})"
    summary = f"authentic; status {got_status.status} as of {got_status.as_of}{note}"
    return got_status.status, summary


def verify(
    token: Annotated[
        str,
        typer.Argument(
            help="A vc+jwt, the co-signed JSON, the QR code's text, or a file holding one "
            "(the certificate PDF too)."
        ),
    ],
    issuers: Annotated[
        Path | None,
        typer.Option(help='Trusted issuers: {"issuers": [{"id", "name", "jwks"}]}.'),
    ] = None,
    online: Annotated[
        str | None, typer.Option(help="The issuing registry's base URL: fetch its keys and status.")
    ] = None,
    status_list_file: Annotated[
        Path | None,
        typer.Option(
            "--status-list",
            help="A cached status list (the vc+jwt from the issuer's statusListCredential).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a certificate. Offline a good signature reads "authentic; status not checked"
    (never "valid"); --online asks the issuer for the current status."""
    text = _token(token)
    keys: dict[str, IssuerKey] = {}
    sm2_keys: dict[str, Sm2Key] = {}
    bound: dict[str, str] = {}
    logs: dict[str, list[Verifier]] = {}

    def trust(trusted: TrustedIssuers) -> None:
        for kid, (issuer, key) in trusted.ed25519.items():
            keys[kid], bound[kid] = key, issuer
        for kid, (issuer, gm) in trusted.sm2.items():
            sm2_keys[kid], bound[kid] = gm, issuer
        logs.update(trusted.logs)

    got: vc.Verified | qr.VerifiedQr
    try:
        signed = qr.extract(text)
        if issuers is not None:
            trust(trusted_from_json(issuers.read_text("utf-8")))
        if online:
            base = online.rstrip("/")
            doc = _fetch(f"{base}/.well-known/jwks.json")
            trust(trusted_from_doc({"issuers": [{"id": base, "jwks": doc}]}))
        if not keys:
            err.print("[red]no keys to verify with[/red]: give --issuers FILE or --online URL")
            raise typer.Exit(2)
        if signed is not None:  # the QR code's credential
            got = qr.verify(signed, keys, issuers=bound)
            log_check = tlog.LogCheck("not_carried")
        elif text.startswith("{"):  # the JWS JSON serialization with the SM2 co-signature
            got = vc.verify_cosigned(text, keys, sm2_keys, issuers=bound)
            log_check = tlog.check(got.credential, logs.get(got.issuer, []))
        else:
            got = vc.verify(text, keys, issuers=bound)
            log_check = tlog.check(got.credential, logs.get(got.issuer, []))
    except DomainError as e:
        if as_json:
            console.print_json(json.dumps({"authentic": False, "code": e.code}))
        else:
            err.print(f"[red]NOT AUTHENTIC[/red] {e.code}: {e.message_zh} / {e.message_en}")
        bad_input = e.code in ("malformed_token", "invalid_trusted_issuers", "invalid_jwks")
        raise typer.Exit(2 if bad_input else 1) from None
    except OSError as exc:
        err.print(f"[red]cannot read {issuers}[/red]: {exc}")
        raise typer.Exit(2) from None
    result = _result(got, log_check)
    if status_list_file is not None:
        lst = _list_status(_token(str(status_list_file)), keys, bound)
        result["status"], result["summary"] = _cached_status(got, lst)
    if online:
        status_url = _status_url(got)
        if isinstance(status_url, str) and status_url.startswith(online.rstrip("/") + "/"):
            result["status"] = _fetch(status_url).get("status")
            result["status_checked_at"] = datetime.now(UTC).astimezone().isoformat()
            result["summary"] = f"authentic; current status: {result['status']}"
    if log_check.status == "included":
        result["summary"] += f"; issuance logged at index {log_check.index}"
    if as_json:
        console.print_json(json.dumps(result, ensure_ascii=False))
    else:
        console.print(
            f"[green]{result['summary']}[/green] — {result['name']} "
            f"({result['certificate_number']} v{result['version']}), issued by {got.issuer}"
        )
        if isinstance(got, qr.VerifiedQr):
            console.print(f"holders: {qr.holders_line(got.certificate.holders)}")


def _result(got: vc.Verified | qr.VerifiedQr, log_check: tlog.LogCheck) -> dict[str, Any]:
    out: dict[str, Any] = {"authentic": True, "issuer": got.issuer, "kid": got.kid}
    if isinstance(got, qr.VerifiedQr):
        cert = got.certificate
        out |= {
            "format": "qr",
            "sm2_kid": None,
            "certificate_number": cert.certificate_number,
            "version": cert.certificate_version,
            "name": cert.name,
            "certificate": cert.to_dict(),
        }
    else:
        subject = got.credential.get("credentialSubject", {})
        out |= {
            "format": "jose+json" if got.sm2_kid else "vc+jwt",
            "sm2_kid": got.sm2_kid,
            "certificate_number": subject.get("certificateNumber"),
            "version": subject.get("certificateVersion"),
            "name": subject.get("name"),
        }
    return out | {
        "log": log_check.to_dict(),
        "status": None,
        "status_checked_at": None,
        "summary": "authentic; status not checked",
    }


def _status_url(got: vc.Verified | qr.VerifiedQr) -> str | None:
    """Where the issuer answers this version's status: named in the vc+jwt; for the QR
    credential, the issuer's status route for its numbers (this software's)."""
    if isinstance(got, qr.VerifiedQr):
        cert = got.certificate
        return (
            f"{got.issuer}/api/v1/certificates/{cert.certificate_number}/status"
            f"?version={cert.certificate_version}"
        )
    url = next(
        (
            e.get("id")
            for e in vc.status_entries(got.credential)
            if e.get("type") == "DataIPCertificateStatus"
        ),
        None,
    )
    return url if isinstance(url, str) else None
