"""C2SP tlog-tiles: paths, contents, which tiles a proof needs, and proofs from tiles."""

from __future__ import annotations

import functools

import pytest

from dataip.ledger import merkle
from dataip.ledger.errors import FormatError, VerificationError
from dataip.ledger.merkle import MerkleTree, Node
from dataip.ledger.tiles import (
    Tile,
    TileHashReader,
    decode_entry_bundle,
    decode_hash_tile,
    encode_entry_bundle,
    encode_hash_tile,
    encode_index,
    parse_tile_path,
    tile_contents,
    tile_for_node,
    tiles_changed,
    tiles_for_consistency,
    tiles_for_inclusion,
    tiles_for_root,
    tiles_for_size,
    verify_entry_bundle,
)

SIZE = 70_000  # the spec's example


@functools.cache
def tree() -> MerkleTree:
    return MerkleTree.from_data(i.to_bytes(4, "big") for i in range(SIZE))


def store(size: int) -> dict[Tile, bytes]:
    return {t: tile_contents(t, tree()) for t in tiles_for_size(size)}


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 0), "tile/0/000"),
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(1, 999), "tile/1/999"),
        (Tile(1, 1000), "tile/1/x001/000"),
        (Tile(2, 5, 17), "tile/2/005.p/17"),
        (Tile(0, 1_000_000, 1), "tile/0/x001/x000/000.p/1"),
        (Tile(0, 7, data=True), "tile/entries/007"),
        (Tile(0, 273, 112, data=True), "tile/entries/273.p/112"),
        (Tile(63, 0, 255), "tile/63/000.p/255"),
    ],
)
def test_tile_paths_round_trip(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert parse_tile_path(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile/0",
        "tile/0/",
        "tile/00/000",  # leading zero in level
        "tile/64/000",  # level out of range
        "tile/-1/000",
        "tile/0/12",  # not 3 digits
        "tile/0/0001",
        "tile/0/001/234",  # missing x
        "tile/0/x001",  # x on the last element
        "tile/0/x000/001",  # non-canonical leading group
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/01",
        "tile/0/000.p/",
        "tile/0/000.p/1/",
        "/tile/0/000",
        "tile/0/000/",
        "tile/entries/000.p/300",
        "tile/entry/000",
        "tile/0/00a",
        "tile/0/٠٠٠",  # non-ASCII digits
        "tile/0/000\n",
    ],
)
def test_bad_tile_paths_are_rejected(path: str) -> None:
    with pytest.raises(FormatError):
        parse_tile_path(path)


def test_encode_index() -> None:
    assert encode_index(0) == "000"
    assert encode_index(1234067) == "x001/x234/067"
    assert encode_index(10**9) == "x001/x000/x000/000"
    with pytest.raises(ValueError):
        encode_index(-1)


def test_tile_validation_and_ranges() -> None:
    for level, index, width in [(64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(ValueError):
            Tile(level, index, width)
    with pytest.raises(ValueError):
        Tile(1, 0, data=True)
    t = Tile(1, 2, 17)
    assert (t.start_index, t.end_index) == (2 * 65536, 2 * 65536 + 17 * 256)
    assert t.full() == Tile(1, 2) and t.full().is_full and not t.is_full
    assert Tile(0, 3, 5).bundle() == Tile(0, 3, 5, data=True)
    with pytest.raises(ValueError):
        t.bundle()


# --- contents ---------------------------------------------------------------------------------


def test_hash_tiles() -> None:
    hashes = [bytes([i]) * 32 for i in range(3)]
    data = encode_hash_tile(hashes)
    assert len(data) == 96 and decode_hash_tile(data) == hashes
    assert decode_hash_tile(data, 3) == hashes
    for bad in [b"", data[:-1], data + b"\0", bytes(32 * 257)]:
        with pytest.raises(FormatError):
            decode_hash_tile(bad)
    with pytest.raises(FormatError):
        decode_hash_tile(data, 2)
    for bad_hashes in [[], [b"short"], [bytes(32)] * 257]:
        with pytest.raises(ValueError):
            encode_hash_tile(bad_hashes)


def test_entry_bundles() -> None:
    entries = [b"", b"a", bytes(range(256)) * 3, b"x" * 65535]
    data = encode_entry_bundle(entries)
    assert data[:5] == b"\x00\x00\x00\x01a"
    assert decode_entry_bundle(data) == entries
    assert decode_entry_bundle(data, 4) == entries
    for bad in [b"", data[:-1], data + b"\x00", data + b"\x00\x05ab", b"\x00"]:
        with pytest.raises(FormatError):
            decode_entry_bundle(bad)
    with pytest.raises(FormatError):
        decode_entry_bundle(data, 5)
    with pytest.raises(FormatError):
        decode_entry_bundle(b"\x00\x00" * 257)
    with pytest.raises(ValueError):
        encode_entry_bundle([b"x" * 65536])
    with pytest.raises(ValueError):
        encode_entry_bundle([])


def test_verify_entry_bundle() -> None:
    entries = [b"one", b"two", b"three"]
    level0 = encode_hash_tile([merkle.leaf_hash(e) for e in entries])
    verify_entry_bundle(encode_entry_bundle(entries), level0)
    with pytest.raises(VerificationError):
        verify_entry_bundle(encode_entry_bundle([b"one", b"TWO", b"three"]), level0)
    with pytest.raises(VerificationError):
        verify_entry_bundle(encode_entry_bundle(entries[:2]), level0)
    with pytest.raises(VerificationError):
        verify_entry_bundle(encode_entry_bundle(entries)[:-1], level0)


# --- which tiles exist --------------------------------------------------------------------


def test_spec_example_tree_of_70000() -> None:
    tiles = tiles_for_size(SIZE)
    level0 = [t for t in tiles if t.level == 0]
    assert sum(t.is_full for t in level0) == 273
    assert [t for t in level0 if not t.is_full] == [Tile(0, 273, 112)]
    assert [t for t in tiles if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in tiles if t.level == 2] == [Tile(2, 0, 1)]
    assert len(tiles) == 273 + 1 + 2 + 1


def test_spec_example_tree_of_256() -> None:
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [Tile(0, 0, 1)]


def test_tile_for_node() -> None:
    assert tile_for_node(Node(0, 300), SIZE) == Tile(0, 1)
    assert tile_for_node(Node(0, 69_999), SIZE) == Tile(0, 273, 112)
    assert tile_for_node(Node(7, 0), SIZE) == Tile(0, 0)
    assert tile_for_node(Node(8, 3), SIZE) == Tile(1, 0)
    assert tile_for_node(Node(9, 130), SIZE) == Tile(1, 1, 17)
    assert tile_for_node(Node(16, 0), SIZE) == Tile(2, 0, 1)
    with pytest.raises(ValueError):
        tile_for_node(Node(0, SIZE), SIZE)


def test_tiles_changed_keeps_a_tile_store_in_step() -> None:
    written: dict[tuple[int, int], Tile] = {}
    old = 0
    for new in [1, 2, 255, 256, 257, 300, 511, 512, 65535, 65536, 65537, SIZE]:
        for tile in tiles_changed(old, new):
            written[(tile.level, tile.index)] = tile
        assert sorted(written.values()) == tiles_for_size(new)
        old = new
    assert tiles_changed(SIZE, SIZE) == []
    with pytest.raises(ValueError):
        tiles_changed(2, 1)


# --- proofs from tiles ----------------------------------------------------------------------


class Fetcher:
    def __init__(self, tiles: dict[Tile, bytes]) -> None:
        self.tiles = tiles
        self.fetched: set[Tile] = set()

    def __call__(self, tile: Tile) -> bytes:
        self.fetched.add(tile)
        return self.tiles[tile]


@pytest.mark.parametrize("size", [1, 255, 256, 257, 65536, 65537, SIZE])
def test_root_from_tiles(size: int) -> None:
    fetch = Fetcher(store(size))
    reader = TileHashReader(size, fetch)
    assert merkle.root_from_reader(reader, size) == tree().root(size)
    assert fetch.fetched == set(tiles_for_root(size))


@pytest.mark.parametrize("size", [300, 65537, SIZE])
@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.5, 0.999, 1.0])
def test_inclusion_proof_from_tiles(size: int, fraction: float) -> None:
    index = min(size - 1, int(size * fraction))
    fetch = Fetcher(store(size))
    reader = TileHashReader(size, fetch)
    leaf = reader.hash_at(0, index)
    proof = merkle.inclusion_proof_from_reader(reader, index, size)
    assert proof == tree().inclusion_proof(index, size)
    assert fetch.fetched == set(tiles_for_inclusion(index, size))
    merkle.verify_inclusion(leaf, index, size, proof, tree().root(size))


@pytest.mark.parametrize(
    ("size1", "size2"), [(1, 300), (256, 70_000), (1000, 65537), (69_999, SIZE)]
)
def test_consistency_proof_from_tiles(size1: int, size2: int) -> None:
    fetch = Fetcher(store(size2))
    reader = TileHashReader(size2, fetch)
    proof = merkle.consistency_proof_from_reader(reader, size1, size2)
    assert proof == tree().consistency_proof(size1, size2)
    assert fetch.fetched == set(tiles_for_consistency(size1, size2))
    merkle.verify_consistency(size1, size2, proof, tree().root(size1), tree().root(size2))


def test_tile_reader_rejects_wrong_widths_and_out_of_range_nodes() -> None:
    tiles = store(300)
    tiles[Tile(0, 1, 44)] = tiles[Tile(0, 1, 44)][:-32]
    reader = TileHashReader(300, tiles.__getitem__)
    with pytest.raises(FormatError):
        reader.hash_at(0, 299)
    with pytest.raises(ValueError):
        reader.hash_at(0, 300)
    with pytest.raises(ValueError):
        reader.hash_at(9, 0)
    assert reader.hash_at(8, 0) == tree().hash_at(8, 0)


def test_tile_reader_accepts_the_full_tile_for_a_partial_one() -> None:
    full = store(SIZE)

    def fetch(tile: Tile) -> bytes:
        return full[tile.full()]

    reader = TileHashReader(300, fetch)
    assert merkle.root_from_reader(reader, 300) == tree().root(300)
