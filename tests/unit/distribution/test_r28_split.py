"""R28 (Z§4.3): the penetrating split, computed by hand — a three-level chain with shares and
weights, a diamond, rounding with remainders — and the rules it refuses."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dataip.distribution import Holder, Link, Node, SplitError, largest_remainder, split


def reg(key: str, *holders: tuple[str, int]) -> Node:
    return Node(key, "registration", tuple(Holder(k, s) for k, s in holders))


def test_r28_three_level_chain_with_shares_and_weights() -> None:
    """A (a1 60 %, a2 40 %) ← B 50 % ← C 40 %, retention 30 %, income 1,000.00 yuan:
    A passes 70 % × 50 % = 35 % to B and keeps 65 % (a1 39 %, a2 26 %); B passes
    35 % × 70 % × 40 % = 9.8 % to C and keeps 25.2 %; C's holders split 9.8 % 70/30."""
    nodes = {
        "A": reg("A", ("a1", 6000), ("a2", 4000)),
        "B": reg("B", ("b1", 10_000)),
        "C": reg("C", ("c1", 7000), ("c2", 3000)),
    }
    links = [Link("A", "B", 5000, "processing"), Link("B", "C", 4000, "collection")]
    d = split(nodes=nodes, links=links, root="A", income_fen=100_000, retention_bp=3000)
    assert d.amounts() == {"a1": 39_000, "a2": 26_000, "b1": 25_200, "c1": 6_860, "c2": 2_940}
    parts = {p.beneficiary: p for p in d.parts}
    assert parts["c1"].fraction == Fraction(686, 10_000)
    assert [f.path for f in parts["c2"].flows] == [("A", "B", "C")]
    assert parts["a1"].flows[0].path == ("A",)
    assert parts["b1"].kind == "holder" and parts["b1"].node == "B"


def test_r28_diamond_adds_both_paths() -> None:
    """A ← B 30 %, A ← C 20 %, B ← D 50 %, C ← D 50 %, no retention, 100.00 yuan: D gets
    15 % through B and 10 % through C."""
    nodes = {k: reg(k, (k.lower(), 10_000)) for k in "ABCD"}
    links = [Link("A", "B", 3000), Link("A", "C", 2000), Link("B", "D", 5000), Link("C", "D", 5000)]
    d = split(nodes=nodes, links=links, root="A", income_fen=10_000, retention_bp=0)
    assert d.amounts() == {"a": 5000, "b": 1500, "c": 1000, "d": 2500}
    flows = {f.path: f.fraction for f in next(p for p in d.parts if p.beneficiary == "d").flows}
    assert flows == {("A", "B", "D"): Fraction(15, 100), ("A", "C", "D"): Fraction(10, 100)}


def test_r28_rounding_gives_the_remainder_to_the_largest_fraction() -> None:
    """100 fen over shares of 33.33 %, 33.33 %, 33.34 %: 33 + 33 + 34."""
    nodes = {"A": reg("A", ("h1", 3333), ("h2", 3333), ("h3", 3334))}
    d = split(nodes=nodes, links=[], root="A", income_fen=100, retention_bp=0)
    assert d.amounts() == {"h1": 33, "h2": 33, "h3": 34}


def test_r28_rounding_ties_go_to_the_smaller_key() -> None:
    """10 fen, three external sources of 33.33 % each, no retention: 3.333 fen each and
    0.001 fen for the holder; the one fen left goes to the first key of the tie."""
    nodes = {
        "A": reg("A", ("r", 10_000)),
        **{x: Node(x, "external") for x in ("x1", "x2", "x3")},
    }
    links = [Link("A", x, 3333) for x in ("x3", "x1", "x2")]
    d = split(nodes=nodes, links=links, root="A", income_fen=10, retention_bp=0)
    assert d.amounts() == {"r": 0, "x1": 4, "x2": 3, "x3": 3}


def test_r28_foreign_and_external_sources_end_the_flow() -> None:
    nodes = {
        "A": reg("A", ("a", 10_000)),
        "F:5100:X": Node("F:5100:X", "foreign"),
        "E:1": Node("E:1", "external"),
    }
    links = [Link("A", "F:5100:X", 2500, "collection"), Link("A", "E:1", 2500, "application")]
    d = split(nodes=nodes, links=links, root="A", income_fen=1_000, retention_bp=2000)
    # pool 80 %: each source 20 %, A keeps 60 %
    assert d.amounts() == {"a": 600, "E:1": 200, "F:5100:X": 200}
    assert {p.kind for p in d.parts} == {"holder", "foreign", "external"}


def test_r28_full_retention_keeps_everything_at_the_first_level() -> None:
    nodes = {"A": reg("A", ("a", 10_000)), "B": reg("B", ("b", 10_000))}
    d = split(
        nodes=nodes, links=[Link("A", "B", 10_000)], root="A", income_fen=999, retention_bp=10_000
    )
    assert d.amounts() == {"a": 999, "b": 0}


def test_r28_largest_remainder_by_hand() -> None:
    shares = {"x": Fraction(1, 3), "y": Fraction(1, 3), "z": Fraction(1, 3)}
    assert largest_remainder(2, shares) == {"x": 1, "y": 1, "z": 0}
    assert largest_remainder(0, shares) == {"x": 0, "y": 0, "z": 0}


@pytest.mark.parametrize(
    ("links", "income", "retention"),
    [
        ([Link("A", "B", 6000), Link("A", "C", 5000)], 100, 0),  # weights over 100 %
        ([Link("A", "B", 5000), Link("B", "A", 5000)], 100, 0),  # a cycle
        ([Link("A", "Z", 5000)], 100, 0),  # an unknown node
        ([], -1, 0),  # a negative income
        ([], 1.5, 0),  # not whole fen
        ([], 100, 10_001),  # retention over 100 %
    ],
)
def test_r28_split_refuses(links: list[Link], income: object, retention: int) -> None:
    nodes = {k: reg(k, (k.lower(), 10_000)) for k in "ABC"}
    with pytest.raises(SplitError):
        split(nodes=nodes, links=links, root="A", income_fen=income, retention_bp=retention)  # type: ignore[arg-type]


def test_r28_many_paths_are_listed_up_to_a_bound_and_all_counted() -> None:
    """Six diamonds in a row give 2⁶ = 64 paths to the last node: 32 are listed, the part
    says the list is incomplete, and the amount still counts every path."""
    nodes = {f"N{i}": reg(f"N{i}", (f"n{i}", 10_000)) for i in range(7)}
    nodes |= {f"M{i}{s}": reg(f"M{i}{s}", (f"m{i}{s}", 10_000)) for i in range(6) for s in "ab"}
    links = []
    for i in range(6):
        for s in "ab":
            links += [Link(f"N{i}", f"M{i}{s}", 5000), Link(f"M{i}{s}", f"N{i + 1}", 10_000)]
    d = split(nodes=nodes, links=links, root="N0", income_fen=10**12, retention_bp=0)
    last = next(p for p in d.parts if p.beneficiary == "n6")
    assert len(last.flows) == 32 and not last.paths_complete
    assert last.fraction == 1 and last.amount_fen == 10**12  # nothing is retained on the way
    assert sum(d.amounts().values()) == 10**12
