"""`dataip keys …` and `dataip verify …`: the registry's certificate keys, and checking a
certificate anywhere — offline against trusted issuers' keys, or online against its issuer.

    dataip keys init | rotate | list
    dataip verify CREDENTIAL --issuer-url https://registry  (its published keys; offline check)
    dataip verify CREDENTIAL --online https://registry      (and the current status)
    dataip verify CREDENTIAL --issuers TRUSTED.json         (offline, keys you keep)
    dataip verify CREDENTIAL --issuer-url URL --policy P    (and its log proof witnessed by the
                                                             quorum of C2SP tlog-policy P; add
                                                             --checkpoint FILE offline)
    dataip verify CREDENTIAL                                (on the registry's server: its own
                                                             keys, from DATAIP_DATA_DIR)

CREDENTIAL is a vc+jwt, the co-signed JSON, the QR code's text (the link `…/verify?c=…`, or
the `c` value alone), or a file holding one — the certificate PDF too (its attached vc+jwt is
read). The web's /verify reads them the same way (certs.intake).

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

from dataip.bootstrap import (
    ConfigurationError,
    activate_certificate_key,
    build,
    load_certificate_keys,
    load_log_keys,
    rotate_certificate_key,
)
from dataip.certs import intake, qr, status_list, tlog, vc
from dataip.certs.keys import IssuerKey
from dataip.certs.sm2 import Sm2Key
from dataip.cli import witnessed
from dataip.config import Settings, load_profile
from dataip.domain.errors import DomainError
from dataip.ledger.note import Verifier
from dataip.services import certificates
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
def keys_rotate(
    stage: Annotated[
        bool,
        typer.Option(
            "--stage",
            help="Only add the key: servers publish it in the JWKS from their next start but "
            "keep signing with the active one until `dataip keys activate KID`.",
        ),
    ] = False,
) -> None:
    """Make a new key and sign with it from now on; older keys stay in the JWKS and keep
    verifying what they signed. Restart the server to pick it up (`systemctl reload dataip`:
    one worker at a time). With several servers: --stage, restart all, then activate and
    restart all again, so no server signs with a key another does not publish yet."""
    settings = Settings()
    load_certificate_keys(settings, load_profile(settings.profile))  # the directory is sound
    directory = settings.resolved_certificate_key_dir()
    key = rotate_certificate_key(directory, activate=not stage)
    if stage:
        console.print(f"staged key {key.kid} (published after a restart; not signing yet)")
    else:
        console.print(f"active key is now {key.kid}")


@keys_app.command("activate")
def keys_activate(
    kid: Annotated[str, typer.Argument(help="A key `dataip keys list` shows.")],
) -> None:
    """Sign with a staged key from the next restart on (the previous one keeps verifying)."""
    settings = Settings()
    load_certificate_keys(settings, load_profile(settings.profile))
    activate_certificate_key(settings.resolved_certificate_key_dir(), kid)
    console.print(f"active key is now {kid} (restart the servers to sign with it)")


@keys_app.command("list")
def keys_list() -> None:
    settings = Settings()
    keys = load_certificate_keys(settings, load_profile(settings.profile))
    for kid in keys.own:
        console.print(f"{kid}{'  (active)' if kid == keys.active.kid else ''}")


def _token(value: str) -> str:
    """The credential itself, or what the file it names holds (certs.intake, as the web's
    /verify reads an upload): a certificate PDF gives the vc+jwt attached to it."""
    path = Path(value)
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a token longer than a file name may be
        is_file = False
    if not is_file:
        return value.strip()
    try:
        return intake.from_file(path.read_bytes())
    except DomainError as exc:
        err.print(f"[red]cannot read {value}[/red]: {exc.message_zh} / {exc.message_en}")
        raise typer.Exit(2) from None
    except OSError as exc:
        err.print(f"[red]cannot read {value}[/red]: {exc}")
        raise typer.Exit(2) from None


def _own_keys() -> TrustedIssuers | None:
    """On the registry's server: its own keys (and the issuers it trusts) from the data
    directory, bound to its public base URL — None where there are none (never made here)."""
    settings = Settings()
    directory = settings.resolved_certificate_key_dir()
    if not directory.is_dir() or not any(directory.glob("*.pem")):
        return None
    try:
        log = load_log_keys(settings) if settings.resolved_log_key_file().exists() else None
        keys = load_certificate_keys(settings, load_profile(settings.profile), log)
    except (ConfigurationError, OSError, ValueError) as exc:
        err.print(f"[yellow]the registry's keys in {directory} are not usable[/yellow]: {exc}")
        return None
    own = trusted_from_doc({"issuers": [{"id": keys.issuer_id, "jwks": keys.jwks()}]})
    own.ed25519.update(keys.trusted)
    own.sm2.update(keys.sm2_trusted)
    own.logs.update(keys.trusted_logs)
    err.print(
        f"verifying with this registry's own keys ({directory}; issuer {keys.issuer_id})",
        highlight=False,
        soft_wrap=True,
    )
    return own


def _named_issuer(given: intake.Credential) -> str | None:
    """Where the credential says it comes from, to offer `--issuer-url` with (unverified: a
    suggestion, never trusted by itself)."""
    if given.format == "qr":
        if "://" in given.text:
            parts = given.text.split("://", 1)
            return f"{parts[0]}://{parts[1].split('/', 1)[0]}"
        return None
    try:
        if given.format == "jose+json":
            payload = json.loads(given.text).get("payload", "")
        else:
            payload = given.text.split(".")[1]
        claims = json.loads(vc.unb64(payload))
    except (ValueError, IndexError, AttributeError, TypeError):
        return None
    iss = claims.get("iss") if isinstance(claims, dict) else None
    return iss if isinstance(iss, str) and iss.startswith(("https://", "http://")) else None


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
    issuer_url: Annotated[
        str | None,
        typer.Option(
            "--issuer-url",
            help="The issuing registry's base URL: trust the keys it publishes "
            "(/.well-known/jwks.json); the status is not checked.",
        ),
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
    policy: Annotated[
        Path | None,
        typer.Option(
            help="A C2SP tlog-policy file: the log proof must lead to a checkpoint cosigned by "
            "the policy's quorum of witnesses (fetched from <issuer>/log/cosigned-checkpoint)."
        ),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="With --policy, offline: a cosigned checkpoint kept in a file instead of "
            "the issuer's."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a certificate. Offline a good signature reads "authentic; status not checked"
    (never "valid"); --online asks the issuer for the current status. Without --issuers,
    --issuer-url or --online, on the registry's server: its own keys (DATAIP_DATA_DIR)."""
    text = _token(token)
    rules = witnessed.read_policy(policy) if policy is not None else None
    if checkpoint is not None and rules is None:
        err.print("[red]--checkpoint needs --policy[/red]")
        raise typer.Exit(2)
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
        given = intake.classify(text)
        if issuers is None and issuer_url is None and online is None and rules is None:
            _another_registrys(given, as_json=as_json)  # exits if it was one
        if issuers is not None:
            trust(trusted_from_json(issuers.read_text("utf-8")))
        for url in dict.fromkeys(u.rstrip("/") for u in (issuer_url, online) if u):
            doc = _fetch(f"{url}/.well-known/jwks.json")
            trust(trusted_from_doc({"issuers": [{"id": url, "jwks": doc}]}))
        if not keys and (own := _own_keys()) is not None:
            trust(own)
        if not keys:
            _no_keys(given)
        if given.qr_signed is not None:  # the QR code's credential
            got = qr.verify(given.qr_signed, keys, issuers=bound)
            log_check = tlog.LogCheck("not_carried")
        elif given.format == "jose+json":  # the JWS JSON serialization, SM2 co-signature
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
    if rules is not None:
        if isinstance(got, qr.VerifiedQr):
            err.print("[red]the QR credential carries no log proof[/red]: verify the vc+jwt")
            raise typer.Exit(1)
        result["policy"] = witnessed.check(
            got.credential, got.issuer, rules, checkpoint, as_json=as_json
        )
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
    if rules is not None:
        by = ", ".join(result["policy"]["cosigned_by"])
        result["summary"] += f"; log checkpoint witnessed ({rules.describe()}: {by})"
    if as_json:
        console.print_json(json.dumps(result, ensure_ascii=False))
    else:
        console.print(
            f"[green]{result['summary']}[/green] — {result['name']} "
            f"({result['certificate_number']} v{result['version']}), issued by {got.issuer}"
        )
        if isinstance(got, qr.VerifiedQr):
            console.print(f"holders: {qr.holders_line(got.certificate.holders)}")


def _another_registrys(given: intake.Credential, *, as_json: bool) -> None:
    """On the registry's server, a certificate another registry issued: verified as the
    registry's API does (issue 21 §2) — the trust list in force gives its keys, log key and
    agency code, its status comes from its issuer's status list. Exits with the answer;
    returns when this is not such a case (no registry here, our own, or the QR credential)."""
    settings = Settings()
    directory = settings.resolved_certificate_key_dir()
    named = _named_issuer(given)
    if (
        given.qr_signed is not None
        or named is None
        or named.rstrip("/") == settings.issuer_id
        or not directory.is_dir()
        or not any(directory.glob("*.pem"))
    ):
        return
    try:
        reg = build(settings)
    except (ConfigurationError, OSError, ValueError) as exc:
        err.print(f"[yellow]the registry here is not usable[/yellow]: {exc}")
        return
    try:
        result = certificates.verify(env=reg.env, token=given.text, online=True)
    finally:
        reg.dispose()
    err.print(
        f"verifying as the registry {settings.issuer_id} does (its trust list in force)",
        highlight=False,
        soft_wrap=True,
    )
    if not result["authentic"]:
        if as_json:
            console.print_json(json.dumps({"authentic": False, "code": result["code"]}))
        else:
            err.print(
                f"[red]NOT AUTHENTIC[/red] {result['code']}: {result['message_zh']} / "
                f"{result['message_en']}",
                soft_wrap=True,
            )
        raise typer.Exit(2 if result["code"] == "malformed_token" else 1)
    subject = result["credential"].get("credentialSubject", {})
    listed = result.get("registry") or {}
    if as_json:
        out = {k: v for k, v in result.items() if k != "credential"}
        out |= {
            "certificate_number": subject.get("certificateNumber"),
            "version": subject.get("certificateVersion"),
            "name": subject.get("name"),
            "summary": result["summary_en"],
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
    else:
        console.print(
            f"[green]{result['summary_en']}[/green] — {subject.get('name')} "
            f"({subject.get('certificateNumber')} v{subject.get('certificateVersion')}), issued "
            f"by {result['issuer']} (agency {listed.get('agency_code')}, {listed.get('name')})",
            soft_wrap=True,
        )
    raise typer.Exit(0)


def _no_keys(given: intake.Credential) -> None:
    """Exit 2, saying how to give the keys — with the issuer the credential names, if any."""
    named = _named_issuer(given)
    err.print(
        "[red]no keys to verify with[/red]: give the issuing registry's address "
        "(--issuer-url URL, or --online URL for the current status too), a trusted-issuers "
        "file (--issuers FILE), or run this on the registry's server (DATAIP_DATA_DIR)",
        soft_wrap=True,
    )
    if named:
        err.print(
            f"this certificate names its issuer {named}: dataip verify … --issuer-url {named}",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(2)


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
