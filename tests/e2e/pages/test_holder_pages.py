"""After registration on the registration's page: the holder's sample publication form
(issue 7, point 4) — CSRF-checked, labelled, refused choices re-render the page with the
message and change nothing; the public sees only what the holder chose."""

from __future__ import annotations

from tests.e2e.pages.test_applicant_pages import csrf, labelled, sign_in
from tests.support.api import Api, make_resident_id

ID = make_resident_id("110105", "19800101", 3)
PERSONAL = f"姓名,身份证号,城市\n张伟,{ID},贵阳\n".encode()


def test_r26_the_holder_publishes_the_masked_sample_from_the_registration_page(
    api: Api,
) -> None:
    w = api.world()
    sha = api.upload(w.applicant, PERSONAL, "客户.csv")
    number = w.registered(sample_blobs=[sha])
    public = api.c.get(f"/registrations/{number}").text
    assert 'id="sample"' not in public and "贵阳" not in public  # no form, no rows

    token = sign_in(api, w.applicant)
    page = api.c.get(f"/registrations/{number}").text
    assert 'action="/registrations/' in page and "sample_choice_masked" in page
    labelled(page)
    version = api.reg(w.applicant, number).json()["version"]
    url = f"/registrations/{number}/actions/publish_sample"
    # no token: refused; raw with findings: the page again, with the reason, nothing changed
    assert api.c.post(url, data={"choice": "raw", "version": str(version)}).status_code == 403
    r = api.c.post(url, data={"csrf_token": token, "choice": "raw", "version": str(version)})
    assert r.status_code == 409 and "只能公开去标识化的样例数据" in r.text
    assert api.reg(w.applicant, number).json()["version"] == version
    r = api.c.post(url, data={"csrf_token": token, "choice": "all", "version": str(version)})
    assert r.status_code == 422
    r = api.c.post(
        url,
        data={"csrf_token": token, "choice": "masked", "version": str(version)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    api.c.cookies.clear()
    public = api.c.get(f"/registrations/{number}").text
    assert "贵阳" in public and "去标识化" in public
    assert ID not in public and "张伟" not in public
    # another account sees the public page without the form
    sign_in(api, api.user("applicant"))
    other = api.c.get(f"/registrations/{number}").text
    assert 'id="sample"' not in other and "贵阳" in other
    r = api.c.post(url, data={"csrf_token": csrf(other), "choice": "none"})
    assert r.status_code == 403
    assert api.reg(None, number).json()["sample"]["choice"] == "masked"


def test_g22_the_holder_files_a_licence_from_the_registration_page(api: Api) -> None:
    w = api.world()
    number = w.registered()
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/registrations/{number}").text
    assert 'action="/registrations/' + number + '/actions/file_licence"' in page
    labelled(page)
    version = api.reg(w.applicant, number).json()["version"]
    fields = {
        "csrf_token": token,
        "version": str(version),
        "contract_date": "2026-10-12",
        "licence_type": "non_exclusive",
        "licensee.kind": "legal_person",
        "licensee.name": "贵州数联科技有限公司",
        "licensee.credit_code": "91520115MA6DPJ9X1C",
        "scope": "交通调度模型训练",
        "territory": "贵州省",
        "term_end": "2027-10-12",
        "fee_fen": "12,00.5",
    }
    url = f"/registrations/{number}/actions/file_licence"
    # a malformed amount: the page again, the form open with what was typed, nothing filed
    r = api.c.post(url, data=fields)
    assert r.status_code == 422 and "许可费（元）须为金额" in r.text
    assert '<details class="action" open id="act-file_licence">' in r.text
    assert "贵州数联科技有限公司" in r.text and "交通调度模型训练" in r.text
    assert api.reg(w.applicant, number).json()["filings"] == []
    r = api.c.post(url, data={**fields, "fee_fen": "1200.50"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    (f,) = api.reg(w.applicant, number).json()["filings"]
    assert f["kind"] == "licence" and f["fee_fen"] == 120050 and f["territory"] == "贵州省"
    # the public sees the filing, not the fee
    public = api.reg(None, number).json()["filings"][0]
    assert "fee_fen" not in str(public)


def test_g20_revocation_request_and_the_registrys_decision_from_the_page(api: Api) -> None:
    w = api.world()
    number = w.registered()
    who, party, _ = w.objector()
    token = sign_in(api, who)
    page = api.c.get(f"/registrations/{number}").text
    assert "actions/request_revocation" in page and "actions/file_licence" not in page
    labelled(page)
    url = f"/registrations/{number}/actions/request_revocation"
    base = {"csrf_token": token, "party_id": str(party), "statement": "该数据集来源不合法"}
    r = api.c.post(url, data=base)  # no evidence
    assert r.status_code == 422 and "该数据集来源不合法" in r.text
    assert api.reg(None, number).json()["state"] == "valid"
    r = api.c.post(
        url,
        data=base,
        files={"evidence_blobs": ("证据.pdf", b"%PDF-1.4 evidence", "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:3000]
    assert api.reg(None, number).json()["state"] == "revocation_pending"

    token = sign_in(api, w.examiner)
    page = api.c.get(f"/registrations/{number}").text
    assert "actions/decide_request" in page
    labelled(page)
    rid = next(
        q["id"] for q in api.reg(w.examiner, number).json()["requests"] if q["kind"] == "revocation"
    )
    r = api.c.post(
        f"/registrations/{number}/actions/decide_request",
        data={
            "csrf_token": token,
            "request_id": str(rid),
            "outcome": "refuse",
            "reason": "证据不足",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:3000]
    assert api.reg(None, number).json()["state"] == "valid"


def test_an_unknown_or_forbidden_action_from_the_page_changes_nothing(api: Api) -> None:
    w = api.world()
    number = w.registered()
    token = sign_in(api, api.user("applicant"))
    r = api.c.post(
        f"/registrations/{number}/actions/abandon", data={"csrf_token": token, "reason": "x"}
    )
    assert r.status_code == 403 and "无权" in r.text
    r = api.c.post(f"/registrations/{number}/actions/explode", data={"csrf_token": token})
    assert r.status_code == 404
    assert api.c.post(f"/registrations/{number}/actions/abandon", data={}).status_code == 403
    assert api.reg(None, number).json()["state"] == "valid"


def test_i18_the_holder_names_the_transferee_by_its_number_on_the_page(api: Api) -> None:
    """Issue 18: the transfer form took the transferee's internal party number; it takes the
    credit code or resident ID number of a verified party, as the API does."""
    w = api.world()
    number = w.registered()
    buyer = api.user("applicant")
    bp = api.party(buyer, name="受让数据有限公司", verify_by=w.examiner)
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/registrations/{number}").text
    assert 'name="transferee_id_number"' in page
    labelled(page)
    url = f"/registrations/{number}/actions/request_transfer"
    fields = {
        "csrf_token": token,
        "version": str(api.reg(w.applicant, number).json()["version"]),
        "basis": "agreement",
        "reason": "数据资产出售",
    }
    bad = api.c.post(url, data={**fields, "transferee_id_number": str(bp)})
    assert bad.status_code == 422 and "请填写有效的统一社会信用代码或居民身份证号码" in bad.text
    assert "受让数据有限公司" not in bad.text
    assert api.reg(w.applicant, number).json()["requests"] == []
    r = api.c.post(
        url, data={**fields, "transferee_id_number": api.numbers[bp]}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[-3000:]
    (req,) = api.reg(w.applicant, number).json()["requests"]
    assert (req["kind"], req["state"]) == ("transfer", "awaiting_consent")
    assert req["payload"]["transferees"] == [{"party_id": bp, "share_bp": 10_000}]
