"""C2SP tlog-witness (c2sp.org/tlog-witness) ``add-checkpoint``: the wire format and the
witness's rule (见证: a witness never cosigns two views of one log).

Request body (``POST <submission prefix>/add-checkpoint``)::

    old <size of the checkpoint the witness last cosigned for this origin>
    <consistency proof hash, base64>          (0 to 63 lines)
    <empty line>
    <the signed checkpoint note>

Answers: 200 with the cosignature line(s); 400 malformed, or old size above the checkpoint's;
403 no valid signature by the listed log key; 404 unknown origin; 409 old size is not what the
witness has (body ``<known size>\\n``, ``text/x.tlog.size``); 422 inconsistent (bad proof,
same size with another root, a non-empty proof from 0, a size-0 tree that is not empty).

Everything here is pure: the service keeps the last cosigned (size, root) per origin and
applies :func:`check_extends` and the update in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataip.domain.errors import DomainError
from dataip.ledger._util import b64decode_strict, b64encode, parse_decimal
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from dataip.ledger.note import parse_note

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_PROOF_LINES",
    "SIZE_MEDIA_TYPE",
    "AddCheckpoint",
    "check_extends",
    "parse_add_checkpoint",
    "peek_checkpoint",
    "size_body",
]

SIZE_MEDIA_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63  # tlog-witness: "The client MUST NOT send more than 63"
# A checkpoint with a handful of signatures is well under a kilobyte; 64 KiB leaves room for
# many (post-quantum) cosignatures and refuses anything else before it is parsed.
MAX_BODY_BYTES = 64 * 1024


def malformed(en: str) -> DomainError:
    return DomainError(
        "witness_malformed_request",
        "见证请求格式错误",
        f"malformed add-checkpoint request: {en}",
        status=400,
    )


def inconsistent(en: str) -> DomainError:
    return DomainError(
        "witness_inconsistent",
        "检查点与见证方已副署的检查点不一致",
        f"the checkpoint is not consistent with what this witness cosigned: {en}",
        status=422,
    )


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request (the checkpoint not yet verified)."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, exactly as sent

    def to_body(self) -> bytes:
        lines = [f"old {self.old_size}", *(b64encode(h) for h in self.proof)]
        return ("\n".join(lines) + "\n\n" + self.checkpoint).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse a request body strictly; raises ``witness_malformed_request`` (400)."""
    if len(body) > MAX_BODY_BYTES:
        raise malformed(f"body over {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise malformed("no empty line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old "):
        raise malformed("the first line must be `old <size>`")
    try:
        old = parse_decimal(first[4:], "old size")
        proof = tuple(b64decode_strict(line, "proof line") for line in lines[1:])
    except FormatError as exc:
        raise malformed(str(exc)) from None
    if len(proof) > MAX_PROOF_LINES:
        raise malformed(f"more than {MAX_PROOF_LINES} consistency proof lines")
    if any(len(h) != HASH_SIZE for h in proof):
        raise malformed("a consistency proof line is not a 32-byte hash")
    return AddCheckpoint(old, proof, note)


def peek_checkpoint(note: str) -> Checkpoint:
    """The checkpoint's body before its signature is checked (to find the origin's keys).

    Raises ``witness_malformed_request``: a note that is not a signed checkpoint is 400.
    """
    try:
        parsed = parse_note(note)
        return Checkpoint.parse(parsed.text)
    except FormatError as exc:
        raise malformed(f"the checkpoint: {exc}") from None


def size_body(size: int) -> bytes:
    """The 409 body: the size of the latest cosigned checkpoint, decimal, newline."""
    return f"{size}\n".encode("ascii")


def check_extends(
    *,
    old_size: int,
    proof: Sequence[bytes],
    checkpoint: Checkpoint,
    known_size: int,
    known_root: bytes | None,
) -> None:
    """The witness's rule, in the spec's order. ``known_size``/``known_root``: the latest
    checkpoint this witness cosigned for the origin (0 and None if none).

    Raises ``witness_malformed_request`` (400), ``witness_old_size_mismatch`` (409, details
    ``known_size``) or ``witness_inconsistent`` (422); returns None when it may cosign.
    """
    # 1. The old size cannot be above the new one (400).
    if old_size > checkpoint.size:
        raise malformed(f"old size {old_size} is above the checkpoint size {checkpoint.size}")
    # 2. The old size must be what this witness last cosigned (409 with the known size).
    if old_size != known_size:
        raise DomainError(
            "witness_old_size_mismatch",
            f"见证方最近副署的该日志树大小为 {known_size}，而非 {old_size}",
            f"this witness last cosigned size {known_size} of this log, not {old_size}",
            status=409,
            details={"known_size": known_size},
        )
    # 3. A tree of size zero has the empty root (RFC 6962 §2.1).
    if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        raise inconsistent("a tree of size 0 must have the empty root")
    # 4. From zero nothing needs proving: the proof is empty.
    if old_size == 0:
        if proof:
            raise inconsistent("a consistency proof from size 0 must be empty")
        return
    assert known_root is not None  # a known size above zero has its root
    # 5. Same size: same root (a different root is a fork: two views of one log).
    if old_size == checkpoint.size:
        if proof or checkpoint.root_hash != known_root:
            raise inconsistent(f"another root for size {old_size}")
        return
    # 6. Otherwise the RFC 9162 §2.1.4.2 consistency proof from the known tree.
    try:
        verify_consistency(old_size, checkpoint.size, proof, known_root, checkpoint.root_hash)
    except VerificationError as exc:
        raise inconsistent(str(exc)) from None
