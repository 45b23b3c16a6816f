"""audit_tiles (issue 25 §3): a whole tlog-tiles log checked from its files against one
checkpoint — here the spec's own example size, 70,000 leaves (273 full level-0 tiles and a
partial one of width 112, a full and a partial level-1 tile of width 17, a partial level-2
tile of width 1) — clean when honest, and every kind of damage named by its file."""

from __future__ import annotations

from dataip.ledger import merkle, tiles
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.tile_audit import audit_tiles

SIZE = 70_000
ENTRIES = [b"%d" % i for i in range(SIZE)]
TREE = merkle.MerkleTree.from_data(ENTRIES)
CHECKPOINT = Checkpoint("registry.example.cn/log", SIZE, TREE.root(SIZE))


def _files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for tile in tiles.tiles_for_size(SIZE):
        files[tile.path] = tiles.tile_contents(tile, TREE)
        if tile.level == 0:
            first = tile.index * tiles.TILE_WIDTH
            bundle = tiles.encode_entry_bundle(ENTRIES[first : first + tile.width])
            files[tile.bundle().path] = bundle
    return files


FILES = _files()


def _audit(files: dict[str, bytes]) -> list[tuple[str, str]]:
    report = audit_tiles(lambda tile: files.get(tile.path), CHECKPOINT)
    return [(f.code, f.path) for f in report.findings]


def test_i25_every_tile_of_an_honest_log_checks() -> None:
    assert {"tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"} <= set(FILES)
    report = audit_tiles(lambda tile: FILES.get(tile.path), CHECKPOINT)
    assert report.ok, report.findings
    assert (report.tiles, report.bundles) == (274 + 2 + 1, 274)


def test_i25_a_partial_tile_gone_is_read_from_its_full_tile() -> None:
    grown = dict(FILES)
    del grown["tile/0/273.p/112"]
    grown["tile/0/273"] = (
        b"".join(TREE.hash_at(0, 273 * 256 + i) for i in range(112)) + 144 * b"\x07" * 32
    )  # the full tile of a later, larger tree
    assert _audit(grown) == []


def test_i25_each_damaged_file_is_named() -> None:
    def flip(path: str, at: int = 0) -> dict[str, bytes]:
        data = FILES[path]
        return {**FILES, path: data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]}

    assert _audit(flip("tile/1/000", 32 * 9)) == [("tile_mismatch", "tile/1/000")]
    assert _audit(flip("tile/1/001.p/17")) == [("tile_mismatch", "tile/1/001.p/17")]
    assert _audit(flip("tile/2/000.p/1")) == [("tile_mismatch", "tile/2/000.p/1")]
    # tile and bundle disagree: the tile above says which one the log signed
    assert _audit(flip("tile/0/005")) == [("tile_mismatch", "tile/0/005")]
    assert _audit(flip("tile/entries/100", 2)) == [("bundle_mismatch", "tile/entries/100")]
    # …and for the rightmost tile, the checkpoint's root
    assert _audit(flip("tile/0/273.p/112")) == [("tile_mismatch", "tile/0/273.p/112")]
    assert _audit(flip("tile/entries/273.p/112", 2)) == [
        ("bundle_mismatch", "tile/entries/273.p/112")
    ]
    # both changed alike (a forged entry with its leaf hash): the tiles above and the root
    # disagree with them, the first finding pointing at the forged pair
    forged = dict(FILES)
    entries = list(ENTRIES[5 * 256 : 6 * 256])
    entries[3] = b"forged"
    forged["tile/entries/005"] = tiles.encode_entry_bundle(entries)
    forged["tile/0/005"] = b"".join(merkle.leaf_hash(e) for e in entries)
    report = audit_tiles(lambda tile: forged.get(tile.path), CHECKPOINT)
    assert [(f.code, f.path) for f in report.findings] == [
        ("tile_mismatch", "tile/1/000"),
        ("tile_mismatch", "tile/2/000.p/1"),
        ("root_mismatch", "checkpoint"),
    ]
    assert report.findings[0].message == "hash 5 is not the Merkle tree hash of tile/0/005"
    assert _audit({**FILES, "tile/entries/007": b"\x00"}) == [("bad_bundle", "tile/entries/007")]
    missing = dict(FILES)
    del missing["tile/1/000"]
    assert _audit(missing) == [("missing", "tile/1/000")]
    # a consistent log of other entries does not pass for this checkpoint
    other = dict(FILES)
    for tile in tiles.tiles_for_size(SIZE):
        other[tile.path] = b""
    assert _audit({p: d for p, d in other.items() if d}) != []
