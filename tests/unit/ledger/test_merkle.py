"""RFC 6962 / RFC 9162 Merkle trees: a literal transcription of the RFC's recursive
definitions as the oracle, hypothesis properties (proofs verify, any flipped bit fails),
the incremental structures, and the cost of proofs from stored subtree hashes."""

from __future__ import annotations

import functools
import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.ledger import merkle
from dataip.ledger.errors import VerificationError
from dataip.ledger.merkle import CompactRange, MerkleTree, Node

MAX_SIZE = 10_000


# --- oracle: RFC 9162 §2.1 written out recursively --------------------------------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return merkle.node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


@functools.cache
def leaves() -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]


@functools.cache
def big_tree() -> MerkleTree:
    return MerkleTree(leaves())


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- exhaustive on small trees ---------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, 40))
def test_small_trees_match_the_rfc_definitions(size: int) -> None:
    d = leaves()[:size]
    tree = MerkleTree(d)
    root = ref_mth(d)
    assert merkle.root(d) == root == tree.root()
    for m in range(size):
        proof = ref_path(m, d)
        assert tree.inclusion_proof(m) == proof
        merkle.verify_inclusion(d[m], m, size, proof, root)
        assert merkle.root_from_inclusion(d[m], m, size, proof) == root
    for m in range(1, size + 1):
        proof = ref_subproof(m, d, True)
        assert tree.consistency_proof(m) == proof
        merkle.verify_consistency(m, size, proof, ref_mth(d[:m]), root)


def test_every_bit_of_every_proof_matters() -> None:
    size = 13
    d = leaves()[:size]
    tree = MerkleTree(d)
    root = tree.root()
    for m in range(size):
        proof = tree.inclusion_proof(m)
        for i in range(len(proof)):
            for bit in range(256):
                bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
                with pytest.raises(VerificationError):
                    merkle.verify_inclusion(d[m], m, size, bad, root)
    for m in range(1, size):
        proof = tree.consistency_proof(m)
        for i in range(len(proof)):
            for bit in range(256):
                bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
                with pytest.raises(VerificationError):
                    merkle.verify_consistency(m, size, bad, tree.root(m), root)


# --- hypothesis properties up to 10,000 leaves ----------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_and_any_flipped_bit_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE), "size")
    index = data.draw(st.integers(0, size - 1), "index")
    tree = big_tree()
    leaf, root = leaves()[index], tree.root(size)
    proof = tree.inclusion_proof(index, size)
    assert root == merkle.root(leaves()[:size])
    assert proof == ref_path(index, leaves()[:size])
    merkle.verify_inclusion(leaf, index, size, proof, root)

    bit = st.integers(0, 255)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], data.draw(bit)), *proof[i + 1 :]]
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf, index, size, bad, root)
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(flip(leaf, data.draw(bit)), index, size, proof, root)
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(leaf, index, size, proof, flip(root, data.draw(bit)))
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(leaf, index, size, [*proof, proof[0] if proof else leaf], root)
    if proof:
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf, index, size, proof[:-1], root)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_and_any_flipped_bit_fails(data: st.DataObject) -> None:
    size2 = data.draw(st.integers(1, MAX_SIZE), "size2")
    size1 = data.draw(st.integers(1, size2), "size1")
    tree = big_tree()
    root1, root2 = tree.root(size1), tree.root(size2)
    proof = tree.consistency_proof(size1, size2)
    assert proof == ref_subproof(size1, leaves()[:size2], True)
    assert proof == merkle.consistency_proof(size1, leaves()[:size2])
    merkle.verify_consistency(size1, size2, proof, root1, root2)

    bit = st.integers(0, 255)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], data.draw(bit)), *proof[i + 1 :]]
        with pytest.raises(VerificationError):
            merkle.verify_consistency(size1, size2, bad, root1, root2)
    with pytest.raises(VerificationError):
        merkle.verify_consistency(size1, size2, proof, flip(root1, data.draw(bit)), root2)
    with pytest.raises(VerificationError):
        merkle.verify_consistency(size1, size2, proof, root1, flip(root2, data.draw(bit)))
    if proof:
        with pytest.raises(VerificationError):
            merkle.verify_consistency(size1, size2, proof[:-1], root1, root2)
        with pytest.raises(VerificationError):
            merkle.verify_consistency(size1, size2, [*proof, proof[0]], root1, root2)


# --- incremental structures -----------------------------------------------------------------


def test_compact_range_tracks_the_root_and_reports_every_full_subtree() -> None:
    d = leaves()[:600]
    tree = MerkleTree()
    compact = CompactRange()
    for size, leaf in enumerate(d, start=1):
        from_tree = tree.append(leaf)
        from_compact = compact.append(leaf)
        assert from_tree == from_compact
        assert compact.root() == tree.root() == merkle.root(d[:size])
        assert [tree.hash_at(n.level, n.index) for n in compact.nodes()] == list(compact.peaks)


def test_compact_range_restores_from_a_reader_and_continues() -> None:
    tree = big_tree()
    for size in (0, 1, 255, 256, 257, 1000, 4097):
        compact = CompactRange.from_reader(tree, size)
        assert compact.size == size and compact.root() == tree.root(size)
        completed = compact.extend(leaves()[size : size + 300])
        assert compact.root() == tree.root(size + 300)
        for node, value in completed:
            assert tree.hash_at(node.level, node.index) == value
        # every full subtree that ends inside the new leaves is reported exactly once
        want = {
            Node(level, i)
            for level in range(14)
            for i in range(size >> level, (size + 300) >> level)
            if (i + 1) << level > size
        }
        assert {node for node, _ in completed} == want


def test_compact_range_rejects_bad_state() -> None:
    with pytest.raises(ValueError):
        CompactRange(3, [bytes(32)])
    with pytest.raises(ValueError):
        CompactRange(1, [b"short"])
    with pytest.raises(ValueError):
        CompactRange().append(b"short")
    assert CompactRange().root() == merkle.EMPTY_ROOT


def test_merkle_tree_bounds() -> None:
    tree = MerkleTree(leaves()[:5])
    with pytest.raises(ValueError):
        tree.hash_at(0, 5)
    with pytest.raises(ValueError):
        tree.hash_at(1, 2)  # leaves 4..5 are not a full subtree yet
    with pytest.raises(ValueError):
        tree.hash_at(0, -1)
    with pytest.raises(ValueError):
        tree.root(6)
    with pytest.raises(ValueError):
        tree.inclusion_proof(5)
    with pytest.raises(ValueError):
        tree.consistency_proof(0)
    assert tree.consistency_proof(5) == []
    assert MerkleTree().root() == merkle.EMPTY_ROOT
    assert MerkleTree.from_data([b"a"]).root() == merkle.leaf_hash(b"a")


def test_subtree_nodes() -> None:
    assert merkle.subtree_nodes(0, 7) == [Node(2, 0), Node(1, 2), Node(0, 6)]
    assert merkle.subtree_nodes(8, 11) == [Node(1, 4), Node(0, 10)]
    assert Node(3, 2).begin == 16 and Node(3, 2).end == 24
    for bad in [(0, 0), (1, 3), (2, 5), (-1, 1)]:
        with pytest.raises(ValueError):
            merkle.subtree_nodes(*bad)


def test_ranges_reject_bad_arguments() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(-1, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(4, 3)
    assert merkle.consistency_ranges(3, 3) == []
    assert merkle.inclusion_ranges(0, 1) == []


def test_verify_rejects_structural_errors() -> None:
    d = leaves()[:8]
    tree = MerkleTree(d)
    root = tree.root()
    proof = tree.inclusion_proof(3)
    with pytest.raises(VerificationError, match="out of range"):
        merkle.verify_inclusion(d[3], 8, 8, proof, root)
    with pytest.raises(VerificationError, match="32"):
        merkle.verify_inclusion(d[3][:31], 3, 8, proof, root)
    with pytest.raises(VerificationError, match="32"):
        merkle.verify_inclusion(d[3], 3, 8, [*proof[:2], proof[2] + b"\0"], root)
    with pytest.raises(VerificationError, match="empty tree"):
        merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT)
    with pytest.raises(VerificationError, match="size2"):
        merkle.verify_consistency(5, 4, [], root, root)


# --- cost at a million leaves ---------------------------------------------------------------


class CountingReader:
    """Stand-in for a tile store: any hash, counted (values need not be consistent)."""

    def __init__(self) -> None:
        self.calls = 0

    def hash_at(self, level: int, index: int) -> bytes:
        self.calls += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


@pytest.mark.parametrize("size", [1_000_000, 1_048_576, (1 << 40) + 12345])
def test_proofs_from_subtree_hashes_need_logarithmically_many_lookups(size: int) -> None:
    reader = CountingReader()
    start = time.perf_counter()
    for index in (0, size // 3, size - 1):
        assert len(merkle.inclusion_proof_from_reader(reader, index, size)) <= 64
    merkle.consistency_proof_from_reader(reader, size // 7, size)
    merkle.root_from_reader(reader, size)
    elapsed = time.perf_counter() - start
    depth = (size - 1).bit_length()
    assert reader.calls <= 5 * 2 * depth  # 3 inclusion + 1 consistency + 1 root
    assert elapsed < 0.05  # about 0.1 ms each in practice
