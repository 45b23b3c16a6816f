"""Benchmark the blob store (issue 25 §2, `services/blobstore`, DATAIP_BLOB_STORE): put and
get throughput and latency of 4 KiB, 1 MiB and 20 MiB objects on the local folder store, the
database store on SQLite and the database store on PostgreSQL, against baselines measured in
the same run on the same bytes: a plain file write + fsync and a plain file read (the floor
of any store on this disk), and `sha256sum` (the hash every put and get of the content store
computes, as a separate process would).

    python bench/blobstore.py                    # 4 KiB ×400, 1 MiB ×40, 20 MiB ×4, 3 rounds
    python bench/blobstore.py --stores local,sqlite --rounds 1
    python bench/blobstore.py --smoke            # seconds, local and SQLite only

What is timed, per object size, per round (a round writes fresh random bytes — the store is
content-addressed, so the same bytes again would be a no-op — and the stores take turns):

  1. baselines — `file_write_fsync`: open a new file, write, flush, fsync, close;
                 `file_read`: read it back; `sha256sum`: one process per object on that file
                 (process start-up included; the in-process `hashlib.sha256` is recorded too).
  2. stores    — `ContentStore.put(data)` (hash, exists check, store) and
                 `ContentStore.get(digest)` (read, hash check), as uploads use them, on
                 `LocalFolderStore` (temp file, fsync, link), `DatabaseObjectStore` on a
                 SQLite file and on PostgreSQL (one transaction a put, 1 MiB chunk rows).

Each operation is timed alone (`time.perf_counter`); reported: operations/s and MB/s over
the summed time, p50 and p95 latency (nearest rank over every operation of every round), and
each store's ratio to the baseline (put / file write + fsync, get / file read). Reads come
from the page cache (just written): a warm read. MB is 10^6 bytes. The machine is shared: the
load average before and after each size is in the JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataip.db.blobstore import DatabaseObjectStore, ensure_tables
from dataip.db.uow import make_engine
from dataip.services.blobstore import ContentStore, LocalFolderStore
from smoke import add_smoke_option

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DATABASE = "dataip_bench_blobstore"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "blobstore.json"
SIZES = {"4KiB": 4 * 1024, "1MiB": 1024 * 1024, "20MiB": 20 * 1024 * 1024}
STORES = ("local", "sqlite", "postgresql")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def nearest_rank(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def summary(times: list[float], size: int) -> dict[str, Any]:
    total = sum(times)
    return {
        "ops": len(times),
        "ops_per_s": round(len(times) / total, 2),
        "mb_per_s": round(len(times) * size / total / 1e6, 3),
        "p50_ms": round(nearest_rank(times, 0.5) * 1000, 3),
        "p95_ms": round(nearest_rank(times, 0.95) * 1000, 3),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


@contextmanager
def open_stores(names: list[str], tmp: Path, pg_url: str) -> Iterator[dict[str, ContentStore]]:
    """Each store empty, in the scratch folder (PostgreSQL: its own database, dropped after)."""
    engines: list[sa.Engine] = []
    admin = None
    stores: dict[str, ContentStore] = {}
    now = lambda: datetime.now(UTC)  # noqa: E731
    try:
        for name in names:
            if name == "local":
                stores[name] = ContentStore(LocalFolderStore(tmp / "local"))
                continue
            if name == "sqlite":
                url = f"sqlite:///{(tmp / 'blobs.sqlite3').as_posix()}"
            else:
                admin = sa.create_engine(sa.engine.make_url(pg_url), isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
                    c.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
                url = sa.engine.make_url(pg_url).set(database=PG_DATABASE).render_as_string(False)
            engine = make_engine(url)
            engines.append(engine)
            ensure_tables(engine)
            stores[name] = ContentStore(DatabaseObjectStore(engine, now=now))
        yield stores
    finally:
        for engine in engines:
            engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            admin.dispose()


def baseline_round(objects: list[bytes], folder: Path, sha256sum: str | None) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[float]] = {
        "file_write_fsync": [],
        "file_read": [],
        "sha256sum": [],
        "hashlib_sha256": [],
    }
    for i, data in enumerate(objects):
        path = folder / f"{i:06d}"

        def write(path: Path = path, data: bytes = data) -> None:
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())

        out["file_write_fsync"].append(timed(write)[0])
        took, back = timed(path.read_bytes)
        out["file_read"].append(took)
        assert back == data
        took, digest = timed(lambda data=data: hashlib.sha256(data).hexdigest())
        out["hashlib_sha256"].append(took)
        if sha256sum:
            took, run = timed(
                lambda path=path: subprocess.run(
                    [sha256sum, str(path)], check=True, capture_output=True, text=True
                )
            )
            out["sha256sum"].append(took)
            assert run.stdout.split()[0] == digest
    shutil.rmtree(folder)
    return out


def store_round(store: ContentStore, objects: list[bytes]) -> dict[str, list[float]]:
    puts, gets, digests = [], [], []
    for data in objects:
        took, digest = timed(lambda data=data: store.put(data))
        puts.append(took)
        digests.append(digest)
    for data, digest in zip(objects, digests, strict=True):
        took, back = timed(lambda digest=digest: store.get(digest))
        gets.append(took)
        assert back == data  # checked outside the timing
    return {"put": puts, "get": gets}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--stores", default=",".join(STORES), help="local,sqlite,postgresql")
    p.add_argument("--count-4kib", type=int, default=400, help="4 KiB objects a round")
    p.add_argument("--count-1mib", type=int, default=40, help="1 MiB objects a round")
    p.add_argument("--count-20mib", type=int, default=4, help="20 MiB objects a round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seed", type=int, default=25)
    p.add_argument("--dir", type=Path, default=None, help="scratch folder (default: a temp dir)")
    p.add_argument("--pg-url", default=os.environ.get("DATAIP_BENCH_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(
        p,
        argv,
        "blobstore",
        stores="local,sqlite",
        count_4kib=5,
        count_1mib=2,
        count_20mib=1,
        rounds=1,
    )
    args = p.parse_args(argv)
    names = [s for s in args.stores.split(",") if s]
    unknown = set(names) - set(STORES)
    if unknown:
        p.error(f"unknown stores {sorted(unknown)}")
    counts = {"4KiB": args.count_4kib, "1MiB": args.count_1mib, "20MiB": args.count_20mib}
    sha256sum = shutil.which("sha256sum")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "blob store put/get (issue 25 §2) vs file write+fsync / read and sha256sum",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(sys.argv[1:] if argv is None else argv)]),
        "rounds": args.rounds,
        "counts": counts,
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "sqlalchemy": sa.__version__,
            "sqlite_library": sqlite3.sqlite_version,
            "load_average_start": load_average(),
        },
        "caveats": [
            "2 CPU cores, shared with other engineers' test runs: load averages recorded per "
            "size; figures vary from run to run",
            "reads come from the page cache (the objects were just written): warm reads",
            "PostgreSQL on the same machine over TCP (127.0.0.1); SQLite a file in the "
            "scratch folder, on the same disk as the local folder and the baseline files",
            "sha256sum: one process per object, start-up included",
        ],
        "sizes": {},
    }
    scratch = args.dir or Path(tempfile.mkdtemp(prefix="dataip_bench_blobstore_"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        with open_stores(names, scratch, args.pg_url) as stores:
            for label, size in SIZES.items():
                n = counts[label]
                if n <= 0:
                    continue
                say(f"{label}: {n} objects × {args.rounds} rounds on {', '.join(stores)}")
                before = load_average()
                base: dict[str, list[float]] = {}
                per: dict[str, dict[str, list[float]]] = {s: {"put": [], "get": []} for s in stores}
                for r in range(args.rounds):
                    objects = [rng.randbytes(size) for _ in range(n)]
                    for k, v in baseline_round(objects, scratch / f"plain-{r}", sha256sum).items():
                        base.setdefault(k, []).extend(v)
                    order = list(stores)
                    rng.shuffle(order)  # the stores take turns in a new order each round
                    for s in order:
                        for k, v in store_round(stores[s], objects).items():
                            per[s][k].extend(v)
                baselines = {k: summary(v, size) for k, v in base.items() if v}
                row: dict[str, Any] = {
                    "bytes": size,
                    "load_average_before": before,
                    "baselines": baselines,
                    "stores": {},
                }
                for s, ops in per.items():
                    put, get = summary(ops["put"], size), summary(ops["get"], size)
                    # throughput ratios (same objects, so ops/s over the summed times)
                    put["vs_file_write_fsync"] = round(
                        sum(base["file_write_fsync"]) / sum(ops["put"]), 3
                    )
                    get["vs_file_read"] = round(sum(base["file_read"]) / sum(ops["get"]), 3)
                    row["stores"][s] = {"put": put, "get": get}
                row["load_average_after"] = load_average()
                result["sizes"][label] = row
                for s, r in row["stores"].items():
                    say(
                        f"  {s:10} put {r['put']['mb_per_s']:>8} MB/s p95 {r['put']['p95_ms']} ms"
                        f" | get {r['get']['mb_per_s']:>8} MB/s p95 {r['get']['p95_ms']} ms"
                    )
                b = row["baselines"]
                say(
                    f"  {'baseline':10} write+fsync {b['file_write_fsync']['mb_per_s']} MB/s"
                    f" | read {b['file_read']['mb_per_s']} MB/s"
                    + (
                        f" | sha256sum {b['sha256sum']['mb_per_s']} MB/s"
                        if "sha256sum" in b
                        else ""
                    )
                )
    finally:
        if args.dir is None:
            shutil.rmtree(scratch, ignore_errors=True)
    result["machine"]["load_average_end"] = load_average()
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    say(f"wrote {args.out} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
