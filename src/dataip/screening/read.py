"""A sample file's first rows as a table (column names + rows of strings), for measures that
need rows rather than the screening's column tallies (the quality measures of issue 22).

The same readers and caps as screening (:mod:`.screen`): CSV/TSV and JSON Lines in UTF-8 or
GB18030 chunks, JSON, XML and XLSX through :mod:`.tables`, every :class:`Limits` cap; reading
stops after ``max_rows`` data rows (``truncated`` then says so). Columns of JSON records and
workbooks' sheets are unioned in the order first seen; a row lacking a column has ``""``.
Raises :class:`ScreeningError` and nothing else for a file it cannot read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dataip.screening import parse, tables
from dataip.screening.errors import SAMPLE_LIMITS, Limits, fail, too_many_columns
from dataip.screening.screen import (
    Chunk,
    RowChunk,
    _batches,
    _columns_of,
    _document,
    _Merged,
    _named,
    _text_chunks,
    _xlsx_chunks,
)

__all__ = ["ReadTable", "read_table"]


@dataclass(frozen=True)
class ReadTable:
    format: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    truncated: bool


def _columns(chunk: Chunk, limits: Limits) -> tuple[int, dict[str, Sequence[str]]]:
    if isinstance(chunk, RowChunk):
        return len(chunk.rows), _columns_of(chunk.rows, chunk.names, chunk.prefix, limits)
    parsed = parse.parse_text_chunk(chunk, limits)
    if isinstance(parsed, tuple):  # the C reader's columns (CSV/TSV)
        return parsed[0], _named(parsed[1], chunk.names, "")
    return len(parsed), _columns_of(parsed, chunk.names, "", limits)


def _chunks(data: bytes, filename: str, merged: _Merged) -> tuple[str, Iterator[Chunk]]:
    f = io.BytesIO(data)
    fmt = parse.detect_format(filename, data[: 64 << 10])
    if fmt in ("csv", "tsv", "jsonl"):
        return fmt, _text_chunks(f, fmt, merged)
    limits = merged.limits
    if fmt == "json":
        return fmt, _batches(tables.json_records(_document(f, limits), limits), merged)
    if fmt == "xml":
        return fmt, _batches(tables.xml_records(_document(f, limits), limits), merged)
    return fmt, _xlsx_chunks(f, merged)


def read_table(
    data: bytes, *, filename: str, limits: Limits = SAMPLE_LIMITS, max_rows: int = 10_000
) -> ReadTable:
    """The first ``max_rows`` data rows of a sample file (the format from ``filename``, else
    from the content)."""
    if len(data) > limits.max_bytes:
        raise fail(
            "screening_too_large",
            f"{len(data)} 字节，超过 {limits.max_bytes}",
            f"{len(data)} bytes, more than {limits.max_bytes}",
            limit=limits.max_bytes,
        )
    merged = _Merged(limits)
    fmt, chunks = _chunks(data, filename, merged)
    names: dict[str, list[str]] = {}
    count = 0
    truncated = False
    for chunk in chunks:
        n, cols = _columns(chunk, limits)
        take = min(n, max_rows - count)
        for name, values in cols.items():
            col = names.get(name)
            if col is None:
                if len(names) >= limits.max_columns:
                    raise too_many_columns(limits, len(names) + 1)
                col = names[name] = [""] * count
            col.extend(values[:take])
        count += take
        for col in names.values():  # columns this chunk lacks, or shorter than its rows
            col.extend([""] * (count - len(col)))
        if count >= max_rows:
            truncated = take < n or next(chunks, None) is not None
            break
    header = tuple(names)
    rows = tuple(tuple(names[h][i] for h in header) for i in range(count))
    return ReadTable(fmt, header, rows, truncated)
