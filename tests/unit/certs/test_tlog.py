"""R24: the tlog-proof a certificate carries binds its issuance leaf to its content, and any
other leaf, content, checkpoint or key is refused."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import rfc8785

from dataip.certs import tlog
from dataip.domain.errors import DomainError
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.merkle import MerkleTree, inclusion_proof_from_reader
from dataip.ledger.note import Signer
from dataip.ledger.proof import format_proof

ORIGIN = "registry.example/log"


def _credential(number: str = "ZS-1", version: int = 1) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": "https://registry.example"},
        "credentialSubject": {
            "certificateNumber": number,
            "certificateVersion": version,
            "name": "城市交通拥堵预测数据集",
        },
        "iat": 1_790_000_000,
    }


def _leaf(credential: dict[str, Any], **public: Any) -> bytes:
    subject = credential["credentialSubject"]
    body = {
        "certificate_number": subject["certificateNumber"],
        "certificate_version": subject["certificateVersion"],
        # computed here with rfc8785 directly, not with the code under test
        "credential_sha256": hashlib.sha256(rfc8785.dumps(credential)).hexdigest(),
        **public,
    }
    return rfc8785.dumps({"v": 1, "type": "CertificateIssued", "public": body})


def _proved(credential: dict[str, Any], leaf: bytes, signer: Signer) -> dict[str, Any]:
    """The credential with a proof of `leaf` at index 2 of a five-leaf log signed by
    `signer`."""
    leaves = [b"a", b"b", leaf, b"d", b"e"]
    tree = MerkleTree.from_data(leaves)
    proof = inclusion_proof_from_reader(tree, 2, len(leaves))
    note = Checkpoint(ORIGIN, len(leaves), tree.root()).sign([signer])
    receipt = format_proof(2, proof, note, extra=leaf)
    return {**credential, tlog.CLAIM: tlog.claim(receipt, origin=ORIGIN, index=2)}


@pytest.fixture
def signer() -> Signer:
    return Signer.generate(ORIGIN)


def test_r24_a_carried_proof_of_the_issuance_leaf_verifies_with_the_log_key(
    signer: Signer,
) -> None:
    cred = _credential()
    proved = _proved(cred, _leaf(cred), signer)
    got = tlog.check(proved, [signer.verifier()])
    assert (got.status, got.index, got.size, got.origin) == ("included", 2, 5, ORIGIN)
    # the digest is of the credential as first signed: the claim is left out
    assert tlog.without_proof(proved) == cred
    assert tlog.content_digest(proved) == hashlib.sha256(rfc8785.dumps(cred)).hexdigest()


def test_r24_no_proof_or_no_log_key_is_said_plainly_not_passed_off(signer: Signer) -> None:
    cred = _credential()
    assert tlog.check(cred, [signer.verifier()]).status == "absent"
    assert tlog.check(_proved(cred, _leaf(cred), signer), []).status == "log_key_unknown"


@pytest.mark.parametrize(
    "case",
    [
        "other_content",
        "other_certificate",
        "other_version",
        "other_leaf_type",
        "wrong_log_key",
        "wrong_origin",
        "wrong_index",
        "malformed",
    ],
)
def test_r24_a_proof_that_does_not_bind_this_certificate_is_refused(
    signer: Signer, case: str
) -> None:
    cred = _credential()
    leaf = _leaf(cred)
    verifiers = [signer.verifier()]
    if case == "other_content":
        proved = _proved(cred, leaf, signer)
        proved["credentialSubject"] = {**cred["credentialSubject"], "name": "别的数据集"}
    elif case == "other_certificate":
        proved = _proved(cred, _leaf(_credential("ZS-2")), signer)
    elif case == "other_version":
        proved = _proved(cred, _leaf(_credential(version=2)), signer)
    elif case == "other_leaf_type":
        proved = _proved(cred, leaf.replace(b"CertificateIssued", b"RegistrationApproved"), signer)
    elif case == "wrong_log_key":
        proved = _proved(cred, leaf, signer)
        verifiers = [Signer.generate(ORIGIN).verifier()]
    elif case == "wrong_origin":
        proved = _proved(cred, leaf, signer)
        proved[tlog.CLAIM] = {**proved[tlog.CLAIM], "origin": "other.example/log"}
    elif case == "wrong_index":
        proved = _proved(cred, leaf, signer)
        proved[tlog.CLAIM] = {**proved[tlog.CLAIM], "index": 3}
    else:
        proved = {**cred, tlog.CLAIM: {"type": tlog.PROOF_TYPE, "proof": "no"}}
    with pytest.raises(DomainError) as e:
        tlog.check(proved, verifiers)
    assert e.value.code == "tlog_proof_invalid"


def test_r24_a_leaf_hash_not_in_the_tree_is_refused(signer: Signer) -> None:
    cred = _credential()
    proved = _proved(cred, _leaf(cred), signer)
    text = proved[tlog.CLAIM]["proof"]
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    lines[-1] = "A" * 43 + "="  # one inclusion-proof hash replaced
    proved[tlog.CLAIM] = {**proved[tlog.CLAIM], "proof": "\n".join(lines) + "\n\n" + note}
    with pytest.raises(DomainError) as e:
        tlog.check(proved, [signer.verifier()])
    assert e.value.code == "tlog_proof_invalid"
