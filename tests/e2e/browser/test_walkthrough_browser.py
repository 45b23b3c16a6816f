"""Issue 8 in a real browser: an applicant signs up under their real name, an examiner
verifies it, the applicant files every R5 item, the examiner asks for a correction, the
applicant corrects, the examiner publicises and — after the publicity period on the test
clock — approves; the public finds the registration and downloads its certificate.
A screenshot of each step goes to the test output directory."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.support.api import Api, make_uscc

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)


def sign_in(page: Page, site: str, username: str) -> None:
    page.goto(site + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-word-1")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("我的登记")


def test_issue8_sign_up_apply_correct_publicise_approve_find_download(
    page: Page, browser: Browser, site: str, api: Api, shots: Path, tmp_path: Path
) -> None:
    api.at("2026-09-28 10:00")
    examiner_name = api.user("examiner")
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(b"%PDF-1.7 business licence scan")
    sample = tmp_path / "sample.csv"
    sample.write_bytes(b"road,hour,speed\nA1,08,42\n")

    # 1. sign up with real-name details
    page.goto(site + "/signup")
    page.get_by_label("用户名").fill("gz-traffic")
    page.get_by_label("显示名称").fill("贵阳交通数据")
    page.get_by_label("密码（至少8个字符）").fill("pass-word-1")
    page.get_by_label("再次输入密码").fill("pass-word-1")
    page.get_by_label("名称（与营业执照或身份证件一致）").fill("贵阳交通数据科技有限公司")
    page.get_by_label("统一社会信用代码或居民身份证号码").fill(make_uscc(8080))
    page.get_by_label("地址").fill("贵阳市观山湖区")
    page.get_by_label("核验材料").set_input_files(str(licence))
    page.screenshot(path=shots / "01-signup.png", full_page=True)
    page.get_by_role("button", name="注册").click()
    expect(page.locator("h1")).to_have_text("我的申请")
    expect(page.get_by_text("待核验")).to_be_visible()
    page.screenshot(path=shots / "02-signed-up.png", full_page=True)

    # 2. the examiner confirms the real name on the workbench
    desk = browser.new_context().new_page()
    sign_in(desk, site, examiner_name)
    desk.get_by_role("link", name="审查工作台").first.click()
    desk.get_by_role("button", name="核验通过").click()
    expect(desk.get_by_text("贵阳交通数据科技有限公司")).to_have_count(0)
    desk.screenshot(path=shots / "03-verified.png", full_page=True)

    # 3. the applicant files every R5 item and submits
    page.goto(site + "/applications/new")
    page.get_by_label("数据知识产权名称").fill("城市交通拥堵预测数据集")
    page.get_by_label("所属行业小类").fill("5411")
    page.locator("#scenarios_transport").check()
    page.locator("#practical_values_dispatch_decision").check()
    page.get_by_label("实用价值说明").fill("支撑交通调度决策")
    page.get_by_label("智力成果属性").fill("多源数据融合与清洗规则")
    page.locator("#source_kinds_enterprise").check()
    page.locator("#acquisition_methods_self_generated").check()
    page.get_by_label("数据处理规则或算法说明").fill("清洗、标注、质量校验")
    page.get_by_label("覆盖范围").fill("贵阳市")
    page.get_by_label("数据记录数").fill("1000")
    page.get_by_label("更新频率").select_option("daily")
    page.get_by_label("更新期限说明").fill("持续更新")
    page.get_by_label("存证平台").fill("贵州数据知识产权存证平台")
    page.get_by_label("存证证书编号").fill("GZ-001")
    page.get_by_label("存证哈希值").fill("ab" * 32)
    page.get_by_label("存证或公证日期").fill("2026-09-01")
    page.locator("#sample_blobs_files").set_input_files(str(sample))
    page.locator("#data_formats_csv").check()
    page.get_by_label("本人签署此承诺声明").check()
    page.screenshot(path=shots / "04-form.png", full_page=True)
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator(".facts .badge").first).to_have_text("待受理")
    expect(page.get_by_text("登记申请回执")).to_be_visible()
    page.screenshot(path=shots / "05-submitted.png", full_page=True)
    detail = page.url

    # 4. the examiner accepts and sends one consolidated correction notice
    desk.goto(site + "/workbench")
    desk.get_by_role("link", name="城市交通拥堵预测数据集").first.click()
    desk.get_by_role("button", name="受理").click()
    expect(desk.locator(".facts .badge").first).to_have_text("待审核")
    desk.get_by_label("数据处理规则或算法说明不充分").check()
    desk.get_by_label("其他需补正事项（每行一项）").fill("补充数据字典")
    desk.screenshot(path=shots / "06-checklist.png", full_page=True)
    desk.get_by_role("button", name="发出补正通知").click()
    expect(desk.locator(".facts .badge").first).to_have_text("待补正")

    # 5. the applicant answers the correction notice (补正)
    page.goto(detail)
    expect(page.get_by_text("补充数据字典").first).to_be_visible()
    expect(page.get_by_text("2026年10月13日前（剩余").first).to_be_visible()
    page.screenshot(path=shots / "07-correction-notice.png", full_page=True)
    page.get_by_role("link", name="答复补正通知").click()
    page.get_by_label("数据处理规则或算法说明").fill("清洗、标注、质量校验；数据字典见样例表头")
    page.get_by_label("补正说明（选填）").fill("已补充数据字典")
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator(".facts .badge").first).to_have_text("待审核")
    page.screenshot(path=shots / "08-corrected.png", full_page=True)

    # 6. the examiner publicises
    desk.reload()
    desk.get_by_role("button", name="公示", exact=True).click()
    expect(desk.locator(".facts .badge").first).to_have_text("公示中")
    expect(desk.get_by_role("button", name="核准登记")).to_have_count(0)
    desk.screenshot(path=shots / "09-publicised.png", full_page=True)
    workbench_page = desk.url

    # 7. after the publicity period (test clock), the examiner approves
    api.at("2026-10-13 09:00")
    sign_in(desk, site, examiner_name)  # a page session lasts 12 hours
    desk.goto(workbench_page)
    desk.get_by_role("button", name="核准登记").click()
    expect(desk.locator(".facts .badge").first).to_have_text("登记成功")
    desk.screenshot(path=shots / "10-approved.png", full_page=True)
    number = desk.locator(".facts a[href^='/registrations/']").first.inner_text()

    # 8. the public finds it and downloads the certificate
    public = browser.new_context().new_page()
    public.goto(site + "/")
    public.get_by_label("搜索公告").fill("交通")
    public.get_by_role("button", name="搜索").first.click()
    public.get_by_role("link", name=number).first.click()
    expect(public.locator("h1")).to_have_text("城市交通拥堵预测数据集")
    public.screenshot(path=shots / "11-public-record.png", full_page=True)
    with public.expect_download() as download:
        public.get_by_role("link", name="下载证书 (PDF)").click()
    pdf = shots / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
