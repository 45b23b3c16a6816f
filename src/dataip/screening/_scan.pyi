"""Types of the C value passes (``_scan.c``)."""

def scan(
    text: str,
    today: str,
    out: tuple[tuple[list[int], list[int], list[str]], ...],
    ipv6_candidates: list[int],
) -> None: ...
