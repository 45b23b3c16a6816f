"""Issue 8 / R12 / G§14 over HTTP: the public notice of an application under publicity, and
the objection form on it. Anyone sees the G§14 particulars and the period; a signed-in visitor
with a verified subject files an objection (reasons and evidence) through the same procedure
as the API; a refusal re-renders the form as typed and changes nothing; after the period the
form is gone and a post is refused."""

from __future__ import annotations

import re

import pytest

from dataip.bootstrap import Registry
from tests.e2e.pages.test_applicant_pages import labelled, sign_in
from tests.support.api import Api

EVIDENCE = ("evidence.pdf", b"%PDF-1.7 our own collection log", "application/pdf")


def objections_of(api: Api, examiner: str, aid: int) -> list[dict[str, object]]:
    out = api.get(examiner, aid).json()["objections"]
    assert isinstance(out, list)
    return out


def test_issue8_anyone_sees_the_publicity_notice_and_is_asked_to_sign_in(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    assert 'href="/publicity"' in api.c.get("/").text  # linked from the home page
    listing = api.c.get("/publicity")
    assert listing.status_code == 200
    assert f'href="/publicity/{aid}"' in listing.text and "城市交通拥堵预测数据集" in listing.text
    page = api.c.get(f"/publicity/{aid}")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    labelled(html)
    # G§14: applicant, name, scenarios, data source, scope, rules and the period ...
    for shown in ("测试数据科技有限公司", "交通运输", "清洗、标注、质量校验", "贵阳市", "公示期"):
        assert shown in html, shown
    assert "2026年9月28日" in html and "2026年10月10日" in html
    # ... and nothing else of the filing
    for hidden in ("多源数据融合与清洗规则", "ab" * 32, "GZ-001"):
        assert hidden not in html, hidden
    assert 'name="statement"' not in html
    assert f'href="/login?next=/publicity/{aid}"' in html and "登录后提出异议" in html
    # a post without an account goes to the sign-in page and changes nothing
    r = api.c.post(f"/publicity/{aid}", data={"statement": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/publicity/{aid}"
    assert api.get(None, aid).json()["state"] == "publicised"
    assert api.c.get("/publicity/999999").status_code == 404
    # the applicant's own notice has no objection form, but a way back to the application
    sign_in(api, w.applicant)
    own = api.c.get(f"/publicity/{aid}").text
    assert 'name="statement"' not in own and f'href="/applications/{aid}"' in own


def test_issue8_a_verified_objector_files_an_objection_from_the_page(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    who, pid, _ = w.objector()
    token = sign_in(api, who)
    page = api.c.get(f"/publicity/{aid}")
    html = page.text
    labelled(html)
    for name in ("objector_party_id", "statement", "evidence_files", "csrf_token"):
        assert f'name="{name}"' in html, name
    assert f'<option value="{pid}" selected>李异议</option>' in html
    assert "每个不超过" in html  # the upload limits are stated
    r = api.c.post(
        f"/publicity/{aid}",
        data={"csrf_token": token, "objector_party_id": str(pid), "statement": "数据系我方采集"},
        files={"evidence_files": EVIDENCE},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == f"/publicity/{aid}/objection-received"
    done = api.c.get(r.headers["location"])
    assert done.status_code == 200
    assert "异议已收到" in done.text and "3个工作日" in done.text and "7个工作日" in done.text
    out = api.get(w.examiner, aid).json()
    assert out["state"] == "objection_pending"
    assert [o["statement"] for o in out["objections"]] == ["数据系我方采集"]
    notify = [d for d in out["deadlines"] if d["kind"] == "notify_objection"]
    assert len(notify) == 1 and notify[0]["party"] == "registry"
    # the public notice now says an objection is being handled; more may still come (G§14)
    assert "异议处理中" in api.c.get(f"/publicity/{aid}").text


def test_issue8_objection_form_checks_csrf_and_a_refusal_changes_nothing(
    api: Api, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = api.world()
    aid = w.publicised()
    who, pid, _ = w.objector()
    unverified = api.party(who, kind="natural_person", name="王未核")
    token = sign_in(api, who)
    url = f"/publicity/{aid}"
    typed = {"csrf_token": token, "objector_party_id": str(pid), "statement": "权属存在争议"}
    # no CSRF token, or another one: refused outright
    assert api.c.post(url, data={**typed, "csrf_token": ""}).status_code == 403
    assert api.c.post(url, data={**typed, "csrf_token": "x" * 43}).status_code == 403
    # no reason: the service's message, the evidence already uploaded kept on the form
    r = api.c.post(url, data={**typed, "statement": " "}, files={"evidence_files": EVIDENCE})
    assert r.status_code == 422 and "缺少必填项" in r.text
    kept = re.findall(r'name="evidence_blobs" value="([0-9a-f]{64})" checked', r.text)
    assert len(kept) == 1
    labelled(r.text)
    # no evidence at all
    r = api.c.post(url, data=typed)
    assert r.status_code == 422 and "异议须提供证据材料" in r.text
    assert "权属存在争议</textarea>" in r.text
    # a subject that is not verified
    r = api.c.post(
        url, data={**typed, "objector_party_id": str(unverified), "evidence_blobs": kept}
    )
    assert r.status_code == 422 and "异议须实名提出" in r.text
    assert "权属存在争议</textarea>" in r.text
    # someone else's subject
    r = api.c.post(url, data={**typed, "objector_party_id": str(w.party), "evidence_blobs": kept})
    assert r.status_code == 422 and "请选择您名下的登记主体" in r.text
    # a file over the limit
    monkeypatch.setattr(registry.env, "max_blob_bytes", 8)
    r = api.c.post(url, data=typed, files={"evidence_files": EVIDENCE})
    assert r.status_code == 413 and "文件超过" in r.text
    assert "权属存在争议</textarea>" in r.text and f'<option value="{pid}" selected>' in r.text
    # English pages get the English message
    r = api.c.post(url + "?lang=en", data=typed)
    assert r.status_code == 422 and "an objection needs evidence" in r.text
    assert api.get(w.examiner, aid).json()["state"] == "publicised"
    assert objections_of(api, w.examiner, aid) == []


def test_issue8_after_publicity_the_form_is_gone_and_a_post_is_refused(api: Api) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()  # publicity runs to Sat 10 Oct, a make-up working day (R10)
    who, pid, ev = w.objector()
    api.at("2026-10-10 16:00")  # its last day: still open
    sign_in(api, who)  # (a page session lasts 12 hours on the test clock)
    assert 'name="statement"' in api.c.get(f"/publicity/{aid}").text
    api.at("2026-10-12 09:00")
    token = sign_in(api, who)
    page = api.c.get(f"/publicity/{aid}").text
    assert 'name="statement"' not in page
    assert "公示期已于2026年10月10日届满" in page
    assert f'href="/publicity/{aid}"' not in api.c.get("/publicity").text
    r = api.c.post(
        f"/publicity/{aid}",
        data={
            "csrf_token": token,
            "objector_party_id": str(pid),
            "statement": "权属存在争议",
            "evidence_blobs": ev,
        },
    )
    assert r.status_code == 409 and "公示期已届满，不能再提出异议" in r.text
    assert api.get(w.examiner, aid).json()["state"] == "publicised"
    assert objections_of(api, w.examiner, aid) == []


def test_issue8_the_signed_in_home_names_tasks_and_links_each_notice_to_its_page(
    api: Api,
) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    who, pid, ev = w.objector()
    api.ok(
        who, aid, "file_objection", objector_party_id=pid, statement="权属争议", evidence_blobs=[ev]
    )
    sign_in(api, w.examiner)
    home = api.c.get("/portal").text
    assert "通知异议" in home and ">notify_objection<" not in home  # a label, not the kind
    api.ok(w.examiner, aid, "notify_objection")
    api.ok(w.applicant, aid, "answer_objection", statement="数据为自行采集")
    api.ok(w.examiner, aid, "decide_objection", outcome="keep", reason="异议理由不成立")
    # the objector's decision notice leads to the public notice, not a 404
    sign_in(api, who)
    home = api.c.get("/portal").text
    assert f'href="/applications/{aid}"' in home
    r = api.c.get(f"/applications/{aid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/publicity/{aid}"
    assert api.c.get(f"/publicity/{aid}").status_code == 200
