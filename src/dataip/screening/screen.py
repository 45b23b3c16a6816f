"""Screen a sample file: read it safely, scan its columns, build the report.

The file is cut into chunks of whole records (delimited text and JSON Lines: byte ranges
ending at a record boundary, see :mod:`.parse`; JSON, XML, XLSX: batches of parsed rows).
Each chunk is scanned on its own — transposed into columns, each column's values joined and
run through the detectors once — and the per-column tallies are merged in file order, so
the report does not depend on the number of workers. With ``workers > 1`` chunks go to a
process pool (``spawn``: safe to call from a threaded server); at most two chunks per worker
are in flight, which bounds memory whatever the file's size.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from pathlib import Path
from typing import IO, cast

from dataip.screening import parse, tables
from dataip.screening.columns import (
    ColumnTally,
    hint_for,
    looks_like_header,
    scan_column,
    unique_names,
)
from dataip.screening.detect import Entity
from dataip.screening.errors import (
    DEFAULT_LIMITS,
    Limits,
    ScreeningError,
    fail,
    too_many_columns,
    too_many_rows,
)
from dataip.screening.report import (
    GradeRules,
    Report,
    build_column,
    grade_hint,
    masking_preview,
)

__all__ = ["screen_bytes", "screen_path"]

PREVIEW_ROWS = 5
_SNIFF_RECORDS = 25
_HEAD = 64 << 10

Records = list[list[str]] | list[dict[str, str]]


@dataclass(frozen=True)
class RowChunk:
    """Parsed rows (lists of fields, or records of named fields) to be scanned."""

    index: int
    names: tuple[str, ...]
    rows: Records
    prefix: str = ""


Chunk = parse.TextChunk | RowChunk


@dataclass
class ChunkResult:
    rows: int
    columns: dict[str, ColumnTally]
    entities: dict[str, list[Entity]] | None
    cells: int = 0  # rows × columns of the chunk's table, empty cells included


def _too_many_cells(limits: Limits) -> ScreeningError:
    return fail(
        "screening_too_many_cells",
        f"超过 {limits.max_cells} 个单元格（行数 × 列数）",
        f"more than {limits.max_cells} cells (rows × columns)",
        limit=limits.max_cells,
    )


def _named(
    columns: Iterable[Sequence[str]], names: Sequence[str], prefix: str
) -> dict[str, Sequence[str]]:
    """Columns by name: the header's, ``column_N`` past its end."""
    return {
        prefix + (names[i] if i < len(names) else f"column_{i + 1}"): values
        for i, values in enumerate(columns)
    }


def _columns_of(
    records: Records, names: Sequence[str], prefix: str, limits: Limits
) -> dict[str, Sequence[str]]:
    if not records:
        return {}
    if isinstance(records[0], dict):
        by_key: dict[str, list[str]] = {}
        n = len(records)
        for i, rec in enumerate(records):
            for key, value in rec.items():
                col = by_key.get(key)
                if col is None:
                    if len(by_key) >= limits.max_columns:
                        raise too_many_columns(limits, len(by_key) + 1)
                    col = by_key[key] = [""] * n
                col[i] = value
        return {prefix + k: v for k, v in by_key.items()}
    rows = records
    width = max(map(len, rows))
    if width > limits.max_columns:
        raise too_many_columns(limits, width)
    return _named(zip_longest(*rows, fillvalue=""), names, prefix)


def run_chunk(chunk: Chunk, limits: Limits, keep: bool) -> ChunkResult:
    """Parse (if text) and scan one chunk; runs in a worker process or inline."""
    parsed: Records | tuple[int, list[list[str]]]
    if isinstance(chunk, parse.TextChunk):
        parsed = parse.parse_text_chunk(chunk, limits)
        names, prefix = chunk.names, ""
    else:
        parsed, names, prefix = chunk.rows, chunk.names, chunk.prefix
    count = parsed[0] if isinstance(parsed, tuple) else len(parsed)
    if count > limits.max_rows:
        raise too_many_rows(limits)
    columns = (
        _named(parsed[1], names, prefix)  # the C reader's columns (CSV/TSV)
        if isinstance(parsed, tuple)
        else _columns_of(parsed, names, prefix, limits)
    )
    result = ChunkResult(count, {}, {} if keep else None, count * len(columns))
    if result.cells > limits.max_cells:
        raise _too_many_cells(limits)
    for name, values in columns.items():
        found: list[Entity] | None = [] if keep else None
        tally = scan_column(values, hint=hint_for(name), keep=found)
        if tally.max_chars > limits.max_cell_chars:
            raise fail(
                "screening_cell_too_long",
                f"列“{name}”有单元格超过 {limits.max_cell_chars} 个字符",
                f"column {name!r} has a cell longer than {limits.max_cell_chars} characters",
                limit=limits.max_cell_chars,
                column=name,
            )
        result.columns[name] = tally
        if result.entities is not None and found:
            result.entities[name] = found
    return result


@dataclass
class _Merged:
    limits: Limits
    rows: int = 0
    cells: int = 0
    columns: dict[str, ColumnTally] = field(default_factory=dict)
    entities: dict[str, list[Entity]] | None = None
    preview: list[dict[str, str]] = field(default_factory=list)
    encoding: str | None = None

    def add(self, result: ChunkResult) -> None:
        if self.rows + result.rows > self.limits.max_rows:
            raise too_many_rows(self.limits)
        self.cells += result.cells
        if self.cells > self.limits.max_cells:
            raise _too_many_cells(self.limits)
        for name, tally in result.columns.items():
            mine = self.columns.get(name)
            if mine is None:
                if len(self.columns) >= self.limits.max_columns:
                    raise too_many_columns(self.limits, len(self.columns) + 1)
                # columns first seen in a later chunk were empty in the rows before
                mine = self.columns[name] = ColumnTally(cells=self.rows)
            mine.merge(tally)
        if self.entities is not None and result.entities:
            for name, found in result.entities.items():
                self.entities.setdefault(name, []).extend(
                    Entity(e.kind, e.value, e.row + self.rows, e.start, e.end) for e in found
                )
        self.rows += result.rows


def _run(chunks: Iterator[Chunk], merged: _Merged, workers: int, keep: bool) -> None:
    if workers <= 1:
        for chunk in chunks:
            merged.add(run_chunk(chunk, merged.limits, keep))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(run_chunk, chunk, merged.limits, keep))
                while len(pending) > 2 * workers:
                    merged.add(pending.popleft().result())
            while pending:
                merged.add(pending.popleft().result())
        except BaseException:
            for f in pending:
                f.cancel()
            raise


# --- per format -------------------------------------------------------------------------------


def _first_records(
    text: str, fmt: str, delimiter: str, limits: Limits
) -> list[list[str]] | list[dict[str, str]]:
    if fmt == "jsonl":
        lines = (ln for ln in text.split("\n") if ln.strip())
        out: list[dict[str, str]] = []
        for line in islice(lines, _SNIFF_RECORDS):
            try:
                out.append(parse.flatten(json.loads(line), limits))
            except (ValueError, RecursionError):
                break  # the chunk's own parse reports it, with its line
        return out
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [r for r in islice(reader, _SNIFF_RECORDS) if r]
    except csv.Error:
        return []  # likewise


def _text_chunks(f: IO[bytes], fmt: str, merged: _Merged) -> Iterator[parse.TextChunk]:
    limits = merged.limits
    head = f.read(_HEAD)
    skip, encoding = parse.strip_bom(head)
    delimiter = parse.sniff_delimiter(head[skip:].decode("utf-8", "replace"), fmt)
    merged.encoding = encoding
    f.seek(skip)
    names: tuple[str, ...] = ()
    header = False
    chunks = parse.iter_text_chunks(
        f.read, quoted=fmt != "jsonl", delimiter=delimiter, limits=limits, start=skip
    )
    for index, (offset, data) in enumerate(chunks):
        if merged.encoding is None and not data.isascii():
            merged.encoding = parse.decide_encoding(data, offset)
        decoding = "utf-8" if merged.encoding in (None, "utf-8-sig") else merged.encoding
        assert decoding is not None
        if index == 0:
            # sniffing only: the chunk's own strict decode reports encoding errors
            text = data[: 1 << 20].decode(decoding, "ignore")
            first = _first_records(text, fmt, delimiter, limits)
            if fmt == "jsonl":
                merged.preview = cast(list[dict[str, str]], first)[:PREVIEW_ROWS]
            else:
                rows = cast(list[list[str]], first)
                header = looks_like_header(rows)
                if header:
                    names = tuple(unique_names(rows[0]))
                    rows = rows[1:]
                shown = names or tuple(
                    f"column_{i + 1}" for i in range(max(map(len, rows), default=0))
                )
                merged.preview = [dict(zip(shown, r, strict=False)) for r in rows[:PREVIEW_ROWS]]
        yield parse.TextChunk(
            index, offset, data, fmt, decoding, delimiter, names, index == 0 and header
        )
    if merged.encoding is None:
        merged.encoding = "ascii"


def _batches(records: Iterator[list[dict[str, str]]], merged: _Merged) -> Iterator[RowChunk]:
    for index, batch in enumerate(records):
        if index == 0:
            merged.preview = batch[:PREVIEW_ROWS]
        yield RowChunk(index, (), batch)


def _xlsx_chunks(source: str | Path | IO[bytes], merged: _Merged) -> Iterator[RowChunk]:
    limits = merged.limits
    index = 0
    seen_rows = seen_cells = 0
    for title, sheets, rows in tables.xlsx_sheets(source, limits):
        prefix = f"{title}!" if sheets > 1 else ""
        names: tuple[str, ...] = ()
        batch: list[list[str]] = []
        first = True
        for row in rows:
            seen_rows += 1
            if seen_rows > limits.max_rows:
                raise too_many_rows(limits)
            if len(row) > limits.max_columns:
                raise too_many_columns(limits, len(row))
            seen_cells += len(row)  # as read, before any batching: the cost is per cell
            if seen_cells > limits.max_cells:
                raise _too_many_cells(limits)
            if not any(row):
                continue
            batch.append(row)
            if first and len(batch) >= _SNIFF_RECORDS:
                names, batch = _sheet_head(batch, names, merged, prefix)
                first = False
            if len(batch) >= tables.BATCH_ROWS:
                yield RowChunk(index, names, batch, prefix)
                index += 1
                batch = []
        if first and batch:
            names, batch = _sheet_head(batch, names, merged, prefix)
        if batch:
            yield RowChunk(index, names, batch, prefix)
            index += 1


def _sheet_head(
    batch: list[list[str]], names: tuple[str, ...], merged: _Merged, prefix: str
) -> tuple[tuple[str, ...], list[list[str]]]:
    if looks_like_header(batch):
        names = tuple(unique_names(batch[0]))
        batch = batch[1:]
    if not merged.preview:
        shown = names or tuple(f"column_{i + 1}" for i in range(max(map(len, batch), default=0)))
        # keyed as the columns are (a workbook of several sheets prefixes the sheet's title)
        merged.preview = [
            {prefix + k: v for k, v in zip(shown, r, strict=False)} for r in batch[:PREVIEW_ROWS]
        ]
    return names, batch


def _document(f: IO[bytes], limits: Limits) -> bytes:
    data = f.read(limits.max_document_bytes + 1)
    if len(data) > limits.max_document_bytes:
        raise fail(
            "screening_too_large",
            f"JSON/XML 文档超过 {limits.max_document_bytes} 字节（大数据请用 JSON Lines）",
            f"a JSON/XML document over {limits.max_document_bytes} bytes (use JSON Lines)",
            limit=limits.max_document_bytes,
        )
    return data


# --- the API ----------------------------------------------------------------------------------


def _screen(
    f: IO[bytes],
    *,
    filename: str,
    xlsx_source: str | Path | IO[bytes],
    limits: Limits,
    pseudonym_key: bytes | None,
    declared_records: int | None,
    workers: int,
    keep_entities: bool,
    grade_rules: GradeRules,
) -> Report:
    head = f.read(_HEAD)
    f.seek(0)
    fmt = parse.detect_format(filename, head)
    merged = _Merged(limits, entities={} if keep_entities else None)
    chunks: Iterator[Chunk]
    if fmt in ("csv", "tsv", "jsonl"):
        chunks = _text_chunks(f, fmt, merged)
    elif fmt == "json":
        chunks = _batches(tables.json_records(_document(f, limits), limits), merged)
    elif fmt == "xml":
        chunks = _batches(tables.xml_records(_document(f, limits), limits), merged)
    else:
        chunks = _xlsx_chunks(xlsx_source, merged)
    _run(chunks, merged, workers, keep_entities)

    columns = tuple(
        build_column(name, tally, hint_for(name)) for name, tally in merged.columns.items()
    )
    entities = None
    if merged.entities is not None:
        kinds = {c.name: c.kinds for c in columns}
        entities = {
            name: [e for e in found if e.kind in kinds[name]]
            for name, found in merged.entities.items()
        }
    found_kinds = frozenset(k for c in columns for k in c.kinds)
    records = declared_records if declared_records is not None else merged.rows
    return Report(
        filename=filename,
        format=fmt,
        encoding=merged.encoding if fmt in ("csv", "tsv", "jsonl") else None,
        rows=merged.rows,
        columns=columns,
        preview=masking_preview(columns, merged.preview, pseudonym_key),
        grade=grade_hint(found_kinds, records, grade_rules),
        entities=entities,
        head=tuple(merged.preview),
    )


def screen_bytes(
    data: bytes,
    *,
    filename: str,
    limits: Limits = DEFAULT_LIMITS,
    pseudonym_key: bytes | None = None,
    declared_records: int | None = None,
    workers: int = 1,
    keep_entities: bool = False,
    grade_rules: GradeRules = GradeRules(),
) -> Report:
    """Screen an uploaded file held in memory (the format from ``filename``, else content).

    ``pseudonym_key``: the registry's HMAC key for the preview's pseudonyms (names are masked
    without one). ``declared_records``: the whole data set's size, for the grade hint.
    ``keep_entities``: also return the raw entities (evaluation only; never serialised).
    Raises :class:`ScreeningError` and nothing else for a file it cannot screen.
    """
    if len(data) > limits.max_bytes:
        raise fail(
            "screening_too_large",
            f"{len(data)} 字节，超过 {limits.max_bytes}",
            f"{len(data)} bytes, more than {limits.max_bytes}",
            limit=limits.max_bytes,
        )
    f = io.BytesIO(data)
    return _screen(
        f,
        filename=filename,
        xlsx_source=f,
        limits=limits,
        pseudonym_key=pseudonym_key,
        declared_records=declared_records,
        workers=workers,
        keep_entities=keep_entities,
        grade_rules=grade_rules,
    )


def screen_path(
    path: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    pseudonym_key: bytes | None = None,
    declared_records: int | None = None,
    workers: int = 1,
    keep_entities: bool = False,
    grade_rules: GradeRules = GradeRules(),
) -> Report:
    """Screen a file on disk, streamed; ``workers`` processes scan chunks in parallel."""
    p = Path(path)
    try:
        size = p.stat().st_size
        f = p.open("rb")
    except OSError as exc:
        raise fail(
            "screening_malformed",
            f"无法读取 {p.name}：{exc.strerror}",
            f"cannot read {p.name}: {exc.strerror}",
        ) from None
    with f:
        if size > limits.max_bytes:
            raise fail(
                "screening_too_large",
                f"{size} 字节，超过 {limits.max_bytes}",
                f"{size} bytes, more than {limits.max_bytes}",
                limit=limits.max_bytes,
            )
        return _screen(
            f,
            filename=p.name,
            xlsx_source=p,
            limits=limits,
            pseudonym_key=pseudonym_key,
            declared_records=declared_records,
            workers=workers,
            keep_entities=keep_entities,
            grade_rules=grade_rules,
        )
