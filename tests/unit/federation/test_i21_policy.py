"""Issue 21 §4: C2SP tlog-policy — parsing per the spec, and whether a cosigned checkpoint
meets the quorum (real Ed25519 keys and cosignatures throughout)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from dataip.federation.policy import (
    NONE,
    PolicyError,
    check,
    parse_policy,
    policy_text_from_registries,
)
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.cosignature import CosignatureSigner, cosign
from dataip.ledger.errors import VerificationError
from dataip.ledger.note import Signer, parse_note

SPEC = Path(__file__).parents[2] / "vectors/tlog/c2sp-specs/tlog-policy.md"
ORIGIN = "gz.example.cn/log"


def _spec_example() -> str:
    """The spec's example policy, byte for byte (its keys are elided as ``<vkey>``)."""
    text = SPEC.read_text("utf-8")
    start = text.index("```\nlog <vkey>")
    return text[start + 4 : text.index("```", start + 4)]


@pytest.fixture(scope="module")
def log() -> Signer:
    return Signer.generate(ORIGIN)


@pytest.fixture(scope="module")
def witnesses() -> list[CosignatureSigner]:
    return [CosignatureSigner.generate(f"w{i}.example.cn") for i in range(6)]


def _policy(log: Signer, ws: list[CosignatureSigner], quorum: str = "q") -> str:
    names = ["gz", "zj", "js"]
    lines = [f"log {log.verifier().to_text()} https://gz.example.cn/log"]
    lines += [f"witness {n} {w.verifier().to_text()}" for n, w in zip(names, ws, strict=False)]
    lines += ["group q 2 gz zj js", f"quorum {quorum}"]
    return "\n".join(lines) + "\n"


def _note(log: Signer, size: int = 5, root: bytes = b"\x01" * 32) -> str:
    return Checkpoint(ORIGIN, size, root).sign([log])


def test_i21_spec_example_policy_parses(witnesses: list[CosignatureSigner]) -> None:
    example = _spec_example()
    assert example.count("<vkey>") == 7
    log_key = Signer.generate("example.org/log").verifier().to_text()
    keys = iter([log_key, *(w.verifier().to_text() for w in witnesses)])
    policy = parse_policy(re.sub("<vkey>", lambda _: next(keys), example).encode())
    assert [lg.origin for lg in policy.logs] == ["example.org/log"]
    assert sorted(policy.witnesses) == ["X1", "X2", "X3", "Y1", "Y2", "Y3"]
    assert policy.groups["X-witnesses"].threshold == 2
    assert policy.groups["Y-witnesses"].threshold == 1  # any
    assert policy.groups["X-and-Y"].threshold == 2  # all
    assert policy.quorum == "X-and-Y"
    # "at least two of the X-witnesses, and at least one of the Y-witnesses"
    assert policy.witnessed({"X1", "X3", "Y2"})
    assert not policy.witnessed({"X1", "Y1", "Y2", "Y3"})
    assert not policy.witnessed({"X1", "X2", "X3"})
    assert policy.describe() == "2 of (2 of (X1, X2, X3), 1 of (Y1, Y2, Y3))"


def test_i21_two_of_three_satisfied(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    policy = parse_policy(_policy(log, witnesses))
    note = cosign(cosign(_note(log), witnesses[0]), witnesses[2])
    result = check(policy, note)
    assert result.satisfied and result.cosigned == {"gz", "js"}
    assert "quorum met" in result.summary(policy)


def test_i21_one_of_three_not_satisfied(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    policy = parse_policy(_policy(log, witnesses))
    result = check(policy, cosign(_note(log), witnesses[1]))
    assert not result.satisfied and result.cosigned == {"zj"}
    assert "QUORUM NOT MET" in result.summary(policy)
    assert not check(policy, _note(log)).satisfied  # the bare checkpoint


def test_i21_forged_cosignature_not_counted(
    log: Signer, witnesses: list[CosignatureSigner]
) -> None:
    policy = parse_policy(_policy(log, witnesses))
    note = cosign(_note(log), witnesses[0])
    other = cosign(_note(log, root=b"\x02" * 32), witnesses[1])  # zj cosigned another tree
    forged = parse_note(other).signatures[-1]
    result = check(policy, note + forged.to_line().removesuffix("\n") + "\n")
    assert result.cosigned == {"gz"} and result.invalid == {"zj"}
    assert not result.satisfied
    assert "do not verify: zj" in result.summary(policy)


def test_i21_duplicate_cosignature_counts_once(
    log: Signer, witnesses: list[CosignatureSigner]
) -> None:
    policy = parse_policy(_policy(log, witnesses))
    note = cosign(_note(log), witnesses[0])
    line = parse_note(note).signatures[-1].to_line()
    result = check(policy, note + line + line)
    assert result.cosigned == {"gz"} and not result.satisfied


def test_i21_unknown_signatures_ignored(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    policy = parse_policy(_policy(log, witnesses))
    stranger = CosignatureSigner.generate("stranger.example")
    note = cosign(cosign(cosign(_note(log), stranger), witnesses[0]), witnesses[1])
    assert check(policy, note).satisfied


def test_i21_checkpoint_needs_a_policy_log(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    policy = parse_policy(_policy(log, witnesses))
    other = Signer.generate(ORIGIN)
    with pytest.raises(VerificationError, match="no valid signature by a log"):
        check(policy, cosign(cosign(_note(other), witnesses[0]), witnesses[1]))
    # a log key named after another origin does not vouch for this one
    renamed = Signer.generate("zj.example.cn/log")
    with pytest.raises(VerificationError):
        check(policy, Checkpoint(ORIGIN, 1, b"\x01" * 32).sign([renamed]))
    with pytest.raises(VerificationError, match="origin"):
        check(policy, _note(log), origin="other/log")


def test_i21_quorum_none(log: Signer) -> None:
    policy = parse_policy(f"log {log.verifier().to_text()}\nquorum none")
    assert policy.quorum == NONE
    assert check(policy, _note(log)).satisfied


def test_i21_whitespace_comments_and_urls(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    text = (
        "# the peers\n\n  \t\n"
        f"\tlog\t{log.verifier().to_text()}  \n"
        f"witness  a {witnesses[0].verifier().to_text()} https://w.example/witness \n"
        "   # indented comment\n"
        "quorum a\n"
    )
    policy = parse_policy(text)
    assert policy.witnesses["a"].url == "https://w.example/witness"
    assert policy.logs[0].url is None


def _bad(text: str, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        parse_policy(text)


def test_i21_bad_policies_are_refused(log: Signer, witnesses: list[CosignatureSigner]) -> None:
    lk = log.verifier().to_text()
    w0, w1 = (w.verifier().to_text() for w in witnesses[:2])
    _bad(f"log {lk}\n", "no quorum line")
    _bad("quorum none\nquorum none\n", "more than one quorum")
    _bad("quorum a\n", "not defined on an earlier line")
    _bad(f"quorum g\nwitness a {w0}\ngroup g any a\n", "line 1: quorum 'g' is not defined")
    _bad(f"group g any a\nwitness a {w0}\nquorum g\n", "line 1: group member 'a' is not defined")
    _bad(f"witness a {w0}\ngroup g 2 a\nquorum g\n", "between 1 and 1")
    _bad(f"witness a {w0}\ngroup g 0 a\nquorum g\n", "between 1 and 1")
    _bad(f"witness a {w0}\ngroup g two a\nquorum g\n", "not all, any or a decimal")
    _bad(f"witness a {w0}\ngroup g any\nquorum g\n", "a group line is")
    _bad(f"witness a {w0}\ngroup g any a a\nquorum g\n", "more than once")
    _bad(f"witness a {w0}\ngroup g any a none\nquorum g\n", "none cannot be a group member")
    _bad(f"witness none {w0}\nquorum none\n", "predefined")
    _bad(f"witness a {w0}\nwitness a {w1}\nquorum a\n", "already defined")
    _bad(f"witness a {w0}\ngroup a any a\nquorum a\n", "already defined")
    _bad(f"log {lk}\nlog {lk}\nquorum none\n", "duplicate log")
    _bad(f"witness a {w0}\nwitness b {w0}\nquorum a\n", "duplicate witness")
    _bad(f"log {w0}\nquorum none\n", "log key type 0x04")
    _bad(f"witness a {lk}\nquorum a\n", "witness key type 0x01")
    _bad("log nope\nquorum none\n", "bad log vkey")
    _bad(f"log {lk} https://a https://b\nquorum none\n", "a log line is")
    _bad("witnesses a b\nquorum none\n", "unknown keyword")
    _bad("quorum none\r\n", "control character 0x0d")
    _bad("quorum\x00 none\n", "control character 0x00")


def test_i21_same_key_under_two_names_is_a_duplicate(witnesses: list[CosignatureSigner]) -> None:
    w = witnesses[0]
    renamed = CosignatureSigner("other.name", base64.b64decode(w.to_text().split("+", 4)[4])[1:])
    _bad(
        f"witness a {w.verifier().to_text()}\nwitness b {renamed.verifier().to_text()}\nquorum a\n",
        "duplicate witness",
    )


def test_i21_names_are_opaque_octets(witnesses: list[CosignatureSigner]) -> None:
    kelvin = "\u212a"
    w0, w1 = (w.verifier().to_text() for w in witnesses[:2])
    text = f"witness K {w0}\nwitness {kelvin} {w1}\ngroup g all K {kelvin}\nquorum g\n"
    policy = parse_policy(text.encode("utf-8"))
    assert set(policy.witnesses) == {"K", kelvin}
    latin = b"witness \xff " + w0.encode() + b"\nquorum \xff\n"  # not UTF-8: still a name
    assert len(parse_policy(latin).witnesses) == 1


def test_i21_policy_from_the_trust_lists_registries(
    log: Signer, witnesses: list[CosignatureSigner]
) -> None:
    """`DATAIP_WITNESS_POLICY_QUORUM`: k of the listed registries, named by agency code."""
    logs = [log, Signer.generate("zj.example.cn/log"), Signer.generate("js.example.cn/log")]
    rows = [
        (code, lg.verifier().to_text(), w.verifier().to_text())
        for code, lg, w in zip(("5200", "3300", "3200"), logs, witnesses, strict=False)
    ]
    policy = parse_policy(policy_text_from_registries(rows, 2))
    assert policy.describe() == "2 of (5200, 3300, 3200)"
    names = {"5200": "贵州", "3300": "浙江", "3200": "江苏"}
    assert policy.describe_zh(names.__getitem__) == "（贵州、浙江、江苏）中的 2 个"
    note = cosign(cosign(_note(log), witnesses[1]), witnesses[2])
    result = check(policy, note)
    assert result.satisfied and result.cosigned == {"3300", "3200"}
    assert not check(policy, cosign(_note(log), witnesses[1])).satisfied
    for k in (0, 4):
        with pytest.raises(PolicyError, match="between 1 and the 3 registries"):
            policy_text_from_registries(rows, k)
