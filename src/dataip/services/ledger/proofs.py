"""What the log serves (日志证明): the latest checkpoint, C2SP tlog-tiles, entries, RFC 6962
inclusion and consistency proofs, and receipts (C2SP tlog-proof) of an event's leaf — the
proof that a step of the record is on the log (R6/Z§2.3; DESIGN §4).

Everything is read for the latest checkpoint only, so what a client fetches is always
consistent with a signed tree head; a proof is one batched read of the stored tree's nodes
(decision 0004).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from dataip.domain.errors import DomainError
from dataip.ledger import merkle, tiles
from dataip.ledger.errors import FormatError
from dataip.ledger.proof import format_proof
from dataip.services.context import Env
from dataip.services.ledger.integration import LogKeys, integrate
from dataip.services.ledger.tree import LedgerCorrupt, _PrefetchedReader
from dataip.services.ports import UnitOfWork


def _not_found(what_zh: str, what_en: str, **details: Any) -> DomainError:
    return DomainError(
        "log_not_found", f"{what_zh}不存在", f"{what_en} not found", status=404, details=details
    )


def _bad(code: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=422, details=details)


def checkpoint_note(env: Env) -> tuple[int, str]:
    """(size, signed note) of the latest checkpoint."""
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise _not_found("检查点", "checkpoint")
    return latest[0], latest[2]


def tile(env: Env, path: str) -> tuple[bytes, bool]:
    """The contents of a C2SP tlog-tiles resource under /log/tile/, and whether it is full.

    Only tiles covered by the latest checkpoint are served; a partial tile is served only at
    the width the checkpoint has (other widths are not part of any published tree).
    """
    try:
        wanted = tiles.parse_tile_path("tile/" + path)
    except FormatError as exc:
        raise _not_found("瓦片", "tile", reason=str(exc)) from None
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        size = latest[0] if latest else 0
        # Any prefix of a tile is the same bytes whatever the tree size, so a width is
        # served whenever the published tree covers it.
        if not covered(wanted, size):
            raise _not_found("瓦片", "tile", path=path, tree_size=size)
        data = tile_bytes(uow, wanted)
    return data, wanted.is_full


def covered(tile: tiles.Tile, size: int) -> bool:
    """Whether the tree of ``size`` leaves holds all of ``tile`` at its width."""
    first = tile.index * tiles.TILE_WIDTH
    return (size >> (tile.level * tiles.TILE_HEIGHT)) - first >= tile.width


def tile_bytes(uow: UnitOfWork, tile: tiles.Tile) -> bytes:
    """The bytes of a hash tile or entry bundle, from the stored tree (the caller checks it is
    covered by a published checkpoint): what ``/log/tile/...`` serves and the static copy
    holds (services.log_static)."""
    level = tile.level * tiles.TILE_HEIGHT
    start = tile.index * tiles.TILE_WIDTH
    end = start + tile.width
    if tile.data:
        rows = uow.ledger.entries(start, end)
        data = tiles.encode_entry_bundle([leaf for _, _, leaf in rows]) if rows else b""
        count = len(rows)
    else:
        hashes = uow.ledger.level_range(level, start, end)
        data = tiles.encode_hash_tile([h for _, h in hashes]) if hashes else b""
        count = len(hashes)
    if count != tile.width:
        raise LedgerCorrupt(f"tile {tile.path}: {count} of {tile.width} stored entries")
    return data


def _published_size(uow: UnitOfWork) -> tuple[int, bytes, str]:
    latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise _not_found("检查点", "checkpoint")
    return latest


def inclusion(env: Env, index: int, size: int | None = None) -> dict[str, Any]:
    """An RFC 6962 inclusion proof of leaf `index` in the tree of `size` (default: latest)."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        size = latest_size if size is None else size
        if not 0 < size <= latest_size:
            raise _bad(
                "log_size_out_of_range",
                "树大小超出已发布范围",
                "size must be between 1 and the latest checkpoint's size",
                size=size,
                latest=latest_size,
            )
        if not 0 <= index < size:
            raise _bad(
                "log_index_out_of_range",
                "叶子序号超出树大小",
                "index must be below size",
                index=index,
                size=size,
            )
        ranges = merkle.inclusion_ranges(index, size)
        reader = _PrefetchedReader(uow, [*ranges, (index, index + 1), *_root_ranges(size)])
        proof = merkle.inclusion_proof_from_reader(reader, index, size)
        root = merkle.root_from_reader(reader, size)
        leaf = reader.hash_at(0, index)
    return {"index": index, "size": size, "leaf_hash": leaf, "root_hash": root, "proof": proof}


def _root_ranges(size: int) -> list[tuple[int, int]]:
    return [(n.begin, n.end) for n in merkle.subtree_nodes(0, size)] if size else []


def consistency(env: Env, first: int, second: int | None = None) -> dict[str, Any]:
    """An RFC 6962 consistency proof between two published tree sizes."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        second = latest_size if second is None else second
        if not 0 < first <= second <= latest_size:
            raise _bad(
                "log_size_out_of_range",
                "树大小超出已发布范围",
                "need 0 < first <= second <= the latest checkpoint's size",
                first=first,
                second=second,
                latest=latest_size,
            )
        ranges = merkle.consistency_ranges(first, second) if first < second else []
        reader = _PrefetchedReader(uow, [*ranges, *_root_ranges(first), *_root_ranges(second)])
        proof = merkle.consistency_proof_from_reader(reader, first, second)
        return {
            "first": first,
            "second": second,
            "first_root": merkle.root_from_reader(reader, first),
            "second_root": merkle.root_from_reader(reader, second),
            "proof": proof,
        }


def entry(env: Env, index: int) -> dict[str, Any]:
    """One sequenced leaf: its bytes and hash."""
    with env.read() as uow:
        latest_size, _, _ = _published_size(uow)
        if not 0 <= index < latest_size:
            raise _not_found("日志条目", "log entry", index=index, size=latest_size)
        rows = uow.ledger.entries(index, index + 1)
    if not rows:
        raise LedgerCorrupt(f"no stored leaf at index {index}")
    _, event_id, leaf = rows[0]
    return {"index": index, "event_id": event_id, "leaf": leaf, "leaf_hash": merkle.leaf_hash(leaf)}


def receipt(env: Env, index: int) -> str:
    """A C2SP tlog-proof for leaf `index` against the latest checkpoint, carrying the leaf as
    its extra data (offline-verifiable with the log's key alone)."""
    with env.read() as uow:
        size, _, note = _published_size(uow)
        if not 0 <= index < size:
            raise _not_found("日志条目", "log entry", index=index, size=size)
        return _receipts(uow, [index], size, note)[index]


def receipts(env: Env, indices: Iterable[int]) -> dict[int, str]:
    """`receipt` for many leaves at once, by index: one read of every tree node their proofs
    need and one of their leaves (the integrator gives a round's certificates their proofs
    this way). Leaves the latest checkpoint does not cover yet are left out."""
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        if latest is None:
            return {}
        size, _, note = latest
        return _receipts(uow, [i for i in indices if 0 <= i < size], size, note)


def _receipts(uow: UnitOfWork, indices: list[int], size: int, note: str) -> dict[int, str]:
    wanted = sorted(set(indices))
    reader = _PrefetchedReader(uow, [r for i in wanted for r in merkle.inclusion_ranges(i, size)])
    leaves = uow.ledger.leaves_at(wanted)
    out: dict[int, str] = {}
    for index in wanted:
        if index not in leaves:
            raise LedgerCorrupt(f"no stored leaf at index {index}")
        proof = merkle.inclusion_proof_from_reader(reader, index, size)
        # The leaf rides along as the proof's extra data, so the receipt is self-contained:
        # the verifier hashes it itself, so the inclusion proof is what authenticates it.
        out[index] = format_proof(index, proof, note, extra=leaves[index])
    return out


def status(env: Env) -> dict[str, int]:
    """Leaf counts for monitoring: integrated, published (latest checkpoint), pending leaves."""
    with env.read() as uow:
        latest = uow.ledger.latest_checkpoint()
        return {
            "size": uow.ledger.size(),
            "published": latest[0] if latest else 0,
            "pending": uow.ledger.pending_count(),
        }


def index_of_event(env: Env, event_id: int) -> int | None:
    with env.read() as uow:
        return uow.ledger.index_of_event(event_id)


def iter_leaves(env: Env, *, batch_size: int = 5000) -> Iterator[tuple[int, int, bytes]]:
    """Every sequenced leaf in index order."""
    with env.uow() as uow:
        size = uow.ledger.size()
    for start in range(0, size, batch_size):
        with env.uow() as uow:
            yield from uow.ledger.entries(start, min(size, start + batch_size))


def await_receipt(
    env: Env, keys: LogKeys, event_id: int, *, publisher_interval: float, timeout: float = 3.0
) -> tuple[int | None, str | None]:
    """The log index and receipt of an event, waiting briefly for its checkpoint.

    With a running publisher (`publisher_interval` > 0) this only waits, so checkpoints stay
    at most one per interval; without one (tests, a CLI-run integrator) it integrates itself.
    Returns (index, None) or (None, None) when the checkpoint has not come in time: the
    receipt is then available later from /api/v1/log/entries/{index}/receipt.
    """
    deadline = time.monotonic() + timeout
    while True:
        with env.uow() as uow:
            index = uow.ledger.index_of_event(event_id)
            latest = uow.ledger.latest_checkpoint()
        if index is not None and latest is not None and latest[0] > index:
            return index, receipt(env, index)
        if time.monotonic() >= deadline:
            return index, None
        if publisher_interval <= 0:
            if integrate(env, keys).skipped_lease:
                time.sleep(0.05)
            continue
        time.sleep(min(0.05, publisher_interval / 4))
