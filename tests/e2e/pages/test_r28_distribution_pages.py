"""Issue 23 §1–§2 on the portal: the holder declares a source on the registration page, the
source's holder confirms it there (the form shown only to it, only while pending), the holder
records an income and lands on the distribution page with each beneficiary's share, amount
and path; the beneficiary opens its statement page and PDF. The diagram is an inline SVG
(no script)."""

from __future__ import annotations

import re

from tests.e2e.pages.test_applicant_pages import labelled, sign_in
from tests.support.api import Api
from tests.support.visible_text import visible_text


def test_r28_declare_confirm_distribute_and_read_the_statement_on_the_portal(api: Api) -> None:
    wa, wb = api.world(), api.world()
    a = wa.registered(name="城市交通拥堵预测数据集")
    b = wb.registered(name="赤水河流域水质监测数据集")
    api.c.cookies.set("dataip_lang", "zh-CN")
    public = api.c.get(f"/registrations/{a}").text
    assert "act-declare-source" not in public and "该登记尚未声明数据来源" in visible_text(public)
    # the holder declares B as a source (30 %, processing)
    token = sign_in(api, wa.applicant)
    api.c.cookies.set("dataip_lang", "zh-CN")
    page = api.c.get(f"/registrations/{a}").text
    labelled(page)
    assert 'id="act-declare-source"' in page and 'id="act-distribute"' in page
    r = api.c.post(
        f"/registrations/{a}/sources",
        data={
            "csrf_token": token,
            "kind": "registration",
            "number": b,
            "weight": "30",
            "stage": "processing",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(f"/registrations/{a}").text
    assert "<svg" in page and "30% 待确认" in page and "<script" not in page.split("<main")[-1]
    # a refused declaration (a cycle) re-renders the page with the message, nothing changed
    r = api.c.post(
        f"/registrations/{a}/sources",
        data={
            "csrf_token": token,
            "kind": "registration",
            "number": a,
            "weight": "10",
            "stage": "processing",
        },
    )
    assert r.status_code == 409 and "形成循环" in visible_text(r.text)
    # B's holder sees the declaration on B's page and confirms it
    token = sign_in(api, wb.applicant)
    api.c.cookies.set("dataip_lang", "zh-CN")
    page = api.c.get(f"/registrations/{b}").text
    [link] = re.findall(rf'action="/registrations/{a}/sources/(\d+)/confirm"', page)
    r = api.c.post(
        f"/registrations/{a}/sources/{link}/confirm",
        data={"csrf_token": token, "back": b},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    assert "/confirm" not in api.c.get(f"/registrations/{b}").text
    # A's holder records 1,000.00 yuan: A keeps 79 %, B gets 70 % × 30 % = 21 %
    token = sign_in(api, wa.applicant)
    api.c.cookies.set("dataip_lang", "zh-CN")
    r = api.c.post(
        f"/registrations/{a}/distributions",
        data={"csrf_token": token, "income": "1,000.00"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(r.headers["location"]).text
    text = visible_text(page)
    assert "790.00" in text and "210.00" in text and "收益路径" in text
    assert f"{a} → {b}" in text
    # B's holder reads its statement page and PDF
    sign_in(api, wb.applicant)
    api.c.cookies.set("dataip_lang", "zh-CN")
    url = r.headers["location"] + f"/statements/{b}-1"
    text = visible_text(api.c.get(url).text)
    assert "收益分配对账单" in text and "210.00" in text and "盐值" in text
    pdf = api.c.get(url + "/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
