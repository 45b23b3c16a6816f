"""A tlog-tiles client: what a monitor or witness needs to check a log from outside.

Transport is injected (``fetch(path) -> bytes`` for paths under the log prefix, such as
``checkpoint`` or ``tile/0/000.p/5``), so this stays pure and testable; the CLI plugs in HTTP.
Nothing fetched is trusted: checkpoints are verified with the log's key, and every proof is
computed from fetched tiles and checked against signed roots, so a log that serves a split
view or rewrites history cannot produce tiles that pass.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dataip.ledger import merkle, tiles
from dataip.ledger.checkpoint import Checkpoint, open_checkpoint
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.note import NoteVerifier

__all__ = ["LogClient", "MonitorState", "SplitView"]


class SplitView(VerificationError):
    """Two signed checkpoints of one log that cannot both be true (fork, rollback, rewrite).

    ``evidence`` holds both signed notes: proof to show anyone, since both carry the log's
    signature.
    """

    def __init__(self, message: str, evidence: Sequence[str]) -> None:
        super().__init__(message)
        self.evidence = tuple(evidence)


@dataclass(frozen=True)
class MonitorState:
    """What a monitor or witness remembers between runs: the last verified checkpoint."""

    origin: str
    verifier_key: str
    size: int
    root_hash: bytes
    checkpoint: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": self.origin,
                "verifier_key": self.verifier_key,
                "size": self.size,
                "root_hash": base64.b64encode(self.root_hash).decode(),
                "checkpoint": self.checkpoint,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> MonitorState:
        try:
            raw: dict[str, Any] = json.loads(text)
            return cls(
                origin=str(raw["origin"]),
                verifier_key=str(raw["verifier_key"]),
                size=int(raw["size"]),
                root_hash=base64.b64decode(raw["root_hash"], validate=True),
                checkpoint=str(raw["checkpoint"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"not a monitor state file: {exc}") from exc


class LogClient:
    def __init__(
        self,
        fetch: Callable[[str], bytes],
        verifiers: Sequence[NoteVerifier],
        *,
        origin: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._verifiers = list(verifiers)
        self._origin = origin

    def checkpoint(self) -> tuple[Checkpoint, str]:
        """The log's current checkpoint, signature and origin verified."""
        note = self._fetch("checkpoint").decode("utf-8")
        checkpoint, _ = open_checkpoint(note, self._verifiers, origin=self._origin)
        return checkpoint, note

    def reader(self, size: int) -> tiles.TileHashReader:
        return tiles.TileHashReader(size, lambda tile: self._fetch(tile.path))

    def check_root(self, checkpoint: Checkpoint) -> tiles.TileHashReader:
        """The tiles rebuild the checkpoint's root (tiles and checkpoint agree)."""
        reader = self.reader(checkpoint.size)
        if merkle.root_from_reader(reader, checkpoint.size) != checkpoint.root_hash:
            raise VerificationError(f"tiles do not rebuild the root of tree size {checkpoint.size}")
        return reader

    def check_consistent(
        self, old: Checkpoint, old_note: str, new: Checkpoint, new_note: str
    ) -> None:
        """`new` extends `old` (RFC 6962 consistency, proof built from the new tree's tiles).

        Raises :class:`SplitView` with both notes as evidence when it does not.
        """
        if new.origin != old.origin:
            raise VerificationError(f"origin changed from {old.origin!r} to {new.origin!r}")
        if new.size < old.size:
            raise SplitView(
                f"log went back from size {old.size} to {new.size}", [old_note, new_note]
            )
        if new.size == old.size:
            if new.root_hash != old.root_hash:
                raise SplitView(f"two different roots at size {new.size}", [old_note, new_note])
            return
        reader = self.check_root(new)
        if old.size == 0:
            return
        proof = merkle.consistency_proof_from_reader(reader, old.size, new.size)
        try:
            merkle.verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
        except VerificationError as exc:
            raise SplitView(
                f"size {new.size} does not extend size {old.size}: {exc}", [old_note, new_note]
            ) from exc

    def entries(self, start: int, end: int, size: int) -> list[bytes]:
        """Leaves [start, end) of the tree of `size`, each bundle checked against its tile."""
        out: list[bytes] = []
        reader = self.reader(size)
        for n in range(start // tiles.TILE_WIDTH, (end - 1) // tiles.TILE_WIDTH + 1):
            width = min(tiles.TILE_WIDTH, size - n * tiles.TILE_WIDTH)
            bundle_tile = tiles.Tile(0, n, width, data=True)
            bundle = self._fetch(bundle_tile.path)
            hashes = reader.tile(0, n)
            tiles.verify_entry_bundle(bundle, tiles.encode_hash_tile(hashes))
            entries = tiles.decode_entry_bundle(bundle, width)
            first = n * tiles.TILE_WIDTH
            out.extend(entries[max(start - first, 0) : end - first])
        return out
