"""Issue 21 §3: the C2SP tlog-witness add-checkpoint format and the witness's rule, against
the examples of the specs (tests/vectors/tlog/c2sp-specs) byte for byte.

The specs publish no keys for their example log and witnesses, so their signatures cannot be
verified: what the examples fix — and what is checked here — is every byte of the request
format, the response lines' form (a note signature line of a 4-byte key ID and a 72-byte
Ed25519 ``timestamped_signature``) and the message a cosigner signs."""

from __future__ import annotations

import base64
import hashlib

import pytest

from dataip.domain.errors import DomainError
from dataip.federation.witness import (
    MAX_BODY_BYTES,
    MAX_PROOF_LINES,
    AddCheckpoint,
    check_extends,
    parse_add_checkpoint,
    peek_checkpoint,
    size_body,
)
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import CosignatureSigner, cosigned_message
from dataip.ledger.merkle import EMPTY_ROOT
from dataip.ledger.note import NoteSignature, parse_note
from tests.support.federation import PeerLog, seeded
from tests.unit.ledger._vectors import C2SP


def example(spec: str, after: str) -> str:
    """The indented example block following ``after`` in a spec, as the bytes it shows: the
    lines indented by four spaces (and the blank lines between them), unindented."""
    text = (C2SP / spec).read_text("utf-8")
    out: list[str] = []
    for line in text[text.index(after) + len(after) :].split("\n")[1:]:
        if line and not line.startswith("    "):
            break
        out.append(line[4:])
    return "\n".join(out).strip("\n") + "\n"


REQUEST = example("tlog-witness.md", "Example request body:")
RESPONSE = example("tlog-witness.md", "Example response body:")


def test_i21_spec_request_example_parses_and_reencodes_byte_for_byte() -> None:
    body = REQUEST.encode("utf-8")
    request = parse_add_checkpoint(body)
    assert request.old_size == 20852014
    assert [base64.b64encode(h).decode() for h in request.proof] == [
        "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=",
        "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=",
        "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=",
        "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=",
    ]
    assert request.to_body() == body
    checkpoint = peek_checkpoint(request.checkpoint)
    assert checkpoint == Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    # "The submitted checkpoint MAY include multiple signatures"
    assert [s.name for s in parse_note(request.checkpoint).signatures] == [
        "example.com/behind-the-sofa"
    ] * 2


def test_i21_spec_response_example_is_what_a_witness_answers() -> None:
    # the client "MAY concatenate it to the checkpoint": a note with three cosignatures
    checkpoint = parse_note(parse_add_checkpoint(REQUEST.encode()).checkpoint).text
    note = parse_note(checkpoint + "\n" + RESPONSE)
    assert [s.name for s in note.signatures] == [
        "witness.example/w1",
        "witness.example/w1",
        "witness.example/w2",
    ]
    assert all(len(s.signature) == 8 + 64 for s in note.signatures)
    # this witness's own line for that checkpoint has exactly that form
    ours = CosignatureSigner("witness.example/w1", seeded("w1"))
    line = NoteSignature(ours.name, ours.key_id, ours.sign_at(checkpoint.encode(), 1679315147))
    assert len(line.to_line()) == len(RESPONSE.split("\n")[0]) + 1
    assert line.to_line().startswith("— witness.example/w1 ")


def test_i21_spec_cosignature_example_is_the_message_signed() -> None:
    text = (C2SP / "tlog-cosignature.md").read_text("utf-8")
    cp = Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    message = cosigned_message(cp.to_text(), 1679315147).decode()
    assert "\n".join("    " + line for line in message.splitlines()) in text
    # the example's cosignature line: key ID, then the timestamp of that message, then 64 bytes
    line = next(x for x in text.splitlines() if x.startswith("— witness.example.com/w1 "))
    raw = base64.b64decode(line.split(" ")[2])
    assert int.from_bytes(raw[4:12], "big") == 1679315147 and len(raw) == 4 + 8 + 64


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",  # no blank line, no checkpoint
        b"old 01\n\nx\n",  # leading zero
        b"old -1\n\nx\n",
        b"new 1\n\nx\n",
        b"old 1\nnot base64!\n\nx\n",
        b"old 1\n" + base64.b64encode(b"short") + b"\n\nx\n",
        b"old 2\n" + (base64.b64encode(bytes(32)) + b"\n") * (MAX_PROOF_LINES + 1) + b"\nx\n",
        b"old 1\n\n\xff\xfe\n",
        b"old 1\n\n" + b"x" * MAX_BODY_BYTES,
    ],
)
def test_i21_malformed_requests_are_400(body: bytes) -> None:
    with pytest.raises(DomainError) as info:
        request = parse_add_checkpoint(body)
        peek_checkpoint(request.checkpoint)
    assert (info.value.status, info.value.code) == (400, "witness_malformed_request")


def test_i21_a_note_that_is_no_checkpoint_is_400() -> None:
    with pytest.raises(DomainError, match="checkpoint"):
        peek_checkpoint("hello\n\n— someone AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")


def _log(size: int) -> PeerLog:
    from dataip.ledger.note import Signer

    log = PeerLog("p.example/log", Signer("p.example/log", seeded("p")))
    log.grow_to(size)
    return log


def _check(log: PeerLog, old: int, size: int, known: int, **kw: object) -> None:
    proof = kw.pop("proof", None)
    if proof is None:
        proof = log.tree.consistency_proof(old, size) if 0 < old < size else []
    check_extends(
        old_size=old,
        proof=proof,  # type: ignore[arg-type]
        checkpoint=kw.pop("checkpoint", None) or log.checkpoint(size),  # type: ignore[arg-type]
        known_size=known,
        known_root=log.tree.root(known) if known else None,
    )


def _code(fn: object, *args: object, **kw: object) -> tuple[int, str, dict[str, object]]:
    with pytest.raises(DomainError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value.status, info.value.code, info.value.details


def test_i21_witness_rule() -> None:
    log = _log(9)
    _check(log, 0, 4, 0)  # first sight: nothing to prove
    _check(log, 4, 9, 4)  # a valid RFC 6962 proof
    _check(log, 9, 9, 9)  # the same tree again
    assert _code(_check, log, 9, 4, 4)[:2] == (400, "witness_malformed_request")
    assert _code(_check, log, 0, 9, 4) == (409, "witness_old_size_mismatch", {"known_size": 4})
    assert _code(_check, log, 3, 9, 4)[2] == {"known_size": 4}
    bad = [hashlib.sha256(b"x").digest()] * len(log.tree.consistency_proof(4, 9))
    assert _code(_check, log, 4, 9, 4, proof=bad)[:2] == (422, "witness_inconsistent")
    assert _code(_check, log, 0, 4, 0, proof=bad[:1])[:2] == (422, "witness_inconsistent")
    other = Checkpoint(log.origin, 4, hashlib.sha256(b"fork").digest())
    assert _code(_check, log, 4, 4, 4, checkpoint=other)[:2] == (422, "witness_inconsistent")
    empty_ok = Checkpoint(log.origin, 0, EMPTY_ROOT)
    _check(log, 0, 0, 0, checkpoint=empty_ok)
    empty_bad = Checkpoint(log.origin, 0, hashlib.sha256(b"not empty").digest())
    assert _code(_check, log, 0, 0, 0, checkpoint=empty_bad)[:2] == (422, "witness_inconsistent")


def test_i21_size_body_and_round_trip() -> None:
    assert size_body(20852014) == b"20852014\n"
    log = _log(5)
    request = AddCheckpoint(2, tuple(log.tree.consistency_proof(2, 5)), log.note())
    assert parse_add_checkpoint(request.to_body()) == request
