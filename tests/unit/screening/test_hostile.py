"""R26 / R14(6): hostile sample files end with a clear error, in bounded memory and time.

Each file is screened in a fresh Python process that reports its own peak RSS (``VmHWM``,
interpreter and imports included) and wall time; the
aim is ≤ 512 MiB and a few seconds whatever the file claims to hold.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.support import samples

MAX_RSS_MIB = 512
MAX_SECONDS = 10.0
GiB = 1 << 30

_CHILD = """
import json, resource, sys, time
from dataip.screening import Limits, ScreeningError, screen_path
path, limits = sys.argv[1], json.loads(sys.argv[2])
started = time.perf_counter()
try:
    screen_path(path, limits=Limits(**limits))
    out = {"code": None}
except ScreeningError as e:
    out = {"code": e.code, "zh": e.message_zh, "en": e.message_en, "details": e.details}
out["seconds"] = time.perf_counter() - started
# VmHWM, not ru_maxrss: ru_maxrss keeps the forked parent's (pytest's) peak across exec
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
kib = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out["rss_mib"] = kib / 1024
print(json.dumps(out, ensure_ascii=False))
"""


def screen_in_child(path: Path, **limits: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), json.dumps(limits)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    print(f"{path.name}: {result['code']} in {result['seconds']:.2f}s, {result['rss_mib']:.0f} MiB")
    assert result["rss_mib"] <= MAX_RSS_MIB, result
    assert result["seconds"] <= MAX_SECONDS, result
    return result


def zip_bomb(path: Path, mib: int) -> None:
    """An XLSX-shaped ZIP whose sheet expands to ``mib`` MiB (about 400:1). Each MiB is
    deflated after a full flush, so the compressed piece repeats and the file takes half a
    second to make; the CRC is the real one (the member decompresses without error)."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    block = row * ((1 << 20) // len(row))
    block += b" " * ((1 << 20) - len(block))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    small = [(b"[Content_Types].xml", b"<Types/>"), (b"xl/workbook.xml", b"<workbook/>")]
    central: list[tuple[bytes, int, int, int, int]] = []
    with path.open("wb") as f:

        def local(name: bytes, crc: int, csize: int, usize: int) -> None:
            central.append((name, crc, csize, usize, f.tell()))
            head = (0x04034B50, 20, 0, 8, 0, 0, crc, csize, usize, len(name), 0)
            f.write(struct.pack("<IHHHHHIIIHH", *head) + name)

        for name, data in small:
            comp = zlib.compress(data)[2:-4]
            local(name, zlib.crc32(data), len(comp), len(data))
            f.write(comp)
        local(b"xl/worksheets/sheet1.xml", crc, len(piece) * mib + len(tail), mib << 20)
        for _ in range(mib):
            f.write(piece)
        f.write(tail)
        start = f.tell()
        for name, crc_, csize, usize, offset in central:
            entry = (0x02014B50, 20, 20, 0, 8, 0, 0, crc_, csize, usize, len(name), 0, 0, 0, 0, 0)
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", *entry, offset) + name)
        size = f.tell() - start
        f.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0)
        )


def test_r26_zip_bomb_xlsx_refused_before_decompression(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    zip_bomb(path, 1024)  # 2.6 MB on disk, 1 GiB once decompressed
    assert path.stat().st_size < 3_000_000
    r = screen_in_child(path)  # declared total over the 1 GiB default
    assert r["code"] == "screening_too_large"
    r = screen_in_child(path, max_bytes=4 * GiB)  # within the byte cap: the ratio decides
    assert r["code"] == "screening_too_large" and r["details"]["ratio"] > 200
    assert "xl/worksheets/sheet1.xml" in r["en"]


def test_r26_billion_laughs_xml_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doc = f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'
    path = tmp_path / "lol.xml"
    path.write_text(doc, "utf-8")
    r = screen_in_child(path)
    assert r["code"] == "screening_entity_expansion"


SHEET = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    ("far", "code"),
    [("XFD1", "screening_too_many_columns"), ("A1048576", "screening_too_many_rows")],
)
def test_r26_xlsx_with_a_far_away_cell_refused_before_the_sheet_is_read(
    tmp_path: Path, far: str, code: str
) -> None:
    """Two cells, at A1 and far away: a reader that holds a sheet as a dense range would
    allocate every cell between them (17 billion for XFD1048576)."""
    sheet = (
        f'{SHEET}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="{far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{far}" t="inlineStr">'
        "<is><t>y</t></is></c></row></sheetData></worksheet>"
    )
    path = tmp_path / "far.xlsx"
    path.write_bytes(samples.raw_sheet_xlsx(sheet))
    r = screen_in_child(path, max_rows=100_000)  # the sample cap
    assert r["code"] == code, r


def test_r26_xlsx_with_a_dtd_refused(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 9))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e0 "lol">{entities}]>'
        f'{SHEET}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e8;</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    path = tmp_path / "lol.xlsx"
    path.write_bytes(samples.raw_sheet_xlsx(sheet))
    assert screen_in_child(path)["code"] == "screening_entity_expansion"


def _two_gib_single_line(path: Path) -> None:
    """2 GiB of real text (Chinese, commas, no line break), the way an export without line
    breaks looks; the first 64 MiB are written, the rest copied in the kernel."""
    block = ("数据知识产权登记样本" * 40_000 + ",").encode()  # 400,000-character cells
    block = block * ((64 << 20) // len(block))
    with path.open("wb") as f:
        f.write(block)
        f.flush()
        src = os.open(path, os.O_RDONLY)
        try:
            for i in range(1, (2 * GiB) // len(block) + 1):
                done = 0
                while done < len(block):
                    done += os.copy_file_range(
                        src, f.fileno(), len(block) - done, 0, i * len(block) + done
                    )
        finally:
            os.close(src)


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="needs os.copy_file_range")
def test_r26_two_gib_single_line_csv_stops_at_the_record_cap(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    _two_gib_single_line(path)
    assert path.stat().st_size >= 2 * GiB
    with path.open("rb") as f:
        assert b"\n" not in f.read(1 << 20)
    r = screen_in_child(path)  # over the default byte cap: refused from its size, unread
    assert r["code"] == "screening_too_large" and r["seconds"] < 1
    r = screen_in_child(path, max_bytes=4 * GiB)  # allowed in size: the record cap stops it
    assert r["code"] == "screening_cell_too_long"
    assert r["details"]["byte"] == 0


def test_r26_invalid_utf8_file_refused_early(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    with path.open("wb") as f:
        f.write(b"id,name\n" + b"1,abc\n" * 1000)
        chunk = bytes([0x80, 0xFF, 0xC3, 0x28]) * (1 << 20)  # invalid in UTF-8 and GB18030
        for _ in range(64):
            f.write(chunk)
    r = screen_in_child(path)
    assert r["code"] == "screening_bad_encoding"
    assert "UTF-8" in r["en"] and "GB18030" in r["en"]
