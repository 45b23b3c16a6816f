"""Timing for the benchmarks that time calls and pages (a module, not a script): nearest-rank
percentiles, timed calls, their latency summary, pages timed through a client after a checked
warm-up, the aim report (p95 under the aim), the machine and the result file. bench/ranking.py,
bench/registry_statistics.py and bench/search.py each carried a copy.

    from _timing import pages, repeat, summary
    out["pages"] = pages(client, {"api": ("/api/v1/x", {})}, reps=50)
    out["service"] = summary(repeat(lambda: service(env), 50))
"""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages (the machine is shared: other work may run)."""
    return [round(x, 2) for x in os.getloadavg()]


def pct(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds one call of `fn` took."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def repeat(fn: Callable[[], Any], reps: int) -> list[float]:
    """Milliseconds each of `reps` calls of `fn` took."""
    return [timed(fn) for _ in range(reps)]


def summary(ms: list[float], *, p99: bool = False, mean: bool = False) -> dict[str, Any]:
    """calls, p50_ms, p95_ms (and p99_ms, mean_ms when asked) and max_ms of timings in ms."""
    out: dict[str, Any] = {
        "calls": len(ms),
        "p50_ms": round(pct(ms, 50), 2),
        "p95_ms": round(pct(ms, 95), 2),
    }
    if p99:
        out["p99_ms"] = round(pct(ms, 99), 2)
    if mean:
        out["mean_ms"] = round(statistics.fmean(ms), 2)
    out["max_ms"] = round(max(ms), 2)
    return out


def pages(
    client: Any,
    paths: Mapping[str, tuple[str, Mapping[str, str]]],
    reps: int,
    *,
    mean: bool = False,
) -> dict[str, Any]:
    """Each page `name: (path, params)` requested once untimed (a warm-up, and a check that it
    answers 200), then `reps` timed requests: their summary by name."""
    out: dict[str, Any] = {}
    for name, (path, params) in paths.items():

        def get(path: str = path, params: Mapping[str, str] = params) -> Any:
            # no params argument at all where there are none: the path may carry a query
            return client.get(path, params=params) if params else client.get(path)

        r = get()
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        out[name] = summary(repeat(get, reps), mean=mean)
    return out


def run_backends(
    result: dict[str, Any], backend: str, run: Callable[[str], dict[str, Any]]
) -> None:
    """`result["backends"][name] = run(name)` for the `--backend` asked ("both": SQLite, then
    PostgreSQL); a database that cannot be reached is recorded as skipped, with the reason."""
    for name in ["sqlite", "postgresql"] if backend == "both" else [backend]:
        try:
            result["backends"][name] = run(name)
        except sa.exc.OperationalError as exc:
            result["backends"][name] = {"skipped": str(exc).splitlines()[0]}


def aims(
    result: dict[str, Any],
    sections: Iterable[str],
    aim_ms: float,
    *,
    skip: Iterable[str] = (),
) -> None:
    """`result["aim"][backend]`: for each timing of the backend's `sections` (the first one
    present, or no entry) but `skip`, its p95 and whether it `met` the aim (p95 < aim_ms)."""
    sections, skip = list(sections), set(skip)
    for backend, r in result["backends"].items():
        if sections[0] in r:
            found: dict[str, Any] = {}
            for section in sections:
                found.update(r.get(section, {}))
            result["aim"][backend] = {
                k: {"p95_ms": v["p95_ms"], "met": v["p95_ms"] < aim_ms}
                for k, v in found.items()
                if k not in skip
            }


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "sqlite_library": sqlite3.sqlite_version,
    }


def write_result(out: Path, result: dict[str, Any], started: float) -> None:
    """The run's seconds since `started` (perf_counter) into `result`, and `result` to `out`."""
    result["seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    say(f"wrote {out} ({result['seconds']:.0f} s)")
