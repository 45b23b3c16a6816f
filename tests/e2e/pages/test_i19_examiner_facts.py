"""Issue 19 §4: the examiner decides with the facts in front of them. The 审查申请事项 form of a
registration shows what each open request asks — a change item by item (as registered → as
requested, labelled) with its reason; a transfer's parties on both sides (names, credit
codes) and its instrument; a revocation's requester, statement and evidence; a
re-examination's contested decision — and every file is shown by its name, size and
screening result, never by a prefix of its digest (examiner's view, objection evidence, the
application form, requests after registration)."""

from __future__ import annotations

import re

from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support.api import Api
from tests.support.visible_text import visible_text


def _form(html: str, action: str) -> str:
    m = re.search(rf'<details class="action"[^>]*id="act-{action}">(.*?)</details>', html, re.S)
    assert m, f"no {action} form"
    return visible_text(m.group(1))


def _no_digests(text: str, shas: list[str]) -> None:
    for sha in shas:
        assert sha[:8] not in text, f"a digest prefix is shown: {sha[:12]}"


def test_r19_change_request_shows_each_item_old_and_new_with_its_reason(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"update": {"frequency": "weekly"}, "processing_rules": "新的清洗与标注规则"},
        reason="数据更新频率由每日调整为每周",
    )
    sign_in(api, w.examiner)
    page = api.c.get(f"/registrations/{number}")
    assert page.status_code == 200
    facts = _form(page.text, "decide_request")
    assert "变更" in facts and "待审查" in facts
    assert "原登记内容" in facts and "申请变更为" in facts
    # each item by its label, registered value then requested value
    assert re.search(r"更新周期\s+每日[^\n]*\n\s*每周", facts), facts
    assert re.search(r"数据处理规则或算法说明\s+清洗、标注、质量校验\s+新的清洗与标注规则", facts)
    assert "数据更新频率由每日调整为每周" in facts
    assert "update" not in facts and "processing_rules" not in facts
    en = _form(api.c.get(f"/registrations/{number}?lang=en").text, "decide_request")
    assert "As registered" in en and "Weekly" in en and "Daily" in en
    # the holder sees its own request the same way in the form that withdraws it
    sign_in(api, w.applicant)
    mine = _form(api.c.get(f"/registrations/{number}?lang=zh-CN").text, "withdraw_request")
    assert "每周" in mine and "数据更新频率由每日调整为每周" in mine


def test_r19_transfer_request_shows_both_parties_and_the_instrument_by_name(api: Api) -> None:
    w = api.world()
    number = w.registered()
    heir = api.user("applicant")
    party = api.party(heir, name="贵阳继受数据有限公司", verify_by=w.examiner)
    instrument = api.upload(heir, b"%PDF-1.7 judgment " * 100, "民事判决书.pdf")
    api.reg_ok(
        heir,
        number,
        "request_transfer",
        transferees=[{"party_id": party, "share_bp": 10_000}],
        basis="court",
        instrument=instrument,
        reason="依生效判决取得",
    )
    sign_in(api, w.examiner)
    html = api.c.get(f"/registrations/{number}").text
    facts = _form(html, "decide_request")
    holder = api.c.get(f"/api/v1/registrations/{number}", headers=api.h(w.examiner)).json()
    for h in holder["holders"]:
        assert h["name"] in facts and h["credit_code"] in facts
    assert "贵阳继受数据有限公司" in facts and api.numbers[party] in facts
    assert "人民法院生效法律文书" in facts and "依生效判决取得" in facts
    assert "民事判决书.pdf" in facts and "KB" in facts and "不作筛查" in facts
    _no_digests(facts, [instrument])
    assert f'href="/workbench/files/{instrument}"' in html
    r = api.c.get(f"/workbench/files/{instrument}")
    assert r.status_code == 200
    assert "filename*=UTF-8''%E6%B0%91%E4%BA%8B" in r.headers["content-disposition"]


def test_r18_revocation_request_shows_the_requester_statement_and_evidence(api: Api) -> None:
    w = api.world()
    number = w.registered()
    who, pid, ev = w.objector()
    api.reg_ok(
        who,
        number,
        "request_revocation",
        party_id=pid,
        statement="登记的数据来源于本人已公开的数据",
        evidence_blobs=[ev],
    )
    sign_in(api, w.examiner)
    facts = _form(api.c.get(f"/registrations/{number}").text, "decide_request")
    assert "撤销" in facts and "李异议" in facts and "自然人" in facts
    assert "登记的数据来源于本人已公开的数据" in facts
    assert "evidence.pdf" in facts and "字节" in facts
    _no_digests(facts, [ev])


def test_r18_re_examination_shows_the_contested_decision(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.reg_ok(w.examiner, number, "revoke", grounds=[1], reason="登记后发现样例数据系他人数据")
    api.reg_ok(w.applicant, number, "request_re_examination", reason="样例数据系本公司采集")
    sign_in(api, w.examiner)
    facts = _form(api.c.get(f"/registrations/{number}").text, "decide_re_examination")
    assert "复审" in facts and "样例数据系本公司采集" in facts
    assert "申请复审的决定" in facts and "撤销" in facts and "依职权作出" in facts
    assert "登记后发现有不予登记情形" in facts and "登记后发现样例数据系他人数据" in facts


def test_r26_examiner_view_and_objection_evidence_show_files_by_name(api: Api) -> None:
    w = api.world()
    sample = api.upload(w.applicant, "时间,车速\n08:00,18.5\n".encode(), "交通样例.csv")
    aid = w.publicised(sample_blobs=[sample])
    who, pid, ev = w.objector()
    r = api.c.post(
        f"/api/v1/applications/{aid}/actions/file_objection",
        headers=api.h(who),
        json={"objector_party_id": pid, "statement": "权属存在争议", "evidence_blobs": [ev]},
    )
    assert r.status_code == 200, r.text
    sign_in(api, w.examiner)
    html = api.c.get(f"/workbench/applications/{aid}").text
    text = visible_text(html)
    assert "交通样例.csv" in text and "evidence.pdf" in text
    assert "字节" in text and "筛查" in text
    _no_digests(text, [sample, ev])
    assert f'href="/workbench/files/{sample}"' in html
    # the applicant's own form names its files the same way
    sign_in(api, w.applicant)
    draft = api.draft(w.applicant, w.party, sample_blobs=[sample])
    form = visible_text(api.c.get(f"/applications/{draft['id']}/edit").text)
    assert "交通样例.csv" in form
    _no_digests(form, [sample])


def test_r19_workbench_queues_requests_after_registration_with_applications(api: Api) -> None:
    """Change, transfer, revocation, re-examination and cancellation requests waiting for the
    registry are rows of the same queue as the applications' tasks, by the day each fell
    due; a request's row opens the form that decides it."""
    w = api.world()
    number = w.registered()  # the clock is at 2026-10-13 09:00
    api.at("2026-10-14 10:00")
    api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"update": {"frequency": "weekly"}},
        reason="更新频率调整",
    )
    api.at("2026-10-15 10:00")
    later = w.submitted(
        name="城市停车泊位预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-002",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )  # acceptance due 2026-10-20
    api.at("2026-10-16 10:00")
    sign_in(api, w.examiner)
    html = api.c.get("/workbench").text
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("</caption>", 1)[1].split("</table>")[0])
    texts = [visible_text(r) for r in rows]
    change = next(i for i, t in enumerate(texts) if "审查变更申请" in t)
    app_row = next(i for i, t in enumerate(texts) if "城市停车泊位预测数据集" in t)
    assert change < app_row  # due since 14 Oct, before the acceptance due on 20 Oct
    assert "登记后事项" in texts[change] and number in texts[change]
    assert "及时办理（2026年10月14日提交，已等待2个工作日）" in texts[change]
    assert "待审查" in texts[change]
    assert f'href="/registrations/{number}#act-decide_request"' in rows[change]
    assert f'href="/workbench/applications/{later}"' in rows[app_row]
    en = api.c.get("/workbench?lang=en").text
    assert "examine the change request" in en and "after registration" in en
    # a re-examination opens the form that decides it
    api.reg_ok(w.examiner, number, "revoke", grounds=[1], reason="登记后发现不予登记情形")
    api.reg_ok(w.applicant, number, "request_re_examination", reason="申请复审")
    html = api.c.get("/workbench?lang=zh-CN").text
    assert f'href="/registrations/{number}#act-decide_re_examination"' in html
    assert "作出复审决定" in html
