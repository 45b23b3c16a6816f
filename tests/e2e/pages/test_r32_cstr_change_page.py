"""R32 (issue 24 §3) on the portal: the holder adds a CSTR and a DOI by change registration
from the registration's page; a malformed CSTR re-renders the form with the reason and files
nothing; once the registry approves, the public page links both."""

from __future__ import annotations

from tests.e2e.pages.test_applicant_pages import labelled, sign_in
from tests.support.api import Api


def test_r32_the_holder_adds_a_cstr_and_doi_from_the_page(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-21 10:00")
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/registrations/{number}").text
    assert 'name="changes.identifiers.cstr"' in page and 'name="changes.identifiers.doi"' in page
    labelled(page)
    version = api.reg(w.applicant, number).json()["version"]
    url = f"/registrations/{number}/actions/request_change"
    fields = {
        "csrf_token": token,
        "version": str(version),
        "changes.identifiers.cstr": "CSTR:3125.11.bad",
        "changes.identifiers.doi": "10.57760/sciencedb.page",
        "reason": "补充科技资源标识",
    }
    r = api.c.post(url, data=fields)
    assert r.status_code == 422 and "GB/T 32843" in r.text
    assert "CSTR:3125.11.bad" in r.text  # what was typed, to correct
    assert api.reg(w.applicant, number).json()["requests"] == []
    r = api.c.post(
        url,
        data={**fields, "changes.identifiers.cstr": "cstr:31253.11.sciencedb.page"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:3000]
    (req,) = api.reg(w.applicant, number).json()["requests"]
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=req["id"], outcome="approve", reason="可"
    )
    api.c.cookies.clear()
    public = api.c.get(f"/registrations/{number}").text
    assert 'href="https://cstr.cn/31253.11.sciencedb.page"' in public
    assert ">CSTR:31253.11.sciencedb.page<" in public
    assert 'href="https://doi.org/10.57760/sciencedb.page"' in public
