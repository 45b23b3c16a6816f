"""The stored tree (日志树, DESIGN §4): readers over the full-subtree hashes in
``log_nodes``, which the integrator writes and the proofs, tiles and receipts read (every
level stored, so a proof is one indexed read: decision 0004), and the error for a stored tree
that contradicts itself. What the integration and the reads of the log share.
"""

from __future__ import annotations

from dataip.ledger import merkle
from dataip.services.ports import UnitOfWork


class _UowReader:
    """A merkle.TreeReader over the stored full-subtree hashes."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def hash_at(self, level: int, index: int) -> bytes:
        value: bytes | None = self._uow.ledger.hash_at(level, index)
        if value is None:
            raise LedgerCorrupt(f"stored tree lacks the hash at level {level}, index {index}")
        return value


class _PrefetchedReader:
    """A merkle.TreeReader answering from one batched read of the nodes a proof needs."""

    def __init__(self, uow: UnitOfWork, ranges: list[tuple[int, int]]) -> None:
        wanted = [(n.level, n.index) for b, e in ranges for n in merkle.subtree_nodes(b, e)]
        self._hashes: dict[tuple[int, int], bytes] = uow.ledger.hashes(wanted)

    def hash_at(self, level: int, index: int) -> bytes:
        try:
            return self._hashes[(level, index)]
        except KeyError:
            raise LedgerCorrupt(
                f"stored tree lacks the hash at level {level}, index {index}"
            ) from None


class LedgerCorrupt(Exception):
    """Stored tree state contradicts itself; `dataip log audit` says where."""
