"""C2SP tlog-proof (c2sp.org/tlog-proof@v1): offline-verifiable inclusion receipts.

::

    c2sp.org/tlog-proof@v1
    [extra <base64 opaque data>]
    index <decimal, no leading zeroes>
    <base64 inclusion-proof hash, leaf's sibling first>…
    <empty line>
    <signed checkpoint note, verbatim>

Verification follows the spec's four steps: leaf hash, checkpoint signature and origin,
cosignatures (optional policy), RFC 6962 inclusion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dataip.ledger import merkle
from dataip.ledger._util import b64decode_strict, b64encode, parse_decimal
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.cosignature import verify_cosignatures
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import HASH_SIZE
from dataip.ledger.note import MAX_NOTE_SIZE, NoteVerifier, parse_note

__all__ = ["HEADER", "TlogProof", "format_proof", "parse_proof", "verify_proof"]

HEADER = "c2sp.org/tlog-proof@v1"
_MAX_PROOF_HASHES = 64  # uint64 tree sizes


@dataclass(frozen=True)
class TlogProof:
    """A parsed receipt. ``checkpoint`` is the signed checkpoint note text, unverified."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "proof", tuple(self.proof))


def format_proof(
    index: int, proof: Sequence[bytes], checkpoint_note: str, *, extra: bytes = b""
) -> str:
    """Assemble a tlog-proof; empty ``extra`` omits the extra line."""
    if index < 0:
        raise ValueError("index must be non-negative")
    if len(proof) > _MAX_PROOF_HASHES or any(len(h) != HASH_SIZE for h in proof):
        raise ValueError("inclusion proof must be at most 64 hashes of 32 bytes")
    parse_note(checkpoint_note)  # must be a well-formed signed note
    lines = [HEADER]
    if extra:
        lines.append(f"extra {b64encode(extra)}")
    lines.append(f"index {index}")
    lines.extend(b64encode(h) for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint_note


def parse_proof(text: str) -> TlogProof:
    """Parse a tlog-proof strictly; raises :class:`FormatError`."""
    if len(text) > 2 * MAX_NOTE_SIZE:
        raise FormatError("proof too large")
    head, sep, checkpoint = text.partition("\n\n")
    if not sep or not checkpoint:
        raise FormatError("proof has no empty line followed by a checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise FormatError(f"proof must start with {HEADER}")
    pos = 1
    extra = b""
    if pos < len(lines) and lines[pos].startswith("extra "):
        extra = b64decode_strict(lines[pos][len("extra ") :], "proof extra data")
        if not extra:
            raise FormatError("empty extra data must be omitted")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        raise FormatError("proof has no index line")
    index = parse_decimal(lines[pos][len("index ") :], "proof index")
    hashes: list[bytes] = []
    for line in lines[pos + 1 :]:
        digest = b64decode_strict(line, "inclusion proof hash")
        if len(digest) != HASH_SIZE:
            raise FormatError(f"inclusion proof hash is {len(digest)} bytes, not 32")
        hashes.append(digest)
    if len(hashes) > _MAX_PROOF_HASHES:
        raise FormatError("inclusion proof too long")
    parse_note(checkpoint)
    return TlogProof(index, tuple(hashes), checkpoint, extra)


def verify_proof(
    receipt: str,
    verifiers: Iterable[NoteVerifier],
    *,
    leaf_data: bytes | None = None,
    leaf_hash: bytes | None = None,
    origin: str | None = None,
    cosigners: Sequence[NoteVerifier] = (),
    threshold: int = 0,
) -> Checkpoint:
    """Verify a tlog-proof for a leaf given as ``leaf_data`` or as its RFC 6962 ``leaf_hash``.

    ``verifiers`` are the log's keys; ``origin``, if given, must be the checkpoint origin;
    at least ``threshold`` of ``cosigners`` must have cosigned the checkpoint. Returns the
    verified checkpoint; raises :class:`VerificationError`.
    """
    # 1. Compute the leaf hash.
    if leaf_data is not None and leaf_hash is not None:
        raise TypeError("give exactly one of leaf_data and leaf_hash")
    if leaf_data is not None:
        expected_leaf = merkle.leaf_hash(leaf_data)
    elif leaf_hash is not None:
        expected_leaf = leaf_hash
    else:
        raise TypeError("give exactly one of leaf_data and leaf_hash")
    try:
        parsed = parse_proof(receipt)
    except FormatError as exc:
        raise VerificationError(f"malformed proof: {exc}") from exc
    # 2. The checkpoint is signed by the log and has the expected origin.
    checkpoint, _ = open_checkpoint(parsed.checkpoint, verifiers, origin=origin)
    # 3. Enough known witnesses cosigned it.
    if threshold:
        verify_cosignatures(parsed.checkpoint, cosigners, threshold=threshold)
    # 4. The inclusion proof binds the leaf hash to the checkpoint's root hash.
    merkle.verify_inclusion(
        expected_leaf, parsed.index, checkpoint.size, parsed.proof, checkpoint.root_hash
    )
    return checkpoint
