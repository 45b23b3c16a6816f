"""R6 over the wire: a client that knows only the C2SP specs (signed-note, tlog-checkpoint,
tlog-tiles) and RFC 6962/9162 verifies the live registry's log, and the operator's audit finds
a row edited behind the registry's back.

The client below uses hashlib, base64 and cryptography's Ed25519 — nothing from `dataip` — so
it proves the log is readable by anyone's implementation, not just by the registry's own code.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.dialects.postgresql import JSONB

# the RFC 6962/9162 hashes and inclusion check, spec-only (shared with the evidence
# package's independent verifier; neither imports dataip)
from tests.support.package_verifier import leaf_hash, node_hash, sha256, verify_inclusion
from tests.support.server import Server, deployment

# --- a spec-only client ---------------------------------------------------------------------

TILE_WIDTH = 256  # tlog-tiles: a full tile is 256 hashes
HASH_SIZE = 32
ED25519 = 0x01  # signed-note signature type


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash over leaf hashes (or over equal-height subtree hashes)."""
    if len(hashes) == 1:
        return hashes[0]
    k = split_point(len(hashes))
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


def parse_vkey(text: str) -> VerifierKey:
    """signed-note: `<name>+<hex key ID>+base64(0x01 || 32-byte Ed25519 public key)`."""
    name, key_id_hex, material_b64 = text.strip().split("+", 2)  # names hold no "+"; base64 may
    material = base64.b64decode(material_b64, validate=True)
    assert len(material) == 33 and material[0] == ED25519, material
    key_id = bytes.fromhex(key_id_hex)
    assert len(key_id_hex) == 8 and key_id_hex == key_id_hex.lower()
    # key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]
    assert key_id == sha256(name.encode() + b"\n" + material)[:4], "key ID does not match"
    return VerifierKey(name, key_id, Ed25519PublicKey.from_public_bytes(material[1:]))


def open_note(note: str, key: VerifierKey) -> str:
    """The text of a signed note, once a signature by `key` verifies over it (signed-note)."""
    assert note.endswith("\n")
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in note), "control characters"
    text, blank, signatures = note.rpartition("\n\n")  # the last empty line separates them
    assert blank, "no signature block"
    text += "\n"  # the signed text includes its final newline
    verified = 0
    for line in signatures.removesuffix("\n").split("\n"):
        assert line.startswith("\u2014 "), f"not a signature line: {line!r}"
        name, signature_b64 = line[2:].split(" ")
        blob = base64.b64decode(signature_b64, validate=True)
        if name != key.name or blob[:4] != key.key_id:
            continue  # someone else's signature: ignored, as the spec requires
        assert len(blob) == 4 + 64
        key.public_key.verify(blob[4:], text.encode("utf-8"))  # raises InvalidSignature
        verified += 1
    assert verified, "no signature by the log's key"
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_checkpoint(text: str) -> Checkpoint:
    """tlog-checkpoint: origin, decimal size (no leading zeroes), base64 root; extensions."""
    lines = text.removesuffix("\n").split("\n")
    assert len(lines) >= 3 and all(lines), lines
    origin, size_text, root_b64 = lines[:3]
    assert re.fullmatch(r"0|[1-9][0-9]*", size_text), size_text
    root = base64.b64decode(root_b64, validate=True)
    assert len(root) == HASH_SIZE
    return Checkpoint(origin, int(size_text), root)


def encode_index(n: int) -> str:
    """tlog-tiles: zero-padded 3-digit path elements, all but the last prefixed with `x`."""
    groups = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        groups.append(f"{n % 1000:03d}")
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, index: int, width: int) -> str:
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


def tiles_of(size: int) -> list[tuple[int, int, int]]:
    """Every (level, index, width) tile of a tree of `size`: full ones, then the partial one
    of width floor(size / 256**level) mod 256 when that is not zero."""
    out = []
    level = 0
    while size >> (8 * level):
        hashes = size >> (8 * level)
        out += [(level, i, TILE_WIDTH) for i in range(hashes // TILE_WIDTH)]
        if hashes % TILE_WIDTH:
            out.append((level, hashes // TILE_WIDTH, hashes % TILE_WIDTH))
        level += 1
    return out


def split_hashes(tile: bytes, width: int) -> list[bytes]:
    assert len(tile) == width * HASH_SIZE, (len(tile), width)
    return [tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)]


def split_bundle(bundle: bytes) -> list[bytes]:
    """An entry bundle: big-endian uint16 length-prefixed entries."""
    entries, at = [], 0
    while at < len(bundle):
        assert at + 2 <= len(bundle), "truncated length prefix"
        n = int.from_bytes(bundle[at : at + 2], "big")
        entries.append(bundle[at + 2 : at + 2 + n])
        at += 2 + n
        assert at <= len(bundle), "truncated entry"
    return entries


class TiledTree:
    """The tree of one checkpoint, read from its hash tiles: `levels[l]` holds the
    floor(size / 256**l) hashes of tile level l, each the MTH of 256**l consecutive leaves."""

    def __init__(self, size: int, fetch: Callable[[str], bytes]) -> None:
        self.size = size
        self.levels: list[list[bytes]] = []
        for level, index, width in tiles_of(size):
            if level == len(self.levels):
                self.levels.append([])
            assert len(self.levels[level]) == index * TILE_WIDTH
            self.levels[level] += split_hashes(fetch(tile_path(level, index, width)), width)
        for level in range(1, len(self.levels)):
            below = self.levels[level - 1]
            for i, h in enumerate(self.levels[level]):  # a full tile's MTH, one level up
                assert h == mth(below[i * TILE_WIDTH : (i + 1) * TILE_WIDTH]), (level, i)

    def hash(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]), from the highest tiles that cover it."""
        n = hi - lo
        assert 0 <= lo < hi <= self.size
        if n & (n - 1) == 0 and lo % n == 0:  # a perfect subtree: made of tile hashes
            level = max(lv for lv in range(len(self.levels)) if TILE_WIDTH**lv <= n)
            unit = TILE_WIDTH**level
            return mth(self.levels[level][lo // unit : hi // unit])
        k = split_point(n)
        return node_hash(self.hash(lo, lo + k), self.hash(lo + k, hi))

    def root(self) -> bytes:
        return self.hash(0, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        """PATH(m, D[n]) of RFC 6962 §2.1.1."""

        def path(m: int, lo: int, hi: int) -> list[bytes]:
            n = hi - lo
            if n == 1:
                return []
            k = split_point(n)
            if m < k:
                return [*path(m, lo, lo + k), self.hash(lo + k, hi)]
            return [*path(m - k, lo + k, hi), self.hash(lo, lo + k)]

        return path(index, 0, self.size)


# --- the test -------------------------------------------------------------------------------

TREE_SIZE = 300  # > 256: a full level-0 tile, a partial one, and a partial level-1 tile


def _canonical(doc: object) -> bytes:
    """RFC 8785 for these leaves (strings, integers, booleans): sorted keys, no whitespace,
    UTF-8 as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _max_age(cache_control: str) -> int:
    m = re.search(r"max-age=(\d+)", cache_control)
    assert m, cache_control
    return int(m.group(1))


def _grow_log(server: Server, http: httpx.Client, to: int) -> None:
    """The demo writes fewer than 256 events: add drafts (one DraftCreated event each) as the
    demo's applicant until the log will hold `to` leaves."""
    r = http.post("/api/v1/auth/token", json={"username": "applicant", "password": "demo-password"})
    assert r.status_code == 201, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = http.get("/api/v1/parties", headers=auth)
    assert r.status_code == 200, r.text
    party = next(p["id"] for p in r.json() if p["kind"] == "legal_person")
    missing = to - int(server.scalar("SELECT count(*) FROM events"))
    assert missing > 0

    def draft(n: int) -> None:
        body = {"form": {"name": f"补充演示数据集{n}"}, "applicants": [{"party_id": party}]}
        r = http.post("/api/v1/applications", headers=auth, json=body)
        assert r.status_code == 201, r.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(draft, range(missing)))
    assert server.scalar("SELECT count(*) FROM events") == to


def test_r6_spec_only_client_verifies_the_demo_log_over_http(tmp_path: Path) -> None:
    with deployment(tmp_path) as server:
        assert "database ready" in server.cli("init").stdout
        assert "registered" in server.cli("demo").stdout
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            _grow_log(server, http, TREE_SIZE)
            size, _ = server.wait_log_caught_up(timeout=10)
            assert size == TREE_SIZE

            def fetch(path: str) -> bytes:
                r = http.get(f"/log/{path}")
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                assert r.headers["content-type"] == "application/octet-stream", r.headers
                cache = r.headers["cache-control"]
                full = ".p/" not in path
                assert ("immutable" in cache) == full, (path, cache)
                if full:
                    assert _max_age(cache) >= 86400, cache
                return r.content

            # The key: name + key ID + Ed25519 public key, the ID derived per signed-note.
            r = http.get("/log/key")
            assert r.status_code == 200, r.text
            key = parse_vkey(r.text)
            assert key.name == f"127.0.0.1:{server.port}/log"

            # The checkpoint: a signed note whose text is origin, size, root.
            r = http.get("/log/checkpoint")
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "text/plain; charset=utf-8", r.headers
            cache = r.headers["cache-control"]
            assert "immutable" not in cache and _max_age(cache) <= 10, cache
            note = r.text
            checkpoint = parse_checkpoint(open_note(note, key))
            assert checkpoint.origin == key.name
            assert checkpoint.size == TREE_SIZE
            forged = note.replace(f"\n{TREE_SIZE}\n", f"\n{TREE_SIZE + 1}\n", 1)
            try:
                open_note(forged, key)
            except InvalidSignature:
                pass
            else:
                raise AssertionError("a checkpoint with a changed size still verified")

            # The hash tiles, at the widths the spec gives for this size, rebuild the root.
            assert encode_index(1234067) == "x001/x234/067"  # the spec's example
            assert tiles_of(TREE_SIZE) == [(0, 0, 256), (0, 1, 44), (1, 0, 1)]
            tree = TiledTree(checkpoint.size, fetch)
            assert tree.root() == checkpoint.root
            # No tile beyond the signed tree: a wider partial tile is not served.
            assert http.get("/log/tile/0/001.p/45").status_code == 404
            assert http.get("/log/tile/entries/001.p/45").status_code == 404

            # The entry bundles: each entry hashes to its leaf hash in the level-0 tiles.
            entries: list[bytes] = []
            for _, index, width in [t for t in tiles_of(checkpoint.size) if t[0] == 0]:
                bundle = split_bundle(fetch(tile_path("entries", index, width)))
                assert len(bundle) == width
                entries += bundle
            assert [leaf_hash(e) for e in entries] == tree.levels[0]
            assert mth([leaf_hash(e) for e in entries]) == checkpoint.root

        # Every leaf is canonical JSON naming its event row, and nothing personal.
        rows = server.rows("SELECT event_id, idx FROM log_entries ORDER BY idx")
        assert [idx for _, idx in rows] == list(range(TREE_SIZE))
        documents = [json.loads(e) for e in entries]
        for entry, doc in zip(entries, documents, strict=True):
            assert _canonical(doc) == entry, entry
        assert [doc["event"] for doc in documents] == [event_id for event_id, _ in rows]
        id_numbers = [
            n for (n,) in server.rows("SELECT id_number FROM parties WHERE kind = 'natural_person'")
        ]
        assert id_numbers, "the demo has a natural person"
        for id_number in id_numbers:
            assert not any(id_number.encode() in e for e in entries), id_number
            assert id_number[:-1].encode() not in b"".join(entries), id_number

        # Inclusion of a registration's leaf, proven from the tiles alone.
        index = next(i for i, d in enumerate(documents) if d["type"] == "ApplicationApproved")
        approval = documents[index]
        assert approval["public"]["state"] == "registered"
        assert approval["public"]["registration_number"]
        proof = tree.inclusion_proof(index)
        leaf = leaf_hash(entries[index])
        assert verify_inclusion(index, checkpoint.size, leaf, proof, checkpoint.root)
        # The verifier is not vacuous: a wrong leaf, index, size or sibling fails.
        assert not verify_inclusion(index, checkpoint.size, leaf_hash(b"x"), proof, checkpoint.root)
        assert not verify_inclusion(index + 1, checkpoint.size, leaf, proof, checkpoint.root)
        assert not verify_inclusion(index, index + 1, leaf, proof, checkpoint.root)
        tampered = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
        assert not verify_inclusion(index, checkpoint.size, leaf, tampered, checkpoint.root)
        # …and the registry's own JSON proof agrees with the one computed from tiles.
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            r = http.get("/api/v1/log/proofs/inclusion", params={"index": index})
            assert r.status_code == 200, r.text
            served = r.json()
        assert served["size"] == checkpoint.size
        assert [base64.b64decode(h) for h in served["proof"]] == proof
        assert base64.b64decode(served["root_hash"]) == checkpoint.root

        # The operator's audit agrees: clean…
        audit = server.cli("log", "audit")
        assert "audit clean" in audit.stdout, audit.stdout

        # …until one event row is edited with SQL, behind the registry's back.
        event_id = approval["event"]
        expected_index = server.scalar(
            "SELECT idx FROM log_entries WHERE event_id = :e", e=event_id
        )
        assert expected_index == index
        json_type = sa.JSON().with_variant(JSONB(), "postgresql")
        public = dict(approval["public"], valid_until="2099-12-31")
        with server.engine.begin() as c:
            edited = c.execute(
                sa.text("UPDATE events SET public = :p WHERE id = :e").bindparams(
                    sa.bindparam("p", type_=json_type)
                ),
                {"p": public, "e": event_id},
            ).rowcount
        assert edited == 1
        audit = server.cli("log", "audit", check=False)
        assert audit.returncode != 0, audit.stdout
        assert "audit clean" not in audit.stdout
        finding = [line for line in audit.stdout.splitlines() if "event_mismatch" in line]
        assert len(finding) == 1, audit.stdout
        cells = [c.strip() for c in re.split(r"[│┃|]", finding[0]) if c.strip()]
        assert cells[:3] == ["event_mismatch", str(expected_index), str(event_id)], cells
        report = json.loads(server.cli("log", "audit", "--json", check=False).stdout)
        assert not report["ok"]
        assert [(f["code"], f["index"], f["event_id"]) for f in report["findings"]] == [
            ("event_mismatch", expected_index, event_id)
        ], report["findings"]
