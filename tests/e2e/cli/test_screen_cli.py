"""`dataip screen FILE` (R26): a report as a table or JSON, exit 0; a file that cannot be
screened exits 2 with the error's code and bilingual message on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataip.cli.main import app

runner = CliRunner()

SAMPLE = (
    "姓名,身份证号,手机\n张伟,11010519491231002X,13812345678\n李娜,110105194912310029,13912345678\n"
)


def test_r26_screen_prints_a_table_and_the_grade_hint(tmp_path: Path) -> None:
    path = tmp_path / "样本.csv"
    path.write_bytes(SAMPLE.encode("gb18030"))
    r = runner.invoke(app, ["screen", str(path)])
    assert r.exit_code == 0, r.output
    assert "resident_id" in r.output and "110105********002X" in r.output
    assert "11010519491231002X" not in r.output
    assert "grade hint" in r.output and "important" in r.output


def test_r26_screen_json_has_rows_columns_findings(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(SAMPLE, "utf-8")
    r = runner.invoke(app, ["screen", str(path), "--json", "--declared-records", "500000"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["rows"] == 2 and report["encoding"] == "utf-8"
    by_name = {c["name"]: c for c in report["columns"]}
    finding = by_name["手机"]["findings"][0]
    assert set(finding) >= {"kind", "count", "share", "examples", "confidence"}
    assert finding["kind"] == "mobile" and finding["examples"] == ["138****5678", "139****5678"]
    assert report["grade_hint"]["records"] == 500000
    assert "13812345678" not in r.stdout


def test_r26_screen_refuses_with_exit_2_and_a_bilingual_message(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(SAMPLE, "utf-8")
    r = runner.invoke(app, ["screen", str(path), "--limit-rows", "1"])
    assert r.exit_code == 2
    assert "screening_too_many_rows" in r.stderr and "行数过多" in r.stderr
    assert "too many rows" in r.stderr
    bad = tmp_path / "b.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    r = runner.invoke(app, ["screen", str(bad)])
    assert r.exit_code == 2 and "screening_unsupported_format" in r.stderr
    r = runner.invoke(app, ["screen", str(tmp_path / "missing.csv")])
    assert r.exit_code == 2 and "screening_malformed" in r.stderr
