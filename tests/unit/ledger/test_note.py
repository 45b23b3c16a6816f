"""C2SP signed-note: the spec's example, the Go reference example, key texts, and the
rules for opening notes."""

from __future__ import annotations

import base64

import pytest

from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import (
    MAX_SIGNATURES,
    NoteSignature,
    Signer,
    Verifier,
    add_signatures,
    generate_key,
    key_id,
    open_note,
    parse_note,
    sign_note,
)
from tests.unit.ledger._vectors import C2SP

# golang.org/x/mod/sumdb/note documentation example (Ed25519 is deterministic).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_c2sp_signed_note_example_verifies() -> None:
    vkey = (C2SP / "signed-note-example.vkey").read_text().strip()
    note = (C2SP / "signed-note-example.note").read_bytes()
    verifier = Verifier.from_text(vkey)
    assert verifier.name == "example.com/foo" and verifier.key_id == 0x530D903A
    assert verifier.to_text() == vkey
    text, sigs = open_note(note, [verifier])
    assert text == "This is an example message.\n"
    assert [(s.name, s.key_id) for s in sigs] == [("example.com/foo", 0x530D903A)]
    # The same note as str, and the vkey text as printed in the spec.
    assert open_note(note.decode(), [verifier])[0] == text
    spec = (C2SP / "signed-note.md").read_text()
    assert vkey in spec


def test_c2sp_example_rejects_a_changed_text() -> None:
    verifier = Verifier.from_text((C2SP / "signed-note-example.vkey").read_text().strip())
    note = (C2SP / "signed-note-example.note").read_text()
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(note.replace("example message", "example massage"), [verifier])


def test_go_reference_example_signs_byte_for_byte() -> None:
    signer = Signer.from_text(GO_SKEY)
    assert signer.to_text() == GO_SKEY
    assert signer.verifier().to_text() == GO_VKEY
    assert f"{signer.key_id:08x}" == "c74f20a3"
    assert sign_note(GO_TEXT, [signer]) == GO_NOTE
    assert open_note(GO_NOTE, [Verifier.from_text(GO_VKEY)])[0] == GO_TEXT
    assert "PRIVATE" not in repr(signer) and "AYEK" not in repr(signer)


def test_generate_key_round_trip() -> None:
    skey, vkey = generate_key("dataip.example/log")
    signer, verifier = Signer.from_text(skey), Verifier.from_text(vkey)
    assert signer.verifier() == verifier
    assert verifier.key_id == key_id("dataip.example/log", 1, verifier.public_key)
    note = sign_note("hello\n\nworld\n", [signer])
    text, sigs = open_note(note, [verifier])
    assert text == "hello\n\nworld\n" and len(sigs) == 1


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # upper-case
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # bad base64
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",  # trailing bits
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # algorithm
        GO_SKEY,
    ],
)
def test_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(FormatError):
        Verifier.from_text(vkey)


@pytest.mark.parametrize(
    "skey",
    [
        GO_VKEY,
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz+",
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    ],
)
def test_bad_signer_keys(skey: str) -> None:
    with pytest.raises(FormatError):
        Signer.from_text(skey)


def test_signer_key_validation() -> None:
    for name in ["", "a b", "a+b", "a\u00a0b", "a\u3000b", "a\tb"]:
        with pytest.raises(ValueError):
            Signer(name, bytes(32))
    with pytest.raises(ValueError):
        Signer("ok", bytes(31))
    with pytest.raises(ValueError):
        Verifier("ok", bytes(33))


# --- opening rules ------------------------------------------------------------------------


PETER = Verifier.from_text(GO_VKEY)
SIG_LINE = GO_NOTE[len(GO_TEXT) + 1 :]


def _sig_line(name: str, kid: int, sig: bytes) -> str:
    return NoteSignature(name, kid, sig).to_line()


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signatures
        GO_TEXT + "\n",  # blank line but no signatures
        GO_TEXT + SIG_LINE,  # no blank line
        GO_NOTE[:-1],  # no final newline
        GO_NOTE + "\n",  # trailing blank line
        GO_NOTE + "garbage\n",  # trailing garbage
        GO_NOTE.replace("— ", "- "),  # hyphen, not em dash
        GO_NOTE.replace("— ", "—"),
        GO_NOTE.replace("— PeterNeumann ", "— PeterNeumann"),
        GO_NOTE.replace("— PeterNeumann ", "—  PeterNeumann "),
        GO_NOTE.replace("JnAM=", "JnAM"),  # unpadded base64
        GO_NOTE.replace("JnAM=", "JnAN="),  # non-canonical trailing bits
        GO_NOTE.replace("x08go", "x08g!"),
        GO_NOTE.replace("then", "\tthen"),  # control character
        GO_NOTE.replace("then", "\rthen"),
        GO_NOTE.replace("then", "\x00then"),
        GO_TEXT + "\n" + _sig_line("PeterNeumann", 0xC74F20A3, b""),  # too short
        GO_TEXT + "\n" + "— Peter+Neumann " + SIG_LINE.split(" ")[2],
        "\n" + SIG_LINE,
        "",
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(VerificationError):
        open_note(note, [PETER])
    with pytest.raises(FormatError):
        parse_note(note)


def test_invalid_utf8_and_oversize_are_rejected() -> None:
    with pytest.raises(VerificationError):
        open_note(GO_NOTE.encode().replace(b"If", b"I\xff"), [PETER])
    with pytest.raises(VerificationError, match="too large"):
        open_note("x" * (1 << 20) + GO_NOTE, [PETER])
    with pytest.raises(VerificationError):
        open_note(GO_NOTE.replace("If", "I\ud800"), [PETER])


def test_unknown_keys_are_ignored_but_one_known_is_required() -> None:
    other = Signer.generate("PeterNeumann")  # same name, different key ID
    stranger = Signer.generate("stranger.example")
    note = add_signatures(GO_NOTE, [other, stranger])
    text, sigs = open_note(note, [PETER])
    assert text == GO_TEXT and [s.name for s in sigs] == ["PeterNeumann"]
    with pytest.raises(VerificationError, match="no signature by a known key"):
        open_note(sign_note(GO_TEXT, [other, stranger]), [PETER])
    with pytest.raises(VerificationError, match="no signature by a known key"):
        open_note(GO_NOTE, [])
    # Same key ID, different name: unknown as well.
    forged = GO_TEXT + "\n" + SIG_LINE.replace("PeterNeumann", "PeterNeumann2")
    with pytest.raises(VerificationError, match="no signature by a known key"):
        open_note(forged, [PETER])


def test_a_bad_signature_by_a_known_key_rejects_the_note() -> None:
    bad = _sig_line("PeterNeumann", PETER.key_id, bytes(64))
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(GO_NOTE + bad, [PETER])
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(GO_TEXT + "\n" + bad + SIG_LINE, [PETER])
    short = _sig_line("PeterNeumann", PETER.key_id, bytes(10))
    with pytest.raises(VerificationError):
        open_note(GO_NOTE + short, [PETER])


def test_repeated_signature_is_reported_once() -> None:
    _, sigs = open_note(GO_NOTE + SIG_LINE, [PETER])
    assert len(sigs) == 1


def test_signature_limits() -> None:
    signers = [Signer.generate(f"w{i}.example") for i in range(16)]
    note = sign_note(GO_TEXT, signers)
    _, sigs = open_note(note, [s.verifier() for s in signers])
    assert len(sigs) == 16  # the spec's minimum
    filler = "".join(_sig_line(f"u{i}", i, bytes(64)) for i in range(MAX_SIGNATURES))
    with pytest.raises(VerificationError, match="more than"):
        open_note(GO_NOTE + filler, [PETER])
    open_note(GO_NOTE + filler[: filler.index("— u99 ")], [PETER])


def test_sign_note_preconditions() -> None:
    signer = Signer.from_text(GO_SKEY)
    with pytest.raises(ValueError):
        sign_note("no newline", [signer])
    with pytest.raises(ValueError):
        sign_note("tab\there\n", [signer])
    with pytest.raises(ValueError):
        sign_note(GO_TEXT, [])
    with pytest.raises(ValueError):
        sign_note(GO_TEXT, [signer, signer])


def test_parse_and_add_signatures_round_trip() -> None:
    parsed = parse_note(GO_NOTE)
    assert parsed.text == GO_TEXT and len(parsed.signatures) == 1
    sig = parsed.signatures[0]
    assert sig.to_line() == SIG_LINE
    assert base64.b64decode(SIG_LINE.split(" ")[2])[4:] == sig.signature
    # re-signing with the same key replaces, not duplicates
    assert add_signatures(GO_NOTE, [Signer.from_text(GO_SKEY)]) == GO_NOTE
