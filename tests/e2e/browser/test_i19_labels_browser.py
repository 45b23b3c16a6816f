"""Issue 19 §4 and §5 in Chromium: on the demo registry, the examiner opens the workbench,
follows a request after registration from the queue to the registration's decision form and
reads what the change asks, item by item; the public reads an announcement as a labelled
table and a registration with its industry named. The text Chromium renders (code elements
aside) carries no snake_case or CamelCase identifier."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from dataip.bootstrap import Registry
from dataip.services import certificates, demo, ledger
from tests.support import demo_world
from tests.support.visible_text import raw_codes

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)

SHOWN_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('code, pre, kbd, samp, script, style, svg').forEach(e => e.remove());
  body.querySelectorAll('details').forEach(d => d.setAttribute('open', ''));
  document.body.appendChild(body);
  body.style.position = 'absolute';
  const text = body.innerText;
  body.remove();
  return text;
}"""


def shown(page: Page) -> str:
    return str(page.evaluate(SHOWN_TEXT))


def test_i19_demo_in_chromium_examiner_reads_the_request_and_no_raw_codes(
    page: Page, site: str, registry: Registry, shots: Path
) -> None:
    demo_world.populate(registry.env)
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)

    page.goto(site + "/announcements")
    page.locator("table a[href^='/announcements/']").first.click()
    expect(page.get_by_role("table").first).to_contain_text("事项")
    text = shown(page)
    assert not raw_codes(text), raw_codes(text)
    assert "\\u" not in text and "registration_number" not in text
    page.screenshot(path=shots / "1-announcement.png", full_page=True)

    page.goto(site + "/login")
    page.get_by_label("用户名").fill("examiner")
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(site + "/login")

    page.goto(site + "/workbench")
    row = page.locator("tr", has_text="审查变更申请")
    expect(row).to_contain_text("及时办理")
    text = shown(page)
    assert not raw_codes(text), raw_codes(text)
    page.screenshot(path=shots / "2-workbench.png", full_page=True)

    row.get_by_role("link").first.click()
    form = page.locator("#act-decide_request")
    form.locator("summary").click()
    expect(form).to_contain_text("更新周期")
    expect(form).to_contain_text("每日")
    expect(form).to_contain_text("每周")
    expect(form).to_contain_text("数据更新频率由每日调整为每周")
    text = shown(page)
    assert not raw_codes(text), raw_codes(text)
    assert re.search(r"所属行业\s+\d{4} [\u4e00-\u9fff]+", text), "the industry by its name"
    page.screenshot(path=shots / "3-decide-change.png", full_page=True)
