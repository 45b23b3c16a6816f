"""C2SP tlog-checkpoint: strict text format and signing via signed notes."""

from __future__ import annotations

import base64

import pytest

from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import Signer, add_signatures, parse_note
from tests.unit.ledger._vectors import C2SP

ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SIGNER = Signer(name="dataip.example/log", seed=bytes(range(32)))


def test_spec_example_parses_and_round_trips() -> None:
    spec = (C2SP / "tlog-checkpoint.md").read_text()
    assert SPEC_TEXT in spec
    cp = Checkpoint.parse(SPEC_TEXT)
    assert cp == Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    assert cp.to_text() == SPEC_TEXT
    # the signed example in the spec is a well-formed note around the same text
    block = spec.split("```")[1].lstrip("\n")
    assert parse_note(block).text == SPEC_TEXT


@pytest.mark.parametrize(
    "cp",
    [
        Checkpoint("o", 0, merkle.EMPTY_ROOT),
        Checkpoint("dataip.example/log", 2**64 - 1, ROOT, ("ext one", "ext+two — ünï")),
        Checkpoint("origin with spaces", 1, ROOT),
    ],
)
def test_round_trip(cp: Checkpoint) -> None:
    assert Checkpoint.parse(cp.to_text()) == cp
    note = cp.sign([SIGNER])
    assert open_checkpoint(note, [SIGNER.verifier()])[0] == cp


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "o\n1\n",  # too few lines
        "o\n1\n" + base64.b64encode(ROOT).decode(),  # no final newline
        "\n1\n" + base64.b64encode(ROOT).decode() + "\n",  # empty origin
        "o\n01\n" + base64.b64encode(ROOT).decode() + "\n",  # leading zero
        "o\n+1\n" + base64.b64encode(ROOT).decode() + "\n",
        "o\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
        "o\n 1\n" + base64.b64encode(ROOT).decode() + "\n",
        "o\n1_0\n" + base64.b64encode(ROOT).decode() + "\n",
        "o\n١\n" + base64.b64encode(ROOT).decode() + "\n",  # Arabic-Indic digit
        "o\n18446744073709551616\n" + base64.b64encode(ROOT).decode() + "\n",  # > uint64
        "o\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n",  # 31-byte root
        "o\n1\n" + base64.b64encode(ROOT + b"\0").decode() + "\n",
        "o\n1\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n",  # unpadded
        "o\n1\n" + base64.urlsafe_b64encode(b"\xff" * 32).decode() + "\n",  # URL alphabet
        "o\n1\n" + base64.b64encode(ROOT).decode() + "\n\n",  # empty extension line
        "o\n1\n" + base64.b64encode(ROOT).decode() + "\next\n\n",
        "o\n1\n" + base64.b64encode(ROOT).decode() + " \n",  # trailing space
        "o\r\n1\n" + base64.b64encode(ROOT).decode() + "\n",  # control character
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(FormatError):
        Checkpoint.parse(text)


def test_constructor_validation() -> None:
    for args in [("", 1, ROOT), ("a\nb", 1, ROOT), ("o", -1, ROOT), ("o", 1, ROOT[:5])]:
        with pytest.raises(ValueError):
            Checkpoint(*args)
    with pytest.raises(ValueError):
        Checkpoint("o", 1, ROOT, ("",))


def test_open_checkpoint() -> None:
    cp = Checkpoint("dataip.example/log", 5, ROOT)
    note = cp.sign([SIGNER])
    verifier = SIGNER.verifier()
    assert open_checkpoint(note, [verifier], origin="dataip.example/log")[0] == cp
    with pytest.raises(VerificationError, match="origin"):
        open_checkpoint(note, [verifier], origin="other.example/log")
    with pytest.raises(VerificationError):
        open_checkpoint(note, [Signer.generate("dataip.example/log").verifier()])
    tampered = note.replace("\n5\n", "\n6\n")
    with pytest.raises(VerificationError):
        open_checkpoint(tampered, [verifier])
    # witness signatures by unknown keys do not matter
    cosigned = add_signatures(note, [Signer.generate("witness.example")])
    assert open_checkpoint(cosigned, [verifier])[0] == cp
    # a validly signed note that is not a checkpoint
    from dataip.ledger.note import sign_note

    with pytest.raises(VerificationError, match="malformed checkpoint"):
        open_checkpoint(sign_note("just text\n", [SIGNER]), [verifier])
