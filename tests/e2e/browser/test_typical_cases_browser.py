"""JS25§10 in Chromium on the demo registry: the public reads the typical cases from the
statistics page (zh first, English second), each linked to its registration and its year's
annual report; an examiner finds the page from the workbench, is refused a case text that
names a phone number (nothing saved, the error box links to the field), adds one and removes
it. The text Chromium renders carries no raw code."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from dataip.bootstrap import Registry
from dataip.services import demo
from dataip.services.context import Env
from dataip.services.value import statistics_demo, typical_cases
from tests.support import demo_world
from tests.support.visible_text import raw_codes

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)
from .test_i19_labels_browser import shown


def test_js25_10_typical_cases_page_public_and_registry(
    page: Page, site: str, registry: Registry, shots: Path
) -> None:
    demo_world.populate(registry.env)
    env = registry.env

    page.goto(site + "/statistics")
    page.get_by_role("link", name="典型案例").first.click()
    expect(page).to_have_url(site + "/typical-cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("典型案例")
    case = page.locator("article", has_text=statistics_demo.CASE_TITLE)
    expect(case).to_have_count(1)
    expect(case.get_by_role("link").first).to_have_attribute(
        "href", f"/registrations/{typical_cases.cases(env=env)[0]['registration_number']}"
    )
    expect(page.get_by_role("link", name="年度报告").first).to_be_visible()
    assert not page.get_by_role("button", name="移除该典型案例").count()  # public: no forms
    text = shown(page)
    assert not raw_codes(text), raw_codes(text)
    page.screenshot(path=shots / "1-typical-cases-zh.png", full_page=True)

    page.goto(site + "/typical-cases?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Typical cases")
    expect(page.locator("article", has_text=statistics_demo.CASE_TITLE)).to_have_count(1)
    page.goto(site + "/typical-cases?lang=zh-CN")

    page.goto(site + "/login")
    page.get_by_label("用户名").fill("examiner")
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(site + "/login")
    page.goto(site + "/workbench")
    page.get_by_role("link", name="典型案例").click()
    number = next(r for r in demo_numbers(env) if r not in listed(env))

    form = page.locator("form[action='/typical-cases']")
    form.get_by_label("登记号").fill(number)
    form.get_by_label("标题").fill("公共交通数据授权运营")
    form.get_by_label("案例说明").fill("联系人电话 13812345678，欢迎咨询。")
    form.get_by_role("button", name="添加该典型案例").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("个人信息")
    assert len(typical_cases.cases(env=env)) == 1  # refused: nothing saved
    expect(form.get_by_label("案例说明")).to_have_value("联系人电话 13812345678，欢迎咨询。")

    form.get_by_label("案例说明").fill("持有人以公共交通数据开展授权运营，形成稳定收益。")
    form.get_by_role("button", name="添加该典型案例").click()
    added = page.locator("article", has_text="公共交通数据授权运营")
    expect(added).to_have_count(1)
    assert len(typical_cases.cases(env=env)) == 2
    text = shown(page)
    assert not raw_codes(text), raw_codes(text)
    page.screenshot(path=shots / "2-typical-case-added.png", full_page=True)

    added.get_by_role("button", name="移除该典型案例").click()
    expect(page.locator("article", has_text="公共交通数据授权运营")).to_have_count(0)
    assert [c["title"] for c in typical_cases.cases(env=env)] == [statistics_demo.CASE_TITLE]


def listed(env: Env) -> set[str]:
    return {c["registration_number"] for c in typical_cases.cases(env=env)}


def demo_numbers(env: Env) -> list[str]:
    with env.read() as uow:
        return [r.registration_number for r in uow.registrations.page(limit=50)]
