"""R23/R24 in a real browser: the public finds a registration through the search, opens its
record, downloads the certificate and verifies it on the /verify page; every public page is
usable at 375 px. Screenshots of each step go to the test output directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dataip.bootstrap import Registry
from dataip.services import certificates, ledger
from tests.support.api import Api
from tests.support.certificates import joint_registered, scan

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)


def test_r23_r24_public_search_record_certificate_and_verification(
    page: Page, site: str, api: Api, registry: Registry, shots: Path
) -> None:
    w = api.world()
    number = w.registered()
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text

    page.goto(site + "/")
    expect(page.locator("h1")).to_have_text("数据知识产权登记")
    page.screenshot(path=shots / "1-home.png", full_page=True)

    page.get_by_label("搜索公告").fill("交通")
    page.get_by_role("button", name="搜索").first.click()
    expect(page).to_have_url(f"{site}/announcements?q=%E4%BA%A4%E9%80%9A")
    page.screenshot(path=shots / "2-search.png", full_page=True)
    page.get_by_role("link", name=number).first.click()
    expect(page.locator("h1")).to_have_text("城市交通拥堵预测数据集")
    expect(page.get_by_text("有效", exact=True).first).to_be_visible()
    page.screenshot(path=shots / "3-record.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载证书 (PDF)").click()
    pdf = shots / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="验证此证书").click()
    page.get_by_label("可验证凭证（VC-JWT 或双签名 JSON）").fill(token)
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("status")).to_contain_text("证书真实；当前状态：有效")
    page.screenshot(path=shots / "4-verified-token.png", full_page=True)

    page.goto(site + "/verify")
    page.get_by_label(
        "或上传证书文件：证书 PDF 或其电子凭证（.vc.jwt），不超过 5 MB"
    ).set_input_files(str(pdf))
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("status")).to_contain_text("证书真实")
    page.screenshot(path=shots / "5-verified-pdf.png", full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Verify a certificate")


@pytest.mark.parametrize("path", ["/", "/announcements", "/verify", "/log", "/login", "/signup"])
def test_r23_each_public_page_is_usable_at_375px(
    page: Page, site: str, api: Api, shots: Path, path: str
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site + path)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=shots / f"375{path.replace('/', '_') or '_home'}.png", full_page=True)
    assert overflow <= 375, f"{path} scrolls sideways at 375 px ({overflow} px wide)"
    # keyboard: the first Tab reaches the skip link, which is then visible
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()


@pytest.mark.needs("poppler")
def test_r24_a_phone_scanning_the_printed_qr_code_lands_on_the_answer(
    page: Page, site: str, api: Api, registry: Registry, shots: Path, tmp_path: Path
) -> None:
    """The QR code read from the certificate printed at 150 dpi opens /verify on a 375 px
    screen: the answer (authentic, current status and when it was checked) comes first, with
    the particulars to compare with the paper; nothing scrolls sideways."""
    number, holders = joint_registered(
        api, name="贵州省城市交通拥堵预测与出行服务数据资源", holders=3, natural=1
    )
    pdf = api.c.get(f"/registrations/{number}/certificate.pdf").content
    link = scan(pdf, tmp_path)
    issuer = registry.env.certificate_keys.issuer_id
    assert link.startswith(f"{issuer}/verify?c=")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site + link.removeprefix(issuer))
    answer = page.get_by_role("status")
    expect(answer).to_contain_text("证书真实；当前状态：有效")
    expect(answer).to_contain_text("已向本登记机构在线核验状态")
    expect(answer).to_contain_text(number)
    for who in holders:
        expect(answer).to_contain_text(who)
    first = page.evaluate(
        "document.querySelector('.result').getBoundingClientRect().top"
        " < document.querySelector('form').getBoundingClientRect().top"
    )
    assert first, "the answer comes before the form"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=shots / "qr-landing-375.png", full_page=True)
