"""R30 and JS25§2 in the portal: `/statistics` (linked from every page's navigation) shows
each chart with the same figures in a table, names instead of codes, in Chinese and English;
`/reports/annual/2026` and its PDF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dataip.services.context import Env
from tests.support import demo_world


def test_r30_statistics_page_charts_and_tables(client: TestClient, env: Env) -> None:
    empty = client.get("/statistics")
    assert empty.status_code == 200 and "暂无统计数据" in empty.text
    demo_world.populate(env)
    home = client.get("/")
    assert 'href="/statistics"' in home.text  # in the navigation
    page = client.get("/statistics", params={"year": "2026"})
    assert page.status_code == 200
    html = page.text
    # each chart is an SVG with a title, and its figures are in a table too
    titles = re.findall(r"<svg class=\"chart\"[^>]*aria-label=\"([^\"]+)\"", html)
    assert {"按月登记数量", "按行业门类登记数量", "按地区登记数量"} <= set(titles)
    assert "2026年11月" in html and "贵州省" in html and "企业" in html
    assert "办理用时" in html and "中位数（工作日）" in html
    assert 'href="/reports/annual/2026"' in html
    assert 'href="/api/v1/statistics/monthly.csv?year=2026"' in html
    # names, never the dimension codes
    assert ">52<" not in html and ">enterprise<" not in html
    english = client.get("/statistics", params={"year": "2026", "lang": "en"})
    assert "Processing times" in english.text and "Enterprise" in english.text
    bad = client.get("/statistics", params={"year": "1900", "lang": "zh-CN"})
    assert bad.status_code == 200 and "年份无效" in bad.text


def test_r30_annual_report_page_and_pdf(client: TestClient, env: Env) -> None:
    demo_world.populate(env)
    page = client.get("/reports/annual/2026")
    assert page.status_code == 200
    assert "目录" in page.text and "典型案例" in page.text and "热度榜" in page.text
    assert 'href="/reports/annual/2026.pdf"' in page.text
    pdf = client.get("/reports/annual/2026.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/reports/annual/abc").status_code == 404
    # a year without data says so, and invents nothing
    empty = client.get("/reports/annual/2031", params={"lang": "zh-CN"})
    assert empty.status_code == 200
    assert "本年度尚未选编典型案例" in empty.text and "本年度暂无热度排行数据" in empty.text
