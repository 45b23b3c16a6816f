"""`If-Match` on a versioned record (an application, a registration), RFC 9110 §13.1.1.

A record's ETag is its version, strong: `"7"`. A write's `If-Match` holds when the record's
current version is one of the header's *strong* entity-tags (strong comparison: `W/"7"` never
matches, so a weak tag is a failed precondition, 412), or the header is `*` (any current
version). Every write that takes `If-Match` checks it here, so they all behave alike; a few
writes require it (`required`), answering 428 when it is missing.

Pages send the version the form was rendered from, the CLI a number: a plain `int` is the
single strong tag `"<int>"`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataip.domain.errors import DomainError


@dataclass(frozen=True)
class IfMatch:
    """A parsed `If-Match` header: `*`, or the versions named by its strong entity-tags (empty
    when it named only weak tags or tags that are no version: nothing can match)."""

    versions: frozenset[int] = frozenset()
    any: bool = False


Expected = int | IfMatch | None


def holds(expected: Expected, current: int) -> bool:
    if expected is None:
        return True
    if isinstance(expected, IfMatch):
        return expected.any or current in expected.versions
    return expected == current


def check(expected: Expected, current: int, stale: Callable[[int], DomainError]) -> None:
    """Refuse the write (412, `stale` says in whose words) unless the precondition holds."""
    if not holds(expected, current):
        raise stale(current)


def required(expected: Expected, what_zh: str, what_en: str) -> None:
    """For writes that must say which version they acted on (428 without it): `*` says none."""
    if expected is None or (isinstance(expected, IfMatch) and expected.any):
        raise DomainError(
            "precondition_required",
            f'{what_zh}须附 If-Match 请求头，填写所阅读版本的 ETag（如 "3"）',
            f'{what_en} needs an If-Match header with the ETag of the version read (e.g. "3")',
            status=428,
        )
