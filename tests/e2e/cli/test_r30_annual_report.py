"""JS25§2: `dataip report annual YEAR --out FILE` renders the annual report as a PDF — a
cover, a contents list, every section, the typical case the registry picked, and an honest
"no ranking data" while the hotness ranking is not wired; pypdf reads its text. The typical
cases' CLI screens personal data like the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from dataip.cli.main import app
from dataip.services.context import Env
from dataip.services.value import statistics_demo
from dataip.web.pages.report_pdf import SECTIONS
from tests.support import demo_world

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, env: Env, tmp_path: Path) -> None:
    monkeypatch.setenv("DATAIP_DATABASE_URL", database_url)
    monkeypatch.setenv("DATAIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATAIP_NOW", "2026-11-23T10:00:00+08:00")
    monkeypatch.delenv("DATAIP_ENV", raising=False)


def run(*args: str, code: int = 0) -> str:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    assert r.exit_code == code, r.output
    return r.output


def test_r30_annual_report_pdf_has_contents_and_every_section(
    cli_env: None, env: Env, tmp_path: Path
) -> None:
    demo_world.populate(env)
    assert "rebuilt" in run("statistics", "rebuild")
    out = tmp_path / "report.pdf"
    assert "wrote" in run("report", "annual", "2026", "--out", str(out))
    reader = PdfReader(out)
    assert len(reader.pages) >= 4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "2026年度数据知识产权登记发展报告" in reader.pages[0].extract_text()
    contents = reader.pages[1].extract_text()
    assert "目录" in contents
    for _, title in SECTIONS:
        assert title in contents  # listed, with its page number
        assert text.count(title) >= 2  # and there
    assert statistics_demo.CASE_TITLE in text
    assert "本年度暂无热度排行数据" not in text  # the demo's signals rank its registrations
    assert "贵州省" in text and "中位数" in text


def test_r30_typical_cases_cli_refuses_personal_data(cli_env: None, env: Env) -> None:
    demo_world.populate(env)
    cases = json.loads(run("cases", "list", "--year", "2026"))
    number = cases[0]["registration_number"]
    out = run(
        "cases",
        "add",
        number,
        "--year",
        "2025",
        "--title",
        "案例",
        "--text",
        "联系人身份证号11010519491231002X",
        "--as",
        "examiner",
        code=1,
    )
    assert "typical_case_personal_data" in out
    run(
        "cases",
        "add",
        number,
        "--year",
        "2025",
        "--title",
        "案例",
        "--text",
        "说明",
        "--as",
        "examiner",
    )
    assert [c["year"] for c in json.loads(run("cases", "list"))] == [2025, 2026]
    run("cases", "remove", str(cases[0]["id"]), "--as", "examiner")
    assert [c["year"] for c in json.loads(run("cases", "list"))] == [2025]
