"""Sample files at and past the registry's screening caps (issue 18), built directly as the
bytes a client would upload: a workbook's XML written out (no openpyxl, which takes seconds
per million cells), a CSV with its rows counted.

`xlsx(rows, cols, cell)` makes a minimal valid workbook — content types, relationships,
workbook, one sheet — whose sheet holds `rows` × `cols` cells, each `cell(r, c)` as an inline
string. `zip_ratio_xlsx(...)` makes the issue's file: a workbook that expands about 150:1,
under the zip-bomb guard's 200:1, to far more than the sample cap. `worst_case_xlsx(limits)`
and `worst_case_csv(limits)` are the most expensive files the caps let through.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_DOC}"><sheets><sheet name="样例" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    f'{_XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet(rows: int, cols: int, cell: Callable[[int, int], str]) -> Iterator[bytes]:
    yield _SHEET_HEAD.encode()
    for r in range(rows):
        cells = "".join(
            f'<c t="inlineStr"><is><t>{_escape(cell(r, c))}</t></is></c>' for c in range(cols)
        )
        yield f"<row>{cells}</row>".encode()
    yield _SHEET_TAIL.encode()


def _package(sheet: Iterator[bytes], level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in sheet:
                f.write(chunk)
    return out.getvalue()


def xlsx(rows: int, cols: int, cell: Callable[[int, int], str]) -> bytes:
    """A workbook of one sheet with `rows` × `cols` inline-string cells."""
    return _package(_sheet(rows, cols, cell))


def raw_sheet_xlsx(sheet_xml: str) -> bytes:
    """A workbook whose one sheet is `sheet_xml` verbatim (hostile shapes)."""
    return _package(iter([sheet_xml.encode()]))


def uncompressed_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sum(i.file_size for i in zf.infolist())


def largest_ratio(data: bytes) -> float:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return max(i.file_size / max(i.compress_size, 1) for i in zf.infolist())


def zip_ratio_xlsx(expanded: int = 106_000_000, seed: int = 18) -> bytes:
    """The issue's workbook: ~`expanded` bytes of sheet XML that deflate about 159:1 (the
    zip-bomb guard refuses only members over 200:1). Repeated cells with a random number in
    every 40th: a plausible, highly regular export."""
    rng = random.Random(seed)
    cols = 20
    one = '<c t="inlineStr"><is><t>贵阳市观山湖区</t></is></c>'.encode()
    row_bytes = len(b"<row></row>") + cols * len(one)
    rows = expanded // row_bytes

    def cell(r: int, c: int) -> str:
        return str(rng.randrange(10**6)) if (r * cols + c) % 40 == 0 else "贵阳市观山湖区"

    return _package(_sheet(rows, cols, cell), level=6)


def csv_rows(rows: int, cols: int, cell: Callable[[int, int], str], header: bool = True) -> bytes:
    """A UTF-8 CSV of `rows` data rows (plus a header of `cols` names when `header`)."""
    out = io.StringIO()
    if header:
        out.write(",".join(f"列{c + 1}" for c in range(cols)) + "\n")
    for r in range(rows):
        out.write(",".join(cell(r, c) for c in range(cols)) + "\n")
    return out.getvalue().encode("utf-8")


def _identity_like(r: int, c: int) -> str:
    """Cells a screening must look at closely: ID-shaped and phone-shaped numbers, names,
    addresses, amounts (not valid identifiers, so the report stays small)."""
    k = (r * 7 + c) % 5
    if k == 0:
        return f"5201{r % 100:02d}1990{r % 12 + 1:02d}{c % 28 + 1:02d}{r % 1000:03d}0"
    if k == 1:
        return f"139{r:08d}"[:11]
    if k == 2:
        return "王" + "伟芳娜敏静"[r % 5]
    if k == 3:
        return f"贵阳市观山湖区{r % 90 + 1}号"
    return str(r * 31 % 100_000)


_INLINE_OVERHEAD = len('<c t="inlineStr"><is><t></t></is></c>')


def worst_case_xlsx(limits: Any) -> bytes:
    """The costliest workbook within `limits` (screening.Limits): openpyxl's cost is per cell
    and inline strings are its slowest kind, so: `max_rows` rows (the header included) of as
    many inline-string cells as `max_bytes` of sheet XML hold, capped by `max_cells`."""
    rows = limits.max_rows
    cell_bytes = _INLINE_OVERHEAD + 12  # the cells' text averages under 12 bytes of UTF-8
    room = limits.max_bytes - 4096 - rows * len(b"<row></row>")
    cols = max(1, min(limits.max_columns, room // (rows * cell_bytes), limits.max_cells // rows))
    data = xlsx(rows, cols, lambda r, c: "列" + str(c + 1) if r == 0 else _identity_like(r, c))
    assert uncompressed_size(data) <= limits.max_bytes, uncompressed_size(data)
    return data


def worst_case_csv(limits: Any, max_bytes: int) -> bytes:
    """A CSV at the row cap: `max_rows` data rows, as many columns as `max_cells` allows,
    within `max_bytes` (the upload cap)."""
    rows = limits.max_rows
    cols = max(1, min(limits.max_columns, limits.max_cells // rows))
    data = csv_rows(rows, cols, _identity_like)
    while len(data) > max_bytes:  # fewer columns until it fits the upload
        cols -= 1
        data = csv_rows(rows, cols, _identity_like)
    return data
