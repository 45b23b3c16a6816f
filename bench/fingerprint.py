"""Benchmark data-set fingerprints (`dataip.evidence`, DESIGN §5): hashing a ~2 GiB folder
against `openssl dgst` and `sha256sum` measured in the same run, CSV row roots against a
naive per-row loop, and sample proofs on a 10-million-row CSV.

    python bench/fingerprint.py                       # 2 GiB folder, 10,000,000-row CSV
    python bench/fingerprint.py --gib 0.1 --rows 200000
    python bench/fingerprint.py --dir /data/fpbench --keep    # keep the data for next time

The data is generated once into a scratch folder (a new temporary folder, or `--dir`, where a
previous `--keep` run's data is reused when its parameters match) and deleted at the end
unless `--keep`. Nothing else is touched.

What is measured, in this order:

  1. folder    — a ~`--gib` GiB folder: 40% in a few thousand small files (log-uniform sizes
                 4 KiB – 1 MiB, in 64 subfolders), 60% in a few large files (~300 MiB each,
                 sizes not multiples of 1 MiB). Bytes from a seeded PRNG
                 (`random.Random.randbytes`): not compressible, not all-zero (content does not
                 change hashing speed). After writing, `os.sync()`; then every file is read
                 once (untimed) so that ALL runs read from the page cache (warm cache).
  2. baselines — `openssl dgst -sha256`, `sha256sum` and `openssl dgst -sm3` over the same
                 files: one process at a time (single core), many files per invocation
                 (xargs-style argv batches, relative paths, cwd = the folder). Wall time
                 includes process start-up (a handful of processes).
  3. dataip    — `fingerprint(folder, hash_name=..., workers=1)` and `workers=os.cpu_count()`
                 for sha256 and sm3: wall time of the whole call (walk, open, hash, roots),
                 GB/s and the ratio to openssl's single-core time for the same hash. dataip
                 hashes every byte twice (the whole-file digest and the 1 MiB chunk leaves), so
                 on C cores its floor is about 2/C × openssl's time. The issue's aim: with all
                 cores, wall time ≤ 1.25 × `openssl dgst -sha256` single-core (reported, not
                 asserted). Each of 2.–3. runs `--repeat` times (default 3), interleaved;
                 the median is reported (all times are in the JSON).
                 Checked: every file's digest from dataip (both worker counts) equals
                 openssl's (and sha256sum's); the manifest root is the same for 1 and all
                 workers; chunk roots of a few files equal an independent recomputation.
  4. rows      — a `--rows`-row CSV (`id,city,count,note` plus a header row; UTF-8 with BOM,
                 Chinese text, quoted fields with commas, doubled quotes and line breaks).
                 Row root by the library's own `fingerprint.rows_root` (what `fingerprint`
                 runs for a row file; encoding detection included) against
                 a naive loop (`csv.reader` + `rfc8785.dumps(fields)` +
                 `hashlib.sha256(b"\\x00" + row)` into a list, then `merkle.root(list)`);
                 rows/s, and both roots must be equal.
  5. samples   — that CSV fingerprinted as a one-file data set (timed; its row root must equal
                 4.'s); `sample.prove` for 100 random rows (`--sample-rows`) and
                 `sample.verify` of the proof as JSON text (the issue's aim: verify in under a
                 second; median of 5). Then one byte of one proven row is flipped and verify
                 must fail.

GB/s is 10^9 bytes per second. CPU seconds (user + system, all threads or child processes)
are recorded next to each wall time; cores_used = cpu / wall. Interference: the CPU seconds
other processes used during each timed run (from /proc/stat) are recorded too, and the
summary warns when they exceed 10% of a run's wall time (and 0.25 s).
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import io
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785

from dataip.evidence import fingerprint as fpmod
from dataip.evidence import rows as rowlib
from dataip.evidence import sample
from dataip.evidence.fingerprint import CHUNK_SIZE, Manifest, fingerprint
from dataip.evidence.hashing import hasher
from dataip.ledger import merkle
from dataip.ledger.errors import VerificationError
from smoke import add_smoke_option

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "fingerprint.json"
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
SEED = 20260501
SMALL_SHARE = 0.4  # of the folder's bytes, in small files
SMALL_MIN, SMALL_MAX = 4 * KiB, 1 * MiB
LARGE_TARGET = 300 * MiB
SUBFOLDERS = 64
BLOCK = 16 * MiB  # generation / warm-up block
ARGV_CHARS = 100_000  # per external-tool invocation (far below ARG_MAX)
ARGV_FILES = 2_000
AIM_RATIO = 1.25
AIM_VERIFY_SECONDS = 1.0


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- the scratch folder ---------------------------------------------------------------------


@dataclass
class Scratch:
    """Where the data lives; what to delete at the end."""

    root: Path
    created: bool  # a temporary folder made by this run: removed whole
    made: list[Path] = field(default_factory=list)  # data this run owns inside --dir

    def cleanup(self) -> None:
        if self.created:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        for p in self.made:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def _cached(marker: Path, params: dict[str, Any]) -> bool:
    try:
        return json.loads(marker.read_text("utf-8")) == params
    except (OSError, ValueError):
        return False


def _write_random(path: Path, size: int, rng: random.Random) -> None:
    with path.open("wb") as f:
        left = size
        while left:
            n = min(left, BLOCK)
            f.write(rng.randbytes(n))
            left -= n


def plan_folder(total: int, seed: int) -> list[tuple[str, int]]:
    """(relative path, size) of every file of the folder, deterministic for (total, seed)."""
    rng = random.Random(seed)
    files: list[tuple[str, int]] = []
    small_budget = int(total * SMALL_SHARE)
    used = 0
    lo, hi = math.log(SMALL_MIN), math.log(SMALL_MAX)
    i = 0
    while used < small_budget:
        size = min(int(math.exp(rng.uniform(lo, hi))), small_budget - used)
        size = max(size, 1)
        files.append((f"small/d{i % SUBFOLDERS:02d}/f{i:05d}.bin", size))
        used += size
        i += 1
    large_budget = total - used
    n_large = max(1, round(large_budget / LARGE_TARGET))
    base = large_budget // n_large
    for j in range(n_large):
        size = base if j < n_large - 1 else large_budget - base * (n_large - 1)
        files.append((f"large/big{j}.bin", size))
    # A few large sizes off the 1 MiB grid (a short last chunk): shift bytes between them.
    if n_large >= 2:
        shift = rng.randrange(1, MiB)
        a, b = files[-n_large], files[-n_large + 1]
        files[-n_large] = (a[0], a[1] - shift)
        files[-n_large + 1] = (b[0], b[1] + shift)
    return files


def make_folder(scratch: Scratch, gib: float, seed: int) -> tuple[Path, list[tuple[str, int]]]:
    total = int(gib * GiB)
    plan = plan_folder(total, seed)
    tag = f"folder-{total}-{seed}"
    folder, marker = scratch.root / tag, scratch.root / f"{tag}.json"
    params = {"total": total, "seed": seed, "files": len(plan)}
    if not scratch.created:
        scratch.made += [folder, marker]
    if _cached(marker, params) and all(
        (folder / rel).is_file() and (folder / rel).stat().st_size == size for rel, size in plan
    ):
        say(f"folder: reusing {folder} ({len(plan):,} files)")
        return folder, plan
    shutil.rmtree(folder, ignore_errors=True)
    marker.unlink(missing_ok=True)
    say(f"folder: writing {total / GiB:.2f} GiB in {len(plan):,} files to {folder} …")
    rng = random.Random(seed + 1)
    started = time.perf_counter()
    for rel, size in plan:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_random(path, size, rng)
    os.sync()
    marker.write_text(json.dumps(params), "utf-8")
    say(f"folder: written in {time.perf_counter() - started:.1f}s")
    return folder, plan


def warm(paths: Sequence[Path]) -> tuple[int, float]:
    """Read every file once, so that every timed run reads from the page cache."""
    started = time.perf_counter()
    total = 0
    buf = bytearray(BLOCK)
    for p in paths:
        with p.open("rb", buffering=0) as f:
            while n := f.readinto(buf):
                total += n
    return total, time.perf_counter() - started


# --- the CSV ---------------------------------------------------------------------------------

HEADER = ["id", "city", "count", "note"]
CITIES = ["贵阳", "遵义", "六盘水", "安顺", "毕节", "铜仁", "凯里", "都匀", "兴义", "Guiyang"]
NOTES = [
    "",
    "ok",
    "晴，气温 18℃",
    'said "hello"',
    "a, b, c",
    "多行\n备注",
    "数据知识产权登记",
    " leading space",
    "车流量，高峰",
    "plain note",
    'quote " and, comma',
]


def csv_row(i: int) -> list[str]:
    """Data row i (1-based; the header is row 0 of the file), unique by its id."""
    note = NOTES[(i * 7) % len(NOTES)]
    if i % 3 == 0:
        note += f" #{i % 997}"
    return [str(i), CITIES[i % len(CITIES)], str((i * 2654435761) % 1_000_003), note]


def make_csv(scratch: Scratch, rows: int) -> Path:
    path = scratch.root / f"rows-{rows}.csv"
    marker = scratch.root / f"rows-{rows}.json"
    params = {"rows": rows, "header": HEADER, "version": 1}
    if not scratch.created:
        scratch.made += [path, marker]
    if _cached(marker, params) and path.is_file():
        say(f"rows: reusing {path}")
        return path
    marker.unlink(missing_ok=True)
    say(f"rows: writing {rows:,} rows to {path} …")
    started = time.perf_counter()
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(csv_row(i) for i in range(1, rows + 1))
    os.sync()
    marker.write_text(json.dumps(params), "utf-8")
    say(f"rows: written in {time.perf_counter() - started:.1f}s ({path.stat().st_size:,} bytes)")
    return path


# --- timing ----------------------------------------------------------------------------------


def _machine_busy() -> float:
    """CPU seconds all processes have used since boot (/proc/stat; 0 if unavailable)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


@dataclass
class Timed:
    seconds: float
    cpu_seconds: float
    value: Any = None
    other_cpu_seconds: float = 0.0  # used by other processes meanwhile (interference)


def timed(fn: Callable[[], Any]) -> Timed:
    gc.collect()
    busy0, cpu0, t0 = _machine_busy(), time.process_time(), time.perf_counter()
    value = fn()
    t1, cpu1, busy1 = time.perf_counter(), time.process_time(), _machine_busy()
    return Timed(t1 - t0, cpu1 - cpu0, value, max(0.0, busy1 - busy0 - (cpu1 - cpu0)))


def argv_batches(rels: Sequence[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    chars = 0
    for rel in rels:
        if batch and (chars + len(rel) + 1 > ARGV_CHARS or len(batch) >= ARGV_FILES):
            yield batch
            batch, chars = [], 0
        batch.append(rel)
        chars += len(rel) + 1
    if batch:
        yield batch


def run_tool(prefix: list[str], folder: Path, rels: Sequence[str]) -> Timed:
    """Run `prefix + files` over all files, one process at a time; value = the raw outputs."""
    batches = list(argv_batches(rels))
    outs: list[bytes] = []
    busy0, own0, cpu0, t0 = (
        _machine_busy(),
        time.process_time(),
        _children_cpu(),
        time.perf_counter(),
    )
    for batch in batches:
        done = subprocess.run([*prefix, *batch], cwd=folder, capture_output=True, check=True)
        outs.append(done.stdout)
    t1, cpu1, own1, busy1 = (
        time.perf_counter(),
        _children_cpu(),
        time.process_time(),
        _machine_busy(),
    )
    other = max(0.0, busy1 - busy0 - (cpu1 - cpu0) - (own1 - own0))
    return Timed(t1 - t0, cpu1 - cpu0, (outs, len(batches)), other)


def parse_openssl(outs: list[bytes]) -> dict[str, str]:
    """`SHA2-256(path)= hex` / `SM3(path)= hex` lines."""
    got: dict[str, str] = {}
    for out in outs:
        for line in out.decode("utf-8").splitlines():
            head, digest = line.rsplit("= ", 1)
            got[head[head.index("(") + 1 : -1]] = digest.strip()
    return got


def parse_sha256sum(outs: list[bytes]) -> dict[str, str]:
    got: dict[str, str] = {}
    for out in outs:
        for line in out.decode("utf-8").splitlines():
            digest, path = line.split("  ", 1)
            got[path] = digest
    return got


# --- checks ----------------------------------------------------------------------------------


def mth(leaves: Sequence[bytes], new: Callable[[], Any]) -> bytes:
    """RFC 6962 Merkle tree hash by the definition (recursive split), independent of dataip."""

    def node(data: bytes) -> bytes:
        h = new()
        h.update(data)
        return bytes(h.digest())

    def rec(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return node(b"\x00" + leaves[lo])
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        return node(b"\x01" + rec(lo, lo + k) + rec(lo + k, hi))

    return rec(0, len(leaves)) if leaves else node(b"")


def chunk_root_by_hand(path: Path, hash_name: str) -> str:
    new: Callable[[], Any] = (
        hashlib.sha256 if hash_name == "sha256" else (lambda: hashlib.new("sm3"))
    )
    chunks = []
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            chunks.append(chunk)
    return mth(chunks, new).hex()


def compare(manifest: Manifest, reference: dict[str, str]) -> dict[str, Any]:
    mine = {f.path: f.digest for f in manifest.files}
    bad = sorted(p for p in reference if mine.get(p) != reference[p])
    return {
        "files": len(reference),
        "equal": len(reference) - len(bad) if set(mine) == set(reference) else 0,
        "same_file_set": set(mine) == set(reference),
        "first_mismatches": bad[:5],
    }


# --- part 1-3: the folder -------------------------------------------------------------------


def gbps(nbytes: int, seconds: float) -> float:
    return nbytes / 1e9 / seconds if seconds > 0 else float("inf")


def summarise_runs(runs: list[Timed], nbytes: int) -> dict[str, Any]:
    med = statistics.median(r.seconds for r in runs)
    cpu = statistics.median(r.cpu_seconds for r in runs)
    return {
        "seconds": round(med, 4),
        "seconds_all": [round(r.seconds, 4) for r in runs],
        "gb_per_s": round(gbps(nbytes, med), 3),
        "cpu_seconds": round(cpu, 3),
        "cores_used": round(cpu / med, 2) if med else None,
        "other_processes_cpu_seconds_all": [round(r.other_cpu_seconds, 2) for r in runs],
    }


def bench_folder(scratch: Scratch, gib: float, repeat: int) -> dict[str, Any]:
    folder, plan = make_folder(scratch, gib, SEED)
    rels = [rel for rel, _ in plan]
    nbytes = sum(size for _, size in plan)
    paths = [folder / r for r in rels]
    warmed, warm_s = warm(paths)
    say(f"folder: warm read of {warmed / GiB:.2f} GiB in {warm_s:.2f}s (page cache)")
    cpus = os.cpu_count() or 1
    worker_counts = sorted({1, cpus})

    tools: dict[str, list[str]] = {
        "openssl_sha256": ["openssl", "dgst", "-sha256"],
        "sha256sum": ["sha256sum"],
        "openssl_sm3": ["openssl", "dgst", "-sm3"],
    }
    runs: dict[str, list[Timed]] = {}
    outputs: dict[str, dict[str, str]] = {}
    manifests: dict[str, Manifest] = {}
    bytes_hashed: dict[str, int] = {}
    batches = 0
    for r in range(repeat):
        for name, prefix in tools.items():
            t = run_tool(prefix, folder, rels)
            outs, batches = t.value
            if r == 0:
                parse = parse_sha256sum if name == "sha256sum" else parse_openssl
                outputs[name] = parse(outs)
            t.value = None
            runs.setdefault(name, []).append(t)
            say(f"  [{r + 1}/{repeat}] {name:<22} {t.seconds:7.2f}s")
        for hash_name in ("sha256", "sm3"):
            for w in worker_counts:
                key = f"dataip_{hash_name}_workers{w}"
                t = timed(
                    lambda hash_name=hash_name, w=w: fingerprint(
                        folder, hash_name=hash_name, workers=w
                    )
                )
                report = t.value
                t.value = None
                if r == 0:
                    manifests[key] = report.manifest
                    bytes_hashed[key] = report.bytes_hashed
                runs.setdefault(key, []).append(t)
                say(f"  [{r + 1}/{repeat}] {key:<22} {t.seconds:7.2f}s")

    results = {k: summarise_runs(v, nbytes) for k, v in runs.items()}
    for hash_name in ("sha256", "sm3"):
        ref = results[f"openssl_{hash_name}"]["seconds"]
        for w in worker_counts:
            x = results[f"dataip_{hash_name}_workers{w}"]
            x[f"ratio_to_openssl_{hash_name}"] = round(x["seconds"] / ref, 3)
            if hash_name == "sm3":
                x["ratio_to_openssl_sha256"] = round(
                    x["seconds"] / results["openssl_sha256"]["seconds"], 3
                )
    results["sha256sum"]["ratio_to_openssl_sha256"] = round(
        results["sha256sum"]["seconds"] / results["openssl_sha256"]["seconds"], 3
    )

    # Correctness: the benchmark measured the right work.
    same = sum(outputs["sha256sum"].get(p) == d for p, d in outputs["openssl_sha256"].items())
    checks: dict[str, Any] = {
        "sha256sum_vs_openssl": {"files": len(plan), "equal": same},
        "openssl_covers_every_file": all(set(outputs[name]) == set(rels) for name in tools),
    }
    for key, manifest in manifests.items():
        hash_name = manifest.hash
        checks[f"{key}_vs_openssl"] = compare(manifest, outputs[f"openssl_{hash_name}"])
        checks[f"{key}_bytes_hashed_is_total"] = bytes_hashed[key] == nbytes
    for hash_name in ("sha256", "sm3"):
        roots = {manifests[f"dataip_{hash_name}_workers{w}"].root for w in worker_counts}
        checks[f"{hash_name}_root_same_for_all_worker_counts"] = len(roots) == 1
        m = manifests[f"dataip_{hash_name}_workers{worker_counts[-1]}"]
        by_size = sorted(m.files, key=lambda f: f.size)
        picks = [*by_size[:2], by_size[len(by_size) // 2], *by_size[-2:]]
        checks[f"{hash_name}_chunk_roots_recomputed"] = {
            f.path: f.chunk_root == chunk_root_by_hand(folder / f.path, hash_name) for f in picks
        }
    checks["all_ok"] = all(
        (v["equal"] == v["files"] and v.get("same_file_set", True))
        if isinstance(v, dict) and "files" in v
        else all(v.values())
        if isinstance(v, dict)
        else v
        for v in checks.values()
    )
    sizes = [s for _, s in plan]
    small = [s for rel, s in plan if rel.startswith("small/")]
    return {
        "folder": {
            "bytes": nbytes,
            "gib": round(nbytes / GiB, 3),
            "files": len(plan),
            "small_files": len(small),
            "small_bytes": sum(small),
            "small_size_min_median_max": [min(small), int(statistics.median(small)), max(small)]
            if small
            else None,
            "large_files": len(plan) - len(small),
            "large_sizes": [s for rel, s in plan if rel.startswith("large/")],
            "max_file": max(sizes),
            "warm_read_seconds": round(warm_s, 3),
            "tool_invocations_per_run": batches,
        },
        "worker_counts": worker_counts,
        "runs": results,
        "aim": {
            "statement": f"dataip sha256 with all cores ≤ {AIM_RATIO} × openssl dgst -sha256 "
            "single-core wall time",
            "ratio": results[f"dataip_sha256_workers{worker_counts[-1]}"][
                "ratio_to_openssl_sha256"
            ],
            "met": results[f"dataip_sha256_workers{worker_counts[-1]}"]["ratio_to_openssl_sha256"]
            <= AIM_RATIO,
            "floor_ratio_on_this_machine": round(2 / cpus, 3),
        },
        "checks": checks,
        "digests_sample": {
            rel: outputs["openssl_sha256"][rel] for rel in [rels[0], rels[len(rels) // 2], rels[-1]]
        },
    }


# --- part 4-5: rows and sample proofs ------------------------------------------------------


def row_root_dataip(path: Path) -> tuple[str, int]:
    """The library's own row-root function, as `fingerprint` calls it for a row file."""
    return fpmod.rows_root(path, "csv", hasher("sha256"))


def row_leaves_naive(path: Path) -> list[bytes]:
    leaves = []
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        for fields in csv.reader(f):
            leaves.append(hashlib.sha256(b"\x00" + rfc8785.dumps(fields)).digest())
    return leaves


def naive_row_root(path: Path) -> tuple[Timed, Timed]:
    """Timings of the naive leaf list and of `merkle.root` over it; value (root hex, rows)."""
    listed = timed(lambda: row_leaves_naive(path))
    leaves: list[bytes] = listed.value
    listed.value = None
    rooted = timed(lambda: merkle.root(leaves))
    rooted.value = (rooted.value.hex(), len(leaves))
    return listed, rooted


def flip_one_byte(row: list[str]) -> list[str]:
    """Flip the low bit of the last byte of the first field (an ASCII digit: stays a digit)."""
    first = row[0].encode("utf-8")
    flipped = first[:-1] + bytes([first[-1] ^ 0x01])
    return [flipped.decode("utf-8"), *row[1:]]


def bench_rows(scratch: Scratch, n_rows: int, sample_rows: int) -> dict[str, Any]:
    path = make_csv(scratch, n_rows)
    size = path.stat().st_size
    _, warm_s = warm([path])
    total_rows = n_rows + 1  # the header is row 0
    say(f"rows: warm read in {warm_s:.2f}s; {total_rows:,} rows, {size / MiB:.0f} MiB")

    detect = timed(lambda: rowlib.detect_encoding(path))
    say(f"  detect_encoding            {detect.seconds:7.2f}s ({detect.value})")
    mine = timed(lambda: row_root_dataip(path))
    dataip_root, dataip_count = mine.value
    say(f"  dataip row root            {mine.seconds:7.2f}s")
    naive_leaves, naive_merkle = naive_row_root(path)
    naive_root, naive_count = naive_merkle.value
    naive_s = naive_leaves.seconds + naive_merkle.seconds
    say(f"  naive row root             {naive_s:7.2f}s")

    # 5. The CSV as a one-file data set, then sample proofs.
    fp = timed(lambda: fingerprint(path, hash_name="sha256"))
    manifest = fp.value.manifest
    entry = manifest.files[0]
    say(f"  fingerprint(csv)           {fp.seconds:7.2f}s")
    rng = random.Random(SEED + 2)
    picked = rng.sample(range(1, n_rows + 1), min(sample_rows, n_rows))
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(csv_row(i) for i in picked)
    sample_bytes = buf.getvalue().encode("utf-8")
    proved = timed(lambda: sample.prove(manifest, path, sample_bytes))
    proof = proved.value
    proof_text = json.dumps(proof, ensure_ascii=False)
    say(f"  sample.prove ({len(picked)} rows)     {proved.seconds:7.2f}s")
    verifies = [timed(lambda: sample.verify(proof_text, manifest.root)) for _ in range(5)]
    verified = verifies[0].value
    verify_s = statistics.median(v.seconds for v in verifies)
    say(f"  sample.verify              {verify_s * 1000:7.1f}ms")

    tampered = json.loads(proof_text)
    k = rng.randrange(len(tampered["rows"]))
    tampered["rows"][k]["row"] = flip_one_byte(tampered["rows"][k]["row"])
    try:
        sample.verify(tampered, manifest.root)
        tamper_result = "verified (WRONG: a flipped byte was not detected)"
        tamper_rejected = False
    except VerificationError as exc:
        tamper_result = f"rejected: {exc}"
        tamper_rejected = True

    return {
        "csv": {
            "rows_including_header": total_rows,
            "bytes": size,
            "columns": HEADER,
            "encoding": "UTF-8 with BOM; Chinese text; quoted fields (commas, doubled quotes, "
            "line breaks)",
            "warm_read_seconds": round(warm_s, 3),
        },
        "row_root": {
            "detect_encoding_seconds": round(detect.seconds, 3),
            "dataip": {
                "how": "hasher('sha256'); frontier.append(h.leaf(row)) for rows.iter_rows "
                "(encoding detection pass included)",
                "seconds": round(mine.seconds, 3),
                "rows_per_s": round(dataip_count / mine.seconds),
                "cpu_seconds": round(mine.cpu_seconds, 3),
                "other_processes_cpu_seconds": round(mine.other_cpu_seconds, 2),
            },
            "naive": {
                "how": "csv.reader + rfc8785.dumps(fields) + sha256(b'\\x00' + row) into a "
                "list, then merkle.root(list)",
                "seconds": round(naive_s, 3),
                "of_which_merkle_root_seconds": round(naive_merkle.seconds, 3),
                "rows_per_s": round(naive_count / naive_s),
                "other_processes_cpu_seconds": round(
                    naive_leaves.other_cpu_seconds + naive_merkle.other_cpu_seconds, 2
                ),
            },
            "speedup": round(naive_s / mine.seconds, 2),
            "root": dataip_root,
            "roots_equal": dataip_root == naive_root and dataip_count == naive_count,
            "rows": dataip_count,
        },
        "fingerprint_csv": {
            "seconds": round(fp.seconds, 3),
            "cpu_seconds": round(fp.cpu_seconds, 3),
            "other_processes_cpu_seconds": round(fp.other_cpu_seconds, 2),
            "workers": os.cpu_count(),
            "root": manifest.root,
            "row_root_equal": entry.row_root == dataip_root and entry.rows == total_rows,
        },
        "sample": {
            "rows": len(picked),
            "prove_seconds": round(proved.seconds, 3),
            "prove_other_processes_cpu_seconds": round(proved.other_cpu_seconds, 2),
            "proof_bytes": len(proof_text.encode("utf-8")),
            "verify_seconds_median": round(verify_s, 5),
            "verify_seconds_all": [round(v.seconds, 5) for v in verifies],
            "verify_aim_seconds": AIM_VERIFY_SECONDS,
            "verify_aim_met": verify_s < AIM_VERIFY_SECONDS,
            "verified_indices_are_the_sampled_rows": list(verified.indices) == picked,
            "tampered_row": k,
            "tampered_verify": tamper_result,
            "tampered_rejected": tamper_rejected,
        },
    }


# --- report -----------------------------------------------------------------------------------


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        return f"unavailable: {exc}"
    return (done.stdout or done.stderr).splitlines()[0].strip()


def machine() -> dict[str, Any]:
    import ssl

    model, flags = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        mem_gib = round(int(mem) / (1 << 20), 1)
    except (OSError, IndexError, ValueError):
        mem_gib = None
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "sha_extensions": " sha_ni" in flags,
        "memory_gib": mem_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_openssl": ssl.OPENSSL_VERSION,
        "openssl_cli": _version(["openssl", "version"]),
        "sha256sum": _version(["sha256sum", "--version"]),
    }


def summary(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"dataip fingerprint benchmark — {result['date']} — {m['cpu_count']} CPUs "
        f"({m['cpu_model']}, SHA extensions: {'yes' if m['sha_extensions'] else 'no'}), "
        f"Python {m['python']}, {m['openssl_cli']}",
    ]
    if "folder" in result:
        f = result["folder"]
        d = f["folder"]
        lines += [
            "",
            f"Folder: {d['gib']:.2f} GiB, {d['files']:,} files ({d['small_files']:,} small "
            f"4 KiB–1 MiB, {d['large_files']} large); warm page cache; median of "
            f"{result['options']['repeat']}",
            f"{'run':<28} {'seconds':>8} {'GB/s':>7} {'cores':>6} {'vs openssl':>11} "
            f"{'other CPU s':>12}",
        ]
        for key, x in f["runs"].items():
            ratio = x.get("ratio_to_openssl_sha256")
            if key.startswith("dataip_sm3") or key == "openssl_sm3":
                ratio = x.get("ratio_to_openssl_sm3", 1.0 if key == "openssl_sm3" else None)
            if key == "openssl_sha256":
                ratio = 1.0
            shown = f"{ratio:.2f}x" if ratio is not None else ""
            other = max(x["other_processes_cpu_seconds_all"])
            lines.append(
                f"{key:<28} {x['seconds']:>8.2f} {x['gb_per_s']:>7.2f} {x['cores_used']:>6.2f} "
                f"{shown:>11} {other:>12.2f}"
            )
        a = f["aim"]
        lines.append(
            f"aim ({a['statement']}): {a['ratio']:.2f}x — {'met' if a['met'] else 'NOT met'} "
            f"(floor on {m['cpu_count']} cores ≈ {a['floor_ratio_on_this_machine']:.2f}x: "
            "every byte is hashed twice)"
        )
        ok = "all ok" if f["checks"]["all_ok"] else "FAILED"
        lines.append(
            "checks (every file's digest = openssl's and sha256sum's, same root for all "
            f"worker counts, chunk roots recomputed): {ok}"
        )
        noisy = [
            k
            for k, x in f["runs"].items()
            if max(x["other_processes_cpu_seconds_all"]) > max(0.1 * min(x["seconds_all"]), 0.25)
        ]
        if noisy:
            lines.append(
                "WARNING: other processes used > 10% of a run's wall time in CPU during: "
                + ", ".join(noisy)
            )
    if "rows" in result:
        r = result["rows"]
        rr = r["row_root"]
        lines += [
            "",
            f"Rows: {r['csv']['rows_including_header']:,} CSV rows, "
            f"{r['csv']['bytes'] / MiB:.0f} MiB",
            f"{'row root':<28} {'seconds':>8} {'rows/s':>11}",
            f"{'dataip (iter_rows+frontier)':<28} {rr['dataip']['seconds']:>8.2f} "
            f"{rr['dataip']['rows_per_s']:>11,}",
            f"{'naive (rfc8785+list+root)':<28} {rr['naive']['seconds']:>8.2f} "
            f"{rr['naive']['rows_per_s']:>11,}",
            f"speed-up {rr['speedup']:.2f}x; roots equal: {rr['roots_equal']}; of which "
            f"detect_encoding alone {rr['detect_encoding_seconds']:.2f}s",
            f"fingerprint(csv) one-file data set: {r['fingerprint_csv']['seconds']:.2f}s "
            f"(row root equal: {r['fingerprint_csv']['row_root_equal']})",
            f"sample.prove {r['sample']['rows']} rows: {r['sample']['prove_seconds']:.2f}s; "
            f"proof {r['sample']['proof_bytes']:,} bytes; sample.verify "
            f"{r['sample']['verify_seconds_median'] * 1000:.1f} ms (aim < 1 s: "
            f"{'met' if r['sample']['verify_aim_met'] else 'NOT met'}); flipped byte: "
            f"{'rejected' if r['sample']['tampered_rejected'] else 'NOT rejected'}",
        ]
    lines += [
        "",
        f"other processes used {result['other_processes_cpu_seconds_total']:.0f} CPU seconds "
        f"during the {result['total_seconds']:.0f} s run (load average before/after: "
        f"{result['load_average_1min_before_after']})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gib", type=float, default=2.0, help="folder size in GiB (default 2)")
    p.add_argument("--rows", type=int, default=10_000_000, help="CSV data rows (default 10M)")
    p.add_argument("--sample-rows", type=int, default=100, help="rows to prove (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="folder runs per tool (median; 3)")
    p.add_argument("--dir", type=Path, help="scratch folder (data reused if kept earlier)")
    p.add_argument("--keep", action="store_true", help="keep the generated data")
    p.add_argument("--skip-rows", action="store_true", help="skip parts 4-5 (CSV)")
    p.add_argument("--skip-folder", action="store_true", help="skip parts 1-3 (folder)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(p, argv, "fingerprint", gib=0.01, rows=5_000, sample_rows=10, repeat=1)
    args = p.parse_args(argv)
    if args.gib <= 0 or args.rows < 1 or args.repeat < 1 or args.sample_rows < 1:
        p.error("--gib, --rows, --repeat and --sample-rows must be positive")
    for tool in ("openssl", "sha256sum"):
        if not args.skip_folder and shutil.which(tool) is None:
            p.error(f"{tool} is not on PATH")

    if args.dir is None:
        scratch = Scratch(Path(tempfile.mkdtemp(prefix="dataip-fp-bench-")), created=True)
    else:
        existed = args.dir.exists()
        args.dir.mkdir(parents=True, exist_ok=True)
        scratch = Scratch(args.dir.resolve(), created=not existed)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "dataip data-set fingerprints: folder hashing vs openssl, CSV row roots, "
        "sample proofs",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/fingerprint.py", *sys.argv[1:]]),
        "options": {
            "gib": args.gib,
            "rows": args.rows,
            "sample_rows": args.sample_rows,
            "repeat": args.repeat,
        },
        "machine": machine(),
        "notes": [
            "all timed runs read from the page cache: every file was read once, untimed, "
            "after it was written and os.sync()ed",
            "GB/s = 10^9 bytes / second; wall times are medians over --repeat interleaved "
            "runs (all in seconds_all); cores_used = (user + system CPU) / wall",
            "openssl and sha256sum: one process at a time, many files per argv (batches of "
            f"≤ {ARGV_FILES} files / {ARGV_CHARS:,} characters), cwd = the folder; process "
            "start-up is included, the file list is not (dataip's timing includes its walk)",
            "dataip computes a whole-file digest AND a 1 MiB-chunk Merkle root: every byte "
            "is hashed twice, so on C cores its floor is ~2/C × openssl single-core time",
            "fingerprint(workers=1) still uses two hashing threads (one file worker + one "
            "chunk worker), so it can use up to 2 cores",
            "load_average_1min_before_after: other processes were not stopped; a load above "
            "the CPU count means the run shared the CPUs",
        ],
    }
    load_before = os.getloadavg()[0]
    busy_before, own_before = _machine_busy(), time.process_time() + _children_cpu()
    try:
        if not args.skip_folder:
            result["folder"] = bench_folder(scratch, args.gib, args.repeat)
        if not args.skip_rows:
            result["rows"] = bench_rows(scratch, args.rows, args.sample_rows)
    finally:
        if args.keep:
            say(f"data kept in {scratch.root} (reuse with --dir {scratch.root})")
        else:
            scratch.cleanup()
    result["load_average_1min_before_after"] = [
        round(load_before, 2),
        round(os.getloadavg()[0], 2),
    ]
    own = time.process_time() + _children_cpu() - own_before
    result["other_processes_cpu_seconds_total"] = round(
        max(0.0, _machine_busy() - busy_before - own), 1
    )
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(summary(result))
    print(f"\nwritten {args.out} (total {result['total_seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
