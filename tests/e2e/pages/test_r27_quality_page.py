"""Issue 22 §1: the registration page's data-quality section — the holder assesses with its
declarations and publishes from the page; the examiner sees the evidence; the public sees the
section only once published, with counts and no column names; zh-CN labels, no raw codes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.api import Api
from tests.support.visible_text import visible_text

SAMPLE = "编号,城市,日期,销量\n1,贵阳,2026-10-01,320\n2,遵义,2026-10-02,\n3,安顺,2026-10-03,95\n"


def _sign_in(c: TestClient, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    c.cookies.set("dataip_lang", "zh-CN")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_r27_holder_assesses_and_publishes_from_the_registration_page(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE.encode("gb18030"), "城市销量.csv")
    number = w.registered(sample_blobs=[sha])
    public = api.c.get(f"/registrations/{number}").text
    assert 'id="quality"' not in public

    c = api.c
    _sign_in(c, w.applicant)
    page = c.get(f"/registrations/{number}").text
    assert "进行数据质量评价" in page and "在登记公开页面公开" not in page
    r = c.post(
        f"/registrations/{number}/quality",
        data={
            "csrf_token": _csrf(page),
            "standards": "GB/T 4754-2017\nGB/T 2260-2007",
            "documentation": "yes",
            "access": "download",
            "availability": "99.9",
            "last_updated": "2026-10-10",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = c.get(f"/registrations/{number}").text
    text = visible_text(page)
    for word in ("数据质量评价", "规范性", "完整性", "准确性", "一致性", "时效性", "可访问性"):
        assert word in text, word
    assert "实测" in text and "申报" in text and "未公开" in text
    assert "12 个单元格中 1 个为空（销量：1/3）" in text  # evidence names the column
    assert "申报可用率 99.90%" in text
    assert "measured" not in text and "not_applicable" not in text  # no raw codes
    assert "贵阳" not in text.split("数据质量评价", 1)[1]  # no cell value in the section
    assert "在登记公开页面公开" in text

    # a bad declaration is refused on the page, nothing stored
    r = c.post(
        f"/registrations/{number}/quality",
        data={"csrf_token": _csrf(page), "availability": "ninety"},
    )
    assert r.status_code == 422 and "可用率" in visible_text(r.text)

    version = re.search(r'quality/publish".*?name="version" value="(\d+)"', page, re.S)
    assert version
    r = c.post(
        f"/registrations/{number}/quality/publish",
        data={"csrf_token": _csrf(page), "version": version.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = c.get(f"/registrations/{number}").text
    assert "从公开页面撤回" in page and "在登记公开页面公开" not in page

    c.cookies.clear()
    c.cookies.set("dataip_lang", "zh-CN")
    text = visible_text(c.get(f"/registrations/{number}").text)
    assert "数据质量评价" in text and "已公开" in text and "12 个单元格中 1 个为空" in text
    assert "销量：" not in text and "进行数据质量评价" not in text


def test_r27_examiner_sees_the_latest_assessment_without_the_holders_buttons(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE.encode(), "城市销量.csv")
    number = w.registered(sample_blobs=[sha])
    r = api.c.post(f"/api/v1/registrations/{number}/quality", headers=api.h(w.applicant), json={})
    assert r.status_code == 201
    _sign_in(api.c, w.examiner)
    text = visible_text(api.c.get(f"/registrations/{number}").text)
    assert "数据质量评价" in text and "销量：1/3" in text and "未公开" in text
    assert "在登记公开页面公开" not in text and "进行数据质量评价" not in text


def test_r27_examiner_previews_an_application_from_the_workbench(api: Api) -> None:
    w = api.world()
    sha = api.upload(w.applicant, SAMPLE.encode(), "城市销量.csv")
    aid = w.submitted(sample_blobs=[sha])
    _sign_in(api.c, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert f"/workbench/applications/{aid}/quality" in page
    r = api.c.get(f"/workbench/applications/{aid}/quality")
    assert r.status_code == 200, r.text
    text = visible_text(r.text)
    assert "数据质量预评价" in text and "完整性" in text and "销量：1/3" in text
    assert "登记主体尚未申报" in text and "在登记公开页面公开" not in text
