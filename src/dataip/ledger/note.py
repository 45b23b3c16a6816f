"""C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys (RFC 8032).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> base64(uint32 key ID || signature)``. Keys are identified by (name, key ID);
the Ed25519 key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.

Key texts (compatible with golang.org/x/mod/sumdb/note)::

    verifier key:  <name>+<hex key ID>+base64(0x01 || 32-byte public key)
    signer key:    PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || 32-byte seed)

:func:`open_note` applies the spec's rules: signatures by unknown keys are ignored; every
signature by a known key must verify; at least one must; malformed notes are rejected; at most
:data:`MAX_SIGNATURES` signature lines and :data:`MAX_NOTE_SIZE` bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dataip.ledger._util import b64decode_strict, b64encode, check_text
from dataip.ledger.errors import FormatError, VerificationError

__all__ = [
    "ALG_ED25519",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "Note",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "Signer",
    "Verifier",
    "add_signatures",
    "check_signatures",
    "format_note",
    "generate_key",
    "key_id",
    "open_note",
    "parse_note",
    "parse_verifier_key",
    "sign_note",
    "validate_key_name",
]

ALG_ED25519 = 0x01
MAX_SIGNATURES = 100  # the spec requires accepting at least 16
MAX_NOTE_SIZE = 1 << 20  # bytes of UTF-8; room for 100 post-quantum signatures

_SIG_PREFIX = "— "  # U+2014 EM DASH, U+0020 SPACE
_PRIVATE_PREFIX = "PRIVATE+KEY+"


class NoteVerifier(Protocol):
    """A known key: verifies signatures over note text for one (name, key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


class NoteSigner(Protocol):
    """Produces the signature bytes (without the 4-byte key ID) over note text."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes: ...


def validate_key_name(name: str) -> None:
    """Key names are non-empty and contain no Unicode spaces and no ``+``."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise FormatError(f"invalid key name: {name[:80]!r}")
    check_text(name, "key name")


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || alg || public key)[:4]`` as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def parse_verifier_key(text: str) -> tuple[str, int, int, bytes]:
    """Split a vkey ``name+hex(keyid)+base64(alg || key)`` into (name, key ID, alg, key)."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise FormatError("verifier key must be name+keyid+key")
    name, hex_id, b64 = parts
    validate_key_name(name)
    if len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
        raise FormatError("verifier key ID must be 8 lowercase hex digits")
    raw = b64decode_strict(b64, "verifier key")
    if len(raw) < 2:
        raise FormatError("verifier key material is empty")
    return name, int(hex_id, 16), raw[0], raw[1:]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 (signature type 0x01) note verifier."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        validate_key_name(self.name)
        if len(self.public_key) != 32:
            raise ValueError("Ed25519 public keys are 32 bytes")

    @property
    def key_id(self) -> int:
        return key_id(self.name, ALG_ED25519, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_text(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + self.public_key)}"

    @classmethod
    def from_text(cls, text: str) -> Verifier:
        """Parse a vkey; the key ID must match the name and key."""
        name, kid, alg, key = parse_verifier_key(text)
        if alg != ALG_ED25519 or len(key) != 32:
            raise FormatError("not an Ed25519 (type 0x01) verifier key")
        verifier = cls(name, key)
        if verifier.key_id != kid:
            raise FormatError("verifier key ID does not match the key")
        return verifier


class Signer:
    """An Ed25519 (signature type 0x01) note signer. ``repr`` never shows the seed."""

    __slots__ = ("_key", "_name", "_public", "_seed")

    def __init__(self, name: str, seed: bytes) -> None:
        validate_key_name(name)
        if len(seed) != 32:
            raise ValueError("Ed25519 seeds are 32 bytes")
        self._name = name
        self._seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self._public = self._key.public_key().public_bytes_raw()

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_text(cls, text: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hexkeyid+base64(0x01 || seed)``."""
        if not text.startswith(_PRIVATE_PREFIX):
            raise FormatError("signer key must start with PRIVATE+KEY+")
        name, kid, alg, seed = parse_verifier_key(text[len(_PRIVATE_PREFIX) :])
        if alg != ALG_ED25519 or len(seed) != 32:
            raise FormatError("not an Ed25519 (type 0x01) signer key")
        signer = cls(name, seed)
        if signer.key_id != kid:
            raise FormatError("signer key ID does not match the key")
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def public_key(self) -> bytes:
        return self._public

    @property
    def key_id(self) -> int:
        return key_id(self._name, ALG_ED25519, self._public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def verifier(self) -> Verifier:
        return Verifier(self._name, self._public)

    def to_text(self) -> str:
        seed = b64encode(bytes([ALG_ED25519]) + self._seed)
        return f"{_PRIVATE_PREFIX}{self._name}+{self.key_id:08x}+{seed}"

    def __repr__(self) -> str:
        return f"Signer(name={self._name!r}, key_id={self.key_id:08x})"


def generate_key(name: str) -> tuple[str, str]:
    """A fresh Ed25519 key: ``(signer key text, verifier key text)``."""
    signer = Signer.generate(name)
    return signer.to_text(), signer.verifier().to_text()


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID, and the signature bytes after the key ID."""

    name: str
    key_id: int
    signature: bytes

    def to_line(self) -> str:
        raw = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_PREFIX}{self.name} {b64encode(raw)}\n"


@dataclass(frozen=True)
class Note:
    """A parsed (not yet verified) note: its text and its signature lines in order."""

    text: str
    signatures: tuple[NoteSignature, ...]


def _check_note_text(text: str) -> None:
    if not text.endswith("\n"):
        raise FormatError("note text must end with a newline")
    check_text(text, "note text")


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into text and signature lines, checking only syntax."""
    # 1. Size, encoding and character rules.
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_SIZE:
            raise FormatError("note too large")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("note is not valid UTF-8") from exc
    elif len(note) > MAX_NOTE_SIZE or len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_SIZE:
        raise FormatError("note too large")
    check_text(note, "note")
    # 2. The text ends at the last blank line; the signature block is non-empty and ends
    #    with a newline.
    split = note.rfind("\n\n")
    if split < 0:
        raise FormatError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise FormatError("note has no signature lines, or they do not end with a newline")
    # 3. Each line is "— <name> <base64(key ID || signature)>".
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise FormatError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures: list[NoteSignature] = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise FormatError("malformed signature line")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep:
            raise FormatError("malformed signature line")
        validate_key_name(name)
        raw = b64decode_strict(b64, "signature")
        if len(raw) < 5:
            raise FormatError("signature too short")
        signatures.append(NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    return Note(text, tuple(signatures))


def format_note(text: str, signatures: Iterable[NoteSignature]) -> str:
    """Assemble a signed note (no verification)."""
    _check_note_text(text)
    lines = "".join(s.to_line() for s in signatures)
    if not lines:
        raise ValueError("a note needs at least one signature")
    return f"{text}\n{lines}"


def _sign_all(text: str, signers: Iterable[NoteSigner]) -> list[NoteSignature]:
    message = text.encode("utf-8")
    out: list[NoteSignature] = []
    for signer in signers:
        validate_key_name(signer.name)
        out.append(NoteSignature(signer.name, signer.key_id, signer.sign(message)))
    return out


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Sign ``text`` (which must end in a newline) with each signer, in order."""
    _check_note_text(text)
    if not signers:
        raise ValueError("at least one signer is required")
    if len({(s.name, s.key_id) for s in signers}) != len(signers):
        raise ValueError("duplicate signer")
    return format_note(text, _sign_all(text, signers))


def add_signatures(note: str, signers: Sequence[NoteSigner]) -> str:
    """Append signatures (e.g. a witness cosignature) to an existing note.

    Existing signature lines are kept; one by the same (name, key ID) is replaced.
    """
    parsed = parse_note(note)
    new = _sign_all(parsed.text, signers)
    replaced = {(s.name, s.key_id) for s in new}
    kept = [s for s in parsed.signatures if (s.name, s.key_id) not in replaced]
    return format_note(parsed.text, [*kept, *new])


def _index(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, int], NoteVerifier]:
    known: dict[tuple[str, int], NoteVerifier] = {}
    for v in verifiers:
        ident = (v.name, v.key_id)
        if ident in known and known[ident] is not v:
            raise ValueError(f"two verifiers for key {v.name}+{v.key_id:08x}")
        known[ident] = v
    return known


def check_signatures(note: Note, verifiers: Iterable[NoteVerifier]) -> list[NoteSignature]:
    """Verify every signature by a known key; return them (possibly none).

    Signatures whose (name, key ID) matches no verifier are ignored; a known signature that
    fails makes the whole note fail (:class:`VerificationError`). Repeated identical lines are
    reported once.
    """
    known = _index(verifiers)
    message = note.text.encode("utf-8")
    verified: list[NoteSignature] = []
    for sig in note.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(message, sig.signature):
            raise VerificationError(f"invalid signature by {sig.name}+{sig.key_id:08x}")
        if sig not in verified:
            verified.append(sig)
    return verified


def open_note(
    note: str | bytes, verifiers: Iterable[NoteVerifier]
) -> tuple[str, list[NoteSignature]]:
    """Parse and verify a signed note; return its text and the verified signatures.

    Raises :class:`VerificationError` if the note is malformed, a signature by a known key is
    invalid, or no known key signed it.
    """
    # 1. Parse (size limits, UTF-8, no control characters, signature-line syntax).
    try:
        parsed = parse_note(note)
    except FormatError as exc:
        raise VerificationError(f"malformed note: {exc}") from exc
    # 2. Verify every signature by a known key; ignore unknown keys.
    verified = check_signatures(parsed, verifiers)
    # 3. At least one known key must have signed.
    if not verified:
        raise VerificationError("note has no signature by a known key")
    return parsed.text, verified
