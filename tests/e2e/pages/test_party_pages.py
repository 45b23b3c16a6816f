"""Issue 8 over HTTP: subjects with real-name verification (R1), agents' powers of attorney
(R2) and co-applicants' consent (R3, G§5) as pages — the applicant adds and verifies a
subject, the registry decides verifications and powers of attorney from its page, an agent
files a power of attorney and then acts for its principal, a joint applicant consents from
the application's page so the draft can be submitted. Every form is labelled and carries a
CSRF token; a refusal re-renders with the bilingual message and what was typed, and changes
nothing."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.pages.test_applicant_pages import csrf, labelled, sign_in
from tests.support.api import Api, complete_form, make_resident_id, make_uscc

LICENCE = ("licence.pdf", b"%PDF-1.7 licence scan", "application/pdf")
UPLOAD_EVIDENCE = "请上传核验材料"
POA = ("poa.pdf", b"%PDF-1.7 signed power of attorney", "application/pdf")


def party_fields(token: str, **over: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "party_kind": "legal_person",
        "party_name": "黔数科技有限公司",
        "party_id_number": make_uscc(7301),
        "party_address": "贵阳市观山湖区",
        "verification_method": "business_licence",
    } | over


def my_parties(api: Api, who: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/parties", headers=api.h(who))
    assert r.status_code == 200, r.text
    return list(r.json())


def version(html: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m
    return m.group(1)


def test_r1_issue8_a_subject_is_added_and_verified_from_the_pages(api: Api) -> None:
    examiner, applicant = api.user("examiner"), api.user("applicant")
    token = sign_in(api, applicant)
    page = api.c.get("/portal")
    assert 'href="/parties"' in page.text  # from the signed-in home and the navigation
    page = api.c.get("/parties")
    assert page.status_code == 200 and "我的登记主体" in page.text and "尚无登记主体" in page.text
    labelled(page.text)
    # a wrong check character: refused with the bilingual message, input kept, nothing made
    bad = api.c.post(
        "/parties",
        data=party_fields(token, party_id_number="91520115ABCDEFGH1X"),
        files={"verification_file": LICENCE},
    )
    assert bad.status_code == 400 and "统一社会信用代码" in bad.text, bad.text[:2000]
    assert "黔数科技有限公司" in bad.text and 'value="贵阳市观山湖区"' in bad.text
    assert my_parties(api, applicant) == []
    # no document: refused the same way
    bad = api.c.post("/parties", data=party_fields(token))
    assert bad.status_code == 422 and UPLOAD_EVIDENCE in bad.text
    assert my_parties(api, applicant) == []
    ok = api.c.post(
        "/parties",
        data=party_fields(token),
        files={"verification_file": LICENCE},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/parties?added=1"
    # a natural person's resident ID is masked on the list
    rid = make_resident_id(order=77)
    ok = api.c.post(
        "/parties",
        data=party_fields(
            token,
            party_kind="natural_person",
            party_name="张伟",
            party_id_number=rid,
            verification_method="id_document",
        ),
        files={"verification_file": LICENCE},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text[:2000]
    got = {p["name"]: p for p in my_parties(api, applicant)}
    org, person = got["黔数科技有限公司"], got["张伟"]
    assert org["verification_status"] == person["verification_status"] == "pending"
    page = api.c.get("/parties?added=1")
    assert "待核验" in page.text and make_uscc(7301) in page.text
    assert rid not in page.text and rid[:6] + "********" + rid[-4:] in page.text
    assert f'action="/parties/{org["id"]}/verification"' not in page.text  # already pending

    # the registry decides from its page, linked from the workbench
    token = sign_in(api, examiner)
    assert 'href="/examination/parties"' in api.c.get("/workbench").text
    assert api.c.get("/parties", follow_redirects=False).headers["location"] == (
        "/examination/parties"
    )
    page = api.c.get("/examination/parties")
    assert page.status_code == 200 and "黔数科技有限公司" in page.text and rid in page.text
    labelled(page.text)
    # rejecting without a reason is refused and changes nothing
    r = api.c.post(
        f"/examination/parties/{org['id']}/decision",
        data={"csrf_token": token, "decision": "reject"},
    )
    assert r.status_code == 422 and "驳回须说明理由" in r.text
    assert r.text.index(f'id="party-{org["id"]}"') < r.text.index("驳回须说明理由")  # in its row
    assert api.c.get(f"/api/v1/parties/{org['id']}", headers=api.h(examiner)).json()[
        "verification_status"
    ] == ("pending")
    r = api.c.post(
        f"/examination/parties/{org['id']}/decision",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/examination/parties"
    r = api.c.post(
        f"/examination/parties/{person['id']}/decision",
        data={"csrf_token": token, "decision": "reject", "note": "证件照片不清晰"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    # deciding again: refused (409), the message on the page, nothing changes
    r = api.c.post(
        f"/examination/parties/{org['id']}/decision",
        data={"csrf_token": token, "decision": "reject", "note": "改判"},
    )
    assert r.status_code == 409 and "该主体没有待核验的申请" in r.text

    # the applicant sees the outcome, and asks again for the rejected one
    token = sign_in(api, applicant)
    page = api.c.get("/parties")
    assert "已核验" in page.text and "核验未通过" in page.text and "证件照片不清晰" in page.text
    assert f'action="/parties/{person["id"]}/verification"' in page.text
    labelled(page.text)
    r = api.c.post(
        f"/parties/{person['id']}/verification",
        data={"csrf_token": token, "verification_method": "id_document"},
    )
    assert r.status_code == 422 and UPLOAD_EVIDENCE in r.text
    assert {p["name"]: p for p in my_parties(api, applicant)}["张伟"]["verification_status"] == (
        "rejected"
    )
    r = api.c.post(
        f"/parties/{person['id']}/verification",
        data={"csrf_token": token, "verification_method": "face_recognition"},
        files={"verification_file": ("id.jpg", b"clearer scan", "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    got = {p["name"]: p for p in my_parties(api, applicant)}
    assert got["黔数科技有限公司"]["verification_status"] == "verified"
    assert got["张伟"]["verification_status"] == "pending"
    assert got["张伟"]["verification_method"] == "face_recognition"
    # someone else's subject is not found, and nothing changes
    other = api.user("applicant")
    token = sign_in(api, other)
    r = api.c.post(
        f"/parties/{person['id']}/verification",
        data={"csrf_token": token, "verification_method": "id_document"},
        files={"verification_file": LICENCE},
    )
    assert r.status_code == 404 and "登记主体不存在" in r.text
    # applicants have no examination page
    assert api.c.get("/examination/parties").status_code == 403


def test_r2_issue8_an_agent_files_a_power_of_attorney_and_the_registry_accepts_it(
    api: Api,
) -> None:
    w = api.world()
    agent = api.user("agent")
    payload = {
        "form": complete_form(sample=api.upload(agent)),
        "applicants": [{"party_id": w.party}],
    }
    token = sign_in(api, agent)
    assert 'href="/authorisations"' in api.c.get("/portal").text
    page = api.c.get("/authorisations")
    assert page.status_code == 200 and "提交授权委托书" in page.text
    labelled(page.text)
    # no principal, no document: refused with the items
    r = api.c.post("/authorisations", data={"csrf_token": token, "principal": ""})
    assert (
        r.status_code == 422
        and "请填写委托人的统一社会信用代码或身份证号码" in r.text
        and "请上传经签章的授权委托书" in r.text
    )
    # not a credit code or ID number: refused, what was typed kept
    r = api.c.post(
        "/authorisations", data={"csrf_token": token, "principal": "黔数"}, files={"poa_file": POA}
    )
    assert r.status_code == 422 and "有效的统一社会信用代码" in r.text and 'value="黔数"' in r.text
    # the number of no verified subject (and a private subject number): nothing filed
    for typed, said in ((make_uscc(987_654), "登记主体不存在"), (str(w.party), "有效的统一")):
        r = api.c.post(
            "/authorisations",
            data={"csrf_token": token, "principal": typed},
            files={"poa_file": POA},
        )
        assert r.status_code == 422 and said in r.text, typed
        assert f'value="{typed}"' in r.text
    assert api.c.get("/api/v1/authorisations", headers=api.h(agent)).json() == []
    r = api.c.post(
        "/authorisations",
        data={"csrf_token": token, "principal": api.numbers[w.party]},
        files={"poa_file": POA},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/authorisations"
    filed = api.c.get("/api/v1/authorisations", headers=api.h(agent)).json()
    assert [(a["party_id"], a["status"]) for a in filed] == [(w.party, "pending")]
    pending = api.c.get("/authorisations").text
    assert "待审查" in pending and "登记机构确认授权委托书后显示" in pending
    assert "测试数据科技有限公司" not in pending  # nothing of the party before acceptance
    # filed but not accepted: the agent may not act for the principal yet
    r = api.c.post("/api/v1/applications", headers=api.h(agent), json=payload)
    assert r.status_code == 403 and r.json()["code"] == "not_authorised_for_party"

    # an applicant is told only agents file, and its post is refused
    token = sign_in(api, w.applicant)
    page = api.c.get("/authorisations")
    assert "仅代理机构可提交授权委托书" in page.text and 'name="poa_file"' not in page.text
    r = api.c.post(
        "/authorisations",
        data={"csrf_token": token, "principal": api.numbers[w.party]},
        files={"poa_file": POA},
    )
    assert r.status_code == 403
    assert (
        api.c.get("/api/v1/authorisations", headers=api.h(w.examiner)).json()[0]["id"]
        == (filed[0]["id"])
    )

    # the registry sees the principal and the document, and accepts
    token = sign_in(api, w.examiner)
    page = api.c.get("/examination/parties")
    assert f'id="poa-{filed[0]["id"]}"' in page.text and "测试数据科技有限公司" in page.text
    labelled(page.text)
    sha = re.search(r'href="/workbench/files/([0-9a-f]{64})">授权委托书', page.text)
    assert sha and api.c.get(f"/workbench/files/{sha.group(1)}").content == POA[1]
    r = api.c.post(
        f"/examination/authorisations/{filed[0]['id']}/decision",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert f'id="poa-{filed[0]["id"]}"' not in api.c.get("/examination/parties").text
    # deciding again is refused and changes nothing
    r = api.c.post(
        f"/examination/authorisations/{filed[0]['id']}/decision",
        data={"csrf_token": token, "decision": "reject", "note": "未签章"},
    )
    assert r.status_code == 409 and "该授权委托已处理" in r.text

    sign_in(api, agent)
    accepted = api.c.get("/authorisations").text
    assert "已确认" in accepted and "测试数据科技有限公司" in accepted
    r = api.c.post("/api/v1/applications", headers=api.h(agent), json=payload)
    assert r.status_code == 201, r.text  # now the agent acts for its principal


def test_r3_issue8_a_co_applicant_consents_from_the_application_page(api: Api) -> None:
    examiner = api.user("examiner")
    alice, bob = api.user("applicant"), api.user("applicant")
    pa = api.party(alice, name="甲数据有限公司", verify_by=examiner)
    pb = api.party(bob, name="乙数据有限公司", verify_by=examiner)
    aid = api.draft(
        alice,
        pa,
        applicants=[
            {"party_id": pa, "share_bp": 6000, "rights_bounds": "负责采集"},
            {"id_number": api.numbers[pb], "share_bp": 4000, "rights_bounds": "负责加工"},
        ],
    )["id"]
    r = api.act(alice, aid, "submit")
    assert r.status_code == 422 and r.json()["code"] == "co_applicant_consent_missing"

    # the lead applicant's page says whose consent is awaited — by the number it gave, the
    # name waits for the consent (issue 18) — without a consent form
    sign_in(api, alice)
    page = api.c.get(f"/applications/{aid}")
    assert f"待共同申请人确认：{api.numbers[pb]}" in page.text
    assert "乙数据有限公司" not in page.text
    assert f'action="/applications/{aid}/consent"' not in page.text

    token = sign_in(api, bob)
    assert f'href="/applications/{aid}"' in api.c.get("/applications").text
    page = api.c.get(f"/applications/{aid}")
    assert (
        "本共同申请待您确认" in page.text and f'action="/applications/{aid}/consent"' in page.text
    )
    labelled(page.text)
    v = version(page.text)
    # without the token, or from a stale page: refused, nothing recorded
    r = api.c.post(f"/applications/{aid}/consent", data={"version": v})
    assert r.status_code == 403
    r = api.c.post(
        f"/applications/{aid}/consent", data={"csrf_token": token, "version": str(int(v) + 1)}
    )
    assert r.status_code == 412 and "申请已被他人修改" in r.text
    consent = {x["party_id"]: x["consented"] for x in api.get(bob, aid).json()["applicants"]}
    assert consent == {pa: True, pb: False}
    r = api.c.post(
        f"/applications/{aid}/consent",
        data={"csrf_token": token, "version": v},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/applications/{aid}"
    page = api.c.get(f"/applications/{aid}")
    assert "本共同申请待您确认" not in page.text and "待共同申请人确认" not in page.text
    assert all(x["consented"] for x in api.get(bob, aid).json()["applicants"])

    # the lead applicant can now submit from its page
    token = sign_in(api, alice)
    page = api.c.get(f"/applications/{aid}")
    r = api.c.post(
        f"/applications/{aid}/actions/submit",
        data={"csrf_token": token, "version": version(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    got = api.get(alice, aid).json()
    assert got["state"] == "submitted" and got["application_number"]
    # a submitted application takes no more consent
    token = sign_in(api, bob)
    r = api.c.post(
        f"/applications/{aid}/consent", data={"csrf_token": token, "version": str(got["version"])}
    )
    assert r.status_code == 409 and "仅草稿可确认共同申请" in r.text


def test_issue8_party_forms_refuse_a_post_without_the_csrf_token(api: Api) -> None:
    w = api.world()
    agent = api.user("agent")
    other = api.user("applicant")
    pid = api.party(other)
    sign_in(api, other)
    r = api.c.post("/parties", data=party_fields(""), files={"verification_file": LICENCE})
    assert r.status_code == 403
    r = api.c.post("/parties", data=party_fields("wrong"), files={"verification_file": LICENCE})
    assert r.status_code == 403
    r = api.c.post(
        f"/parties/{pid}/verification",
        data={"verification_method": "business_licence"},
        files={"verification_file": LICENCE},
    )
    assert r.status_code == 403
    assert [p["verification_status"] for p in my_parties(api, other)] == ["unverified"]
    sign_in(api, agent)
    r = api.c.post(
        "/authorisations", data={"principal": api.numbers[w.party]}, files={"poa_file": POA}
    )
    assert r.status_code == 403
    assert api.c.get("/api/v1/authorisations", headers=api.h(agent)).json() == []
    poa = api.upload(agent, POA[1], "poa.pdf")
    r = api.c.post(
        "/api/v1/authorisations",
        headers=api.h(agent),
        json={"id_number": api.numbers[w.party], "poa_blob": poa},
    )
    auth_id = r.json()["id"]
    ev = api.upload(other, b"licence", "licence.pdf")
    api.c.post(
        f"/api/v1/parties/{pid}/verification",
        headers=api.h(other),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    token = sign_in(api, w.examiner)
    assert csrf(api.c.get("/examination/parties").text) == token
    for url in (
        f"/examination/parties/{pid}/decision",
        f"/examination/authorisations/{auth_id}/decision",
    ):
        assert api.c.post(url, data={"decision": "approve"}).status_code == 403
        assert api.c.post(url, data={"decision": "approve", "csrf_token": "x"}).status_code == 403
    assert api.c.get(f"/api/v1/parties/{pid}", headers=api.h(w.examiner)).json()[
        "verification_status"
    ] == ("pending")
    assert [
        a["status"] for a in api.c.get("/api/v1/authorisations", headers=api.h(agent)).json()
    ] == ["pending"]
