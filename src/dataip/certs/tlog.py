"""The transparency-log proof a certificate carries: a C2SP tlog-proof of its issuance leaf.

A credential cannot carry the proof of a leaf that hashes the credential itself, so the
issuance leaf (``CertificateIssued``) commits to the credential's *content*: the SHA-256 of
its RFC 8785 canonical form without the ``tlogProof`` claim. Once the log has integrated that
leaf, the registry signs the same credential again with the proof added (decision 0005)::

    "tlogProof": {"type": "C2SPTlogProof", "origin": "<log origin>", "index": 17,
                  "proof": "c2sp.org/tlog-proof@v1\\nextra …\\nindex 17\\n…\\n\\n<checkpoint>"}

The proof's extra data is the leaf itself, so a verifier needs only the log's public key:
it checks the checkpoint signature, the inclusion of the leaf, and that the leaf is this
certificate's issuance with this content digest. Removing the claim gives back the credential
as first signed (same bytes, same signature: Ed25519 is deterministic). The PDF's QR code
carries neither: it holds the compact QR credential (certs.qr, decision 0006).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataip.domain.errors import DomainError
from dataip.ledger import merkle
from dataip.ledger.canonical import canonicalize
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import NoteVerifier
from dataip.ledger.proof import parse_proof

CLAIM = "tlogProof"
PROOF_TYPE = "C2SPTlogProof"
LEAF_TYPE = "CertificateIssued"


def without_proof(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The credential as it was first signed: everything but the log proof."""
    return {k: v for k, v in credential.items() if k != CLAIM}


def content_digest(credential: Mapping[str, Any]) -> str:
    """What the issuance leaf commits to: SHA-256 (hex) of the canonical credential without
    its log proof."""
    return hashlib.sha256(canonicalize(without_proof(credential))).hexdigest()


def claim(receipt: str, *, origin: str, index: int) -> dict[str, Any]:
    return {"type": PROOF_TYPE, "origin": origin, "index": index, "proof": receipt}


@dataclass(frozen=True)
class LogCheck:
    """The answer about the log proof: `included` (verified against the log's key),
    `absent` (the credential carries none yet), `log_key_unknown` (carried, not checked) or
    `not_carried` (the QR credential, certs.qr, never carries one)."""

    status: str
    origin: str | None = None
    index: int | None = None
    size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "origin": self.origin,
            "index": self.index,
            "size": self.size,
        }


def _invalid(en: str) -> DomainError:
    return DomainError(
        "tlog_proof_invalid",
        "证书所附透明日志证明无效",
        f"the certificate's transparency-log proof does not hold: {en}",
        status=422,
    )


def check(credential: Mapping[str, Any], log_verifiers: Sequence[NoteVerifier]) -> LogCheck:
    """Check the credential's log proof against the issuer's log keys (`log_verifiers`, empty
    when unknown). Raises DomainError `tlog_proof_invalid` when a carried proof is wrong: a
    forged checkpoint, a leaf not in the tree, or a leaf about another certificate."""
    raw = credential.get(CLAIM)
    if raw is None:
        return LogCheck("absent")
    if not (
        isinstance(raw, Mapping)
        and raw.get("type") == PROOF_TYPE
        and isinstance(raw.get("proof"), str)
        and isinstance(raw.get("origin"), str)
        and isinstance(raw.get("index"), int)
    ):
        raise _invalid("the tlogProof claim is malformed")
    origin, index, text = str(raw["origin"]), int(raw["index"]), str(raw["proof"])
    try:
        parsed = parse_proof(text)
    except FormatError as e:
        raise _invalid(str(e)) from None
    if parsed.index != index:
        raise _invalid("the proof is for another index")
    try:
        leaf = json.loads(parsed.extra)
    except ValueError:
        raise _invalid("the proof does not carry the leaf") from None
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    public = leaf.get("public") if isinstance(leaf, Mapping) else None
    if not (
        isinstance(public, Mapping)
        and leaf.get("type") == LEAF_TYPE
        and public.get("certificate_number") == subject.get("certificateNumber")
        and public.get("certificate_version") == subject.get("certificateVersion")
    ):
        raise _invalid("the leaf is not this certificate's issuance")
    if public.get("credential_sha256") != content_digest(credential):
        raise _invalid("the leaf commits to other content")
    if not log_verifiers:
        return LogCheck("log_key_unknown", origin=origin, index=index)
    try:
        # the tlog-proof's steps (ledger.proof.verify_proof), with the checkpoint's signature
        # check cached: certificates proved in one round share a checkpoint, and a bank
        # re-checking a loan book should not verify the same note thousands of times
        checkpoint = _open_checkpoint(parsed.checkpoint, tuple(log_verifiers), origin)
        merkle.verify_inclusion(
            merkle.leaf_hash(parsed.extra),
            parsed.index,
            checkpoint.size,
            parsed.proof,
            checkpoint.root_hash,
        )
    except VerificationError as e:
        raise _invalid(str(e)) from None
    return LogCheck("included", origin=origin, index=index, size=checkpoint.size)


@functools.lru_cache(maxsize=256)
def _open_checkpoint(note: str, verifiers: tuple[NoteVerifier, ...], origin: str) -> Checkpoint:
    """A verified checkpoint (only successes are cached: a failure raises)."""
    return open_checkpoint(note, verifiers, origin=origin)[0]
