"""C2SP tlog-cosignature (c2sp.org/tlog-cosignature), Ed25519 ``cosignature/v1``.

A cosignature is a signed-note signature line on a checkpoint whose key ID is
``SHA-256(name || 0x0A || 0x04 || public key)[:4]`` and whose signature bytes are a
``timestamped_signature``: a big-endian uint64 POSIX timestamp followed by the 64-byte Ed25519
signature (RFC 8032) of::

    cosignature/v1
    time <timestamp>
    <the checkpoint note text, including extension lines>

The ML-DSA-44 variant (type 0x06) is not implemented.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dataip.ledger._util import MAX_UINT63, b64encode
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import (
    _PRIVATE_PREFIX,
    ALG_ED25519,
    Note,
    NoteVerifier,
    Verifier,
    add_signatures,
    check_signatures,
    key_id,
    parse_note,
    parse_verifier_key,
    validate_key_name,
)

__all__ = [
    "ALG_COSIGNATURE_V1",
    "Cosignature",
    "CosignatureSigner",
    "CosignatureVerifier",
    "cosign",
    "cosigned_message",
    "verified_cosignatures",
    "verifier_from_text",
    "verify_cosignatures",
]

ALG_COSIGNATURE_V1 = 0x04
_HEADER = "cosignature/v1\n"


def cosigned_message(note_text: str, timestamp: int) -> bytes:
    """The bytes an Ed25519 cosigner signs for ``note_text`` at ``timestamp``."""
    if not 0 <= timestamp <= MAX_UINT63:
        raise ValueError("cosignature timestamp must be within 0..2**63-1")
    return f"{_HEADER}time {timestamp}\n{note_text}".encode()


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: who, and the time it asserts."""

    name: str
    key_id: int
    timestamp: int


@dataclass(frozen=True)
class CosignatureVerifier:
    """Verifies Ed25519 ``cosignature/v1`` signatures (note signature type 0x04)."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        validate_key_name(self.name)
        if len(self.public_key) != 32:
            raise ValueError("Ed25519 public keys are 32 bytes")

    @property
    def key_id(self) -> int:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """``message`` is the note text; ``signature`` is a ``timestamped_signature``."""
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_UINT63:
            return False
        signed = cosigned_message(message.decode("utf-8"), timestamp)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature[8:], signed)
        except InvalidSignature:
            return False
        return True

    def to_text(self) -> str:
        key = b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{key}"

    @classmethod
    def from_text(cls, text: str) -> CosignatureVerifier:
        name, kid, alg, key = parse_verifier_key(text)
        if alg != ALG_COSIGNATURE_V1 or len(key) != 32:
            raise FormatError("not an Ed25519 cosignature (type 0x04) verifier key")
        verifier = cls(name, key)
        if verifier.key_id != kid:
            raise FormatError("verifier key ID does not match the key")
        return verifier


class CosignatureSigner:
    """An Ed25519 ``cosignature/v1`` signer; ``clock`` gives POSIX seconds (default now)."""

    __slots__ = ("_clock", "_key", "_name", "_public")

    def __init__(
        self, name: str, seed: bytes, clock: Callable[[], int] = lambda: int(time.time())
    ) -> None:
        validate_key_name(name)
        if len(seed) != 32:
            raise ValueError("Ed25519 seeds are 32 bytes")
        self._name = name
        self._key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
        self._public = self._key.public_key().public_bytes_raw()
        self._clock = clock

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_text(cls, text: str) -> CosignatureSigner:
        """Parse ``PRIVATE+KEY+name+hexkeyid+base64(0x04 || seed)`` (as :meth:`to_text`)."""
        if not text.startswith(_PRIVATE_PREFIX):
            raise FormatError("cosigner key must start with PRIVATE+KEY+")
        name, kid, alg, seed = parse_verifier_key(text[len(_PRIVATE_PREFIX) :])
        if alg != ALG_COSIGNATURE_V1 or len(seed) != 32:
            raise FormatError("not an Ed25519 cosignature/v1 (type 0x04) signer key")
        signer = cls(name, seed)
        if signer.key_id != kid:
            raise FormatError("cosigner key ID does not match the key")
        return signer

    def to_text(self) -> str:
        seed = b64encode(bytes([ALG_COSIGNATURE_V1]) + self._key.private_bytes_raw())
        return f"{_PRIVATE_PREFIX}{self._name}+{self.key_id:08x}+{seed}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def public_key(self) -> bytes:
        return self._public

    @property
    def key_id(self) -> int:
        return key_id(self._name, ALG_COSIGNATURE_V1, self._public)

    def sign(self, message: bytes) -> bytes:
        """``message`` is the checkpoint note text; returns a ``timestamped_signature``."""
        return self.sign_at(message, self._clock())

    def sign_at(self, message: bytes, timestamp: int) -> bytes:
        """As :meth:`sign`, for a timestamp the caller's clock gives (a witness's)."""
        signed = cosigned_message(message.decode("utf-8"), timestamp)
        return timestamp.to_bytes(8, "big") + self._key.sign(signed)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self._name, self._public)

    def __repr__(self) -> str:
        return f"CosignatureSigner(name={self._name!r}, key_id={self.key_id:08x})"


def cosign(note: str, signer: CosignatureSigner) -> str:
    """Add (or replace) ``signer``'s cosignature on a signed checkpoint note.

    The caller must already have verified the log's signature and the consistency of the
    checkpoint with everything it has cosigned before (tlog-witness).
    """
    return add_signatures(note, [signer])


def verifier_from_text(text: str) -> Verifier | CosignatureVerifier:
    """Parse a vkey of type 0x01 (note signature) or 0x04 (cosignature/v1)."""
    _, _, alg, _ = parse_verifier_key(text)
    if alg == ALG_ED25519:
        return Verifier.from_text(text)
    if alg == ALG_COSIGNATURE_V1:
        return CosignatureVerifier.from_text(text)
    raise FormatError(f"unsupported verifier key type 0x{alg:02x}")


def _parse(note: str | bytes | Note) -> Note:
    if isinstance(note, Note):
        return note
    try:
        return parse_note(note)
    except FormatError as exc:
        raise VerificationError(f"malformed note: {exc}") from exc


def verified_cosignatures(
    note: str | bytes | Note, cosigners: Iterable[NoteVerifier]
) -> list[Cosignature]:
    """The valid cosignatures on ``note`` by the given cosigners (possibly none).

    Raises :class:`VerificationError` if the note is malformed or a known cosigner's
    signature is invalid. Does not check the log's own signature.
    """
    parsed = _parse(note)
    return [
        Cosignature(s.name, s.key_id, int.from_bytes(s.signature[:8], "big"))
        for s in check_signatures(parsed, cosigners)
    ]


def verify_cosignatures(
    note: str | bytes | Note, cosigners: Sequence[NoteVerifier], *, threshold: int = 1
) -> None:
    """Require valid cosignatures by at least ``threshold`` distinct cosigners.

    Returns None; raises :class:`VerificationError`.
    """
    # 1. Parse the note and verify every cosignature by a known cosigner.
    found = verified_cosignatures(note, cosigners)
    # 2. Count distinct cosigners.
    distinct = {(c.name, c.key_id) for c in found}
    if len(distinct) < threshold:
        raise VerificationError(f"{len(distinct)} valid cosignatures, {threshold} required")
