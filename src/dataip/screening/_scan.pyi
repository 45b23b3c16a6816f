"""Types of the C value passes (``_scan.c``)."""

from collections.abc import Sequence

def scan(
    text: str,
    today: str,
    out: tuple[tuple[list[int], list[int], list[str], list[int]], ...],
    ipv6_candidates: list[int],
) -> None: ...
def normalise(text: str, /) -> str: ...
def lengths(values: Sequence[str], /) -> tuple[int, int]: ...
