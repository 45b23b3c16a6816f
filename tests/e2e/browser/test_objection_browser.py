"""Issue 8 / G§14 in a real browser: during publicity a member of the public with a verified
real name finds the application on the publicity list, signs in from its notice, files an
objection with reasons and an evidence file, and sees the confirmation with what happens
next. Screenshots go to the test output directory."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.api import Api

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)


def test_issue8_an_objector_files_an_objection_from_the_publicity_notice(
    page: Page, site: str, api: Api, shots: Path, tmp_path: Path
) -> None:
    api.at("2026-09-28 10:00")
    w = api.world()
    aid = w.publicised()
    who, pid, _ = w.objector()
    evidence = tmp_path / "collection-log.pdf"
    evidence.write_bytes(b"%PDF-1.7 our own collection log, 2025")

    # 1. the public finds the application under publicity from the home page
    page.goto(site + "/")
    page.get_by_role("link", name="查看公示中的申请").click()
    page.get_by_role("link", name="城市交通拥堵预测数据集").click()
    expect(page.locator("h1")).to_have_text("城市交通拥堵预测数据集")
    expect(page.get_by_text("异议截止：2026年10月10日前")).to_be_visible()
    page.screenshot(path=shots / "01-publicity-notice.png", full_page=True)

    # 2. signs in from the notice and comes back to it
    page.get_by_role("link", name="登录后提出异议").click()
    page.get_by_label("用户名").fill(who)
    page.get_by_label("密码").fill("pass-word-1")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{site}/publicity/{aid}")

    # 3. files the objection with reasons and evidence
    page.get_by_label("异议人（已实名核验的主体）").select_option(str(pid))
    page.get_by_label("异议事由及理由").fill("该数据集系我方自行采集，申请人无权登记。")
    page.get_by_label("证据文件").set_input_files(str(evidence))
    page.screenshot(path=shots / "02-objection-form.png", full_page=True)
    page.get_by_role("button", name="提交异议").click()

    # 4. the confirmation says what happens next
    expect(page.locator("h1")).to_have_text("异议已收到")
    expect(page.get_by_text("登记机构在3个工作日内将异议通知申请人")).to_be_visible()
    page.screenshot(path=shots / "03-objection-received.png", full_page=True)
    out = api.get(w.examiner, aid).json()
    assert out["state"] == "objection_pending"
    assert [o["statement"] for o in out["objections"]] == [
        "该数据集系我方自行采集，申请人无权登记。"
    ]
