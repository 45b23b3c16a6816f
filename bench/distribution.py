"""Penetrating distribution (issue 23 §2): the time to split an income over a derivation graph
of depth 10 and 1,000 registrations (111 per level, each deriving from two of the next level,
two holders each), exact fractions and largest-remainder rounding — against the same
propagation in floats (the baseline: what exactness costs). Also a chain 1,000 deep.

    python bench/distribution.py            # results: bench/results/distribution.json
    python bench/distribution.py --smoke    # seconds; CI runs it

Pure computation (dataip.distribution.split); no database.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataip.distribution import Holder, Link, Node, split  # noqa: E402
from dataip.distribution.graph import upstream_of  # noqa: E402
from smoke import add_smoke_option  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "results" / "distribution.json"
RETENTION = 3000


def layered(levels: int, width: int, seed: int = 7) -> tuple[dict[str, Node], list[Link]]:
    rnd = random.Random(seed)
    nodes: dict[str, Node] = {}
    links: list[Link] = []
    for lv in range(levels):
        for i in range(width if lv else 1):
            key = f"L{lv}N{i}"
            a = rnd.randint(1, 9999)
            nodes[key] = Node(
                key, "registration", (Holder(key + "a", a), Holder(key + "b", 10_000 - a))
            )
    # the root derives from every registration of level 1; each further one from two of the
    # next level (i and i+1): every registration is reachable, by many paths
    for i in range(width):
        links.append(Link("L0N0", f"L1N{i}", 9000 // width))
    for lv in range(1, levels - 1):
        for i in range(width):
            for up in (i, (i + 1) % width):
                links.append(Link(f"L{lv}N{i}", f"L{lv + 1}N{up}", rnd.randint(500, 4000)))
    return nodes, links


def chain(depth: int) -> tuple[dict[str, Node], list[Link]]:
    nodes = {
        f"C{i}": Node(f"C{i}", "registration", (Holder(f"C{i}h", 10_000),)) for i in range(depth)
    }
    links = [Link(f"C{i}", f"C{i + 1}", 5000) for i in range(depth - 1)]
    return nodes, links


def float_split(
    nodes: dict[str, Node], links: list[Link], root: str, income: int
) -> dict[str, float]:
    """The baseline: the same propagation in floats, rounded half-up per part (which need not
    sum to the income — the reason the registry does not do this)."""
    by = upstream_of(links)
    indeg: dict[str, int] = dict.fromkeys(nodes, 0)
    for ls in by.values():
        for link in ls:
            indeg[link.upstream] += 1
    order, ready = [], [k for k, d in indeg.items() if d == 0]
    while ready:
        k = ready.pop()
        order.append(k)
        for link in by.get(k, ()):
            indeg[link.upstream] -= 1
            if indeg[link.upstream] == 0:
                ready.append(link.upstream)
    inflow = {root: 1.0}
    out: dict[str, float] = {}
    passed = (10_000 - RETENTION) / 10_000
    for k in order:
        got = inflow.get(k, 0.0)
        given = 0.0
        for link in by.get(k, ()):
            share = got * passed * link.weight_bp / 10_000
            inflow[link.upstream] = inflow.get(link.upstream, 0.0) + share
            given += share
        total = sum(h.share_bp for h in nodes[k].holders)
        for h in nodes[k].holders:
            out[h.key] = round(income * (got - given) * h.share_bp / total)
    return out


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--levels", type=int, default=10, help="graph depth (10)")
    p.add_argument("--width", type=int, default=111, help="registrations per level (111: ~1,000)")
    p.add_argument("--chain", type=int, default=1000, help="depth of the chain (1,000)")
    p.add_argument("--repeat", type=int, default=3, help="runs each; the best counts")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    add_smoke_option(p, argv, "distribution", levels=4, width=10, chain=50, repeat=1)
    args = p.parse_args(argv)
    income = 123_456_789_01  # 123,456,789.01 yuan
    runs: dict[str, Any] = {}
    for name, (nodes, links) in (
        ("layered", layered(args.levels, args.width)),
        ("chain", chain(args.chain)),
    ):
        root = next(iter(nodes))
        exact_s, d = best(
            lambda n=nodes, lk=links, r=root: split(
                nodes=n, links=lk, root=r, income_fen=income, retention_bp=RETENTION
            ),
            args.repeat,
        )
        float_s, f = best(
            lambda n=nodes, lk=links, r=root: float_split(n, lk, r, income), args.repeat
        )
        parts = d.amounts()
        assert sum(parts.values()) == income and min(parts.values()) >= 0
        runs[name] = {
            "registrations": len(nodes),
            "links": len(links),
            "beneficiaries": len(parts),
            "exact_seconds": round(exact_s, 4),
            "float_baseline_seconds": round(float_s, 4),
            "slowdown_vs_float": round(exact_s / max(float_s, 1e-9), 1),
            "float_parts_off_by_fen": sum(f.values()) - income,
            "paths_complete": all(p.paths_complete for p in d.parts),
        }
        print(
            f"{name:8} {len(nodes):5} registrations {len(links):5} links: exact {exact_s:.3f} s, "
            f"floats {float_s:.4f} s (float parts off by {sum(f.values()) - income} fen)"
        )
    out = {
        "benchmark": "distribution",
        "income_fen": income,
        "retention_bp": RETENTION,
        "repeat": args.repeat,
        "runs": runs,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
