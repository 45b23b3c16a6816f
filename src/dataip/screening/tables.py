"""Safe reading of JSON, XML and XLSX into batches of rows.

* JSON (one document, at most ``max_document_bytes``): ``json.loads`` — the C decoder
  recurses, and its ``RecursionError`` on a pathological ``[[[[…`` is ``screening_too_deep``;
  the records are the largest list of objects within three levels (``{"data": [...]}``), or
  the document itself; each record is flattened iteratively with a depth cap.
* XML: ``defusedxml`` with DTDs forbidden, so a billion-laughs document, external entities
  and entity declarations stop before any expansion (``screening_entity_expansion``). Parsed
  as a stream (``iterparse``): each child of the root is a record, cleared once read; depth
  is checked on every start tag. GBK/GB18030 documents (expat cannot decode multi-byte
  encodings it does not know) are transcoded to UTF-8 first.
* XLSX: before openpyxl opens anything, the ZIP directory is read: the members' declared
  uncompressed total must be within ``max_bytes`` and no member over 1 MiB may expand more
  than ``max_compression_ratio`` times (a zip bomb expands thousands of times).
  ``zipfile`` stops at the declared size, so a member cannot lie its way past the check.
  Then openpyxl in ``read_only`` mode streams the sheets (its XML goes through defusedxml
  when installed); sheet dimensions are ignored, so a bogus ``A1:XFD1048576`` does not pad
  rows. Any exception of a third-party parser on hostile input is ``screening_malformed``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_et

from dataip.screening.errors import (
    Limits,
    ScreeningError,
    fail,
    too_many_columns,
    too_many_rows,
)
from dataip.screening.parse import cell_text, flatten

__all__ = ["BATCH_ROWS", "json_records", "xlsx_sheets", "xml_records"]

BATCH_ROWS = 20_000
_MEMBER_RATIO_FLOOR = 1 << 20


def _too_deep(limits: Limits) -> ScreeningError:
    return fail(
        "screening_too_deep",
        f"嵌套超过 {limits.max_depth} 层",
        f"nesting deeper than {limits.max_depth}",
        limit=limits.max_depth,
    )


def _decode_document(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise fail("screening_bad_encoding", "既不是 UTF-8 也不是 GB18030", "neither UTF-8 nor GB18030")


def _records_in(doc: Any) -> list[Any]:
    """The largest list of objects within three levels, else the document as one record."""
    best: list[Any] | None = None
    level: list[Any] = [doc]
    for _ in range(3):
        nxt: list[Any] = []
        for node in level:
            if isinstance(node, list):
                if any(isinstance(x, dict) for x in node[:10]) and (
                    best is None or len(node) > len(best)
                ):
                    best = node
            elif isinstance(node, dict):
                nxt.extend(v for v in node.values() if isinstance(v, list | dict))
        level = nxt
    if best is None and isinstance(doc, list):
        best = doc
    return best if best is not None else [doc]


def json_records(data: bytes, limits: Limits) -> Iterator[list[dict[str, str]]]:
    """Batches of flattened records of one JSON document."""
    text = _decode_document(data)
    try:
        doc = json.loads(text)
    except RecursionError:
        raise _too_deep(limits) from None
    except ValueError as exc:
        raise fail("screening_malformed", f"不是 JSON：{exc}", f"not JSON: {exc}") from None
    del text
    records = _records_in(doc)
    for i in range(0, len(records), BATCH_ROWS):
        yield [flatten(r, limits) for r in records[i : i + BATCH_ROWS]]


_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _xml_utf8(data: bytes) -> bytes:
    """The document in an encoding expat reads (GBK family → UTF-8)."""
    m = _XML_DECL.match(data[:256])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared in ("gbk", "gb2312", "gb18030", "cp936"):
        assert m is not None
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise fail(
                "screening_bad_encoding", f"声明为 {declared} 但无法解码", f"not valid {declared}"
            ) from None
        # the declaration is ASCII, so its byte offsets are character offsets
        return (text[: m.start(1)] + "UTF-8" + text[m.end(1) :]).encode("utf-8")
    if declared is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030").encode("utf-8")
            except UnicodeDecodeError:
                raise fail(
                    "screening_bad_encoding",
                    "既不是 UTF-8 也不是 GB18030",
                    "neither UTF-8 nor GB18030",
                ) from None
    return data


def _local(tag: Any) -> str:
    name = str(tag)
    return name.rsplit("}", 1)[-1]


def _xml_record(elem: Element) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    stack: list[tuple[Element, str]] = [(elem, "")]
    while stack:
        node, path = stack.pop()
        for attr, value in node.attrib.items():
            out.setdefault(f"{path}@{_local(attr)}", []).append(value)
        text = (node.text or "").strip()
        if text:
            out.setdefault(path or "value", []).append(text)
        for child in reversed(list(node)):
            tag = _local(child.tag)
            stack.append((child, f"{path}/{tag}" if path else tag))
    return {k: "\n".join(v) for k, v in out.items()}


def xml_records(data: bytes, limits: Limits) -> Iterator[list[dict[str, str]]]:
    """Batches of records (the root's children) of an XML document, streamed."""
    data = _xml_utf8(data)
    depth = 0
    root: Element | None = None
    batch: list[dict[str, str]] = []
    records = 0
    try:
        for event, elem in safe_et.iterparse(
            io.BytesIO(data), events=("start", "end"), forbid_dtd=True
        ):
            if event == "start":
                depth += 1
                if depth > limits.max_depth:
                    raise _too_deep(limits)
                if root is None:
                    root = elem
                continue
            depth -= 1
            if depth == 1:  # a child of the root has ended: one record
                batch.append(_xml_record(elem))
                records += 1
                assert root is not None
                root.clear()
                if len(batch) >= BATCH_ROWS:
                    yield batch
                    batch = []
    except defusedxml.DefusedXmlException as exc:
        raise fail(
            "screening_entity_expansion",
            f"禁止 DTD 与实体声明（{type(exc).__name__}）",
            f"DTDs and entity declarations are refused ({type(exc).__name__})",
        ) from None
    except ParseError as exc:
        raise fail("screening_malformed", f"XML 格式错误：{exc}", f"malformed XML: {exc}") from None
    if records == 0 and root is not None:
        batch.append(_xml_record(root))
    if batch:
        yield batch


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def check_zip(source: str | Path | IO[bytes], limits: Limits) -> None:
    """Declared sizes and compression ratios of an XLSX, before anything is decompressed."""
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail(
            "screening_malformed", f"不是有效的 XLSX（ZIP）：{exc}", f"not an XLSX: {exc}"
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_bytes:
        raise fail(
            "screening_too_large",
            f"解压后共 {_mib(total)}，超过上限 {_mib(limits.max_bytes)}",
            f"{_mib(total)} once decompressed, more than {_mib(limits.max_bytes)}",
            limit=limits.max_bytes,
            declared=total,
        )
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > _MEMBER_RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise fail(
                "screening_too_large",
                f"{i.filename} 压缩比 {ratio:.0f}:1，超过 "
                f"{limits.max_compression_ratio}:1（疑似压缩炸弹）",
                f"{i.filename} expands {ratio:.0f}:1, more than "
                f"{limits.max_compression_ratio}:1 (a zip bomb?)",
                limit=limits.max_compression_ratio,
                member=i.filename,
                ratio=round(ratio),
            )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise fail(
            "screening_malformed", "ZIP 中没有 xl/workbook.xml", "no xl/workbook.xml in the ZIP"
        )


def xlsx_sheets(
    source: str | Path | IO[bytes], limits: Limits
) -> Iterator[tuple[str, int, Iterator[list[str]]]]:
    """(sheet title, number of sheets, rows as text) for every worksheet.

    Read by calamine (python-calamine, Rust): openpyxl took 16 CPU-seconds on the costliest
    workbook the caps let through and calamine 0.7, so a sample screens well inside its
    budget even on a loaded machine. calamine holds one sheet as a dense range, so before it
    reads a sheet the cell references in the sheet's XML are checked against the row and
    column caps (a sheet with one cell at A1 and one at XFD1048576 would otherwise be
    17 billion cells), and DTDs are refused as the other XML formats refuse them."""
    check_zip(source, limits)
    _check_sheet_xml(source, limits)
    from python_calamine import CalamineWorkbook  # only XLSX pays its import

    if not isinstance(source, str | Path):
        source.seek(0)
    try:
        if isinstance(source, str | Path):
            wb = CalamineWorkbook.from_path(str(source))
        else:
            wb = CalamineWorkbook.from_filelike(source)
        titles = list(wb.sheet_names)
        worksheets = [
            m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")
        ] or titles
    except GeneratorExit:
        raise
    except BaseException as exc:  # hostile input to a Rust parser: never a crash
        raise _malformed_xlsx(exc) from None
    try:
        for title in worksheets:
            try:
                sheet = wb.get_sheet_by_name(title)
            except BaseException as exc:
                raise _malformed_xlsx(exc) from None
            yield title, len(worksheets), _sheet_rows(sheet)
    finally:
        wb.close()


# a cell's or a row's reference in sheet XML: r="B12" or r="12"
_REF = re.compile(rb'<(?:\w+:)?(c|row)\b[^>]*?\sr="([A-Z]{0,3})([0-9]{1,10})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_sheet_xml(source: str | Path | IO[bytes], limits: Limits) -> None:
    """Refuse, before any sheet is read, a DTD in any XML part and a cell or row reference
    beyond the row and column caps (the sizes are capped already by :func:`check_zip`)."""
    if not isinstance(source, str | Path):
        source.seek(0)
    with zipfile.ZipFile(source) as zf:
        for info in zf.infolist():
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with zf.open(info) as member:
                data = member.read(limits.max_bytes + 1)
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise fail(
                    "screening_entity_expansion",
                    "XLSX 内含 DTD 或实体声明",
                    "a DTD or entity declaration inside the XLSX",
                )
            if not info.filename.startswith("xl/worksheets/"):
                continue
            for tag, letters, digits in _REF.findall(data):
                if int(digits) > limits.max_rows:
                    raise too_many_rows(limits)
                if tag == b"c" and _column_number(letters) > limits.max_columns:
                    raise too_many_columns(limits, _column_number(letters))


def _malformed_xlsx(exc: BaseException) -> ScreeningError:
    if isinstance(exc, ScreeningError):
        return exc
    if isinstance(exc, defusedxml.DefusedXmlException):
        return fail(
            "screening_entity_expansion",
            "XLSX 内含 DTD 或实体声明",
            "a DTD or entity declaration inside the XLSX",
        )
    return fail(
        "screening_malformed",
        f"XLSX 无法读取（{type(exc).__name__}：{exc}）",
        f"unreadable XLSX ({type(exc).__name__}: {exc})",
    )


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows():
            yield [cell_text(v) for v in row]
    except GeneratorExit:
        raise
    except ScreeningError:
        raise
    except BaseException as exc:
        raise _malformed_xlsx(exc) from None
