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
    url = f"/registrations/{number}/sample-publication"
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
