"""The examiner's workbench over HTTP: the queue with due dates, real-name verification, the
defects checklist making ONE consolidated correction notice, refusal with grounds, publicity,
objections and approval — buttons only for `allowed_actions`; a refused action changes
nothing and comes back with its message."""

from __future__ import annotations

import re

from tests.e2e.pages.test_applicant_pages import csrf, labelled, sign_in
from tests.support.api import Api


def version(html: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m
    return m.group(1)


def button(html: str, aid: int, action: str) -> bool:
    return f'action="/workbench/applications/{aid}/actions/{action}"' in html


def test_r8_workbench_lists_the_queue_by_due_date_and_pending_verifications(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.submitted()
    other = api.user("applicant")
    pid = api.party(other, name="待核验数据有限公司")
    ev = api.upload(other, b"licence", "licence.pdf")
    r = api.c.post(
        f"/api/v1/parties/{pid}/verification",
        headers=api.h(other),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    assert r.status_code == 200, r.text
    api.at("2026-10-09 10:00")  # the acceptance was due 8 Oct
    token = sign_in(api, w.examiner)
    page = api.c.get("/workbench")
    assert page.status_code == 200
    labelled(page.text)
    html = page.text
    assert f'href="/workbench/applications/{aid}"' in html and "受理" in html
    assert "2026年10月8日前（已逾期1个工作日）" in html and "已逾期" in html
    assert "待核验数据有限公司" in html and f"/workbench/files/{ev}" in html
    # rejecting without a note is refused and changes nothing
    r = api.c.post(
        f"/workbench/parties/{pid}/decision", data={"csrf_token": token, "decision": "reject"}
    )
    assert r.status_code == 422 and "驳回须说明理由" in r.text
    r = api.c.post(
        f"/workbench/parties/{pid}/decision",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    got = api.c.get(f"/api/v1/parties/{pid}", headers=api.h(other)).json()
    assert got["verification_status"] == "verified"
    assert api.c.get(f"/workbench/files/{ev}").content == b"licence"
    # applicants have no workbench
    sign_in(api, w.applicant)
    assert api.c.get("/workbench").status_code == 403


def test_r9_checklist_makes_one_consolidated_correction_notice(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert button(page, aid, "accept") and not button(page, aid, "publicise")
    assert not button(page, aid, "request_correction")
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/accept",
        data={"csrf_token": token, "version": version(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = api.c.get(f"/workbench/applications/{aid}").text
    labelled(page)
    assert button(page, aid, "request_correction") and button(page, aid, "publicise")
    assert button(page, aid, "refuse") and not button(page, aid, "approve")
    assert "样例数据不符合要求" in page and "待审核" in page
    # nothing ticked: refused, state unchanged, the typed line kept
    bad = api.c.post(
        f"/workbench/applications/{aid}/actions/request_correction",
        data={"csrf_token": token, "version": version(page), "extra_defects": "  "},
    )
    assert bad.status_code == 422 and "缺少必填项" in bad.text
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/request_correction",
        data={
            "csrf_token": token,
            "version": version(page),
            "defect": ["std:sample_blobs", "std:processing_rules", "std:bogus"],
            "extra_defects": "补充数据字典\n\n",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    read = api.get(w.applicant, aid).json()
    assert read["state"] == "awaiting_correction"
    inbox = api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
    notices = [n for n in inbox if n["kind"] == "correction_notice"]
    assert len(notices) == 1
    defects = notices[0]["body"]["defects"]
    assert [d["zh"] for d in defects] == [
        "样例数据不符合要求（如含未脱敏个人信息）",
        "数据处理规则或算法说明不充分",
        "补充数据字典",
    ]
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "补正" in page and "前（剩余" in page  # the applicant's 7 working days
    assert not button(page, aid, "request_correction")


def test_r13_refusal_names_its_grounds(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/refuse",
        data={"csrf_token": token, "version": version(page), "reason": "未存证"},
    )
    assert r.status_code == 422 and "不予登记须说明理由" in r.text and "未存证" in r.text
    assert api.get(w.applicant, aid).json()["state"] == "submitted"
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/refuse",
        data={"csrf_token": token, "version": version(page), "reason": "未存证", "grounds": ["4"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    out = api.get(w.applicant, aid).json()
    assert out["state"] == "refused" and out["grounds"] == [4]
    sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert "不予登记决定书" in page and "登记前未进行数据存证或公证" in page


def test_r10_r11_publicity_objection_and_approval_from_the_workbench(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/publicise",
        data={"csrf_token": token, "version": version(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "公示中" in page and "公示期" in page and not button(page, aid, "approve")
    # no approve button yet; a forged post is refused with the reason and changes nothing
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/approve",
        data={"csrf_token": token, "version": str(api.get(w.examiner, aid).json()["version"])},
    )
    assert r.status_code == 409 and "公示期尚未届满" in r.text
    who, pid, ev = w.objector()
    api.ok(
        who, aid, "file_objection", objector_party_id=pid, statement="权属争议", evidence_blobs=[ev]
    )
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "权属争议" in page and button(page, aid, "notify_objection")
    api.c.post(
        f"/workbench/applications/{aid}/actions/notify_objection",
        data={"csrf_token": token, "version": version(page)},
    )
    # the applicant answers on their page
    app_token = sign_in(api, w.applicant)
    mine = api.c.get(f"/applications/{aid}").text
    assert "异议通知书" in mine and 'name="statement"' in mine
    r = api.c.post(
        f"/applications/{aid}/actions/answer_objection",
        data={"csrf_token": app_token, "version": version(mine), "statement": "数据自行采集"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "数据自行采集" in page and button(page, aid, "decide_objection")
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/decide_objection",
        data={
            "csrf_token": token,
            "version": version(page),
            "outcome": "keep",
            "reason": "异议不成立",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert api.get(w.examiner, aid).json()["state"] == "publicised"
    api.at("2026-10-13 09:00")
    token = sign_in(api, w.examiner)  # a page session lasts 12 hours
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert button(page, aid, "approve")
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/approve",
        data={"csrf_token": token, "version": version(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "登记成功" in page and "/registrations/" in page
    assert api.c.post(f"/workbench/applications/{aid}/actions/approve", data={}).status_code == 403
    assert csrf(page)


def test_r16_the_approval_form_names_a_later_announcement_date(api: Api) -> None:
    """G§16: the examiner approves on the registration date and may name a later
    announcement date (a weekly bulletin) in the form, as the API allows."""
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    api.at("2026-10-13 09:00")
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert 'name="announcement_date"' in page and 'min="2026-10-13"' in page
    assert 'max="2026-11-12"' in page and "公告日期（可选）" in page
    # too late: refused with the reason, the date typed kept, nothing decided
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/approve",
        data={"csrf_token": token, "version": version(page), "announcement_date": "2026-12-31"},
    )
    assert r.status_code == 422 and "公告日期须为今日起30日内的日期" in r.text
    assert 'value="2026-12-31"' in r.text
    assert api.get(w.examiner, aid).json()["state"] == "publicised"
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/approve",
        data={"csrf_token": token, "version": version(page), "announcement_date": "2026-10-20"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    reg = api.get(w.examiner, aid).json()["registration"]
    assert reg["registration_date"] == "2026-10-13" and reg["announcement_date"] == "2026-10-20"
