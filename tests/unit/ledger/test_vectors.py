"""RFC 6962 / RFC 9162 conformance: every inclusion and consistency vector file, the hasher
vectors, and the generated proofs of the 8-leaf reference tree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataip.ledger import merkle
from dataip.ledger.errors import VerificationError
from tests.unit.ledger._vectors import TLOG, b64

INCLUSION = sorted((TLOG / "inclusion").glob("**/*.json"))
CONSISTENCY = sorted((TLOG / "consistency").glob("**/*.json"))


def _id(path: Path) -> str:
    return str(path.relative_to(TLOG))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _reference_leaves() -> list[bytes]:
    hasher = _load(TLOG / "rfc6962_hasher_vectors.json")
    return [merkle.leaf_hash(bytes.fromhex(x)) for x in hasher["leaf_inputs_hex"]]


def test_vector_corpus_is_present() -> None:
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98
    accepted = [p for p in INCLUSION + CONSISTENCY if not _load(p)["wantErr"]]
    assert len(accepted) == 12


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    proof = [b64(p) for p in v["proof"] or []]

    def run() -> None:
        merkle.verify_inclusion(
            b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, b64(v["root"])
        )

    if v["wantErr"]:
        with pytest.raises(VerificationError):
            run()
    else:
        run()


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    proof = [b64(p) for p in v["proof"] or []]

    def run() -> None:
        merkle.verify_consistency(v["size1"], v["size2"], proof, b64(v["root1"]), b64(v["root2"]))

    if v["wantErr"]:
        with pytest.raises(VerificationError):
            run()
    else:
        run()


def test_hasher_vectors() -> None:
    v = _load(TLOG / "rfc6962_hasher_vectors.json")
    h = v["hasher"]
    assert merkle.EMPTY_ROOT.hex() == h["empty_tree_root_sha256('')"]
    assert merkle.leaf_hash(b"").hex() == h["leaf_hash(b'')"]
    assert merkle.leaf_hash(b"L123456").hex() == h["leaf_hash(b'L123456')"]
    assert merkle.node_hash(b"N123", b"N456").hex() == h["node_hash(b'N123', b'N456')"]


@pytest.mark.parametrize("size", range(9))
def test_reference_tree_roots(size: int) -> None:
    v = _load(TLOG / "rfc6962_hasher_vectors.json")
    leaves = _reference_leaves()[:size]
    want = v["root_by_tree_size_hex"][size]
    assert merkle.root(leaves).hex() == want
    assert merkle.MerkleTree(leaves).root().hex() == want
    compact = merkle.CompactRange()
    compact.extend(leaves)
    assert compact.root().hex() == want


HAPPY = [p for p in INCLUSION + CONSISTENCY if p.name == "happy-path.json"]


@pytest.mark.parametrize("path", HAPPY, ids=_id)
def test_generated_proofs_equal_the_happy_path_vectors(path: Path) -> None:
    """Our generators produce byte-identical proofs for the 8-leaf reference tree."""
    v = _load(path)
    tree = merkle.MerkleTree(_reference_leaves())
    want = [b64(p) for p in v["proof"] or []]
    if "leafIdx" in v:
        assert tree.hash_at(0, v["leafIdx"]) == b64(v["leafHash"])
        assert tree.root(v["treeSize"]) == b64(v["root"])
        assert tree.inclusion_proof(v["leafIdx"], v["treeSize"]) == want
    else:
        assert tree.root(v["size1"]) == b64(v["root1"])
        assert tree.root(v["size2"]) == b64(v["root2"])
        assert tree.consistency_proof(v["size1"], v["size2"]) == want
