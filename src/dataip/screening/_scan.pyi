"""Types of the C value passes (``_scan.c``)."""

from collections.abc import Sequence

def scan(
    text: str,
    today: str,
    out: tuple[tuple[list[int], list[int], list[str], list[int]], ...],
) -> None: ...
def normalise(text: str, /) -> str: ...
def lengths(values: Sequence[str], /) -> tuple[int, int]: ...
def configure_plates(provinces: str, /) -> None: ...
def configure(
    single_surnames: str,
    compound_surnames: Sequence[str],
    name_suffixes: str,
    admin_units: Sequence[str],
    street_units: Sequence[str],
    health_terms: Sequence[str],
    /,
) -> None: ...
def line_stats(
    text: str, names: bool, addresses: bool, /
) -> tuple[list[str], int, list[str], int]: ...
def csv_columns(
    text: str, delimiter: str, field_limit: int, max_columns: int, skip_first: bool, /
) -> tuple[int, list[list[str]]] | None: ...
