"""Types of the C digit-run pass (``_digits.c``)."""

def scan(
    text: str,
    today: str,
    out: tuple[tuple[list[int], list[int], list[str]], ...],
    delegates: list[int],
) -> None: ...
