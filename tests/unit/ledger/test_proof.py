"""C2SP tlog-proof receipts."""

from __future__ import annotations

import base64
import re

import pytest

from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import MerkleTree
from dataip.ledger.note import Signer
from dataip.ledger.proof import HEADER, TlogProof, format_proof, parse_proof, verify_proof
from tests.unit.ledger._vectors import C2SP

ORIGIN = "dataip.example/log"
LOG = Signer(ORIGIN, bytes(range(32)))
ENTRIES = [f"event {i}".encode() for i in range(1000)]
TREE = MerkleTree.from_data(ENTRIES)


def receipt(
    index: int, size: int = 1000, extra: bytes = b"", signers: list[Signer] | None = None
) -> str:
    cp = Checkpoint(ORIGIN, size, TREE.root(size)).sign(signers or [LOG])
    return format_proof(index, TREE.inclusion_proof(index, size), cp, extra=extra)


def test_spec_example_is_parsed() -> None:
    spec = (C2SP / "tlog-proof.md").read_text()
    example = spec.split("```")[1].lstrip("\n")
    # the spec elides signature bytes with "[...]"; substitute valid base64 to parse the rest
    filler = base64.b64encode(bytes(72)).decode()
    example = re.sub(r"^(— \S+) \S+$", rf"\1 {filler}", example, flags=re.M)
    parsed = parse_proof(example)
    assert parsed.index == 73894
    assert len(parsed.proof) == 5
    assert parsed.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert parsed.checkpoint.startswith("example.com/fancylog\n109482\n")


@pytest.mark.parametrize("index", [0, 1, 500, 999])
def test_round_trip_and_verify(index: int) -> None:
    text = receipt(index, extra=b"ctx" if index % 2 else b"")
    parsed = parse_proof(text)
    assert parsed.index == index
    assert format_proof(parsed.index, parsed.proof, parsed.checkpoint, extra=parsed.extra) == text
    verify_proof(text, [LOG.verifier()], leaf_data=ENTRIES[index], origin=ORIGIN)
    verify_proof(text, [LOG.verifier()], leaf_hash=merkle.leaf_hash(ENTRIES[index]))


def test_single_entry_tree_has_no_proof_lines() -> None:
    text = receipt(0, size=1)
    assert text.startswith(f"{HEADER}\nindex 0\n\n{ORIGIN}\n1\n")
    verify_proof(text, [LOG.verifier()], leaf_data=ENTRIES[0])


def test_verification_failures() -> None:
    text = receipt(7)
    v = [LOG.verifier()]
    with pytest.raises(VerificationError):
        verify_proof(text, v, leaf_data=ENTRIES[8])
    with pytest.raises(VerificationError):
        verify_proof(text, v, leaf_data=ENTRIES[7], origin="other.example/log")
    with pytest.raises(VerificationError):
        verify_proof(text, [Signer.generate(ORIGIN).verifier()], leaf_data=ENTRIES[7])
    with pytest.raises(VerificationError):
        verify_proof(text.replace("index 7", "index 6"), v, leaf_data=ENTRIES[7])
    with pytest.raises(VerificationError, match="malformed"):
        verify_proof("garbage", v, leaf_data=ENTRIES[7])
    lines = text.split("\n")
    lines[2] = merkle.EMPTY_ROOT.hex()[:43] + "="
    with pytest.raises(VerificationError):
        verify_proof("\n".join(lines), v, leaf_data=ENTRIES[7])
    with pytest.raises(TypeError):
        verify_proof(text, v)
    with pytest.raises(TypeError):
        verify_proof(text, v, leaf_data=b"", leaf_hash=bytes(32))


def test_witness_policy() -> None:
    w = CosignatureSigner("witness.example", bytes(32), clock=lambda: 1_700_000_000)
    text = receipt(3)
    parsed = parse_proof(text)
    witnessed = format_proof(parsed.index, parsed.proof, cosign(parsed.checkpoint, w))
    v = [LOG.verifier()]
    verify_proof(witnessed, v, leaf_data=ENTRIES[3], cosigners=[w.verifier()], threshold=1)
    with pytest.raises(VerificationError, match="cosignatures"):
        verify_proof(text, v, leaf_data=ENTRIES[3], cosigners=[w.verifier()], threshold=1)


GOOD = receipt(5, extra=b"x")


@pytest.mark.parametrize(
    "text",
    [
        "",
        GOOD.replace(HEADER, "c2sp.org/tlog-proof@v2"),
        GOOD.replace("extra eA==", "extra "),  # empty extra must be omitted
        GOOD.replace("extra eA==", "extra eA"),
        GOOD.replace("extra eA==\n", ""),  # still fine: see below
        GOOD.replace("index 5", "index 05"),
        GOOD.replace("index 5", "index  5"),
        GOOD.replace("index 5", "index"),
        GOOD.replace("index 5", "Index 5"),
        GOOD.replace("extra eA==\nindex 5", "index 5\nextra eA=="),
        GOOD.split("\n\n")[0],  # no checkpoint
        GOOD.split("\n\n")[0] + "\n\n",
        GOOD + "trailing garbage\n",
        GOOD.replace("index 5\n", "index 5\nAAAA\n"),  # short hash
        GOOD.replace("index 5\n", "index 5\n" + "A" * 43 + "=\n" + "=\n"),
    ],
)
def test_malformed_receipts(text: str) -> None:
    if "extra" not in text and text.startswith(HEADER) and text == GOOD.replace("extra eA==\n", ""):
        assert parse_proof(text).extra == b""
        return
    with pytest.raises(FormatError):
        parse_proof(text)


def test_format_preconditions() -> None:
    cp = Checkpoint(ORIGIN, 1, TREE.root(1)).sign([LOG])
    with pytest.raises(ValueError):
        format_proof(-1, [], cp)
    with pytest.raises(ValueError):
        format_proof(0, [b"short"], cp)
    with pytest.raises(ValueError):
        format_proof(0, [], "not a note\n")
    assert TlogProof(0, (), cp) == parse_proof(format_proof(0, [], cp))
