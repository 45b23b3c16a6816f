"""Demo data for value (issue 22): the first registrations' data quality assessed by their
holder with typical declarations, the first two published (one line in services/demo.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from dataip.services.context import Env, Identity
from dataip.services.value import quality

DECLARATIONS = (
    quality.Declaration(
        standards=("GB/T 4754-2017", "JT/T 1019-2016"),
        documentation=True,
        access="api",
        availability_bp=9_990,
    ),
    quality.Declaration(standards=("GB/T 2260-2007",), documentation=True, access="download"),
    quality.Declaration(access="on_request"),
)


def populate(holder: Identity, *, env: Env, numbers: Sequence[str]) -> int:
    """Assess the first registrations (published: all but the last assessed); how many."""
    done = 0
    for i, (number, d) in enumerate(zip(numbers, DECLARATIONS, strict=False)):
        d = quality.Declaration(
            standards=d.standards,
            documentation=d.documentation,
            access=d.access,
            availability_bp=d.availability_bp,
            last_updated=env.today() - timedelta(days=1 + 3 * i),
        )
        quality.assess(holder, env=env, number=number, declaration=d)
        if i < min(len(numbers), len(DECLARATIONS)) - 1:
            quality.publish(holder, env=env, number=number)
        done += 1
    return done
