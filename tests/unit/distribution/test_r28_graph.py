"""R28: the derivation graph refuses cycles (the path it would close is named)."""

from __future__ import annotations

from dataip.distribution import Link, cycle_through, weight_total


def test_r28_self_link_is_a_cycle() -> None:
    assert cycle_through([], "A", "A") == ("A", "A")


def test_r28_closing_link_names_the_cycle() -> None:
    links = [Link("A", "B", 100), Link("B", "C", 100), Link("C", "D", 100)]
    assert cycle_through(links, "D", "A") == ("D", "A", "B", "C", "D")
    assert cycle_through(links, "A", "D") is None  # a shortcut, not a cycle
    assert cycle_through(list(reversed(links)), "D", "A") == ("D", "A", "B", "C", "D")


def test_r28_diamond_is_not_a_cycle() -> None:
    links = [Link("A", "B", 100), Link("A", "C", 100), Link("B", "D", 100)]
    assert cycle_through(links, "C", "D") is None


def test_r28_weight_total() -> None:
    links = [Link("A", "B", 3000), Link("A", "C", 2000), Link("B", "C", 9000)]
    assert weight_total(links, "A") == 5000
