"""Audit a whole C2SP tlog-tiles log from its tiles alone: every entry bundle, every hash
tile at every level, against one verified checkpoint (issue 25 §3).

This is what ``dataip log audit --from-dir / --from-url`` runs over a static copy of the log
(a folder, a static web server, a CDN) or the application's own ``/log/`` routes. Transport
is injected (``fetch(tile) -> bytes | None``, None for a missing file), so it stays pure.

How it checks, level by level and streaming (memory: one hash per full level-0 tile):

* each level-0 tile against its entry bundle (each entry's RFC 6962 leaf hash); where they
  disagree, the level-1 hash above (or for the rightmost tile the checkpoint's root) says
  which of the two files the log signed, and the other is named;
* each hash of a level-``L`` tile (``L >= 1``) against the Merkle tree hash of the matching
  full tile one level down, computed from below (never from the tile being checked, so one
  bad file makes one finding);
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
    fetched = _Fetcher(fetch, report)
    # Level 0: tiles against bundles. Where the two disagree, the level above (or, for the
    # rightmost tile, the checkpoint's root) says which of them is at fault.
    above: list[bytes] = []
    disputes: dict[int, _Dispute] = {}
    last: list[bytes] = []
    tiles_at_0 = -(-size // TILE_WIDTH)
    for n in range(tiles_at_0):
        width = min(TILE_WIDTH, size - n * TILE_WIDTH)
        hashes, dispute = _level0(fetched, Tile(0, n, width))
        if hashes is None:
            return report  # nothing above can be checked without these hashes
        if dispute is not None:
            disputes[n] = dispute
        if width == TILE_WIDTH:
            above.append(merkle.root(hashes))
        else:
            last = hashes
        if progress:
            progress(min(size, (n + 1) * TILE_WIDTH), size)
    # Levels 1 and up: each hash is the MTH of a full tile one level down — computed from
    # below, never taken from the tile checked, so one bad file is one finding.
    rightmost: dict[int, list[bytes]] = {0: last} if last else {}
    level = 1
    while above:
        tiles_here = -(-len(above) // TILE_WIDTH)
        for n in range(tiles_here):
            first = n * TILE_WIDTH
            expected = above[first : first + TILE_WIDTH]
            tile = Tile(level, n, len(expected))
            got = fetched.hashes(tile)
            if level == 1:
                _settle(disputes, first, got, expected, report)
                above[first : first + len(expected)] = expected
            if got is not None and got != expected:
                at = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
                report.findings.append(
                    TileFinding(
                        "tile_mismatch",
                        tile.path,
                        f"hash {at} is not the Merkle tree hash of "
                        f"{Tile(level - 1, first + at).path}",
                    )
                )
        rightmost[level] = above[(tiles_here - 1) * TILE_WIDTH :]
        full = len(above) // TILE_WIDTH * TILE_WIDTH
        above = [merkle.root(above[i : i + TILE_WIDTH]) for i in range(0, full, TILE_WIDTH)]
        level += 1
    if size:
        _check_root(checkpoint, rightmost, disputes, report)
    for n, dispute in sorted(disputes.items()):  # neither side confirmed
        report.findings.append(dispute.finding(Tile(0, n, len(dispute.tile))))
    return report


@dataclass
class _Dispute:
    """A level-0 tile whose hashes are not its bundle's entries' leaf hashes."""

    tile: list[bytes]
    leaves: list[bytes]

    @property
    def at(self) -> int:
        return next(
            i for i, (a, b) in enumerate(zip(self.tile, self.leaves, strict=True)) if a != b
        )

    def finding(self, tile: Tile, fault: str | None = None) -> TileFinding:
        bundle = tile.bundle().path
        if fault == "tile":
            return TileFinding(
                "tile_mismatch",
                tile.path,
                f"hash {self.at} is not the leaf hash of entry {self.at} of {bundle}, "
                "whose entries the tiles above and the checkpoint confirm",
            )
        if fault == "bundle":
            return TileFinding(
                "bundle_mismatch",
                bundle,
                f"entry {self.at} does not hash to hash {self.at} of {tile.path}, which the "
                "tiles above and the checkpoint confirm",
            )
        return TileFinding(
            "bundle_mismatch",
            tile.path,
            f"hash {self.at} is not the leaf hash of entry {self.at} of {bundle}",
        )


def _settle(
    disputes: dict[int, _Dispute],
    first: int,
    got: list[bytes] | None,
    expected: list[bytes],
    report: TileAuditReport,
) -> None:
    """Disputed level-0 tiles under one level-1 tile: the level-1 hash tells which of tile
    and bundle the log signed. ``expected`` (computed from the level-0 tiles) is corrected
    where the bundle turns out right, so the levels above see the signed tree."""
    if got is None:
        return
    for i in range(len(expected)):
        dispute = disputes.get(first + i)
        if dispute is None:
            continue
        tile = Tile(0, first + i)
        if got[i] == merkle.root(dispute.leaves):
            expected[i] = got[i]
            report.findings.append(dispute.finding(tile, "tile"))
        elif got[i] == merkle.root(dispute.tile):
            report.findings.append(dispute.finding(tile, "bundle"))
        else:
            continue
        del disputes[first + i]


def _check_root(
    checkpoint: Checkpoint,
    rightmost: dict[int, list[bytes]],
    disputes: dict[int, _Dispute],
    report: TileAuditReport,
) -> None:
    """The root from the rightmost tile of each level; a dispute over the rightmost
    level-0 tile is settled by whichever side gives the checkpoint's root."""
    size = checkpoint.size

    def root(level0: list[bytes] | None) -> bytes:
        def fetch(t: Tile) -> bytes:
            hashes = level0 if t.level == 0 and level0 is not None else rightmost[t.level]
            return encode_hash_tile(hashes)

        return merkle.root_from_reader(TileHashReader(size, fetch), size)

    last = (size - 1) // TILE_WIDTH
    dispute = disputes.get(last) if size % TILE_WIDTH else None
    tile = Tile(0, last, size % TILE_WIDTH or TILE_WIDTH)
    if root(None) == checkpoint.root_hash:
        if dispute is not None:  # the tile is what the log signed: the bundle is wrong
            report.findings.append(dispute.finding(tile, "bundle"))
            del disputes[last]
        return
    if dispute is not None and root(dispute.leaves) == checkpoint.root_hash:
        report.findings.append(dispute.finding(tile, "tile"))
        del disputes[last]
        return
    report.findings.append(
        TileFinding(
            "root_mismatch",
            "checkpoint",
            f"the tiles do not rebuild the checkpoint's root at size {size}",
        )
    )


def _level0(fetched: _Fetcher, tile: Tile) -> tuple[list[bytes] | None, _Dispute | None]:
    """The hashes of one level-0 tile (its bundle's leaf hashes if the tile is unreadable),
    and the dispute if tile and bundle disagree."""
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
            fetched.report.findings.append(TileFinding("bad_bundle", tile.bundle().path, str(exc)))
    if hashes is None:
        return leaves, None
    if leaves is not None and leaves != hashes:
        return hashes, _Dispute(hashes, leaves)
    return hashes, None


class _Fetcher:
    """Fetches with the partial → full fallback, decoding and counting; missing and
    malformed files become findings."""

    def __init__(self, fetch: Callable[[Tile], bytes | None], report: TileAuditReport) -> None:
        self._fetch = fetch
        self.report = report

    def raw(self, tile: Tile) -> bytes | None:
        data = self._fetch(tile)
        if data is None and not tile.is_full:
            data = self._fetch(tile.full())
        if data is None:
            self.report.findings.append(TileFinding("missing", tile.path, "missing"))
            return None
        if tile.data:
            self.report.bundles += 1
        else:
            self.report.tiles += 1
        return data

    def hashes(self, tile: Tile) -> list[bytes] | None:
        data = self.raw(tile)
        if data is None:
            return None
        try:
            hashes = decode_hash_tile(data)
        except FormatError as exc:
            self.report.findings.append(TileFinding("bad_tile", tile.path, str(exc)))
            return None
        if len(hashes) == TILE_WIDTH and tile.width < TILE_WIDTH:
            hashes = hashes[: tile.width]
        if len(hashes) != tile.width:
            self.report.findings.append(
                TileFinding(
                    "bad_tile", tile.path, f"holds {len(hashes)} hashes, expected {tile.width}"
                )
            )
            return None
        return hashes
