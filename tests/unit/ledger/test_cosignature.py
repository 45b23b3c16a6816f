"""C2SP tlog-cosignature: Ed25519 cosignature/v1."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    cosign,
    cosigned_message,
    verified_cosignatures,
    verifier_from_text,
    verify_cosignatures,
)
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import NoteSignature, Signer, Verifier, parse_note
from tests.unit.ledger._vectors import C2SP

LOG = Signer("example.com/behind-the-sofa", bytes(32))
CP = Checkpoint(
    "example.com/behind-the-sofa",
    20852163,
    base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
)


def witness(name: str = "witness.example.com/w1", t: int = 1679315147) -> CosignatureSigner:
    seed = hashlib.sha256(name.encode()).digest()
    return CosignatureSigner(name, seed, clock=lambda: t)


def test_signed_message_matches_the_spec_example() -> None:
    spec = (C2SP / "tlog-cosignature.md").read_text()
    message = cosigned_message(CP.to_text(), 1679315147).decode()
    assert "\n".join("    " + line for line in message.splitlines()) in spec


def test_cosign_and_verify() -> None:
    w = witness()
    note = cosign(CP.sign([LOG]), w)
    # the log's own signature is still the one a checkpoint client checks
    assert open_checkpoint(note, [LOG.verifier()])[0] == CP
    found = verified_cosignatures(note, [w.verifier()])
    assert [(c.name, c.timestamp) for c in found] == [("witness.example.com/w1", 1679315147)]
    verify_cosignatures(note, [w.verifier()])
    # the signature is timestamp || Ed25519(cosigned message), and the key ID uses type 0x04
    sig = next(s for s in parse_note(note).signatures if s.name == w.name)
    assert sig.key_id == int.from_bytes(
        hashlib.sha256(w.name.encode() + b"\n\x04" + w.public_key).digest()[:4], "big"
    )
    assert int.from_bytes(sig.signature[:8], "big") == 1679315147
    assert len(sig.signature) == 72


def test_threshold() -> None:
    ws = [witness(f"w{i}.example") for i in range(3)]
    note = CP.sign([LOG])
    for w in ws[:2]:
        note = cosign(note, w)
    verifiers = [w.verifier() for w in ws]
    verify_cosignatures(note, verifiers, threshold=2)
    with pytest.raises(VerificationError, match="2 valid cosignatures, 3 required"):
        verify_cosignatures(note, verifiers, threshold=3)
    with pytest.raises(VerificationError):
        verify_cosignatures(CP.sign([LOG]), verifiers)


def test_bad_cosignatures_are_rejected() -> None:
    w = witness()
    note = cosign(CP.sign([LOG]), w)
    # tampered checkpoint
    with pytest.raises(VerificationError):
        verify_cosignatures(note.replace("20852163", "20852164"), [w.verifier()])
    # tampered timestamp
    parsed = parse_note(note)
    sig = parsed.signatures[-1]
    moved = NoteSignature(sig.name, sig.key_id, (1).to_bytes(8, "big") + sig.signature[8:])
    with pytest.raises(VerificationError):
        verify_cosignatures(note.replace(sig.to_line(), moved.to_line()), [w.verifier()])
    # timestamp above 2**63 - 1
    huge = NoteSignature(sig.name, sig.key_id, (2**63).to_bytes(8, "big") + sig.signature[8:])
    with pytest.raises(VerificationError):
        verify_cosignatures(note.replace(sig.to_line(), huge.to_line()), [w.verifier()])
    # a plain Ed25519 note signature by the same key is not a cosignature
    seed = hashlib.sha256(w.name.encode()).digest()
    plain = Signer(w.name, seed)
    note2 = CP.sign([LOG, plain])
    with pytest.raises(VerificationError):
        verify_cosignatures(note2, [w.verifier()])


def test_cosigner_clock_bounds() -> None:
    with pytest.raises(ValueError):
        witness(t=2**63).sign(CP.to_text().encode())
    with pytest.raises(ValueError):
        cosigned_message("x\n", -1)


def test_verifier_keys() -> None:
    w = witness()
    text = w.verifier().to_text()
    assert CosignatureVerifier.from_text(text) == w.verifier()
    assert verifier_from_text(text) == w.verifier()
    assert base64.b64decode(text.split("+", 2)[2])[0] == 0x04
    log_key = LOG.verifier().to_text()
    assert verifier_from_text(log_key) == LOG.verifier()
    with pytest.raises(FormatError):
        CosignatureVerifier.from_text(log_key)
    with pytest.raises(FormatError):
        Verifier.from_text(text)
    raw = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    material = base64.b64encode(bytes([7]) + raw).decode()
    odd = f"x+00000000+{material}"
    with pytest.raises(FormatError):
        verifier_from_text(odd)
