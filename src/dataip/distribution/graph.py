"""The derivation graph (数据来源关系): which data a registration derives from, and how much
each source contributed (R28, Z§4.3 "who invests, contributes, benefits"; JS23§14's four
stages).

A link says "`downstream` derives from `upstream`" with a contribution weight in basis points
(1–10 000) and the stage the upstream contributed to. Nodes are named by keys the services
choose (a registration here by its number, a registration at a listed registry by agency code
and number, an external source by its id); this module only needs them to be distinct strings.

Two rules hold for every set of live links (declared and not disputed or withdrawn):

* no cycle — :func:`cycle_through` finds the path a new link would close;
* the weights a downstream declares sum to at most 10 000 bp (100 %) — :func:`weight_total`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "STAGES",
    "TOTAL_BP",
    "Link",
    "Stage",
    "cycle_through",
    "upstream_of",
    "weight_total",
]

TOTAL_BP = 10_000  # 100 % in basis points

Stage = Literal["collection", "processing", "circulation", "application"]
# JS23§14: 采集、加工、流通、应用
STAGES: tuple[Stage, ...] = ("collection", "processing", "circulation", "application")


@dataclass(frozen=True, order=True)
class Link:
    """`downstream` derives from `upstream`, which contributed `weight_bp` at `stage`."""

    downstream: str
    upstream: str
    weight_bp: int
    stage: Stage = "processing"


def upstream_of(links: Iterable[Link]) -> dict[str, list[Link]]:
    """Each downstream's links, ordered by upstream key (the order never depends on the order
    the links were declared in)."""
    out: dict[str, list[Link]] = {}
    for link in links:
        out.setdefault(link.downstream, []).append(link)
    for ls in out.values():
        ls.sort()
    return out


def cycle_through(links: Iterable[Link], downstream: str, upstream: str) -> tuple[str, ...] | None:
    """The cycle the link `downstream → upstream` would close among `links`, as the path of
    keys from `downstream` back to itself; None if the graph stays acyclic.

    A cycle exists iff `downstream` is `upstream` or is already reachable from `upstream`
    by following links upstream. Breadth-first with sorted neighbours: the path reported is
    the shortest, and the same for the same links whatever their order.
    """
    if downstream == upstream:
        return (downstream, downstream)
    by = upstream_of(links)
    parent: dict[str, str] = {}
    frontier = [upstream]
    seen = {upstream}
    while frontier:
        nxt: list[str] = []
        for key in frontier:
            for link in by.get(key, ()):
                up = link.upstream
                if up in seen:
                    continue
                seen.add(up)
                parent[up] = key
                if up == downstream:
                    path = [downstream]
                    while path[-1] != upstream:
                        path.append(parent[path[-1]])
                    # downstream → upstream → … → downstream
                    return (downstream, *reversed(path[1:]), downstream)
                nxt.append(up)
        frontier = sorted(nxt)
    return None


def weight_total(links: Iterable[Link], downstream: str) -> int:
    """The basis points `downstream`'s links declare in total (the rule: at most 10 000)."""
    return sum(link.weight_bp for link in links if link.downstream == downstream)


def reachable(links: Mapping[str, list[Link]], root: str) -> set[str]:
    """Every key reachable from `root` upstream, `root` included."""
    seen = {root}
    stack = [root]
    while stack:
        for link in links.get(stack.pop(), ()):
            if link.upstream not in seen:
                seen.add(link.upstream)
                stack.append(link.upstream)
    return seen
