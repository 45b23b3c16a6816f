"""Load test (issue 25 §4 and "Done means"): a registry at national volume — N registrations
and 5·N transparency-log entries on PostgreSQL — served by 1 and then 2 `dataip serve`
processes on one database, driven from outside over HTTP with a mixed load of public pages and
writes, at a fixed offered rate and at saturation. The baseline is the single process of the
same run.

    python bench/load.py                                  # 1,000,000 registrations
    python bench/load.py --registrations 200000 --keep    # keep the database and data dir
    python bench/load.py --reuse                          # run again on a kept registry
    python bench/load.py --load-only                      # load and keep, run nothing
    python bench/load.py --smoke                          # seconds, SQLite (CI)

1. registry — `bench/_registry_load.py`: the demo, then N bulk registrations (application,
   registration, version, a real Ed25519-signed certificate, an announcement indexed for
   search, five logged events each) by COPY from `--load-workers` processes; the real
   integrator sequences the 5·N staged leaves (tiles and checkpoints as served); VACUUM
   ANALYZE. Kept with `--keep` (database `--database`, data directory `--data-dir`: its keys
   must go with it), reused with `--reuse`.
2. tick — `dataip tick` on the loaded registry, timed (the daily run).
3. servers — P separate `dataip serve` processes (P = 1, then 2; `--processes`), each on its
   own port against the same database and data directory (what P machines behind a load
   balancer are); the client spreads requests over them round-robin.
4. fixed rate — an open-loop schedule (`--rate` public requests/s, default 200, plus
   `--write-rate` write flows/s) for `--seconds`: each request starts at its scheduled time
   whatever the answers before it, and its latency counts from that time (no coordinated
   omission); requests still waiting for a connection when `--max-in-flight` are open count
   as errors ("overload"). Meanwhile a probe process times the announcement search itself
   (`uow.search.search` for the page of 20, as bench/search.py does) for 1-, 2-, 3- and
   4-character queries against the same database (§4: p95 < 50 ms under load).
5. saturation — a closed loop of `--connections` clients sending the same mix back to back for
   `--seconds`: the requests/s the processes carry.
6. audit — `dataip log audit` over the whole log after the runs (the writes of the run
   included): it must be clean; timed.

The mix (per public request, `PUBLIC_MIX`): home page 10 %, announcement search 30 % (1-, 2-,
3- and 4-character queries of the names' vocabulary, a quarter each), a registration's page
25 %, its certificate (`GET /api/v1/registrations/{n}/certificate`, vc+jwt) 10 %, the
certificate PDF 0.5 %, `/log/checkpoint` 14.5 %, a full `/log/tile/...` 10 % (level-0 and
level-1 hash tiles and entry bundles). A write flow (`--write-rate` per second): an applicant
files an application (`POST /api/v1/applications`), submits it, and an examiner accepts it —
three requests, each after the previous answer. Registrations are picked uniformly over the
whole register. Every answer must be 2xx (or 3xx); anything else, a timeout or a connection
error is an error.

Figures per phase and process count: requests/s, p50/p95/p99/max (ms), errors, per route class;
the machine's load average before and after each phase (other work shares this 2-core
machine). Percentiles are nearest-rank.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

import _registry_load as bulk
from dataip.bootstrap import Registry, build
from dataip.db import tables as t
from dataip.domain.search import query_tokens
from dataip.ledger.tiles import encode_index
from smoke import add_smoke_option

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "load.json"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "dataip_bench_load"
FIRST_PORT = 18401
PASSWORD = "demo-password"  # the demo's accounts (services/demo.py)
AIM = {"speedup_2_vs_1": 1.6, "public_p95_ms_at_200": 100.0, "search_p95_ms": 50.0, "errors": 0}
PUBLIC_MIX = (
    ("home", 10.0),
    ("search_1", 7.5),
    ("search_2", 7.5),
    ("search_3", 7.5),
    ("search_4", 7.5),
    ("registration", 25.0),
    ("certificate", 10.0),
    ("certificate_pdf", 0.5),
    ("checkpoint", 14.5),
    ("tile", 10.0),
)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def summary(ms: list[float], errors: int, seconds: float) -> dict[str, Any]:
    return {
        "requests": len(ms) + errors,
        "ok": len(ms),
        "errors": errors,
        "requests_per_second": round((len(ms) + errors) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(pct(ms, 50), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "p99_ms": round(pct(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
    }


# --- the registry ------------------------------------------------------------------------------


def cli_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAIP_")}
    env |= {
        "DATAIP_DATABASE_URL": bulk.database_url(args),
        "DATAIP_DATA_DIR": str(args.data_dir),
        "DATAIP_PUBLIC_BASE_URL": bulk.PUBLIC_BASE,
        "DATAIP_LOG_LEVEL": "WARNING",
    }
    return env


def dataip_bin() -> str:
    return str(Path(sys.executable).with_name("dataip"))


def timed_cli(args: argparse.Namespace, *argv: str) -> dict[str, Any]:
    started = time.perf_counter()
    r = subprocess.run(
        [dataip_bin(), *argv], env=cli_env(args), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    out = {
        "command": f"dataip {' '.join(argv)}",
        "seconds": round(seconds, 1),
        "exit": r.returncode,
    }
    out["output"] = (r.stdout.strip() or r.stderr.strip())[-600:]
    return out


# --- what the client asks for ------------------------------------------------------------------


class Targets:
    """Registration numbers, search queries, tile paths and the writers' tokens."""

    def __init__(self, args: argparse.Namespace, reg: Registry) -> None:
        self.rng = random.Random(args.seed)
        with reg.engine.connect() as c:
            top = int(c.scalar(sa.select(sa.func.max(t.registrations.c.id))) or 0)
            ids = sorted({self.rng.randint(1, top) for _ in range(args.sample)})
            self.numbers = list(
                c.scalars(
                    sa.select(t.registrations.c.registration_number).where(
                        t.registrations.c.id.in_(ids)
                    )
                )
            )
            size = int(c.scalar(sa.select(sa.func.count()).select_from(t.log_entries)) or 0)
            self.party = c.scalar(
                sa.select(t.parties.c.id)
                .join(t.users, t.users.c.id == t.parties.c.owner_user_id)
                .where(t.users.c.username == "applicant", t.parties.c.verified_at.is_not(None))
                .order_by(t.parties.c.id)
                .limit(1)
            )
        self.tiles = self._tiles(size)
        self.queries = self._queries()

    def _tiles(self, size: int) -> list[str]:
        out = [f"0/{encode_index(n)}" for n in range(size // 256)]
        out += [f"entries/{encode_index(n)}" for n in range(size // 256)]
        out += [f"1/{encode_index(n)}" for n in range(size // 65536)]
        return out or ["0/000.p/1"]

    def _queries(self) -> dict[int, list[str]]:
        vocab = bulk.vocabulary()
        pool: dict[int, set[str]] = {1: {c for w in vocab for c in w}, 2: set(), 3: set(), 4: set()}
        for w in vocab:
            for size in (2, 3, 4):
                if len(w) >= size:
                    pool[size].add(w[:size])
        pool[4] |= {a[:2] + b[:2] for a, b in itertools.product(vocab[:20], vocab[20:40])}
        return {
            k: sorted(x for x in v if len(x) == k and query_tokens(x).terms)
            for k, v in pool.items()
        }

    def public_path(self, kind: str) -> tuple[str, dict[str, str]]:
        r = self.rng
        if kind == "home":
            return "/", {}
        if kind.startswith("search_"):
            q = r.choice(self.queries[int(kind[-1])])
            return f"/announcements?q={q}", {}
        n = r.choice(self.numbers)
        if kind == "registration":
            return f"/registrations/{n}", {}
        if kind == "certificate":
            return f"/api/v1/registrations/{n}/certificate", {"Accept": "application/vc+jwt"}
        if kind == "certificate_pdf":
            return f"/registrations/{n}/certificate.pdf", {}
        if kind == "checkpoint":
            return "/log/checkpoint", {}
        return f"/log/tile/{r.choice(self.tiles)}", {}


def pick_kinds(rng: random.Random, k: int) -> list[str]:
    kinds, weights = zip(*PUBLIC_MIX, strict=True)
    return rng.choices(list(kinds), list(weights), k=k)


SAMPLE_CSV = "日期,线路,客流\n2025-01-01,1,1200\n2025-01-02,1,1180\n".encode()


REGIONS = bulk.REGIONS.split()
OBJECTS = [(d, o) for d, v in bulk.OBJECTS.items() for o in v.split()]


RUN = int(time.time()) % 1_000_000  # names and evidence hashes new in every run (--reuse)


def application_form(sample: str, k: int) -> dict[str, Any]:
    """A complete form, its name and evidence hash unique to the flow (or the submission is
    refused as the same subject's duplicate)."""
    domain, obj = OBJECTS[k % len(OBJECTS)]
    region = REGIONS[k // len(OBJECTS) % len(REGIONS)]
    return {
        "name": f"{region}{domain}{obj}第{RUN}{k:05d}批数据集",
        "industry_code": "5411",
        "scenarios": {"values": ["transport"]},
        "practical_values": {"values": ["dispatch_decision"], "description": "支撑交通调度决策"},
        "intellectual_achievement": "多源数据融合与清洗规则",
        "source_kinds": {"values": ["enterprise"]},
        "acquisition_methods": {"values": ["self_generated"]},
        "processing_rules": "清洗、标注、质量校验",
        "scope": {"coverage": "贵阳市", "records": 1000, "bytes": 1 << 20},
        "update": {"frequency": "daily", "term": "持续更新"},
        "evidence": {
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZ-LOAD-{k}",
            "hash_value": hashlib.sha256(f"{RUN}-{k}".encode()).hexdigest(),
            "evidenced_on": "2026-09-01",
        },
        "sample_blobs": [sample],
        "data_formats": {"values": ["csv"]},
        "commitment_accepted": True,
    }


# --- the client ----------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []

    def ok(self, kind: str, ms: float) -> None:
        self.ms[kind].append(ms)

    def fail(self, kind: str, why: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{kind}: {why}"[:300])

    def report(self, seconds: float) -> dict[str, Any]:
        kinds = sorted(set(self.ms) | set(self.errors))
        classes: dict[str, Any] = {k: summary(self.ms[k], self.errors[k], seconds) for k in kinds}
        public = [k for k in kinds if not k.startswith("write")]
        search = [k for k in kinds if k.startswith("search")]
        out: dict[str, Any] = {
            "seconds": round(seconds, 1),
            "all": summary(
                [x for k in kinds for x in self.ms[k]], sum(self.errors.values()), seconds
            ),
            "public": summary(
                [x for k in public for x in self.ms[k]],
                sum(self.errors[k] for k in public),
                seconds,
            ),
            "search": summary(
                [x for k in search for x in self.ms[k]],
                sum(self.errors[k] for k in search),
                seconds,
            ),
            "by_class": classes,
        }
        if self.error_samples:
            out["error_samples"] = self.error_samples
        return out


FLOWS = itertools.count(1)  # across the runs of one invocation


class Client:
    def __init__(self, ports: list[int], targets: Targets, timeout: float) -> None:
        self.bases = [f"http://127.0.0.1:{p}" for p in ports]
        self.rr = itertools.cycle(range(len(ports)))
        self.targets = targets
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.session: aiohttp.ClientSession | None = None
        self.tokens: dict[str, str] = {}
        self.sample = ""
        self.flows = FLOWS

    async def __aenter__(self) -> Client:
        # idle connections kept for less than the server keeps them (uvicorn: 5 s), or a
        # request may go out on one the server is closing (ClientOSError, not the server's
        # fault): the saturation phase reuses the fixed-rate phase's pool
        conn = aiohttp.TCPConnector(limit=0, force_close=False, keepalive_timeout=2.0)
        self.session = aiohttp.ClientSession(connector=conn, timeout=self.timeout)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.session is not None
        await self.session.close()

    def base(self) -> str:
        return self.bases[next(self.rr)]

    async def login(self) -> None:
        assert self.session is not None
        for who in ("applicant", "examiner"):
            async with self.session.post(
                f"{self.bases[0]}/api/v1/auth/token", json={"username": who, "password": PASSWORD}
            ) as r:
                body = await r.json()
                if r.status != 201:
                    raise SystemExit(f"login {who}: {r.status} {body}")
                self.tokens[who] = body["access_token"]
        form = aiohttp.FormData()
        form.add_field("file", SAMPLE_CSV, filename="sample.csv", content_type="text/csv")
        async with self.session.post(
            f"{self.bases[0]}/api/v1/blobs", data=form, headers=self.auth("applicant")
        ) as r:
            body = await r.json()
            if r.status != 201:
                raise SystemExit(f"sample upload: {r.status} {body}")
            self.sample = body["sha256"]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def get(self, kind: str, rec: Recorder, started: float | None = None) -> None:
        assert self.session is not None
        path, headers = self.targets.public_path(kind)
        t0 = time.perf_counter() if started is None else started
        try:
            async with self.session.get(self.base() + path, headers=headers) as r:
                await r.read()
                if r.status >= 400:
                    rec.fail(kind, f"{r.status} {path}")
                    return
        except (TimeoutError, aiohttp.ClientError) as e:
            rec.fail(kind, f"{type(e).__name__} {path}")
            return
        rec.ok(kind, (time.perf_counter() - t0) * 1000)

    async def write_flow(self, rec: Recorder, started: float | None = None) -> None:
        """File, submit, accept: three requests, one after the other, each timed."""
        assert self.session is not None
        k = next(self.flows)
        base = self.base()
        steps: list[tuple[str, str, str, Any]] = [
            ("write_file", "applicant", "/api/v1/applications", None),
            ("write_submit", "applicant", "/api/v1/applications/{id}/actions/submit", None),
            ("write_accept", "examiner", "/api/v1/applications/{id}/actions/accept", None),
        ]
        app_id = None
        t0 = time.perf_counter() if started is None else started
        for kind, who, path, _ in steps:
            body: Any = None
            if kind == "write_file":
                body = {
                    "form": application_form(self.sample, k),
                    "applicants": [{"party_id": self.targets.party}],
                }
            url = base + path.format(id=app_id)
            try:
                async with self.session.post(url, json=body, headers=self.auth(who)) as r:
                    data = await r.read()
                    if r.status >= 400:
                        rec.fail(kind, f"{r.status} {data[:200]!r}")
                        return
                    if kind == "write_file":
                        app_id = json.loads(data)["id"]
            except (TimeoutError, aiohttp.ClientError) as e:
                rec.fail(kind, type(e).__name__)
                return
            now = time.perf_counter()
            rec.ok(kind, (now - t0) * 1000)
            t0 = now


async def open_loop(
    client: Client, rate: float, write_rate: float, seconds: float, max_in_flight: int
) -> dict[str, Any]:
    """Requests at their scheduled times (Poisson-free: evenly spaced), latency from then."""
    rec = Recorder()
    rng = random.Random(7)
    n_public = int(rate * seconds)
    n_write = int(write_rate * seconds)
    plan = [(i / rate, "public") for i in range(n_public)]
    plan += [((i + 0.5) / write_rate, "write") for i in range(n_write)] if write_rate else []
    plan.sort()
    kinds = iter(pick_kinds(rng, n_public))
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter()
    for at, what in plan:
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due = start + at
        if len(tasks) >= max_in_flight:
            rec.fail(next(kinds) if what == "public" else "write_file", "overload")
            continue
        task = asyncio.create_task(
            client.get(next(kinds), rec, due) if what == "public" else client.write_flow(rec, due)
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    return rec.report(time.perf_counter() - start)


async def closed_loop(client: Client, connections: int, seconds: float, write_share: float) -> dict:
    """`connections` clients back to back: what the servers carry."""
    rec = Recorder()
    end = time.perf_counter() + seconds
    rng = random.Random(11)

    async def one(worker: int) -> None:
        while time.perf_counter() < end:
            if rng.random() < write_share:
                await client.write_flow(rec)
            else:
                await client.get(pick_kinds(rng, 1)[0], rec)

    start = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(connections)))
    return rec.report(time.perf_counter() - start)


# --- the search probe (a separate process, on the same database) --------------------------------


def _probe(
    url: str, data_dir: str, queries: dict[int, list[str]], q: Any, ready: Any, stop: Any
) -> None:
    reg = build(bulk.settings_for(url, Path(data_dir)))
    rng = random.Random(5)
    ms: dict[int, list[float]] = defaultdict(list)
    with reg.env.read() as uow:  # connected before the phase starts
        uow.search.search(query_tokens("数据"), exact="数据", limit=20)
    ready.set()
    started = time.perf_counter()
    try:
        while not stop.is_set():
            size = rng.randint(1, 4)
            text = rng.choice(queries[size])
            t0 = time.perf_counter()
            with reg.env.read() as uow:
                uow.search.search(query_tokens(text), exact=text, limit=20)
            ms[size].append((time.perf_counter() - t0) * 1000)
            time.sleep(0.05)
    finally:
        reg.dispose()
    seconds = time.perf_counter() - started
    q.put({f"{k}_char": summary(v, 0, seconds) for k, v in sorted(ms.items())})


# --- servers -----------------------------------------------------------------------------------


def free_port(taken: list[int]) -> int:
    """A port nothing listens on now (another run on the machine may hold FIRST_PORT)."""
    for port in range(FIRST_PORT, FIRST_PORT + 200):
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port")


@contextmanager
def servers(args: argparse.Namespace, count: int) -> Iterator[list[int]]:
    procs: list[subprocess.Popen[str]] = []
    ports: list[int] = []
    for _ in range(count):
        ports.append(free_port(ports))
    env = cli_env(args) | {"DATAIP_LOG_INTERVAL_SECONDS": "1"}
    try:
        for port in ports:
            procs.append(
                subprocess.Popen(
                    [dataip_bin(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
            )
        for p in procs:
            deadline = time.monotonic() + 120
            assert p.stdout is not None
            for line in p.stdout:
                if "ready at" in line:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"a server did not start: {line}")
            else:
                raise SystemExit(f"a server exited before it was ready ({p.wait()})")
        yield ports
    finally:
        for p in procs:
            with suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


async def drive(args: argparse.Namespace, ports: list[int], targets: Targets) -> dict[str, Any]:
    out: dict[str, Any] = {"ports": ports}
    async with Client(ports, targets, args.timeout) as client:
        await client.login()
        # warm-up: each process's caches, templates and connections
        warm = Recorder()
        await asyncio.gather(*(client.get(k, warm) for k in pick_kinds(random.Random(1), 60)))
        await client.write_flow(warm)
        out["load_average_before"] = loadavg()
        say(f"  fixed rate: {args.rate}/s public + {args.write_rate} write flows/s ...")
        ctx = multiprocessing.get_context("spawn")
        q, ready, stop = ctx.Queue(), ctx.Event(), ctx.Event()
        probe = ctx.Process(
            target=_probe,
            args=(bulk.database_url(args), str(args.data_dir), targets.queries, q, ready, stop),
        )
        probe.start()
        await asyncio.to_thread(ready.wait, 300)
        out["fixed_rate"] = await open_loop(
            client, args.rate, args.write_rate, args.seconds, args.max_in_flight
        )
        stop.set()
        out["fixed_rate"]["offered"] = {
            "public_per_second": args.rate,
            "write_flows_per_second": args.write_rate,
        }
        out["fixed_rate"]["search_probe"] = await asyncio.to_thread(q.get)
        probe.join()
        out["load_average_after_fixed_rate"] = loadavg()
        say(f"    {json.dumps(out['fixed_rate']['public'])}")
        say(f"    probe {json.dumps(out['fixed_rate']['search_probe'])}")
        say(f"  saturation: {args.connections} connections ...")
        out["saturation"] = await closed_loop(
            client, args.connections, args.seconds, args.write_share
        )
        out["load_average_after_saturation"] = loadavg()
        say(f"    {json.dumps(out['saturation']['all'])}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--registrations", type=int, default=1_000_000)
    p.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--pg-url", default=os.environ.get("DATAIP_BENCH_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--database", default="dataip_bench_load")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--keep", action="store_true", help="keep the database and data dir")
    p.add_argument("--reuse", action="store_true", help="use a kept registry (no load)")
    p.add_argument("--load-only", action="store_true", help="load and keep the registry, then stop")
    p.add_argument("--load-workers", type=int, default=2)
    p.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the demo under the bulk rows (--no-demo: only the writers' accounts)",
    )
    p.add_argument("--processes", default="1,2", help="server process counts, in order")
    p.add_argument("--rate", type=float, default=200.0, help="public requests/s offered")
    p.add_argument("--write-rate", type=float, default=2.0, help="write flows/s offered")
    p.add_argument("--seconds", type=float, default=60.0, help="per phase")
    p.add_argument("--connections", type=int, default=32, help="saturation's clients")
    p.add_argument("--write-share", type=float, default=0.02, help="saturation: write flows")
    p.add_argument("--max-in-flight", type=int, default=512)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--sample", type=int, default=20_000, help="registrations the client asks for")
    p.add_argument("--skip-tick", action="store_true", help="(timed on a kept registry before)")
    p.add_argument("--skip-audit", action="store_true", help="(time `dataip log audit` alone)")
    p.add_argument("--seed", type=int, default=25)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(
        p,
        argv,
        "load",
        registrations=300,
        backend="sqlite",
        data_dir=Path(tempfile.gettempdir()) / "dataip_bench_load_smoke",
        load_workers=1,
        demo=False,
        processes="2",  # the two-process path (one process is the same code, once more)
        rate=20.0,
        write_rate=0.5,
        seconds=2.0,
        connections=4,
        sample=100,
    )
    args = p.parse_args(argv)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "load: public pages and writes over HTTP, 1 and 2 server processes",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/load.py", *(sys.argv[1:] if argv is None else argv)]),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "backend": args.backend,
        "mix": {"public": dict(PUBLIC_MIX), "write_flow": ["file", "submit", "accept"]},
        "aim": AIM,
        "load_average_start": loadavg(),
    }
    try:
        if not args.reuse:
            say(f"loading {args.registrations:,} registrations ({args.backend}) ...")
            result["registry"] = bulk.prepare(args, workers=args.load_workers, say=say)
            if args.load_only:
                args.keep = True
                say(f"loaded: {json.dumps(result['registry'])}")
                return 0
        reg = build(bulk.settings_for(bulk.database_url(args), args.data_dir))
        try:
            with reg.engine.connect() as c:
                result["size"] = {
                    "registrations": int(
                        c.scalar(sa.select(sa.func.count()).select_from(t.registrations)) or 0
                    ),
                    "log_entries": int(
                        c.scalar(sa.select(sa.func.count()).select_from(t.log_entries)) or 0
                    ),
                    "announcements": int(
                        c.scalar(sa.select(sa.func.count()).select_from(t.announcements)) or 0
                    ),
                }
            say(f"registry: {result['size']}")
            targets = Targets(args, reg)
        finally:
            reg.dispose()
        if not args.skip_tick:
            say("dataip tick ...")
            result["tick"] = timed_cli(args, "tick")
            say(f"  {result['tick']['seconds']} s")
        result["runs"] = {}
        for count in [int(x) for x in args.processes.split(",")]:
            say(f"{count} server process(es) ...")
            with servers(args, count) as ports:
                result["runs"][str(count)] = asyncio.run(drive(args, ports, targets))
        if not args.skip_audit:
            say("dataip log audit ...")
            result["audit"] = timed_cli(args, "log", "audit")
            say(f"  {result['audit']['seconds']} s, exit {result['audit']['exit']}")
            if result["audit"]["exit"] != 0:
                raise SystemExit(f"the audit failed: {result['audit']['output']}")
        result["figures"] = figures(result)
    finally:
        if not args.keep:
            bulk.drop(args)
    result["load_average_end"] = loadavg()
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    say(json.dumps(result["figures"], ensure_ascii=False, indent=2))
    say(f"wrote {args.out} ({result['seconds']:.0f} s)")
    return 0


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """The headline figures against the aims."""
    runs = result["runs"]
    out: dict[str, Any] = {}
    for n, r in runs.items():
        fixed, sat = r["fixed_rate"], r["saturation"]
        out[f"{n}_process"] = {
            "fixed_rate_public_p95_ms": fixed["public"]["p95_ms"],
            "fixed_rate_search_p95_ms": fixed["search"]["p95_ms"],
            "fixed_rate_errors": fixed["all"]["errors"],
            "search_probe_p95_ms": {k: v["p95_ms"] for k, v in fixed["search_probe"].items()},
            "saturation_requests_per_second": sat["all"]["requests_per_second"],
            "saturation_p95_ms": sat["all"]["p95_ms"],
            "saturation_errors": sat["all"]["errors"],
        }
    if "1" in runs and "2" in runs:
        one = runs["1"]["saturation"]["all"]["requests_per_second"]
        two = runs["2"]["saturation"]["all"]["requests_per_second"]
        out["speedup_2_vs_1"] = round(two / one, 2) if one else None
    return out


if __name__ == "__main__":
    raise SystemExit(main())
