"""Provable samples: sample rows shown to examiners are rows of the evidenced data set.

A proof (JSON) carries, for each sample row, its canonical form, its index in the file and an
inclusion proof to the file's ``row_root``; and the file's manifest entry with an inclusion
proof to the data-set ``root``. Checking it needs nothing but that root (as deposited in the
registry's log) — not the data set, not the manifest::

    {"format": "dataip-sample-proof", "version": 1, "hash": "sha256", "root": <hex>,
     "file": {manifest entry}, "file_index": 3, "file_count": 12, "file_proof": [<hex>…],
     "rows": [{"index": 17, "row": ["2026-01-01", "贵阳", "42"], "proof": [<hex>…]}, …]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataip.evidence import rows as rowlib
from dataip.evidence.fingerprint import FileEntry, FingerprintError, Manifest, iter_file_leaves
from dataip.evidence.hashing import hasher, proofs
from dataip.ledger.canonical import canonicalize
from dataip.ledger.errors import VerificationError

FORMAT = "dataip-sample-proof"
VERSION = 1
MAX_SAMPLE_ROWS = 10_000


class SampleError(Exception):
    """The sample cannot be proven (a row not in the data, the wrong data file …)."""


def prove(
    manifest: Manifest, data_file: Path, sample: bytes, *, path: str | None = None
) -> dict[str, Any]:
    """Prove that every row of `sample` (same format as `data_file`) is a row of the file
    the manifest evidenced. Raises :class:`SampleError` naming the first row that is not."""
    fmt = rowlib.row_format(data_file)
    if fmt is None:
        raise SampleError(f"{data_file.name}: sample proofs need a CSV, TSV or JSON Lines file")
    h = hasher(manifest.hash)
    file_index, entry = _entry_for(manifest, data_file, path)
    if entry.row_root is None or entry.rows is None:
        raise SampleError(f"{entry.path} has no row root in the manifest")
    try:
        wanted = rowlib.rows_of_bytes(sample, fmt)
    except rowlib.RowError as exc:
        raise SampleError(f"sample: {exc}") from None
    if not wanted:
        raise SampleError("the sample holds no rows")
    if len(wanted) > MAX_SAMPLE_ROWS:
        raise SampleError(f"the sample holds {len(wanted)} rows; at most {MAX_SAMPLE_ROWS}")
    # One pass to find each sample row (first unused occurrence), a second to prove them.
    need: dict[bytes, int] = {}
    for row in wanted:
        need[row] = need.get(row, 0) + 1
    located: dict[bytes, list[int]] = {}
    count = 0
    try:
        for index, row in enumerate(rowlib.iter_rows(data_file, fmt)):
            count += 1
            if need.get(row, 0) > len(located.get(row, ())):
                located.setdefault(row, []).append(index)
    except rowlib.RowError as exc:
        raise SampleError(f"{data_file.name}: {exc}") from None
    if count != entry.rows:
        raise SampleError(
            f"{data_file.name} has {count} rows but the manifest says {entry.rows}: not the"
            " evidenced file"
        )
    indices: list[int] = []
    taken: dict[bytes, int] = {}
    for n, row in enumerate(wanted):
        occurrences = located.get(row, [])
        k = taken.get(row, 0)
        if k >= len(occurrences):
            raise SampleError(f"sample row {n + 1} is not a row of {data_file.name}: {_show(row)}")
        indices.append(occurrences[k])
        taken[row] = k + 1
    leaves = (h.leaf(row) for row in rowlib.iter_rows(data_file, fmt))
    row_proofs = proofs(h, leaves, count, indices)
    if h.root_from_proof(h.leaf(wanted[0]), indices[0], count, row_proofs[indices[0]]).hex() != (
        entry.row_root
    ):
        raise SampleError(f"{data_file.name} does not match the manifest's row root")
    file_proof = proofs(h, iter_file_leaves(manifest), len(manifest.files), [file_index])
    return {
        "format": FORMAT,
        "version": VERSION,
        "hash": manifest.hash,
        "root": manifest.root,
        "file": entry.to_dict(manifest.hash),
        "file_index": file_index,
        "file_count": len(manifest.files),
        "file_proof": [p.hex() for p in file_proof[file_index]],
        "rows": [
            {"index": i, "row": json.loads(row), "proof": [p.hex() for p in row_proofs[i]]}
            for i, row in zip(indices, wanted, strict=True)
        ],
    }


def _entry_for(manifest: Manifest, data_file: Path, path: str | None) -> tuple[int, FileEntry]:
    if path is not None:
        return manifest.file(path)
    matches = [
        (i, e) for i, e in enumerate(manifest.files) if e.path.rsplit("/", 1)[-1] == data_file.name
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SampleError(f"no file named {data_file.name} in the manifest; give --path")
    raise SampleError(f"several files named {data_file.name} in the manifest; give --path")


def _show(row: bytes) -> str:
    text = row.decode("utf-8")
    return text if len(text) <= 120 else text[:117] + "…"


@dataclass(frozen=True)
class Verified:
    root: str
    path: str
    rows: int
    indices: tuple[int, ...]
    proven: frozenset[bytes] = frozenset()  # the proven rows, canonical


def verify(proof: dict[str, Any] | str | bytes, root: str) -> Verified:
    """Check a sample proof against a data-set root (hex, optionally ``sha256:``/``sm3:``
    prefixed as deposits and forms write it). Raises :class:`VerificationError`."""
    root = root.strip().lower().split(":", 1)[-1]
    try:
        raw = json.loads(proof) if isinstance(proof, str | bytes) else proof
        if raw.get("format") != FORMAT or raw.get("version") != VERSION:
            raise VerificationError(f"not a {FORMAT} v{VERSION}")
        h = hasher(raw["hash"])
        entry = FileEntry.from_dict(raw["file"], raw["hash"])
        if raw["root"] != root:
            raise VerificationError("the proof is for another data set (root differs)")
        if entry.row_root is None or entry.rows is None:
            raise VerificationError("the file entry has no row root")
        file_leaf = h.leaf(entry.leaf(raw["hash"]))
        h.verify(
            file_leaf,
            int(raw["file_index"]),
            int(raw["file_count"]),
            _hashes(raw["file_proof"]),
            bytes.fromhex(root),
        )
        row_root = bytes.fromhex(entry.row_root)
        indices, proven = [], set()
        for n, item in enumerate(raw["rows"]):
            row = canonicalize(item["row"])
            leaf = h.leaf(row)
            try:
                h.verify(leaf, int(item["index"]), entry.rows, _hashes(item["proof"]), row_root)
            except VerificationError as exc:
                raise VerificationError(
                    f"sample row {n + 1} (index {item['index']}): {exc}"
                ) from None
            indices.append(int(item["index"]))
            proven.add(row)
        if not indices:
            raise VerificationError("the proof proves no rows")
    except (KeyError, TypeError, ValueError, FingerprintError) as exc:
        if isinstance(exc, VerificationError):
            raise
        raise VerificationError(f"malformed sample proof: {exc}") from None
    return Verified(root, entry.path, entry.rows, tuple(indices), frozenset(proven))


def _hashes(values: Sequence[str]) -> list[bytes]:
    out = [bytes.fromhex(v) for v in values]
    if any(len(b) != 32 for b in out):
        raise VerificationError("proof hashes must be 32 bytes")
    return out
