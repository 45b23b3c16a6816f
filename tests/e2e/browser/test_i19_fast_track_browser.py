"""Issue 19 §3 / R8 in a real browser: the applicant asks for fast track on a ground with a
bank's letter attached; the examiner reads the request in the workbench and grants it, and the
application moves to the head of the queue. Screenshots go to the test output directory."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.api import Api

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)


def _sign_in(page: Page, site: str, who: str) -> None:
    page.context.clear_cookies()
    page.goto(site + "/login")
    page.get_by_label("用户名").fill(who)
    page.get_by_label("密码").fill("pass-word-1")
    page.get_by_role("button", name="登录").click()


def test_r8_fast_track_asked_for_on_the_portal_and_granted_in_the_workbench(
    page: Page, site: str, api: Api, shots: Path, tmp_path: Path
) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    earlier = w.submitted(
        name="城市公交客流预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-901",
            "hash_value": "9b" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.at("2026-11-17 10:00")
    aid = w.submitted()
    letter = tmp_path / "bank-letter.pdf"
    letter.write_bytes(b"%PDF-1.7 letter of intent to lend against the data IP")

    # 1. the applicant asks, choosing a ground by its name and attaching the bank's letter
    _sign_in(page, site, w.applicant)
    page.goto(f"{site}/applications/{aid}")
    page.locator("summary", has_text="请求快速审查").click()
    page.get_by_label("理由", exact=True).select_option(label="用于数据知识产权质押融资")
    page.get_by_label("理由的具体情况（选填）").fill("贵阳银行拟以本数据知识产权质押授信")
    page.get_by_label("证明材料（选填）").set_input_files(str(letter))
    page.screenshot(path=shots / "01-fast-track-request.png", full_page=True)
    page.get_by_role("button", name="请求快速审查").click()
    expect(page.get_by_text("向登记机构提出的请求")).to_be_visible()
    expect(page.get_by_text("待审查", exact=True)).to_be_visible()

    # 2. the examiner reads it and grants it; the application goes first in the queue
    _sign_in(page, site, w.examiner)
    page.goto(f"{site}/workbench/applications/{aid}")
    expect(page.get_by_text("贵阳银行拟以本数据知识产权质押授信")).to_be_visible()
    expect(page.get_by_role("link", name="证明材料1")).to_be_visible()
    page.locator("summary", has_text="准予快速审查").click()
    page.screenshot(path=shots / "02-fast-track-decision.png", full_page=True)
    page.get_by_role("button", name="准予快速审查").click()
    expect(page.get_by_text("已准予")).to_be_visible()
    page.goto(site + "/workbench")
    links = page.locator("a[href^='/workbench/applications/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs.index(f"/workbench/applications/{aid}") < hrefs.index(
        f"/workbench/applications/{earlier}"
    )
    page.screenshot(path=shots / "03-queue-fast-track-first.png", full_page=True)
    assert api.get(w.examiner, aid).json()["fast_track"] is True
