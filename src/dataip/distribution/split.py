"""The penetrating split of an income (穿透式收益分配, R28 / Z§4.3): holders by their shares,
then upstream through confirmed links by contribution weights, to any depth — in exact
fractions until the very end, then rounded to whole fen by the largest-remainder method.

At a registration node that receives the fraction F of the income:

1. the retention rule keeps ``retention_bp`` of F at this level; the rest, the *pool*, is
   ``F × (10 000 − retention_bp) / 10 000``;
2. each upstream link (weight w bp) receives ``pool × w / 10 000``; weights sum to at most
   10 000, and what the links do not take (unconfirmed or undeclared weight) stays here;
3. what stays — ``F − Σ`` links — goes to the node's holders by their shares
   (``share_bp / Σ share_bp``).

A registration at another registry and an external source end the flow: the whole fraction
they receive is their part (their own holders and sources are that registry's or that
source's business). A node reached by several paths (a diamond) adds what each path brings.

Rounding (:func:`largest_remainder`): each beneficiary's exact amount ``income × fraction``
is cut to whole fen; the fen left over (fewer than the number of beneficiaries) go one each
to the largest fractional remainders, ties to the smaller beneficiary key. The parts are
integers, never negative, and sum exactly to the income; the same graph and income give the
same parts whatever order the links were declared in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from dataip.distribution.graph import TOTAL_BP, Link, reachable, upstream_of

__all__ = [
    "MAX_PATHS",
    "Distribution",
    "Flow",
    "Holder",
    "Node",
    "NodeKind",
    "Part",
    "SplitError",
    "largest_remainder",
    "split",
]

NodeKind = Literal["registration", "foreign", "external"]
MAX_PATHS = 32  # the paths a part lists (a part's amount always counts every path)
_PATH_BUDGET = 100_000  # paths enumerated per split, over all parts


class SplitError(ValueError):
    """A graph or income the split cannot take: a cycle, weights over 100 %, a negative or
    non-integer income, a retention outside 0–10 000 bp, a link to an unknown node."""


@dataclass(frozen=True)
class Holder:
    """A holder of a registration (登记主体) and its agreed share in basis points (R3)."""

    key: str
    share_bp: int


@dataclass(frozen=True)
class Node:
    key: str
    kind: NodeKind = "registration"
    holders: tuple[Holder, ...] = ()


@dataclass(frozen=True)
class Flow:
    """One way money reached a beneficiary: the nodes from the income's registration to the
    node that paid it (its own registration for a holder), and the exact fraction of the
    income that came this way."""

    path: tuple[str, ...]
    fraction: Fraction


@dataclass(frozen=True)
class Part:
    beneficiary: str
    node: str  # the node it is paid at (its registration, or itself for a terminal node)
    kind: Literal["holder", "foreign", "external"]
    fraction: Fraction  # exact share of the income
    amount_fen: int
    flows: tuple[Flow, ...] = ()
    paths_complete: bool = True  # False: more paths than MAX_PATHS (the amount counts all)


@dataclass(frozen=True)
class Distribution:
    income_fen: int
    retention_bp: int
    root: str
    parts: tuple[Part, ...] = field(default=())

    def amounts(self) -> dict[str, int]:
        return {p.beneficiary: p.amount_fen for p in self.parts}


def largest_remainder(total: int, shares: Mapping[str, Fraction]) -> dict[str, int]:
    """Whole-unit parts of `total` in proportion to `shares` (which sum to 1): each floor of
    ``total × share``, then one more unit each to the largest fractional remainders until the
    parts sum to `total`; equal remainders go in ascending key order (deterministic)."""
    if type(total) is not int or total < 0:
        raise SplitError("the total must be a non-negative integer")
    if any(s < 0 for s in shares.values()) or sum(shares.values(), Fraction(0)) != 1:
        raise SplitError("shares must be non-negative and sum to 1")
    floors: dict[str, int] = {}
    remainders: list[tuple[Fraction, str]] = []
    for key, share in shares.items():
        exact = total * share
        whole = exact.numerator // exact.denominator
        floors[key] = whole
        remainders.append((exact - whole, key))
    left = total - sum(floors.values())
    remainders.sort(key=lambda r: (-r[0], r[1]))
    for _, key in remainders[:left]:
        floors[key] += 1
    return floors


def _check(nodes: Mapping[str, Node], links: Iterable[Link], retention_bp: int) -> list[Link]:
    if type(retention_bp) is not int or not 0 <= retention_bp <= TOTAL_BP:
        raise SplitError("retention must be 0–10 000 basis points")
    out = sorted(set(links))
    totals: dict[str, int] = {}
    for link in out:
        if link.downstream not in nodes or link.upstream not in nodes:
            raise SplitError(f"link {link.downstream}→{link.upstream} names an unknown node")
        if type(link.weight_bp) is not int or not 0 < link.weight_bp <= TOTAL_BP:
            raise SplitError("a weight must be 1–10 000 basis points")
        if nodes[link.downstream].kind != "registration":
            raise SplitError(f"{link.downstream} is not a registration: it has no sources here")
        totals[link.downstream] = totals.get(link.downstream, 0) + link.weight_bp
    if any(t > TOTAL_BP for t in totals.values()):
        raise SplitError("a registration's source weights sum to more than 100 %")
    for key, node in nodes.items():
        if node.kind == "registration" and any(h.share_bp <= 0 for h in node.holders):
            raise SplitError(f"{key}: a holder's share must be above 0")
    return out


def _topological(by: Mapping[str, list[Link]], keys: set[str], root: str) -> list[str]:
    """Kahn's order over the reachable nodes (ties by key); SplitError on a cycle."""
    indegree = dict.fromkeys(keys, 0)
    for key in keys:
        for link in by.get(key, ()):
            indegree[link.upstream] += 1
    ready = sorted(k for k, d in indegree.items() if d == 0)
    order: list[str] = []
    while ready:
        key = ready.pop(0)
        order.append(key)
        for link in by.get(key, ()):
            indegree[link.upstream] -= 1
            if indegree[link.upstream] == 0:
                ready.append(link.upstream)
        ready.sort()
    if len(order) != len(keys) or (order and order[0] != root):
        raise SplitError("the derivation graph has a cycle")
    return order


def split(
    *,
    nodes: Mapping[str, Node],
    links: Iterable[Link],
    root: str,
    income_fen: int,
    retention_bp: int,
) -> Distribution:
    """Every beneficiary's part of `income_fen` received by `root` (module docstring).

    `links` are the links that take part (confirmed ones); a registration node needs its
    holders. Exact arithmetic throughout; one rounding at the end."""
    if type(income_fen) is not int or income_fen < 0:
        raise SplitError("the income must be a non-negative integer number of fen")
    if root not in nodes or nodes[root].kind != "registration":
        raise SplitError("the income must be recorded against a registration")
    checked = _check(nodes, links, retention_bp)
    by = upstream_of(checked)
    keys = reachable(by, root)
    order = _topological(by, keys, root)
    passed = Fraction(TOTAL_BP - retention_bp, TOTAL_BP)

    # 1. inflow per node, in topological order: every path's contribution added once
    inflow: dict[str, Fraction] = {root: Fraction(1)}
    kept: dict[str, Fraction] = {}  # what a node keeps for its holders, or itself if terminal
    for key in order:
        got = inflow.get(key, Fraction(0))
        node = nodes[key]
        if node.kind != "registration":
            kept[key] = got
            continue
        given = Fraction(0)
        for link in by.get(key, ()):
            share = got * passed * Fraction(link.weight_bp, TOTAL_BP)
            inflow[link.upstream] = inflow.get(link.upstream, Fraction(0)) + share
            given += share
        kept[key] = got - given

    # 2. beneficiaries: holders by shares, terminal nodes themselves
    exact: dict[str, Fraction] = {}
    where: dict[str, tuple[str, Literal["holder", "foreign", "external"], Fraction]] = {}
    for key in order:
        node = nodes[key]
        if node.kind != "registration":
            exact[key] = exact.get(key, Fraction(0)) + kept[key]
            where[key] = (key, node.kind, Fraction(1))
            continue
        if not node.holders:
            raise SplitError(f"{key}: a registration needs its holders")
        total_shares = sum(h.share_bp for h in node.holders)
        for h in sorted(node.holders, key=lambda h: h.key):
            part = Fraction(h.share_bp, total_shares)
            exact[h.key] = exact.get(h.key, Fraction(0)) + kept[key] * part
            where[h.key] = (key, "holder", part)
    if sum(exact.values(), Fraction(0)) != 1:  # a holder named at two nodes adds up too
        raise SplitError("the fractions do not sum to the income")  # pragma: no cover

    amounts = largest_remainder(income_fen, exact)
    flows = _flows(nodes, by, root, passed)
    parts = []
    for beneficiary in sorted(exact):
        node_key, kind, factor = where[beneficiary]
        listed, complete = flows.get(node_key, ([], True))
        own = tuple(Flow(f.path, f.fraction * factor) for f in listed)
        parts.append(
            Part(
                beneficiary=beneficiary,
                node=node_key,
                kind=kind,
                fraction=exact[beneficiary],
                amount_fen=amounts[beneficiary],
                flows=own,
                paths_complete=complete,
            )
        )
    return Distribution(income_fen, retention_bp, root, tuple(parts))


def _flows(
    nodes: Mapping[str, Node], by: Mapping[str, list[Link]], root: str, passed: Fraction
) -> dict[str, tuple[list[Flow], bool]]:
    """Per node, the paths from `root` by which money stayed there (up to MAX_PATHS each)
    with the fraction each path left at the node. A node reached once more when its list is
    full is not walked through again: its list and those of every node upstream of it are
    then marked incomplete (their amounts always count every path: they come from the
    propagation in `split`). An overall budget bounds the walk on any graph."""
    listed: dict[str, list[Flow]] = {}
    cut: set[str] = set()  # nodes whose further paths were not walked
    budget = _PATH_BUDGET
    stack: list[tuple[tuple[str, ...], Fraction]] = [((root,), Fraction(1))]
    while stack:
        path, got = stack.pop()
        key = path[-1]
        mine = listed.setdefault(key, [])
        if len(mine) >= MAX_PATHS or budget <= 0:
            cut.add(key)
            continue
        budget -= 1
        node = nodes[key]
        links = by.get(key, ()) if node.kind == "registration" else ()
        given = Fraction(0)
        children = []
        for link in links:
            share = got * passed * Fraction(link.weight_bp, TOTAL_BP)
            given += share
            children.append(((*path, link.upstream), share))
        mine.append(Flow(path, got - given))
        stack.extend(reversed(children))
    incomplete: set[str] = set()
    for key in cut:
        incomplete |= reachable(by, key)
    return {
        key: (sorted(flows, key=lambda f: f.path), key not in incomplete)
        for key, flows in listed.items()
    }
