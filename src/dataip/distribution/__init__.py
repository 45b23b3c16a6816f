"""Benefit distribution (R28): the derivation graph (cycle check) and the integer-fen split
with largest-remainder rounding — pure, no storage (DESIGN §10).

`graph` holds the links and their rules (no cycle, weights at most 100 %); `split` the
penetrating split of an income and its rounding; `statement` the commitment a beneficiary's
part is published as, and its check. docs/distribution.md has the worked example.
"""

from dataip.distribution.graph import STAGES, TOTAL_BP, Link, Stage, cycle_through, weight_total
from dataip.distribution.split import (
    Distribution,
    Flow,
    Holder,
    Node,
    Part,
    SplitError,
    largest_remainder,
    split,
)

__all__ = [
    "STAGES",
    "TOTAL_BP",
    "Distribution",
    "Flow",
    "Holder",
    "Link",
    "Node",
    "Part",
    "SplitError",
    "Stage",
    "cycle_through",
    "largest_remainder",
    "split",
    "weight_total",
]
