"""The applicant's portal over HTTP: sign-up with real-name details, the R5 form as a page
(validated by the API's schema), save and submit, the detail page with history, notices and
due dates, the correction reply (补正); errors re-render the form with the input kept and
change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dataip.bootstrap import Registry
from tests.support.api import Api, make_resident_id, make_uscc

SAMPLE = ("sample.csv", b"road,speed\nA1,42\n", "text/csv")


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the form carries a CSRF token"
    return m.group(1)


def sign_in(api: Api, username: str) -> str:
    """Sign in through the form; returns the forms' CSRF token for the new session (the
    token is bound to the session and changes at sign-in: issue 18)."""
    token = csrf(api.c.get("/login").text)
    r = api.c.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf(api.c.get("/portal").text)


def complete_fields(token: str, party: int, **over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "csrf_token": token,
        "applicant_party_0": str(party),
        "applicant_share_0": "100",
        "name": "城市交通拥堵预测数据集",
        "industry_code": "5411",
        "scenarios": ["transport"],
        "practical_values": ["dispatch_decision"],
        "practical_values_description": "支撑交通调度决策",
        "intellectual_achievement": "多源数据融合与清洗规则",
        "source_kinds": ["enterprise"],
        "acquisition_methods": ["self_generated"],
        "processing_rules": "清洗、标注、质量校验",
        "scope_coverage": "贵阳市",
        "scope_records": "1000",
        "update_frequency": "daily",
        "update_term": "持续更新",
        "evidence_platform": "贵州数据知识产权存证平台",
        "evidence_certificate_number": "GZ-001",
        "evidence_hash_value": "ab" * 32,
        "evidence_evidenced_on": "2026-09-01",
        "data_formats": ["csv"],
        "commitment_accepted": "yes",
        "op": "submit",
    }
    fields.update(over)
    return fields


def labelled(html: str) -> None:
    for field in re.finditer(r"<(input|textarea|select)\b([^>]*)>", html):
        attrs = field.group(2)
        if 'type="hidden"' in attrs:
            continue
        ident = re.search(r'id="([^"]+)"', attrs)
        assert ident, attrs
        assert f'for="{ident.group(1)}"' in html, ident.group(1)


def app_id_of(r: Any) -> int:
    assert r.status_code == 303, r.text[:2000]
    m = re.fullmatch(r"/applications/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def test_r1_sign_up_with_real_name_details_awaits_verification(api: Api) -> None:
    page = api.c.get("/signup")
    assert page.status_code == 200 and "实名" in page.text
    labelled(page.text)
    token = csrf(page.text)
    fields = {
        "csrf_token": token,
        "username": "gz-data",
        "display_name": "贵州数据科技",
        "password": "pass-word-1",
        "password_again": "pass-word-1",
        "role": "applicant",
        "party_kind": "legal_person",
        "party_name": "贵州数据科技有限公司",
        "party_id_number": "91520115ABCDEFGH1X",  # bad check digit
        "party_address": "贵阳市观山湖区",
        "verification_method": "business_licence",
    }
    files = {"verification_file": ("licence.pdf", b"%PDF-1.7 licence", "application/pdf")}
    bad = api.c.post("/signup", data=fields, files=files)
    assert bad.status_code == 400 and "统一社会信用代码" in bad.text
    assert 'value="gz-data"' in bad.text and "贵州数据科技有限公司" in bad.text  # input kept
    # nothing was created: the user name is still free
    r = api.c.post("/api/v1/auth/token", json={"username": "gz-data", "password": "pass-word-1"})
    assert r.status_code == 401
    mismatch = api.c.post("/signup", data={**fields, "password_again": "other-pass"}, files=files)
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    ok = api.c.post(
        "/signup",
        data={**fields, "party_id_number": make_uscc(4242)},
        files=files,
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/applications")
    assert "dataip_session=" in ok.headers["set-cookie"]
    mine = api.c.get("/applications")
    assert "贵州数据科技有限公司" in mine.text and "待核验" in mine.text
    assert api.c.post("/signup", data={**fields, "csrf_token": "x"}).status_code == 403


def test_r5_form_page_has_every_item_and_submits_through_the_api_schema(api: Api) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    form = api.c.get("/applications/new")
    assert form.status_code == 200
    labelled(form.text)
    html = form.text
    for name in (
        "name", "industry_code", "scenarios", "practical_values", "practical_values_description",
        "intellectual_achievement", "source_kinds", "acquisition_methods", "agreement_end_date",
        "source_proof_blobs_files", "processing_rules", "anonymisation", "scope_coverage",
        "scope_records", "scope_bytes", "update_frequency", "update_term", "evidence_platform",
        "evidence_certificate_number", "evidence_hash_value", "evidence_notary_body",
        "evidence_notarial_certificate_number", "evidence_evidenced_on", "sample_blobs_files",
        "data_formats", "other_notes", "commitment_accepted", "applicant_share_1",
        "applicant_bounds_1",
    ):  # fmt: skip
        assert f'name="{name}"' in html, name
    assert '<option value="5411 公共电汽车客运"></option>' in html  # GB/T 4754 picker
    assert "每个不超过 20 MB" in html  # the upload limit is shown
    # save an incomplete draft
    draft = api.c.post(
        "/applications/new",
        data={"csrf_token": token, "applicant_party_0": str(w.party), "name": "交通", "op": "save"},
        follow_redirects=False,
    )
    aid = app_id_of(draft)
    page = api.c.get(f"/applications/{aid}")
    assert "草稿" in page.text and "创建草稿" in page.text
    # submitting the incomplete draft: every defect at once, input kept, still a draft
    edit = api.c.get(f"/applications/{aid}/edit").text
    r = api.c.post(
        f"/applications/{aid}/edit",
        data={
            "csrf_token": token,
            "version": re.search(r'name="version" value="(\d+)"', edit).group(1),  # type: ignore[union-attr]
            "applicant_party_0": str(w.party),
            "name": "交通",
            "op": "submit",
        },
    )
    # (the draft was saved, its submission refused: 303 to the saved draft's form — PRG)
    assert r.status_code == 200 and r.url.path == f"/applications/{aid}/edit"
    assert "申请材料不完整" in r.text and "请上传样例数据" in r.text and 'value="交通"' in r.text
    assert 'href="#sample_blobs_files"' in r.text  # the summary links to the field
    assert api.get(w.applicant, aid).json()["state"] == "draft"
    # an impossible share is the page's own message, not a 500
    r = api.c.post(
        f"/applications/{aid}/edit",
        data=complete_fields(token, w.party, applicant_share_0="abc"),
        files={"sample_blobs_files": SAMPLE},
    )
    assert r.status_code == 422 and "份额" in r.text
    # complete and submit with an uploaded sample
    r = api.c.post(
        f"/applications/{aid}/edit",
        data=complete_fields(token, w.party),
        files={"sample_blobs_files": SAMPLE},
        follow_redirects=False,
    )
    assert app_id_of(r) == aid
    read = api.get(w.applicant, aid).json()
    assert read["state"] == "submitted" and len(read["form"]["sample_blobs"]) == 1
    assert read["form"]["scope"]["records"] == 1000  # coerced by the API's schema
    page = api.c.get(f"/applications/{aid}").text
    assert "待受理" in page and read["application_number"] in page
    assert "提交登记申请" in page and "登记申请回执" in page  # history and the served notice
    assert "前（剩余" in page  # the registry's acceptance deadline with working days left
    assert "5411 公共电汽车客运" in page


def test_r9_correction_reply_answers_the_consolidated_notice(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    api.ok(w.examiner, aid, "accept")
    api.ok(
        w.examiner,
        aid,
        "request_correction",
        defects=[{"field": "processing_rules", "zh": "补充清洗规则说明", "en": "explain cleaning"}],
    )
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert "待补正" in page and "补正通知书" in page and "补充清洗规则说明" in page
    assert "剩余" in page and "个工作日" in page
    edit = api.c.get(f"/applications/{aid}/edit").text
    assert "补充清洗规则说明" in edit and 'name="note"' in edit
    assert 'name="applicant_party_0"' not in edit  # applicants are fixed during a correction
    labelled(edit)
    read = api.get(w.applicant, aid).json()
    sample = read["form"]["sample_blobs"][0]
    fields = complete_fields(
        token,
        w.party,
        processing_rules="清洗、标注、质量校验；缺失值插补规则见附件",
        sample_blobs=[sample],
        note="已补充清洗规则",
        version=str(read["version"]),
    )
    stale = api.c.post(f"/applications/{aid}/edit", data={**fields, "version": "1"})
    assert stale.status_code == 412 and "请刷新后重试" in stale.text
    r = api.c.post(f"/applications/{aid}/edit", data=fields, follow_redirects=False)
    assert app_id_of(r) == aid
    after = api.get(w.applicant, aid).json()
    assert after["state"] == "under_examination"
    assert "缺失值插补" in after["form"]["processing_rules"]


def test_holder_actions_check_csrf_and_a_failed_action_changes_nothing(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert "撤回申请" in page and f'action="/applications/{aid}/actions/submit"' not in page
    r = api.c.post(f"/applications/{aid}/actions/withdraw", data={"reason": "x"})
    assert r.status_code == 403
    r = api.c.post(
        f"/applications/{aid}/actions/withdraw", data={"csrf_token": token, "reason": " "}
    )
    assert r.status_code == 422 and "缺少必填项" in r.text
    r = api.c.post(f"/applications/{aid}/actions/approve", data={"csrf_token": token})
    assert r.status_code == 403
    assert api.get(w.applicant, aid).json()["state"] == "submitted"
    r = api.c.post(
        f"/applications/{aid}/actions/withdraw",
        data={"csrf_token": token, "reason": "数据范围调整"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "主动撤回" in api.c.get(f"/applications/{aid}").text
    # someone else's application is not there at all
    other = api.user("applicant")
    sign_in(api, other)
    assert api.c.get(f"/applications/{aid}").status_code == 404
    assert api.c.get("/applications/new").status_code == 200
    api.c.cookies.clear()
    assert api.c.get("/applications", follow_redirects=False).status_code == 303


def test_an_upload_over_the_limit_keeps_what_was_typed(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    monkeypatch.setattr(registry.env, "max_blob_bytes", 8)
    r = api.c.post(
        "/applications/new",
        data=complete_fields(token, w.party, name="电力负荷预测数据集"),
        files={"sample_blobs_files": SAMPLE},
    )
    assert r.status_code == 413 and "文件超过" in r.text
    assert 'value="电力负荷预测数据集"' in r.text and "支撑交通调度决策" in r.text
    assert api.c.get("/api/v1/applications", headers=api.h(w.applicant)).json()["items"] == []


def test_i18_the_form_names_a_joint_applicant_by_its_number_and_keeps_it_on_edit(
    api: Api,
) -> None:
    """Issue 18: the joint-applicant field took an internal party number (and the answer
    showed whoever that was). It takes the credit code or resident ID number of a verified
    party; the page shows the number (a resident ID masked) until that party consents, and
    a save that leaves the row as shown keeps the applicant."""
    w = api.world()
    bob = api.user("applicant")
    number = make_resident_id("520102", "19851201", 42)
    bp = api.party(
        bob, kind="natural_person", name="王小明", id_number=number, verify_by=w.examiner
    )
    masked = number[:6] + "*" * 8 + number[-4:]
    token = sign_in(api, w.applicant)
    joint = {
        "applicant_share_0": "60",
        "applicant_bounds_0": "负责采集",
        "applicant_party_1": number,
        "applicant_share_1": "40",
        "applicant_bounds_1": "负责加工",
        "op": "save",
    }
    # an internal number in the joint row is not a way to name anyone
    bad = api.c.post(
        "/applications/new",
        data=complete_fields(token, w.party, **{**joint, "applicant_party_1": str(bp)}),
        files={"sample_blobs_files": SAMPLE},
    )
    assert bad.status_code == 422 and "请填写有效的统一社会信用代码或居民身份证号码" in bad.text
    assert "王小明" not in bad.text
    r = api.c.post(
        "/applications/new",
        data=complete_fields(token, w.party, **joint),
        files={"sample_blobs_files": SAMPLE},
        follow_redirects=False,
    )
    aid = app_id_of(r)
    edit = api.c.get(f"/applications/{aid}/edit")
    labelled(edit.text)
    assert f'value="{masked}"' in edit.text and "待该申请人确认" in edit.text
    assert "王小明" not in edit.text and number not in edit.text
    page = api.c.get(f"/applications/{aid}")
    assert f"待共同申请人确认：{masked}" in page.text and "王小明" not in page.text
    # saved again as shown (the masked number untouched): the same joint applicant stays
    version = re.search(r'name="version" value="(\d+)"', edit.text)
    assert version
    again = api.c.post(
        f"/applications/{aid}/edit",
        data=complete_fields(
            token,
            w.party,
            **{**joint, "applicant_party_1": masked, "version": version.group(1)},
        ),
        follow_redirects=False,
    )
    assert again.status_code == 303, again.text[-2000:]
    applicants = api.get(w.applicant, aid).json()["applicants"]
    assert [(a["party_id"], a["share_bp"]) for a in applicants] == [(w.party, 6000), (bp, 4000)]
    # once Bob consents, his name shows on the filer's pages
    read = api.get(bob, aid)
    r = api.c.post(
        f"/api/v1/applications/{aid}/consent",
        headers={**api.h(bob), "If-Match": read.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    assert "王小明" in api.c.get(f"/applications/{aid}/edit").text
