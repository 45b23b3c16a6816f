"""R26: every supported format is read safely, and every cap and malformed file ends in a
ScreeningError with a stable code and a Chinese and an English message."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dataip.screening import CODES, Limits, ScreeningError, parse, screen_bytes, screen_path

ROWS = [
    ["姓名", "身份证号", "手机", "备注"],
    ["张伟", "11010519491231002X", "13812345678", "联系电话13912345678"],
    ["李娜", "110105194912310029", "13912345678", ""],
    ["欧阳娜娜", "", "19912345678", "无"],
]


def csv_bytes(rows: list[list[str]], sep: str = ",", encoding: str = "utf-8") -> bytes:
    return "\n".join(sep.join(r) for r in rows).encode(encoding)


def code_of(data: bytes, filename: str, **limits: int) -> str:
    with pytest.raises(ScreeningError) as info:
        screen_bytes(data, filename=filename, limits=Limits(**limits))
    e = info.value
    assert e.code in CODES and e.message_zh and e.message_en
    return e.code


def kinds_by_column(data: bytes, filename: str) -> dict[str, set[str]]:
    report = screen_bytes(data, filename=filename)
    return {c.name: set(c.kinds) for c in report.columns}


EXPECTED = {
    "姓名": {"person_name"},
    "身份证号": {"resident_id"},
    "手机": {"mobile"},
    "备注": {"mobile"},
}


def test_r26_csv_tsv_header_and_delimiter_sniffed() -> None:
    assert kinds_by_column(csv_bytes(ROWS), "a.csv") == EXPECTED
    assert kinds_by_column(csv_bytes(ROWS, "\t"), "a.tsv") == EXPECTED
    assert kinds_by_column(csv_bytes(ROWS, "\t"), "a.csv") == EXPECTED  # a tab-separated .csv
    headless = screen_bytes(csv_bytes(ROWS[1:]), filename="a.csv")
    assert [c.name for c in headless.columns][:3] == ["column_1", "column_2", "column_3"]
    assert headless.rows == 3 and "resident_id" in headless.kinds


def test_r26_jsonl_json_xml_xlsx_read_as_tables(tmp_path: Path) -> None:
    records = [dict(zip(ROWS[0], r, strict=True)) for r in ROWS[1:]]
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    assert kinds_by_column(jsonl, "a.jsonl") == EXPECTED
    doc = json.dumps({"meta": {"n": 3}, "data": records}, ensure_ascii=False).encode()
    assert kinds_by_column(doc, "a.json") == EXPECTED
    xml = "<rows>" + "".join(
        "<row>" + "".join(f"<{k}>{v}</{k}>" for k, v in r.items()) + "</row>" for r in records
    )
    xml += "</rows>"
    assert kinds_by_column(xml.encode(), "a.xml") == EXPECTED
    gbk = '<?xml version="1.0" encoding="GBK"?>' + xml
    assert kinds_by_column(gbk.encode("gbk"), "a.xml") == EXPECTED
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in ROWS:
        ws.append(r)
    path = tmp_path / "a.xlsx"
    wb.save(path)
    assert kinds_by_column(path.read_bytes(), "a.xlsx") == EXPECTED
    assert {c.name: set(c.kinds) for c in screen_path(path).columns} == EXPECTED


def test_r26_chunks_cut_at_record_boundaries_give_the_same_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rows = [["id", "手机", "备注"]]
    rows += [[str(i), f"1381234{i:04d}", f'"多行\n备注, 含""引号"" {i}"'] for i in range(400)]
    data = "\n".join(",".join(r) for r in rows).encode()
    whole = screen_bytes(data, filename="a.csv").to_dict()
    monkeypatch.setattr(parse, "BLOCK", 257)  # many chunks, cut inside quoted line breaks
    assert screen_bytes(data, filename="a.csv").to_dict() == whole
    assert whole["rows"] == 400


def test_r26_two_workers_give_the_same_report_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["姓名", "手机"]] + [
        [f"王{chr(0x4E00 + i % 500)}", f"1391234{i:04d}"] for i in range(3000)
    ]
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(rows))
    monkeypatch.setattr(parse, "BLOCK", 8192)
    one = screen_path(path).to_dict()
    two = screen_path(path, workers=2).to_dict()
    assert one == two and one["rows"] == 3000


def test_r26_each_cap_has_its_code() -> None:
    data = csv_bytes(ROWS)
    assert code_of(data, "a.csv", max_rows=2) == "screening_too_many_rows"
    assert code_of(data, "a.csv", max_columns=3) == "screening_too_many_columns"
    assert code_of(data, "a.csv", max_cell_chars=5) == "screening_cell_too_long"
    assert code_of(data, "a.csv", max_bytes=50) == "screening_too_large"
    long_line = b"a," + b"x" * 5000  # no line break: stops after max_record_bytes
    assert code_of(long_line, "a.csv", max_record_bytes=1000, max_cell_chars=900) == (
        "screening_cell_too_long"
    )
    assert code_of(long_line, "a.csv", max_record_bytes=1000) == "screening_record_too_long"
    wide = b",".join([b"a"] * 3000)
    assert code_of(wide, "a.csv", max_record_bytes=1000) == "screening_too_many_columns"
    deep_json = b"[" * 100 + b"]" * 100
    assert code_of(deep_json, "a.json", max_depth=20) == "screening_too_deep"
    very_deep = b"[" * 100_000 + b"]" * 100_000
    assert code_of(very_deep, "a.json") == "screening_too_deep"
    deep_xml = b"<a>" * 100 + b"</a>" * 100
    assert code_of(deep_xml, "a.xml", max_depth=20) == "screening_too_deep"
    assert code_of(b"[1]" + b" " * 100, "a.json", max_document_bytes=50) == "screening_too_large"


def test_r26_malformed_files_have_clear_errors() -> None:
    assert code_of(b'{"a": 1,', "a.json") == "screening_malformed"
    assert code_of(b'{"a": 1}\n{oops}\n', "a.jsonl") == "screening_malformed"
    assert code_of(b"<a><b></a>", "a.xml") == "screening_malformed"
    assert code_of(b"PK\x03\x04not really a zip", "a.xlsx") == "screening_malformed"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert code_of(buf.getvalue(), "a.xlsx") == "screening_malformed"


def test_r26_bad_encodings_and_unsupported_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    assert code_of(b"id,name\n1,\x80\x81\xff\n", "a.csv") == "screening_bad_encoding"
    assert code_of("姓名\n张三\n".encode("utf-16"), "a.csv") == "screening_bad_encoding"
    assert code_of(b"id\x00,name\n", "a.csv") == "screening_bad_encoding"
    assert code_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls") == (
        "screening_unsupported_format"
    )
    assert code_of(b"%PDF-1.7\n", "sample.bin") == "screening_unsupported_format"
    # GBK bytes late in a file that started as UTF-8: an error with its byte offset
    mixed = ("姓名\n张三\n" + "a\n" * 10).encode() + "李四\n".encode("gbk")
    monkeypatch.setattr(parse, "BLOCK", 16)
    with pytest.raises(ScreeningError) as info:
        screen_bytes(mixed, filename="a.csv")
    assert info.value.code == "screening_bad_encoding" and "byte" in info.value.details


def test_r26_xml_entities_and_dtds_refused() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>"
    )
    assert code_of(lol, "a.xml") == "screening_entity_expansion"
    ext = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    assert code_of(ext, "a.xml") == "screening_entity_expansion"


def test_r26_screening_error_survives_pickling_between_processes() -> None:
    with pytest.raises(ScreeningError) as info:
        screen_bytes(csv_bytes(ROWS), filename="a.csv", limits=Limits(max_rows=1))
    again = pickle.loads(pickle.dumps(info.value))
    assert again.to_dict() == info.value.to_dict()
    assert again.details["limit"] == 1
