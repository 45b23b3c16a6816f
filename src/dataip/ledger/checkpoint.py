"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed tree head as a note body.

::

    <origin>
    <tree size, decimal, no leading zeroes>
    <base64 RFC 6962 root hash>
    [extension lines…]

Signed and opened as a C2SP signed note (:mod:`dataip.ledger.note`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dataip.ledger._util import MAX_UINT64, b64decode_strict, b64encode, check_text, parse_decimal
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import HASH_SIZE
from dataip.ledger.note import NoteSignature, NoteSigner, NoteVerifier, open_note, sign_note

__all__ = ["Checkpoint", "open_checkpoint"]


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for what, line in [("origin", self.origin)] + [("extension", e) for e in self.extensions]:
            if not line or "\n" in line:
                raise ValueError(f"checkpoint {what} line must be non-empty and one line")
            check_text(line, f"checkpoint {what}")
        if not 0 <= self.size <= MAX_UINT64:
            raise ValueError(f"tree size {self.size} out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise ValueError("root hash must be 32 bytes")
        object.__setattr__(self, "extensions", tuple(self.extensions))

    def to_text(self) -> str:
        """The note text (ends with a newline)."""
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text strictly; raises :class:`FormatError`."""
        if not text.endswith("\n"):
            raise FormatError("checkpoint text must end with a newline")
        check_text(text, "checkpoint")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise FormatError("checkpoint needs origin, size and root hash lines")
        if any(not line for line in lines):
            raise FormatError("checkpoint lines must be non-empty")
        origin, size_text, root_text, *extensions = lines
        size = parse_decimal(size_text, "checkpoint tree size")
        root_hash = b64decode_strict(root_text, "checkpoint root hash")
        if len(root_hash) != HASH_SIZE:
            raise FormatError(f"checkpoint root hash is {len(root_hash)} bytes, not 32")
        return cls(origin, size, root_hash, tuple(extensions))

    def sign(self, signers: Sequence[NoteSigner]) -> str:
        """The checkpoint as a signed note."""
        return sign_note(self.to_text(), signers)


def open_checkpoint(
    note: str | bytes, verifiers: Iterable[NoteVerifier], *, origin: str | None = None
) -> tuple[Checkpoint, list[NoteSignature]]:
    """Verify a signed checkpoint with the log's key(s) and parse it.

    ``verifiers`` should be the log's own keys; signatures by other keys (e.g. witness
    cosignatures) are ignored here. If ``origin`` is given the origin line must equal it.
    Raises :class:`VerificationError`.
    """
    # 1. Verify the note signatures (at least one by a known key, none invalid).
    text, signatures = open_note(note, verifiers)
    # 2. Parse the body strictly.
    try:
        checkpoint = Checkpoint.parse(text)
    except FormatError as exc:
        raise VerificationError(f"malformed checkpoint: {exc}") from exc
    # 3. The origin must be the one expected.
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint, signatures
