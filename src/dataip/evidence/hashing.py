"""The hashes a data-set fingerprint may use, and RFC 6962-shaped Merkle trees over them.

SHA-256 (default) or SM3 (GB/T 32905, what Chinese evidence platforms often require). Both
are 32-byte hashes, so the tree is exactly RFC 6962's — leaf ``H(0x00 || d)``, node
``H(0x01 || l || r)`` — with the manifest's hash in place of SHA-256, and the ledger's proof
code (``dataip.ledger.merkle``) is reused with that node function.

SM3 comes from the interpreter's OpenSSL (``hashlib.new("sm3")``) when it has it, which
releases the GIL on large updates like SHA-256 does; otherwise from ``cryptography``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives import hashes as crypto_hashes

from dataip.ledger import merkle
from dataip.ledger.errors import VerificationError

HASH_NAMES = ("sha256", "sm3")


class _HashObject(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


class _CryptoSM3:
    """``cryptography``'s SM3 behind the hashlib interface."""

    def __init__(self) -> None:
        self._h = crypto_hashes.Hash(crypto_hashes.SM3())

    def update(self, data: bytes, /) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.finalize()


def _sm3_factory() -> Callable[[], _HashObject]:
    try:
        proto = hashlib.new("sm3")
    except ValueError:
        return _CryptoSM3
    return proto.copy  # copying a fresh object is ~6x cheaper than hashlib.new("sm3")


@dataclass(frozen=True)
class Hasher:
    name: str
    new: Callable[[], _HashObject]

    def digest(self, data: bytes) -> bytes:
        h = self.new()
        h.update(data)
        return h.digest()

    def leaf(self, data: bytes) -> bytes:
        h = self.new()
        h.update(b"\x00")
        h.update(data)
        return h.digest()

    def node(self, left: bytes, right: bytes) -> bytes:
        h = self.new()
        h.update(b"\x01" + left + right)
        return h.digest()

    @property
    def empty_root(self) -> bytes:
        return self.digest(b"")

    def frontier(self) -> merkle.CompactRange:
        return merkle.CompactRange(node=self.node)

    def root(self, leaf_hashes: Iterable[bytes]) -> bytes:
        frontier = self.frontier()
        push = frontier.push
        for leaf in leaf_hashes:
            push(leaf)
        return frontier.root() if frontier.size else self.empty_root

    def root_from_proof(
        self, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
    ) -> bytes:
        return merkle.root_from_inclusion(leaf_hash, index, size, proof, node=self.node)

    def verify(
        self, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
    ) -> None:
        if self.root_from_proof(leaf_hash, index, size, proof) != root:
            raise VerificationError("inclusion proof does not lead to the expected root")


def hasher(name: str) -> Hasher:
    if name == "sha256":
        return Hasher("sha256", hashlib.sha256)
    if name == "sm3":
        return Hasher("sm3", _sm3_factory())
    raise ValueError(f"unknown hash {name!r}; use one of {', '.join(HASH_NAMES)}")


def proofs(
    h: Hasher, leaf_hashes: Iterable[bytes], size: int, indices: Iterable[int]
) -> dict[int, list[bytes]]:
    """Inclusion proofs for `indices` in one streaming pass over `size` leaf hashes.

    Memory is O(log n + proof nodes), not O(n): the full subtrees the proofs need are picked
    out as the frontier completes them (a 10-million-row file never sits in memory).
    """
    wanted = sorted(set(indices))
    ranges = {i: merkle.inclusion_ranges(i, size) for i in wanted}
    needed = {
        (n.level, n.index)
        for rs in ranges.values()
        for lo, hi in rs
        for n in merkle.subtree_nodes(lo, hi)
    }
    found: dict[tuple[int, int], bytes] = {}
    frontier = h.frontier()
    count = 0
    for leaf in leaf_hashes:
        for node, digest in frontier.append(leaf):
            if (node.level, node.index) in needed:
                found[(node.level, node.index)] = digest
        count += 1
    if count != size:
        raise ValueError(f"expected {size} leaves, got {count}")
    # Right-edge ranges are not full subtrees: fold their full-subtree parts right to left.
    out: dict[int, list[bytes]] = {}
    for i, rs in ranges.items():
        path = []
        for lo, hi in rs:
            parts = [found[(n.level, n.index)] for n in merkle.subtree_nodes(lo, hi)]
            acc = parts[-1]
            for part in reversed(parts[:-1]):
                acc = h.node(part, acc)
            path.append(acc)
        out[i] = path
    return out
