"""audit_tiles (issue 25 §3): a whole tlog-tiles log checked from its files against one
checkpoint — clean when honest, and every kind of damage named by its file. The big log is
the spec's own example size, 70,000 leaves (273 full level-0 tiles and a partial one of
width 112, a full and a partial level-1 tile of width 17, a partial level-2 tile of width 1);
the small one, 868 leaves, keeps the many damaged variants cheap."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dataip.ledger import merkle, tiles
from dataip.ledger.checkpoint import Checkpoint
from dataip.ledger.tile_audit import TileAuditReport, audit_tiles


@dataclass
class Log:
    entries: list[bytes]
    checkpoint: Checkpoint
    files: dict[str, bytes]

    @classmethod
    def of(cls, size: int) -> Log:
        entries = [b"%d" % i for i in range(size)]
        tree = merkle.MerkleTree.from_data(entries)
        files: dict[str, bytes] = {}
        for tile in tiles.tiles_for_size(size):
            files[tile.path] = tiles.tile_contents(tile, tree)
            if tile.level == 0:
                first = tile.index * tiles.TILE_WIDTH
                bundle = tiles.encode_entry_bundle(entries[first : first + tile.width])
                files[tile.bundle().path] = bundle
        return cls(entries, Checkpoint("registry.example.cn/log", size, tree.root(size)), files)

    def audit(self, changed: dict[str, bytes] | None = None) -> TileAuditReport:
        files = {**self.files, **(changed or {})}
        return audit_tiles(lambda tile: files.get(tile.path), self.checkpoint)

    def flip(self, *where: tuple[str, int]) -> list[tuple[str, str]]:
        """The findings with one bit flipped at (file, byte) for each pair given."""
        changed: dict[str, bytes] = {}
        for path, at in where:
            data = self.files[path]
            changed[path] = data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]
        return [(f.code, f.path) for f in self.audit(changed).findings]


@functools.cache
def big() -> Log:
    return Log.of(70_000)


SMALL = Log.of(3 * 256 + 100)


def test_i25_every_tile_of_an_honest_log_checks_and_each_level_names_its_own_damage() -> None:
    big_log = big()
    assert {"tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"} <= set(
        big_log.files
    )
    report = big_log.audit()
    assert report.ok, report.findings
    assert (report.tiles, report.bundles) == (274 + 2 + 1, 274)
    # a full level-1 tile and the level-2 tile, each checked against hashes from below
    assert big_log.flip(("tile/1/000", 32 * 9), ("tile/2/000.p/1", 0)) == [
        ("tile_mismatch", "tile/1/000"),
        ("tile_mismatch", "tile/2/000.p/1"),
    ]


def test_i25_a_partial_tile_gone_is_read_from_its_full_tile() -> None:
    last = SMALL.files["tile/0/003.p/100"]
    files = {k: v for k, v in SMALL.files.items() if k != "tile/0/003.p/100"}
    files["tile/0/003"] = last + 156 * 32 * b"\x07"  # the full tile of a later, larger tree
    report = audit_tiles(lambda tile: files.get(tile.path), SMALL.checkpoint)
    assert report.ok, report.findings


def test_i25_each_damaged_file_is_named() -> None:
    assert SMALL.flip(("tile/1/000.p/3", 40)) == [("tile_mismatch", "tile/1/000.p/3")]
    # tile and bundle disagree: the tile above says which one the log signed
    assert SMALL.flip(("tile/0/001", 0)) == [("tile_mismatch", "tile/0/001")]
    assert SMALL.flip(("tile/entries/002", 2)) == [("bundle_mismatch", "tile/entries/002")]
    # …and for the rightmost tile, the checkpoint's root
    assert SMALL.flip(("tile/0/003.p/100", 0)) == [("tile_mismatch", "tile/0/003.p/100")]
    assert SMALL.flip(("tile/entries/003.p/100", 2)) == [
        ("bundle_mismatch", "tile/entries/003.p/100")
    ]
    # both changed alike (a forged entry with its leaf hash): the tile above and the root
    # disagree with them, the first finding pointing at the forged pair
    entries = list(SMALL.entries[256:512])
    entries[3] = b"forged"
    report = SMALL.audit(
        {
            "tile/entries/001": tiles.encode_entry_bundle(entries),
            "tile/0/001": b"".join(merkle.leaf_hash(e) for e in entries),
        }
    )
    assert [(f.code, f.path) for f in report.findings] == [
        ("tile_mismatch", "tile/1/000.p/3"),
        ("root_mismatch", "checkpoint"),
    ]
    assert report.findings[0].message == "hash 1 is not the Merkle tree hash of tile/0/001"
    # unreadable and missing files
    assert [(f.code, f.path) for f in SMALL.audit({"tile/entries/000": b"\x00"}).findings] == [
        ("bad_bundle", "tile/entries/000")
    ]
    assert [(f.code, f.path) for f in SMALL.audit({"tile/0/002": b"\x00" * 33}).findings] == [
        ("bad_tile", "tile/0/002")
    ]
    files = {k: v for k, v in SMALL.files.items() if k != "tile/1/000.p/3"}
    report = audit_tiles(lambda tile: files.get(tile.path), SMALL.checkpoint)
    assert [(f.code, f.path) for f in report.findings] == [("missing", "tile/1/000.p/3")]
