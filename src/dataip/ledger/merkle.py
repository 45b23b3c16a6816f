"""RFC 6962 / RFC 9162 §2.1 Merkle Tree Hashes, inclusion and consistency proofs.

Hashing (RFC 9162 §2.1.1, SHA-256)::

    leaf_hash(d)    = SHA-256(0x00 || d)
    node_hash(l, r) = SHA-256(0x01 || l || r)
    MTH({})         = SHA-256("")

Three ways to compute roots and proofs:

* from a list of leaf hashes (:func:`root`, :func:`inclusion_proof`, :func:`consistency_proof`),
  linear in the number of leaves — the reference and the baseline;
* from stored *full-subtree hashes* through a :class:`TreeReader` (``hash_at(level, index)`` is
  the hash of leaves ``[index * 2**level, (index + 1) * 2**level)``), which needs
  ``O(log n)`` lookups: :func:`root_from_reader`, :func:`inclusion_proof_from_reader`,
  :func:`consistency_proof_from_reader`, :func:`subtree_hash`;
* incrementally: :class:`CompactRange` keeps only the right frontier (what an integrator needs
  to append and to compute the new root) and reports every full subtree it completes, so the
  storage layer can write tiles; :class:`MerkleTree` keeps every full subtree in memory and is
  itself a :class:`TreeReader`.

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 (in the decomposed form used by
transparency-dev/merkle), plus the two rules the conformance vectors encode: a leaf hash must be
32 bytes, and a consistency proof from size 0 is always an error.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dataip.ledger.errors import VerificationError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "MerkleTree",
    "Node",
    "TreeReader",
    "consistency_proof",
    "consistency_proof_from_reader",
    "consistency_ranges",
    "inclusion_proof",
    "inclusion_proof_from_reader",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion",
    "root_from_reader",
    "subtree_hash",
    "subtree_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree (RFC 9162 §2.1.1): SHA-256 of the empty string."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True, order=True, slots=True)
class Node:
    """A full (perfect) subtree: leaves ``[index * 2**level, (index + 1) * 2**level)``."""

    level: int
    index: int

    @property
    def begin(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level


class TreeReader(Protocol):
    """Source of full-subtree hashes, e.g. a tile store or :class:`MerkleTree`.

    ``hash_at(0, i)`` is the leaf hash of entry ``i``; ``hash_at(l, i)`` for ``l > 0`` is
    ``node_hash(hash_at(l - 1, 2 * i), hash_at(l - 1, 2 * i + 1))``. Only nodes of full
    subtrees inside the tree size being proved are ever requested.
    """

    def hash_at(self, level: int, index: int) -> bytes: ...


# --- ranges -------------------------------------------------------------------------------


def _split(n: int) -> int:
    """RFC 9162 §2.1.1: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(size: int, what: str = "size") -> None:
    if size < 0:
        raise ValueError(f"{what} must be non-negative, got {size}")


def _decompose(begin: int, end: int) -> list[tuple[int, int]]:
    """(level, index) pairs of :func:`subtree_nodes` without building :class:`Node` objects."""
    size = end - begin
    if begin < 0 or size <= 0:
        raise ValueError(f"empty or negative range [{begin}, {end})")
    if begin % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{begin}, {end}) is not a subtree of an RFC 6962 tree")
    nodes: list[tuple[int, int]] = []
    pos = begin
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, pos >> level))
            pos += 1 << level
    return nodes


def subtree_nodes(begin: int, end: int) -> list[Node]:
    """The full subtrees whose hashes make up MTH(D[begin:end]), left to right.

    ``[begin, end)`` must be a subtree of some RFC 6962 tree, i.e. non-empty with ``begin`` a
    multiple of the smallest power of two >= ``end - begin`` (every range that occurs in a
    root, an inclusion proof or a consistency proof is). MTH of the range is the right-to-left
    fold of these nodes with :func:`node_hash`.
    """
    return [Node(level, index) for level, index in _decompose(begin, end)]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf first."""
    _check_size(size)
    if not 0 <= index < size:
        raise ValueError(f"index {index} out of range for tree size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1), in order."""
    if not 0 < size1 <= size2:
        raise ValueError(f"need 0 < size1 <= size2, got {size1}, {size2}")
    siblings: list[tuple[int, int]] = []
    head: list[tuple[int, int]] = []
    m, lo, hi, complete = size1, 0, size2, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            m -= k
            lo += k
            complete = False
    if not complete:
        # SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b == true (the old tree is a full
        # left subtree of the new one) the verifier already knows it as root1.
        head.append((lo, hi))
    siblings.reverse()
    return head + siblings


# --- from a TreeReader ----------------------------------------------------------------------


def subtree_hash(reader: TreeReader, begin: int, end: int) -> bytes:
    """MTH(D[begin:end]) from full-subtree hashes; see :func:`subtree_nodes`."""
    nodes = _decompose(begin, end)
    result = reader.hash_at(*nodes[-1])
    for level, index in reversed(nodes[:-1]):
        result = node_hash(reader.hash_at(level, index), result)
    return result


def root_from_reader(reader: TreeReader, size: int) -> bytes:
    """MTH(D[0:size]) from at most log2(size) + 1 full-subtree hashes."""
    _check_size(size)
    return subtree_hash(reader, 0, size) if size else EMPTY_ROOT


def inclusion_proof_from_reader(reader: TreeReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion proof for leaf ``index`` in the tree of ``size`` leaves."""
    return [subtree_hash(reader, lo, hi) for lo, hi in inclusion_ranges(index, size)]


def consistency_proof_from_reader(reader: TreeReader, size1: int, size2: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof from ``size1`` to ``size2`` (0 < size1 <= size2)."""
    return [subtree_hash(reader, lo, hi) for lo, hi in consistency_ranges(size1, size2)]


# --- in memory ------------------------------------------------------------------------------


class CompactRange:
    """The right frontier of a tree: one hash per full subtree ("peak") of ``[0, size)``.

    Enough to append leaves and compute the root without reading anything else (the
    compact-range idea of transparency-dev/merkle). :meth:`append` returns every full subtree
    it completes — the leaf itself at level 0 and each newly merged node — which is what a
    storage layer writes into tiles.
    """

    __slots__ = ("_node", "_peaks", "_size")

    def __init__(
        self,
        size: int = 0,
        peaks: Iterable[bytes] = (),
        *,
        node: Callable[[bytes, bytes], bytes] = node_hash,
    ) -> None:
        _check_size(size)
        self._size = size
        self._node = node  # another 32-byte hash (SM3 data-set manifests), same structure
        self._peaks = list(peaks)
        if len(self._peaks) != size.bit_count():
            raise ValueError(f"a tree of size {size} has {size.bit_count()} peaks")
        if any(len(p) != HASH_SIZE for p in self._peaks):
            raise ValueError("peaks must be 32-byte hashes")

    @classmethod
    def from_reader(cls, reader: TreeReader, size: int) -> CompactRange:
        """Restore the frontier of a stored tree (reads ``popcount(size)`` hashes)."""
        nodes = _decompose(0, size) if size else []
        return cls(size, (reader.hash_at(level, index) for level, index in nodes))

    @property
    def size(self) -> int:
        return self._size

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """Peak hashes, largest (leftmost) subtree first."""
        return tuple(self._peaks)

    def nodes(self) -> list[Node]:
        """The full subtrees the peaks are the hashes of, in the same order."""
        return subtree_nodes(0, self._size) if self._size else []

    def append(self, leaf: bytes) -> list[tuple[Node, bytes]]:
        """Append one leaf hash; return the completed full subtrees, bottom-up."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        index, level, current = self._size, 0, leaf
        completed = [(Node(0, index), leaf)]
        while index >> level & 1:
            current = self._node(self._peaks.pop(), current)
            level += 1
            completed.append((Node(level, index >> level), current))
        self._peaks.append(current)
        self._size += 1
        return completed

    def push(self, leaf: bytes) -> None:
        """Append one leaf hash when only the root is wanted (no completed-node list)."""
        index, peaks, node = self._size, self._peaks, self._node
        current = leaf
        while index & 1:
            current = node(peaks.pop(), current)
            index >>= 1
        peaks.append(current)
        self._size += 1

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[Node, bytes]]:
        """Append several leaf hashes; return all completed full subtrees."""
        completed: list[tuple[Node, bytes]] = []
        for leaf in leaves:
            completed.extend(self.append(leaf))
        return completed

    def root(self) -> bytes:
        """MTH of the current tree: the peaks folded right to left."""
        if not self._peaks:
            return EMPTY_ROOT
        result = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            result = self._node(peak, result)
        return result

    def copy(self) -> CompactRange:
        return CompactRange(self._size, self._peaks, node=self._node)


class MerkleTree:
    """An append-only tree holding every full-subtree hash in memory (a :class:`TreeReader`).

    Proofs and roots are available for every earlier size, too. About 64 bytes per leaf.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for leaf in leaf_hashes:
            self.append(leaf)

    @classmethod
    def from_data(cls, entries: Iterable[bytes]) -> MerkleTree:
        return cls(leaf_hash(e) for e in entries)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> list[tuple[Node, bytes]]:
        """Append one leaf hash; return the completed full subtrees, bottom-up."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        levels = self._levels
        levels[0].append(leaf)
        index, level, current = len(levels[0]) - 1, 0, leaf
        completed = [(Node(0, index), leaf)]
        while index & 1:
            current = node_hash(levels[level][index - 1], current)
            level += 1
            index >>= 1
            if len(levels) == level:
                levels.append([])
            levels[level].append(current)
            completed.append((Node(level, index), current))
        return completed

    def hash_at(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or level >= len(self._levels):
            raise ValueError(f"no full subtree at level {level}, index {index}")
        row = self._levels[level]
        if index >= len(row):
            raise ValueError(f"no full subtree at level {level}, index {index}")
        return row[index]

    def _size_or_current(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"size {size} out of range 0..{self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        return root_from_reader(self, self._size_or_current(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof_from_reader(self, index, self._size_or_current(size))

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof_from_reader(self, size1, self._size_or_current(size2))


# --- from a list of leaf hashes ----------------------------------------------------------


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[0:n]) of a list of leaf hashes (RFC 9162 §2.1.1), in O(n) hashes.

    Pairing level by level and promoting a lone rightmost node gives exactly the RFC's
    split-at-the-largest-power-of-two tree.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    row = list(leaf_hashes)
    while len(row) > 1:
        paired = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        if len(row) & 1:
            paired.append(row[-1])
        row = paired
    return row[0]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion proof for ``index`` in the tree of ``leaf_hashes``."""
    return MerkleTree(leaf_hashes).inclusion_proof(index)


def consistency_proof(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1 proof that the first ``size1`` leaves are a prefix of the tree."""
    return MerkleTree(leaf_hashes).consistency_proof(size1)


# --- verification -------------------------------------------------------------------------


def _decomp_inclusion(index: int, size: int) -> tuple[int, int]:
    """Split an inclusion proof into its inner part and its right-border part.

    The inner part has one hash per level below the point where the paths to ``index`` and to
    ``size - 1`` meet; the border part has one hash per left sibling above that point.
    """
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


_Node = Callable[[bytes, bytes], bytes]


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int, node: _Node = node_hash) -> bytes:
    for i, sibling in enumerate(proof):
        seed = node(seed, sibling) if (index >> i) & 1 == 0 else node(sibling, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, sibling in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes], node: _Node = node_hash) -> bytes:
    for sibling in proof:
        seed = node(sibling, seed)
    return seed


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, element in enumerate(proof):
        if len(element) != HASH_SIZE:
            raise VerificationError(f"proof element {i} is {len(element)} bytes, not 32")


def _equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def root_from_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], *, node: _Node = node_hash
) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2).

    ``node`` is the interior hash (default SHA-256 as RFC 6962; data-set manifests may use
    SM3 in the same structure). Raises :class:`VerificationError` if the proof cannot belong
    to (index, size) at all.
    """
    # 1. The index must lie inside the tree, and the leaf hash must be a SHA-256 hash.
    if not 0 <= index < size:
        raise VerificationError(f"index {index} out of range for tree size {size}")
    if len(leaf) != HASH_SIZE:
        raise VerificationError(f"leaf hash is {len(leaf)} bytes, not 32")
    # 2. The proof must have exactly one hash per level of the path, each 32 bytes.
    inner, border = _decomp_inclusion(index, size)
    if len(proof) != inner + border:
        raise VerificationError(f"inclusion proof has {len(proof)} hashes, want {inner + border}")
    _check_hashes(proof)
    # 3. Hash up: siblings below the split on either side, then left siblings on the border.
    result = _chain_inner(leaf, proof[:inner], index, node)
    return _chain_border_right(result, proof[inner:], node)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Verify an RFC 9162 §2.1.3.2 inclusion proof of leaf hash ``leaf`` at ``index``.

    Returns None; raises :class:`VerificationError` on any failure.
    """
    # 1-3. Recompute the root from the leaf hash and the proof.
    computed = root_from_inclusion(leaf, index, size, proof)
    # 4. It must equal the expected root.
    if not _equal(computed, expected_root):
        raise VerificationError("inclusion proof does not lead to the expected root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Verify an RFC 9162 §2.1.4.2 consistency proof between two tree heads.

    As in the transparency-dev conformance vectors, ``size1 == 0`` is always rejected (every
    tree extends the empty tree; there is nothing to prove). Returns None; raises
    :class:`VerificationError` on any failure.
    """
    # 1. Sizes: 0 < size1 <= size2.
    if size1 <= 0:
        raise VerificationError("consistency proof from an empty tree is meaningless")
    if size2 < size1:
        raise VerificationError(f"size2 ({size2}) < size1 ({size1})")
    # 2. Equal sizes: the proof is empty and the roots are identical.
    if size1 == size2:
        if proof:
            raise VerificationError("size1 == size2 but the proof is not empty")
        if not _equal(root1, root2):
            raise VerificationError("same tree size but different roots")
        return
    # 3. Otherwise the proof is non-empty, made of 32-byte hashes, and of the right length.
    if not proof:
        raise VerificationError("empty consistency proof")
    _check_hashes(proof)
    inner, border = _decomp_inclusion(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # trailing zeros of size1
    inner -= shift
    # The first hash is the full subtree of 2**shift leaves ending at size1, unless that
    # subtree is the whole old tree, whose root the verifier already has.
    if size1 == 1 << shift:
        seed, rest = root1, proof
    else:
        seed, rest = proof[0], proof[1:]
    if len(rest) != inner + border:
        want = len(proof) - len(rest) + inner + border
        raise VerificationError(f"consistency proof has {len(proof)} hashes, want {want}")
    # 4. Hash up to root1 using only the left siblings on the path to leaf size1 - 1.
    mask = (size1 - 1) >> shift
    computed1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if not _equal(computed1, root1):
        raise VerificationError("consistency proof does not lead to root1")
    # 5. Hash up to root2 using all the siblings.
    computed2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if not _equal(computed2, root2):
        raise VerificationError("consistency proof does not lead to root2")
