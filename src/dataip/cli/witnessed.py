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
reported as such, never accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console

from dataip.certs import tlog
from dataip.domain.errors import DomainError
from dataip.federation import policy as tlog_policy
from dataip.federation.policy import Policy
from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.client import LogClient
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.proof import parse_proof

err = Console(stderr=True)
COSIGNED = "cosigned-checkpoint"
MAX_BODY = 1 << 20


def read_policy(path: Path) -> Policy:
    """A C2SP tlog-policy file, or exit 2 with the line that is wrong."""
    try:
        return tlog_policy.parse_policy(path.read_bytes())
    except OSError as exc:
        err.print(f"[red]policy {path}[/red]: {exc}", soft_wrap=True)
    except tlog_policy.PolicyError as exc:
        err.print(f"[red]policy {path} is not a valid tlog-policy[/red]: {exc}", soft_wrap=True)
    raise typer.Exit(2)


class Refused(Exception):
    """Not accepted under the policy: a stable ``code``, the reason, the exit status."""

    def __init__(self, code: str, reason: str, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.code, self.reason, self.exit_code = code, reason, exit_code


def _refuse(code: str, message: str, exit_code: int = 1) -> Refused:
    return Refused(code, message, exit_code)


def _get(url: str, timeout: float) -> bytes:
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            r = client.get(url)
    except httpx.HTTPError as exc:
        raise _refuse("unreachable", f"{url} could not be reached: {exc}", 3) from None
    if r.status_code == 404 and url.endswith(COSIGNED):
        raise _refuse(
            "no_cosigned_checkpoint",
            f"GET {url}: HTTP 404 — the issuer serves no cosigned checkpoint (no witness has "
            "cosigned its log yet)",
        )
    if r.status_code != 200 or len(r.content) > MAX_BODY:
        raise _refuse("unreachable", f"GET {url}: HTTP {r.status_code}", 3)
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
    # 1. The proof, against the policy's key for its log.
    raw = credential.get(tlog.CLAIM)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("proof"), str):
        raise _refuse(
            "no_log_proof", "the certificate carries no log proof yet (it is added once logged)"
        )
    origin = str(raw.get("origin"))
    keys = [lg.verifier for lg in policy.logs if lg.origin == origin]
    if not keys:
        raise _refuse("log_not_in_policy", f"the log {origin!r} is not in the policy")
    try:
        tlog.check(credential, keys)
        proved, _ = open_checkpoint(parse_proof(str(raw["proof"])).checkpoint, keys, origin=origin)
    except DomainError as exc:
        raise _refuse(exc.code, exc.message_en) from None
    except (FormatError, VerificationError) as exc:
        raise _refuse("tlog_proof_invalid", f"the log proof does not hold: {exc}") from None
    # 2. The cosigned checkpoint, and the quorum on it.
    log_url = f"{issuer.rstrip('/')}/log"
    if checkpoint_file is not None:
        try:
            note = checkpoint_file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _refuse(
                "unreadable_checkpoint", f"cannot read {checkpoint_file}: {exc}", 2
            ) from None
        source = str(checkpoint_file)
    else:
        source = f"{log_url}/{COSIGNED}"
        note = _get(source, timeout).decode("utf-8", "replace")
    try:
        result = tlog_policy.check(policy, note, origin=origin)
    except VerificationError as exc:
        raise _refuse(
            "cosigned_checkpoint_invalid",
            f"the cosigned checkpoint ({source}) does not verify: {exc}",
        ) from None
    if not result.satisfied:
        raise _refuse("quorum_not_met", f"checkpoint without the quorum: {result.summary(policy)}")
    # 3. The proof's tree is the cosigned tree, or a prefix of it.
    cosigned = result.checkpoint
    _connect(proved, cosigned, log_url, keys, timeout)
    return {
        "satisfied": True,
        "quorum": policy.describe(),
        "cosigned_by": sorted(result.cosigned),
        "cosigned_size": cosigned.size,
        "proof_size": proved.size,
        "checkpoint_from": source,
    }


def _connect(
    proved: Checkpoint,
    cosigned: Checkpoint,
    log_url: str,
    keys: list[Any],
    timeout: float,
) -> None:
    if proved.size > cosigned.size:
        raise _refuse(
            "not_witnessed_yet",
            f"the newest cosigned checkpoint (size {cosigned.size}) is older than the proof "
            f"(size {proved.size}): the issuance is not witnessed yet; try again later",
        )
    if proved.size == cosigned.size:
        if proved.root_hash != cosigned.root_hash:
            raise _refuse("split_view", f"SPLIT VIEW: two different trees of size {proved.size}")
        return

    def fetch(path: str) -> bytes:
        return _get(f"{log_url}/{path}", timeout)

    client = LogClient(fetch, keys, origin=cosigned.origin)
    try:
        reader = client.check_root(cosigned)
        proof = merkle.consistency_proof_from_reader(reader, proved.size, cosigned.size)
        merkle.verify_consistency(
            proved.size, cosigned.size, proof, proved.root_hash, cosigned.root_hash
        )
    except (VerificationError, FormatError, ValueError) as exc:
        raise _refuse(
            "split_view",
            f"the cosigned checkpoint (size {cosigned.size}) does not extend the proof's "
            f"(size {proved.size}): {exc}",
        ) from None
