"""Issue 19 §6 in Chromium: a refresh after saving repeats nothing (post/redirect/get) and
the confirmation shows once; the error summary takes the focus and each of its links puts
the focus in its field; the applicant's home starts with the new-application button and the
applications; the home page's chart labels are at least 11 px as shown, on a desktop and a
phone."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.api import Api

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)
from .test_walkthrough_browser import sign_in

CHART_TEXT_PX = """() => [...document.querySelectorAll('svg.chart text')].map(t => {
  const svg = t.closest('svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
})"""


def _drafts(page: Page, site: str) -> set[str]:
    page.goto(site + "/applications")
    return set(re.findall(r'href="/applications/(\d+)"', page.content()))


def test_i19_prg_a_refresh_after_saving_makes_no_second_draft(
    page: Page, site: str, api: Api, shots: Path
) -> None:
    w = api.world()
    sign_in(page, site, w.applicant)
    before = _drafts(page, site)
    page.goto(site + "/applications/new")
    page.get_by_label("数据知识产权名称").fill("城市交通拥堵预测数据集")
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/applications/\d+$"))
    flash = page.locator("#flash")
    expect(flash).to_have_text("草稿已保存，您可随时返回继续填写。")
    page.screenshot(path=shots / "i19-saved-draft.png", full_page=True)
    page.reload()  # a GET: the browser posts nothing again
    expect(page.locator("#flash")).to_have_count(0)
    assert len(_drafts(page, site) - before) == 1
    # "save and submit" on an incomplete new form: the draft is saved, the refusal shown on
    # the saved draft's form; a refresh again makes nothing new
    page.goto(site + "/applications/new")
    page.get_by_label("数据知识产权名称").fill("港口吞吐量统计数据集")
    page.get_by_role("button", name="保存并提交").click()
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit$"))
    expect(page.locator(".error-summary")).to_contain_text("申请材料不完整")
    page.reload()
    assert len(_drafts(page, site) - before) == 2


def test_i19_the_error_summary_takes_the_focus_and_links_to_each_field(
    page: Page, site: str, api: Api, shots: Path
) -> None:
    w = api.world()
    sign_in(page, site, w.applicant)
    page.goto(site + "/applications/new")
    page.get_by_label("数据知识产权名称").fill("城市交通拥堵预测数据集")
    page.get_by_role("button", name="保存并提交").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    page.screenshot(path=shots / "i19-error-summary.png")
    for field in ("scope_records", "sample_blobs_files", "industry_code"):
        link = summary.locator(f'a[href="#{field}"]')
        link.click()
        expect(page.locator(f"#{field}")).to_be_focused()
        expect(page.locator(f"#{field}")).to_be_in_viewport()
    # a name the classification does not have: refused on the field, linked to it
    page.locator("#industry_code").fill("公交车")
    page.get_by_role("button", name="保存草稿").click()
    summary.locator('a[href="#industry_code"]').click()
    expect(page.locator("#industry_code")).to_be_focused()
    expect(page.locator("#industry_code")).to_have_value("公交车")
    # the exact name is taken, and shown back with its code
    page.locator("#industry_code").fill("公共电汽车客运")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#flash")).to_be_visible()
    page.get_by_role("link", name="修改登记申请").first.click()
    expect(page.locator("#industry_code")).to_have_value("5411 公共电汽车客运")


def test_i19_the_applicants_home_starts_with_its_applications(
    page: Page, site: str, api: Api, shots: Path
) -> None:
    w = api.world()
    w.submitted(name="城市交通拥堵预测数据集")
    sign_in(page, site, w.applicant)
    button = page.get_by_role("link", name="新建登记申请").first
    expect(button).to_be_in_viewport()  # at the top, no scrolling
    table = page.locator("table.dashboard")
    expect(table).to_contain_text("城市交通拥堵预测数据集")
    expect(table).to_contain_text("待受理")
    expect(table).to_contain_text("由登记机构办理")
    box_button, box_table = button.bounding_box(), table.bounding_box()
    notices = page.locator("#notices").bounding_box()
    assert box_button and box_table and notices
    assert box_button["y"] < box_table["y"] < notices["y"]
    expect(page.locator("table.results").last).to_contain_text("城市交通拥堵预测数据集")
    page.screenshot(path=shots / "i19-dashboard.png", full_page=True)


def test_i19_home_chart_labels_are_at_least_11px(
    page: Page, site: str, api: Api, shots: Path
) -> None:
    w = api.world()
    w.registered()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(site + "/")
        expect(page.locator("svg.chart").first).to_be_visible()
        sizes = page.evaluate(CHART_TEXT_PX)
        assert sizes and min(sizes) >= 11, (width, sizes)
        expect(page.locator("svg.chart").first).to_contain_text("2026年10月")
        page.screenshot(path=shots / f"i19-home-{width}.png", full_page=True)
    icon = page.request.get(site + "/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/vnd.microsoft.icon"
