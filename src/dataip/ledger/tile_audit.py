"""Audit a whole C2SP tlog-tiles log from its tiles alone: every entry bundle, every hash
tile at every level, against one verified checkpoint (issue 25 §3).

This is what ``dataip log audit --from-dir / --from-url`` runs over a static copy of the log
(a folder, a static web server, a CDN) or the application's own ``/log/`` routes. Transport
is injected (``fetch(tile) -> bytes | None``, None for a missing file), so it stays pure.

How it checks, level by level and streaming (memory: one hash per full level-0 tile):

* each level-0 tile against its entry bundle (each entry's RFC 6962 leaf hash); the entries
  are the log's data, so their hashes are what the levels above are checked against;
* each hash of a level-``L`` tile (``L >= 1``) against the Merkle tree hash of the matching
  full tile one level down;
* the root rebuilt from the rightmost tiles of each level against the checkpoint's root —
  the only nodes the root needs are in those tiles.

A partial tile that is missing is looked up as its full tile (the spec's fallback, once the
log has grown past it); a finding names the file at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dataip.ledger import merkle
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.errors import FormatError
from dataip.ledger.tiles import (
    TILE_WIDTH,
    Tile,
    TileHashReader,
    decode_entry_bundle,
    decode_hash_tile,
    encode_hash_tile,
)

__all__ = ["TileAuditReport", "TileFinding", "audit_tiles"]


@dataclass(frozen=True)
class TileFinding:
    """What is wrong, and with which file (a path under the log prefix)."""

    code: str
    path: str
    message: str


@dataclass
class TileAuditReport:
    size: int = 0
    tiles: int = 0
    bundles: int = 0
    findings: list[TileFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def audit_tiles(
    fetch: Callable[[Tile], bytes | None],
    checkpoint: Checkpoint,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> TileAuditReport:
    """Check every tile and entry bundle of the tree of ``checkpoint`` (already verified)."""
    size = checkpoint.size
    report = TileAuditReport(size=size)
    rightmost: dict[tuple[int, int], bytes] = {}  # the root is computed from these
    fetched = _Fetcher(fetch, report)
    # Level 0: tiles against bundles; the entries' hashes go up.
    above: list[bytes] = []
    tiles_at_0 = -(-size // TILE_WIDTH)
    for n in range(tiles_at_0):
        width = min(TILE_WIDTH, size - n * TILE_WIDTH)
        truth = _level0(fetched, Tile(0, n, width), report)
        if truth is None:
            return report  # nothing above can be checked without these hashes
        if width == TILE_WIDTH:
            above.append(merkle.root(truth))
        if n == tiles_at_0 - 1:
            rightmost[(0, n)] = encode_hash_tile(truth)
        if progress:
            progress(min(size, (n + 1) * TILE_WIDTH), size)
    # Levels 1 and up: each hash is the MTH of a full tile one level down.
    level = 1
    while above:
        count = len(above)
        tiles_here = -(-count // TILE_WIDTH)
        next_above: list[bytes] = []
        for n in range(tiles_here):
            expected = above[n * TILE_WIDTH : (n + 1) * TILE_WIDTH]
            tile = Tile(level, n, len(expected))
            got = fetched.hashes(tile)
            if got is not None and got != expected:
                first = next(
                    i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b
                )
                below = Tile(level - 1, n * TILE_WIDTH + first)
                report.findings.append(
                    TileFinding(
                        "tile_mismatch",
                        tile.path,
                        f"hash {first} is not the Merkle tree hash of {below.path}",
                    )
                )
            if len(expected) == TILE_WIDTH:
                next_above.append(merkle.root(expected))
            if n == tiles_here - 1:
                rightmost[(level, n)] = encode_hash_tile(expected)
        above = next_above
        level += 1
    if size:
        reader = TileHashReader(size, lambda t: rightmost[(t.level, t.index)])
        if merkle.root_from_reader(reader, size) != checkpoint.root_hash:
            report.findings.append(
                TileFinding(
                    "root_mismatch",
                    "checkpoint",
                    f"the entries do not rebuild the checkpoint's root at size {size}",
                )
            )
    return report


def _level0(fetched: _Fetcher, tile: Tile, report: TileAuditReport) -> list[bytes] | None:
    """The leaf hashes of one level-0 tile, from its entry bundle when that is readable (the
    entries are the data; the tile is derived), with a finding for any disagreement."""
    hashes = fetched.hashes(tile)
    bundle = fetched.raw(tile.bundle())
    leaves: list[bytes] | None = None
    if bundle is not None:
        try:
            entries = decode_entry_bundle(bundle)
            if len(entries) == TILE_WIDTH and tile.width < TILE_WIDTH:  # the full fallback
                entries = entries[: tile.width]
            if len(entries) != tile.width:
                raise FormatError(f"holds {len(entries)} entries, expected {tile.width}")
            leaves = [merkle.leaf_hash(e) for e in entries]
        except FormatError as exc:
            report.findings.append(TileFinding("bad_bundle", tile.bundle().path, str(exc)))
    if leaves is not None and hashes is not None and leaves != hashes:
        first = next(i for i, (a, b) in enumerate(zip(leaves, hashes, strict=True)) if a != b)
        report.findings.append(
            TileFinding(
                "bundle_mismatch",
                tile.path,
                f"hash {first} is not the leaf hash of entry {first} of {tile.bundle().path}",
            )
        )
    return leaves if leaves is not None else hashes


class _Fetcher:
    """Fetches with the partial → full fallback, decoding and counting; missing and
    malformed files become findings."""

    def __init__(self, fetch: Callable[[Tile], bytes | None], report: TileAuditReport) -> None:
        self._fetch = fetch
        self._report = report

    def raw(self, tile: Tile) -> bytes | None:
        data = self._fetch(tile)
        if data is None and not tile.is_full:
            data = self._fetch(tile.full())
        if data is None:
            self._report.findings.append(TileFinding("missing", tile.path, "missing"))
            return None
        if tile.data:
            self._report.bundles += 1
        else:
            self._report.tiles += 1
        return data

    def hashes(self, tile: Tile) -> list[bytes] | None:
        data = self.raw(tile)
        if data is None:
            return None
        try:
            hashes = decode_hash_tile(data)
        except FormatError as exc:
            self._report.findings.append(TileFinding("bad_tile", tile.path, str(exc)))
            return None
        if len(hashes) == TILE_WIDTH and tile.width < TILE_WIDTH:
            hashes = hashes[: tile.width]
        if len(hashes) != tile.width:
            self._report.findings.append(
                TileFinding(
                    "bad_tile", tile.path, f"holds {len(hashes)} hashes, expected {tile.width}"
                )
            )
            return None
        return hashes
