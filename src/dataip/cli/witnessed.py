"""`dataip verify --policy FILE`: a certificate's log proof must lead to a checkpoint that a
quorum of witnesses cosigned (C2SP tlog-policy; issue 21 §4).

The proof a certificate carries is to the checkpoint of the round that logged it, signed by the
log alone. The witnesses cosign the registry's checkpoints afterwards, and the registry serves
the newest one they cosigned at ``<issuer>/log/cosigned-checkpoint``. So a verifier with a
policy:

1. checks the proof (leaf, inclusion, checkpoint signature) against the *policy's* log key for
   the proof's origin — not a key the issuer serves;
2. takes the cosigned checkpoint (fetched from the issuer, or ``--checkpoint FILE`` offline)
   and requires the policy's quorum of valid cosignatures on it;
3. connects the two: the same tree (size and root), or — when the cosigned checkpoint is
   larger — an RFC 6962 consistency proof built from the issuer's tiles (``<issuer>/log``;
   this step needs the network). A cosigned checkpoint older than the proof means the
   issuance is not witnessed yet.

Anything short of that exits 1 with what was missing: a checkpoint without the quorum is
reported as such, never accepted. The procedure is `services.federation.quorum`'s (the API's
verification reports the same under the registry's own policy); this module fetches from the
issuer, or reads the cosigned checkpoint from a file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console

from dataip.federation import policy as tlog_policy
from dataip.federation.policy import Policy
from dataip.services.federation import quorum
from dataip.services.federation.quorum import COSIGNED, MAX_BODY, Refused

err = Console(stderr=True)


def read_policy(path: Path) -> Policy:
    """A C2SP tlog-policy file, or exit 2 with the line that is wrong."""
    try:
        return tlog_policy.parse_policy(path.read_bytes())
    except OSError as exc:
        err.print(f"[red]policy {path}[/red]: {exc}", soft_wrap=True)
    except tlog_policy.PolicyError as exc:
        err.print(f"[red]policy {path} is not a valid tlog-policy[/red]: {exc}", soft_wrap=True)
    raise typer.Exit(2)


def _get(url: str, timeout: float) -> bytes:
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            r = client.get(url)
    except httpx.HTTPError as exc:
        raise Refused("unreachable", f"{url} could not be reached: {exc}", 3) from None
    if r.status_code == 404 and url.endswith(COSIGNED):
        raise Refused(
            "no_cosigned_checkpoint",
            f"GET {url}: HTTP 404 — the issuer serves no cosigned checkpoint (no witness has "
            "cosigned its log yet)",
        )
    if r.status_code != 200 or len(r.content) > MAX_BODY:
        raise Refused("unreachable", f"GET {url}: HTTP {r.status_code}", 3)
    return r.content


def check(
    credential: Mapping[str, Any],
    issuer: str,
    policy: Policy,
    checkpoint_file: Path | None,
    *,
    as_json: bool = False,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """The certificate's log proof against the policy; exits 1 (2: unreadable file, 3:
    unreachable) when it does not hold, saying why — as JSON with ``--json``. Returns what was
    checked, for the verifier's answer."""
    try:
        return _check(credential, issuer, policy, checkpoint_file, timeout)
    except Refused as exc:
        if as_json:
            doc = {"authentic": True, "accepted": False, "code": exc.code, "reason": exc.reason}
            Console().print_json(json.dumps(doc, ensure_ascii=False))
        else:
            err.print(f"[red]NOT ACCEPTED under the policy[/red]: {exc.reason}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def _check(
    credential: Mapping[str, Any],
    issuer: str,
    policy: Policy,
    checkpoint_file: Path | None,
    timeout: float,
) -> dict[str, Any]:
    log_url = f"{issuer.rstrip('/')}/log"

    def cosigned_note() -> tuple[str, str]:
        if checkpoint_file is None:
            source = f"{log_url}/{COSIGNED}"
            return _get(source, timeout).decode("utf-8", "replace"), source
        try:
            return checkpoint_file.read_text("utf-8"), str(checkpoint_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused(
                "unreadable_checkpoint", f"cannot read {checkpoint_file}: {exc}", 2
            ) from None

    keys = [lg.verifier for lg in policy.logs]
    consistency = quorum.remote_consistency(lambda path: _get(f"{log_url}/{path}", timeout), keys)
    found = quorum.check(credential, policy, cosigned_note, consistency)
    if not found.satisfied:
        raise Refused("quorum_not_met", f"checkpoint without the quorum: {found.summary}")
    return found.to_dict()
