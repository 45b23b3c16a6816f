"""Safe reading of delimited text and JSON Lines: formats, encodings, bounded chunks.

* Format: by file name (``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``, ``.json``, ``.xml``,
  ``.xlsx``), else by content (``PK`` → XLSX, ``{``/``[`` → JSON, ``<`` → XML, else CSV).
  Legacy ``.xls`` (OLE2), PDF and other binaries are refused as unsupported.
* Encoding: a UTF-8 BOM means UTF-8; UTF-16/32 (BOM or NUL bytes) is refused with a hint to
  save as UTF-8. Otherwise the first chunk holding a non-ASCII byte decides: strict UTF-8 if
  it decodes, else GB18030 (a superset of GBK and GB2312, the usual encoding of Chinese
  spreadsheet exports); ``screening_bad_encoding`` only when neither decodes. A later chunk
  that does not decode in the chosen encoding is the same error, with its byte offset.
  No statistical guesser (charset-normalizer): the two encodings that matter are told apart
  exactly by strict decoding, since Chinese GB18030 text is almost never valid UTF-8.
* Chunks: the file is read in 4 MiB blocks and cut after a line break outside quotes (an even
  number of ``"`` before it — RFC 4180 escapes a quote by doubling it), so every chunk holds
  whole records and can be parsed on its own, in another process. Neither ``\\n`` nor ``"``
  occurs inside a multi-byte character in UTF-8 or GB18030. A record longer than
  ``max_record_bytes`` stops the read there: a 2 GB file with no line break costs one
  block of memory, not 2 GB.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath
from typing import Any

from dataip.screening import native
from dataip.screening.errors import Limits, fail

__all__ = [
    "FORMATS",
    "TextChunk",
    "decide_encoding",
    "detect_format",
    "flatten",
    "iter_text_chunks",
    "parse_text_chunk",
    "sniff_delimiter",
]

BLOCK = 4 << 20
FORMATS = ("csv", "tsv", "jsonl", "json", "xml", "xlsx")
_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "xml",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_UNSUPPORTED_SUFFIXES = {
    ".xls": "旧版 Excel (.xls)，请另存为 .xlsx / legacy Excel (.xls): save it as .xlsx",
    ".ods": "OpenDocument 表格，请另存为 .xlsx 或 CSV / OpenDocument: save it as .xlsx or CSV",
    ".parquet": "Parquet",
    ".zip": "ZIP 压缩包 / a ZIP archive",
    ".pdf": "PDF",
    ".docx": "Word (.docx)",
}
_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件 (.xls/.doc) / legacy Office file (.xls/.doc)"),
    (b"%PDF", "PDF"),
    (b"\x1f\x8b", "gzip"),
    (b"PAR1", "Parquet"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\x84\x31\x95\x33", "gb18030"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def detect_format(filename: str, head: bytes) -> str:
    """The format to read ``head`` (the file's first bytes) as; unsupported ones raise."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        what = _UNSUPPORTED_SUFFIXES[suffix]
        raise fail("screening_unsupported_format", what, what, suffix=suffix)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise fail("screening_unsupported_format", what, what, suffix=suffix)
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        lines = [ln for ln in head.splitlines()[:3] if ln.strip()]
        objects = all(ln.strip().startswith(b"{") and ln.strip().endswith(b"}") for ln in lines)
        return "jsonl" if len(lines) > 1 and objects else "json"
    if start == b"<":
        return "xml"
    return "csv"


def strip_bom(head: bytes) -> tuple[int, str | None]:
    """(bytes to skip, encoding) from a byte-order mark; UTF-16/32 raise."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding.startswith("utf-16") or encoding.startswith("utf-32"):
                raise fail(
                    "screening_bad_encoding",
                    f"{encoding.upper()} 编码，请另存为 UTF-8",
                    f"{encoding.upper()} text: save it as UTF-8",
                    encoding=encoding,
                )
            return len(bom), encoding
    return 0, None


def decide_encoding(data: bytes, offset: int) -> str:
    """``utf-8`` if ``data`` (whole records) is strict UTF-8, else ``gb18030``, else raise."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pos = offset + utf8_error.start
        raise fail(
            "screening_bad_encoding",
            f"第 {pos} 字节起既不是 UTF-8 也不是 GB18030/GBK",
            f"neither UTF-8 nor GB18030/GBK (byte {pos})",
            byte=pos,
        ) from None


def _boundary(buf: bytes, quoted: bool) -> int:
    """Length of the longest prefix of ``buf`` made of whole records (0: none)."""
    pos = buf.rfind(b"\n")
    if pos < 0 or not quoted:
        return pos + 1
    odd = buf.count(b'"', 0, pos) & 1
    while odd:
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            return 0
        odd ^= buf.count(b'"', prev, pos) & 1
        pos = prev
    return pos + 1


def _record_error(buf: bytes, offset: int, delimiter: str, limits: Limits) -> Exception:
    """The honest error for a record that exceeds ``max_record_bytes``."""
    prefix = buf[: limits.max_cell_chars * 4 + 4]
    if b"\x00" in prefix or not _decodes(prefix):
        return fail(
            "screening_bad_encoding",
            f"第 {offset} 字节起既不是 UTF-8 也不是 GB18030/GBK 文本",
            f"not UTF-8 or GB18030/GBK text (from byte {offset})",
            byte=offset,
        )
    head = prefix.decode("utf-8", errors="replace")
    if b"\n" in buf and delimiter and buf.count(b'"') & 1:
        return fail(
            "screening_malformed",
            f"第 {offset} 字节起的引号没有闭合",
            f"unbalanced quote in the record starting at byte {offset}",
            byte=offset,
        )
    fields = head.split(delimiter) if delimiter else [head]
    if len(fields) > limits.max_columns:
        return fail(
            "screening_too_many_columns",
            f"一条记录超过 {limits.max_columns} 列",
            f"a record has more than {limits.max_columns} columns",
            limit=limits.max_columns,
            byte=offset,
        )
    if any(len(f) > limits.max_cell_chars for f in fields):
        return fail(
            "screening_cell_too_long",
            f"第 {offset} 字节起的单元格超过 {limits.max_cell_chars} 个字符",
            f"a cell longer than {limits.max_cell_chars} characters (record at byte {offset})",
            limit=limits.max_cell_chars,
            byte=offset,
        )
    return fail(
        "screening_record_too_long",
        f"第 {offset} 字节起的记录超过 {limits.max_record_bytes} 字节",
        f"a record longer than {limits.max_record_bytes} bytes (at byte {offset})",
        limit=limits.max_record_bytes,
        byte=offset,
    )


def _decodes(prefix: bytes) -> bool:
    """Whether a prefix (maybe cut inside a character) is UTF-8 or GB18030 text."""
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(prefix, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def iter_text_chunks(
    read: Callable[[int], bytes],
    *,
    quoted: bool,
    delimiter: str,
    limits: Limits,
    start: int = 0,
) -> Iterator[tuple[int, bytes]]:
    """(file offset, bytes) chunks of whole records, read ``BLOCK`` bytes at a time."""
    pending = b""
    offset = start
    total = start
    while True:
        block = read(BLOCK)
        total += len(block)
        if total > limits.max_bytes:
            raise fail(
                "screening_too_large",
                f"超过 {limits.max_bytes} 字节",
                f"more than {limits.max_bytes} bytes",
                limit=limits.max_bytes,
            )
        if not block:
            if pending.strip():
                yield offset, pending
            return
        buf = pending + block if pending else block
        cut = _boundary(buf, quoted)
        if cut == 0:
            if len(buf) > limits.max_record_bytes:
                raise _record_error(buf, offset, delimiter, limits)
            pending = buf
            continue
        yield offset, buf[:cut]
        offset += cut
        pending = buf[cut:]
        if len(pending) > limits.max_record_bytes:
            raise _record_error(pending, offset, delimiter, limits)


def sniff_delimiter(text: str, fmt: str) -> str:
    """Tab for TSV; for CSV, the most frequent of , \\t ; | on the first line (comma wins
    ties and empty lines)."""
    if fmt == "tsv":
        return "\t"
    first = next((ln for ln in islice(text.splitlines(), 5) if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass(frozen=True)
class TextChunk:
    """Whole records of a CSV/TSV/JSONL file, to be parsed on their own (maybe elsewhere)."""

    index: int
    offset: int
    data: bytes
    fmt: str
    encoding: str
    delimiter: str
    names: tuple[str, ...]
    skip_first: bool


def decode_chunk(data: bytes, encoding: str, offset: int) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        pos = offset + exc.start
        raise fail(
            "screening_bad_encoding",
            f"第 {pos} 字节不是有效的 {encoding}（文件前面部分是 {encoding}）",
            f"byte {pos} is not valid {encoding} (the file so far is {encoding})",
            byte=pos,
        ) from None
    if "\x00" in text:
        raise fail(
            "screening_bad_encoding",
            "含 NUL 字节：二进制文件或 UTF-16/32 文本",
            "NUL bytes: a binary file or UTF-16/32 text",
            byte=offset + text.index("\x00"),
        )
    return text


def csv_rows(text: str, delimiter: str, offset: int) -> list[list[str]]:
    """Records of a CSV text (blank lines dropped); csv errors become ScreeningError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row for row in reader if row]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            limit = csv.field_size_limit()
            raise fail(
                "screening_cell_too_long",
                f"单元格超过 {limit} 个字符",
                f"a cell longer than {limit} characters",
                limit=limit,
                byte=offset,
            ) from None
        raise fail(
            "screening_malformed",
            f"CSV 第 {reader.line_num} 行（块起于第 {offset} 字节）：{exc}",
            f"CSV line {reader.line_num} of the chunk at byte {offset}: {exc}",
            byte=offset,
        ) from None


def cell_text(value: Any) -> str:
    """A JSON/XLSX scalar as text: integral floats without ``.0``, booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, str):
        return value
    iso = getattr(value, "isoformat", None)
    return str(iso()) if callable(iso) else str(value)


def flatten(value: Any, limits: Limits, prefix: str = "") -> dict[str, str]:
    """One JSON record as columns: nested keys joined with ``.``, list items under ``[]``,
    several values of one column joined by line breaks. Iterative (no recursion)."""
    out: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [(prefix, value, 0)]
    while stack:
        key, item, depth = stack.pop()
        if depth > limits.max_depth:
            raise fail(
                "screening_too_deep",
                f"嵌套超过 {limits.max_depth} 层",
                f"nesting deeper than {limits.max_depth}",
                limit=limits.max_depth,
            )
        if isinstance(item, dict):
            for k, v in reversed(list(item.items())):
                stack.append((f"{key}.{k}" if key else str(k), v, depth + 1))
        elif isinstance(item, list):
            for v in reversed(item):
                stack.append((f"{key}[]" if key else "[]", v, depth + 1))
        else:
            out.setdefault(key or "value", []).append(cell_text(item))
    return {k: "\n".join(v) for k, v in out.items()}


def jsonl_records(text: str, offset: int, limits: Limits) -> list[dict[str, str]]:
    records = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            raise fail(
                "screening_too_deep",
                f"嵌套超过 {limits.max_depth} 层",
                f"nesting deeper than {limits.max_depth}",
                limit=limits.max_depth,
            ) from None
        except ValueError as exc:
            raise fail(
                "screening_malformed",
                f"JSON Lines 第 {number} 行（块起于第 {offset} 字节）不是 JSON：{exc}",
                f"JSON Lines line {number} of the chunk at byte {offset} is not JSON: {exc}",
                byte=offset,
            ) from None
        records.append(flatten(value, limits))
    return records


def parse_text_chunk(
    chunk: TextChunk, limits: Limits
) -> list[list[str]] | list[dict[str, str]] | tuple[int, list[list[str]]]:
    """The records of a chunk: lists of fields (CSV/TSV) or flattened dicts (JSONL); or, for
    CSV/TSV where the C reader is built, (number of records, columns) — the same fields,
    transposed (see ``_scan.csv_columns``)."""
    text = decode_chunk(chunk.data, chunk.encoding, chunk.offset)
    if chunk.fmt == "jsonl":
        return jsonl_records(text, chunk.offset, limits)
    if native.module is not None:
        columns: tuple[int, list[list[str]]] | None = native.module.csv_columns(
            text, chunk.delimiter, csv.field_size_limit(), limits.max_columns, chunk.skip_first
        )
        if columns is not None:  # else over a limit: csv.reader says which
            return columns
    rows = csv_rows(text, chunk.delimiter, chunk.offset)
    return rows[1:] if chunk.skip_first else rows
