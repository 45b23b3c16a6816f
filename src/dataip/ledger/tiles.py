"""C2SP tlog-tiles: tile paths, hash tiles, entry bundles, and proofs computed from tiles.

A tile at level ``L`` with index ``N`` holds up to 256 consecutive full-subtree hashes of height
``8 * L``: entry ``i`` is MTH(D[(N * 256 + i) * 256**L : (N * 256 + i + 1) * 256**L]). Tiles are
served at ``<prefix>/tile/<L>/<N>[.p/<W>]`` and entry bundles (big-endian uint16
length-prefixed entries) at ``<prefix>/tile/entries/<N>[.p/<W>]``; ``<N>`` is written in
zero-padded 3-digit groups, all but the last prefixed with ``x`` (1234067 → ``x001/x234/067``).

Which tile holds a full-subtree hash: a node at Merkle level ``8 * T + r`` (``0 <= r < 8``) is
the hash of ``2**r`` consecutive entries of one level-``T`` tile, so :class:`TileHashReader`
turns a tile fetcher into a :class:`~dataip.ledger.merkle.TreeReader`, and
:func:`tiles_for_inclusion` / :func:`tiles_for_consistency` / :func:`tiles_for_root` say which
tiles (with the partial widths right for the tree size) a client must fetch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from dataip.ledger import merkle
from dataip.ledger._util import MAX_UINT64
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import HASH_SIZE, Node, TreeReader

__all__ = [
    "MAX_ENTRY_SIZE",
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "TileHashReader",
    "decode_entry_bundle",
    "decode_hash_tile",
    "encode_entry_bundle",
    "encode_hash_tile",
    "encode_index",
    "parse_tile_path",
    "tile_contents",
    "tile_for_node",
    "tiles_changed",
    "tiles_for_consistency",
    "tiles_for_inclusion",
    "tiles_for_nodes",
    "tiles_for_root",
    "tiles_for_size",
    "verify_entry_bundle",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes
MAX_TILE_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF  # uint16 length prefix

_PATH = re.compile(
    r"tile/(?:(?P<entries>entries)|(?P<level>0|[1-9][0-9]?))"
    r"/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


@dataclass(frozen=True, order=True)
class Tile:
    """A hash tile (``data=False``) or entry bundle (``data=True``, level 0) at some width.

    ``width`` is 256 for a full tile and 1..255 for a partial one.
    """

    level: int
    index: int
    width: int = TILE_WIDTH
    data: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL:
            raise ValueError(f"tile level {self.level} outside 0..{MAX_TILE_LEVEL}")
        if self.data and self.level:
            raise ValueError("entry bundles only exist at level 0")
        if not 0 <= self.index <= MAX_UINT64:
            raise ValueError(f"tile index {self.index} out of range")
        if not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"tile width {self.width} outside 1..{TILE_WIDTH}")

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]`` (no prefix, no leading /)."""
        kind = "entries" if self.data else str(self.level)
        suffix = "" if self.is_full else f".p/{self.width}"
        return f"tile/{kind}/{encode_index(self.index)}{suffix}"

    @property
    def start_index(self) -> int:
        """First log entry covered (the spec's *start index*)."""
        return self.index << (TILE_HEIGHT * (self.level + 1))

    @property
    def end_index(self) -> int:
        """One past the last log entry covered by the hashes actually in this tile."""
        return self.start_index + (self.width << (TILE_HEIGHT * self.level))

    def full(self) -> Tile:
        """The full tile this (possibly partial) tile is a prefix of."""
        return replace(self, width=TILE_WIDTH)

    def bundle(self) -> Tile:
        """The entry bundle matching this level-0 tile."""
        if self.level:
            raise ValueError("only level-0 tiles have entry bundles")
        return replace(self, data=True)


def encode_index(index: int) -> str:
    """Zero-padded 3-digit groups, all but the last prefixed with ``x`` (tlog-tiles)."""
    if index < 0:
        raise ValueError("tile index must be non-negative")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def parse_tile_path(path: str) -> Tile:
    """Parse ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]`` (exactly one spelling)."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise FormatError(f"not a tile path: {path[:80]!r}")
    index = int(match["index"].replace("x", "").replace("/", ""))
    width = TILE_WIDTH
    if match["width"]:
        width = int(match["width"])
        if width >= TILE_WIDTH:
            raise FormatError(f"partial tile width {width} outside 1..255")
    level = 0 if match["entries"] else int(match["level"])
    try:
        tile = Tile(level, index, width, data=bool(match["entries"]))
    except ValueError as exc:
        raise FormatError(str(exc)) from exc
    if tile.path != path:  # e.g. a superfluous leading x000/ group
        raise FormatError(f"non-canonical tile path: {path[:80]!r}")
    return tile


# --- contents -------------------------------------------------------------------------------


def encode_hash_tile(hashes: Sequence[bytes]) -> bytes:
    """Concatenated 32-byte hashes (1..256 of them)."""
    if not 1 <= len(hashes) <= TILE_WIDTH:
        raise ValueError(f"a tile holds 1..{TILE_WIDTH} hashes, got {len(hashes)}")
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ValueError("tile entries must be 32-byte hashes")
    return b"".join(hashes)


def decode_hash_tile(data: bytes, width: int | None = None) -> list[bytes]:
    """Split a hash tile; if ``width`` is given the tile must hold exactly that many hashes."""
    count, rest = divmod(len(data), HASH_SIZE)
    if rest or not 1 <= count <= TILE_WIDTH:
        raise FormatError(f"hash tile of {len(data)} bytes is not 1..256 32-byte hashes")
    if width is not None and count != width:
        raise FormatError(f"hash tile holds {count} hashes, expected {width}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Big-endian uint16 length-prefixed entries (1..256 of them, each < 64 KiB)."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ValueError(f"a bundle holds 1..{TILE_WIDTH} entries, got {len(entries)}")
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise ValueError(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE}")
        out += len(entry).to_bytes(2, "big")
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Parse an entry bundle; truncation, trailing bytes or a wrong count are errors."""
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if len(entries) == TILE_WIDTH:
            raise FormatError("entry bundle holds more than 256 entries")
        if pos + 2 > len(data):
            raise FormatError("entry bundle truncated in a length prefix")
        size = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + size > len(data):
            raise FormatError("entry bundle truncated in an entry")
        entries.append(data[pos : pos + size])
        pos += size
    if not entries:
        raise FormatError("empty entry bundle")
    if width is not None and len(entries) != width:
        raise FormatError(f"entry bundle holds {len(entries)} entries, expected {width}")
    return entries


def verify_entry_bundle(bundle: bytes, level0_tile: bytes) -> None:
    """Check that each bundle entry hashes (RFC 6962) to the matching level-0 tile hash."""
    # 1. Both must parse and hold the same number of items.
    try:
        hashes = decode_hash_tile(level0_tile)
        entries = decode_entry_bundle(bundle, len(hashes))
    except FormatError as exc:
        raise VerificationError(str(exc)) from exc
    # 2. Entry i must be the preimage of leaf hash i.
    for i, (entry, expected) in enumerate(zip(entries, hashes, strict=True)):
        if merkle.leaf_hash(entry) != expected:
            raise VerificationError(f"bundle entry {i} does not match the level-0 tile")


# --- which tiles ------------------------------------------------------------------------------


def _level_count(tree_size: int, level: int) -> int:
    """How many hashes exist at tile level ``level`` for ``tree_size`` leaves."""
    return tree_size >> (TILE_HEIGHT * level)


def _tile_at(level: int, index: int, tree_size: int) -> Tile:
    width = min(TILE_WIDTH, _level_count(tree_size, level) - index * TILE_WIDTH)
    if width <= 0:
        raise ValueError(f"tile {level}/{index} does not exist at tree size {tree_size}")
    return Tile(level, index, width)


def tile_for_node(node: Node, tree_size: int) -> Tile:
    """The tile (at the width it has for ``tree_size``) from which ``node``'s hash is computed.

    A node at Merkle level ``8 * T + r`` is the hash of ``2**r`` entries of a level-``T`` tile.
    """
    if node.end > tree_size:
        raise ValueError(f"{node} is not a full subtree of a tree of size {tree_size}")
    level, r = divmod(node.level, TILE_HEIGHT)
    first = node.index << r
    return _tile_at(level, first // TILE_WIDTH, tree_size)


def tiles_for_nodes(nodes: Iterable[Node], tree_size: int) -> list[Tile]:
    """Distinct tiles needed to compute the given full-subtree hashes, sorted."""
    return sorted({tile_for_node(n, tree_size) for n in nodes})


def _nodes_for_ranges(ranges: Iterable[tuple[int, int]]) -> list[Node]:
    return [n for lo, hi in ranges for n in merkle.subtree_nodes(lo, hi)]


def tiles_for_root(tree_size: int) -> list[Tile]:
    """Tiles needed to compute the root of the tree of ``tree_size`` leaves."""
    if tree_size == 0:
        return []
    return tiles_for_nodes(merkle.subtree_nodes(0, tree_size), tree_size)


def tiles_for_inclusion(index: int, tree_size: int) -> list[Tile]:
    """Tiles needed to compute the leaf hash of ``index`` and its inclusion proof."""
    nodes = [Node(0, index), *_nodes_for_ranges(merkle.inclusion_ranges(index, tree_size))]
    return tiles_for_nodes(nodes, tree_size)


def tiles_for_consistency(size1: int, size2: int) -> list[Tile]:
    """Tiles (at ``size2``) needed to compute the consistency proof from ``size1``."""
    return tiles_for_nodes(_nodes_for_ranges(merkle.consistency_ranges(size1, size2)), size2)


def tiles_for_size(tree_size: int) -> list[Tile]:
    """Every hash tile, full and partial, that exists for ``tree_size`` leaves."""
    tiles: list[Tile] = []
    level = 0
    while (count := _level_count(tree_size, level)) > 0:
        tiles.extend(_tile_at(level, n, tree_size) for n in range(-(-count // TILE_WIDTH)))
        level += 1
    return tiles


def tiles_changed(old_size: int, new_size: int) -> list[Tile]:
    """Hash tiles (at their ``new_size`` widths) that are new or wider than at ``old_size``.

    These are the tiles an integrator must write when the tree grows; the entry bundles to
    write are the level-0 ones, via :meth:`Tile.bundle`.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"need 0 <= old_size <= new_size, got {old_size}, {new_size}")
    tiles: list[Tile] = []
    level = 0
    while (new_count := _level_count(new_size, level)) > 0:
        old_count = _level_count(old_size, level)
        if new_count != old_count:
            first = old_count // TILE_WIDTH
            last = (new_count - 1) // TILE_WIDTH
            tiles.extend(_tile_at(level, n, new_size) for n in range(first, last + 1))
        level += 1
    return tiles


def tile_contents(tile: Tile, reader: TreeReader) -> bytes:
    """The bytes of a hash tile, read from full-subtree hashes at level ``8 * tile.level``."""
    if tile.data:
        raise ValueError("entry bundles hold entries, not hashes")
    level = TILE_HEIGHT * tile.level
    first = tile.index * TILE_WIDTH
    return b"".join(reader.hash_at(level, first + i) for i in range(tile.width))


class TileHashReader:
    """A :class:`~dataip.ledger.merkle.TreeReader` backed by tiles of a tree of known size.

    ``fetch(tile)`` returns the bytes of a hash tile at the requested width; for a partial
    tile it may instead return the full tile (the spec's fallback once the partial one is
    gone), of which the first ``width`` hashes are used. Tiles and computed hashes are cached
    for the life of the reader. Nothing here is trusted: compare
    :func:`~dataip.ledger.merkle.root_from_reader` with a verified checkpoint.
    """

    def __init__(self, tree_size: int, fetch: Callable[[Tile], bytes]) -> None:
        if not 0 <= tree_size <= MAX_UINT64:
            raise ValueError("tree size out of range")
        self.tree_size = tree_size
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], list[bytes]] = {}
        self._nodes: dict[tuple[int, int], bytes] = {}

    def tile(self, tile_level: int, tile_index: int) -> list[bytes]:
        """The decoded hashes of one tile at its width for this tree size (fetched once)."""
        key = (tile_level, tile_index)
        hashes = self._tiles.get(key)
        if hashes is None:
            tile = _tile_at(tile_level, tile_index, self.tree_size)
            hashes = decode_hash_tile(self._fetch(tile))
            if len(hashes) != tile.width and len(hashes) != TILE_WIDTH:
                raise FormatError(f"{tile.path} holds {len(hashes)} hashes")
            hashes = hashes[: tile.width]
            self._tiles[key] = hashes
        return hashes

    def hash_at(self, level: int, index: int) -> bytes:
        key = (level, index)
        cached = self._nodes.get(key)
        if cached is not None:
            return cached
        if level < 0 or index < 0 or (index + 1) << level > self.tree_size:
            raise ValueError(f"no full subtree {level}/{index} at tree size {self.tree_size}")
        # A node at level 8T + r is the MTH of 2**r consecutive entries of a level-T tile.
        tile_level, r = divmod(level, TILE_HEIGHT)
        first = index << r
        hashes = self.tile(tile_level, first // TILE_WIDTH)
        offset = first % TILE_WIDTH
        row = hashes[offset : offset + (1 << r)]
        while len(row) > 1:
            row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        self._nodes[key] = row[0]
        return row[0]
