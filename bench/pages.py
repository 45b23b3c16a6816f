"""The CPU cost of the public pages that bound the registry's throughput in bench/load.py (issue
25): a registration's page, the home page, the announcement search page and the certificate
API, each as milliseconds of this process's CPU per request, beside a named baseline in the
same run (`GET /log/checkpoint`, one small read; and `GET /healthz`, the harness's floor).

    python bench/pages.py                                   # 20,000 registrations, SQLite
    python bench/pages.py --backend postgresql              # database dataip_bench_pages
    python bench/pages.py --keep --label before             # keep the registry, name the run
    python bench/pages.py --reuse --label after             # the same registry, another run
    python bench/pages.py --smoke                           # seconds (CI)

1. registry — `bench/_registry_load.py`, as bench/load.py builds it: the demo (`--demo`), then
   N bulk registrations (application, registration, version, a signed certificate, an indexed
   announcement, five logged events each), the leaves integrated. Kept with `--keep` (the
   SQLite file or the PostgreSQL database `--database`, and the data directory `--data-dir`
   with the registry's keys), reused with `--reuse`.
2. pages — through the ASGI app in-process (`web.app.create_app`, starlette's TestClient: no
   socket). Each page is requested once untimed (a warm-up), then `--reps` times, the pages
   in turn (round robin, so that other work on the machine weighs on each alike); every
   answer must be 200. Registration and certificate numbers cycle over `--sample` registrations
   spread over the whole register (bulk and demo), the search over words of the names'
   vocabulary. Per request: `time.process_time()` before and after (the CPU of every thread
   of this process: the route runs in the app's worker thread; on SQLite the database's own
   work is in it too, on PostgreSQL the server's is not), the wall time, the SQL statements
   executed (an engine event) and the units of work opened (the registry's factories
   wrapped).

Figures per page: cpu p50/p95/mean, wall p50/p95 (ms), statements and units of work per
request. `--label` names the run; runs under other labels already in `--out` are kept, so one
file holds the figures before and after a change (`runs.before`, `runs.after`, and
`speedup_cpu_p50` between the two when both exist; `commit` is the measured code's: for the
"before" run, another worktree's `src` on PYTHONPATH). Percentiles are nearest-rank. The machine
has 2 cores and other work may run at the same time: the load averages are in the JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

import _registry_load as bulk
import dataip
from _timing import load_average, machine, pct, say
from dataip.bootstrap import Registry, build
from dataip.db import tables as t
from dataip.domain.search import query_tokens
from dataip.web.app import create_app
from smoke import add_smoke_option

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "pages.json"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "dataip_bench_pages"
BASELINES = ("checkpoint", "healthz")


class Counters:
    """SQL statements (an event on the engine and on the readers' engine, PostgreSQL's own)
    and units of work (the factories wrapped) of the registry, counted while they run."""

    def __init__(self, reg: Registry) -> None:
        self.statements = self.uows = 0
        for engine in {id(e): e for e in (reg.engine, reg.reader_engine) if e is not None}.values():
            sa.event.listen(engine, "before_cursor_execute", self._statement)
        env = reg.env
        env.uow = self._counted(env.uow)
        if env.reader is not None:
            env.reader = self._counted(env.reader)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _counted(self, factory: Callable[[], Any]) -> Callable[[], Any]:
        def make() -> Any:
            self.uows += 1
            return factory()

        return make


def requests(reg: Registry, args: argparse.Namespace) -> dict[str, Iterator[tuple[str, dict]]]:
    """Each page's endless stream of (path, headers)."""
    numbers = bulk.sample_numbers(reg, args.sample, args.seed)
    random.Random(args.seed).shuffle(numbers)
    words = [w for w in bulk.vocabulary() if query_tokens(w).terms]
    random.Random(args.seed).shuffle(words)
    vc = {"Accept": "application/vc+jwt"}
    return {
        "registration": ((f"/registrations/{n}", {}) for n in itertools.cycle(numbers)),
        "home": itertools.repeat(("/", {})),
        "search": ((f"/announcements?q={w}", {}) for w in itertools.cycle(words)),
        "certificate_api": (
            (f"/api/v1/registrations/{n}/certificate", vc) for n in itertools.cycle(numbers)
        ),
        "checkpoint": itertools.repeat(("/log/checkpoint", {})),
        "healthz": itertools.repeat(("/healthz", {})),
    }


class Page:
    """One page's stream of requests and its figures so far."""

    def __init__(self, paths: Iterator[tuple[str, dict]]) -> None:
        self.paths = paths
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.statements = self.uows = 0

    def request(self, client: TestClient, counters: Counters, *, timed: bool = True) -> None:
        path, headers = next(self.paths)
        s0, u0 = counters.statements, counters.uows
        c0, w0 = time.process_time(), time.perf_counter()
        r = client.get(path, headers=headers)
        c1, w1 = time.process_time(), time.perf_counter()
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        if timed:
            self.cpu.append((c1 - c0) * 1000)
            self.wall.append((w1 - w0) * 1000)
            self.statements += counters.statements - s0
            self.uows += counters.uows - u0

    def figures(self) -> dict[str, Any]:
        n = len(self.cpu)
        return {
            "requests": n,
            "cpu_p50_ms": round(pct(self.cpu, 50), 2),
            "cpu_p95_ms": round(pct(self.cpu, 95), 2),
            "cpu_mean_ms": round(statistics.fmean(self.cpu), 2),
            "wall_p50_ms": round(pct(self.wall, 50), 2),
            "wall_p95_ms": round(pct(self.wall, 95), 2),
            "statements_per_request": round(self.statements / n, 1),
            "units_of_work_per_request": round(self.uows / n, 1),
        }


def run_pages(args: argparse.Namespace) -> dict[str, Any]:
    reg = build(bulk.settings_for(bulk.database_url(args), args.data_dir))
    try:
        counters = Counters(reg)
        streams = requests(reg, args)
        out: dict[str, Any] = {"load_average_before": load_average()}
        pages = {name: Page(paths) for name, paths in streams.items()}
        with TestClient(create_app(registry=reg)) as client:
            for page in pages.values():
                page.request(client, counters, timed=False)  # a warm-up, and the 200 check
            # round robin: the machine's other work weighs on every page alike
            for _ in range(args.reps):
                for page in pages.values():
                    page.request(client, counters)
        for name, page in pages.items():
            out[name] = page.figures()
            say(f"  {name}: {json.dumps(out[name])}")
        floor = out["checkpoint"]["cpu_p50_ms"]
        out["cpu_p50_over_checkpoint"] = {
            k: round(v["cpu_p50_ms"] / floor, 1) if floor else None
            for k, v in out.items()
            if isinstance(v, dict) and "cpu_p50_ms" in v and k not in BASELINES
        }
        out["load_average_after"] = load_average()
        return out
    finally:
        reg.dispose()


def git_head() -> str:
    """The commit of the dataip code measured (a "before" run may import another worktree's
    `src` through PYTHONPATH)."""
    r = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(dataip.__file__).resolve().parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--registrations", type=int, default=20_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("DATAIP_BENCH_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--database", default="dataip_bench_pages")
    p.add_argument("--data-dir", type=Path, help=f"default {DEFAULT_DATA_DIR}_BACKEND")
    p.add_argument("--keep", action="store_true", help="keep the database and data dir")
    p.add_argument("--reuse", action="store_true", help="use a kept registry (no load)")
    p.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the demo under the bulk rows (--no-demo: only the writers' accounts)",
    )
    p.add_argument("--reps", type=int, default=100, help="timed requests per page")
    p.add_argument("--sample", type=int, default=500, help="registrations the pages ask for")
    p.add_argument("--label", default="run", help="the run's name in the JSON (before, after)")
    p.add_argument("--seed", type=int, default=25)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(
        p,
        argv,
        "pages",
        registrations=200,
        data_dir=Path(tempfile.gettempdir()) / "dataip_bench_pages_smoke",
        demo=False,
        reps=3,
        sample=20,
    )
    args = p.parse_args(argv)
    args.data_dir = args.data_dir or Path(f"{DEFAULT_DATA_DIR}_{args.backend}")
    started = time.perf_counter()
    result: dict[str, Any] = {}
    if args.out.exists():
        with args.out.open(encoding="utf-8") as f:
            result = json.load(f)
    result |= {
        "benchmark": "CPU per request of the public pages (issue 25) vs /log/checkpoint",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "caveats": [
            "2 CPU cores, shared: other work may run at the same time (load averages per run)",
            "in-process through the ASGI app (starlette's TestClient): the client's own CPU "
            "(httpx, the anyio portal) is counted too; /healthz is that floor",
        ],
    }
    result.setdefault("runs", {})
    run: dict[str, Any] = {
        "command": " ".join(
            ["python", "bench/pages.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "commit": git_head(),
        "backend": args.backend,
        "date": result["date"],
    }
    try:
        if not args.reuse:
            say(f"loading {args.registrations:,} registrations ({args.backend}) ...")
            run["registry"] = bulk.prepare(args, workers=1, say=say)
        with sa.create_engine(bulk.database_url(args)).connect() as c:
            run["registrations"] = int(
                c.scalar(sa.select(sa.func.count()).select_from(t.registrations)) or 0
            )
        say(f"pages ({run['registrations']:,} registrations) ...")
        run["pages"] = run_pages(args)
    finally:
        if not args.keep and not args.reuse:
            bulk.drop(args)
    result["runs"][args.label] = run
    before, after = result["runs"].get("before"), result["runs"].get("after")
    if before and after and before["backend"] == after["backend"]:
        b, a = before["pages"], after["pages"]
        timed = [k for k, v in b.items() if isinstance(v, dict) and "cpu_p50_ms" in v and k in a]
        result["speedup_cpu_p50"] = {
            k: round(b[k]["cpu_p50_ms"] / a[k]["cpu_p50_ms"], 1) for k in timed
        }
        # the same, net of the harness's floor (each run's /healthz): the pages' own work
        result["speedup_cpu_p50_above_healthz"] = {
            k: round(
                (b[k]["cpu_p50_ms"] - b["healthz"]["cpu_p50_ms"])
                / max(a[k]["cpu_p50_ms"] - a["healthz"]["cpu_p50_ms"], 0.01),
                1,
            )
            for k in timed
            if k not in BASELINES
        }
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    say(f"wrote {args.out} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
