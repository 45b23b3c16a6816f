"""Issue 20 §6: the holder answers a bank's pledge proposal on the registration page — the
proposal is listed (bank, amount, contract date, loan reference, lapse date) with confirm and
decline forms, only for the holders and only while it awaits them; confirming files the
pledge. The public page shows neither the proposal nor the forms; it shows the pledge's
中登网 number once the bank records it."""

from __future__ import annotations

from tests.e2e.api.test_i20_bank_pledges import ZDW, Bank
from tests.e2e.pages.test_applicant_pages import labelled, sign_in
from tests.support.api import Api
from tests.support.visible_text import visible_text


def test_i20_holder_confirms_a_banks_pledge_on_the_registration_page(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    bank = Bank(api)
    proposal = bank.propose(number).json()
    api.c.cookies.set("dataip_lang", "zh-CN")
    public = api.c.get(f"/registrations/{number}").text
    assert proposal["number"] not in public and "act-confirm_pledge" not in public
    token = sign_in(api, w.applicant)
    api.c.cookies.set("dataip_lang", "zh-CN")
    page = api.c.get(f"/registrations/{number}").text
    labelled(page)
    text = visible_text(page)
    assert "银行提出的质押备案申请" in text and proposal["number"] in text
    assert "5000000.00" in text and "贷2026-0042" in text
    assert 'id="act-confirm_pledge"' in page and 'id="act-decline_pledge"' in page
    version = api.reg(w.applicant, number).json()["version"]
    r = api.c.post(
        f"/registrations/{number}/actions/confirm_pledge",
        data={"csrf_token": token, "version": str(version), "proposal_number": proposal["number"]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(f"/registrations/{number}").text
    assert 'id="act-confirm_pledge"' not in page and "银行提出的质押备案申请" not in page
    [f] = api.reg(None, number).json()["filings"]
    assert f["proposal_number"] == proposal["number"]
    r = bank.post(number, f"/{f['number']}/reference", {"zdw_reference": ZDW})
    assert r.status_code == 200, r.text
    api.c.cookies.clear()
    api.c.cookies.set("dataip_lang", "zh-CN")
    text = visible_text(api.c.get(f"/registrations/{number}").text)
    assert ZDW in text and "中登网登记证明编号" in text
    # the pledge's announcement names the proposal; the enforcement's says how, in words
    r = bank.post(
        number,
        f"/{f['number']}/enforcement",
        {"method": "auction", "enforced_on": "2026-10-20", "amount_realised_fen": 1},
    )
    assert r.status_code == 200, r.text
    pledge_ann, enforced_ann = api.reg(None, number).json()["announcements"][-2:]
    assert (pledge_ann["kind"], enforced_ann["kind"]) == ("pledge", "pledge_enforcement")
    text = visible_text(api.c.get(f"/announcements/{pledge_ann['number']}").text)
    assert "质押申请编号" in text and proposal["number"] in text
    text = visible_text(api.c.get(f"/announcements/{enforced_ann['number']}").text)
    assert enforced_ann["title_zh"].startswith("质权实现公告")
    assert "质权实现方式" in text and "拍卖" in text and "auction" not in text
    assert "质权已实现" in visible_text(api.c.get(f"/registrations/{number}").text)
