"""R29 (issue 23 §5) in the portal: the public directory with its filters, the listing form
for a verified legal person, the registry's suspend/reinstate forms, the holder's "ask an
agency" form on a registration's page (only while it would succeed), and the agency's
requests page, where contact details appear once it accepts."""

from __future__ import annotations

from dataip.bootstrap import Registry
from tests.e2e.pages.test_applicant_pages import csrf, labelled, sign_in
from tests.support.api import Api, make_uscc
from tests.support.db import count
from tests.support.matching import BUS, holder, user_with_email


def test_r29_directory_through_the_pages(api: Api, registry: Registry) -> None:
    examiner = api.user("examiner")
    admin = api.user("registrar_admin")
    firm = user_with_email(api, "page_firm", "firm@law.example")
    party = api.party(
        firm, name="贵州数智律师事务所", id_number=make_uscc(801, "520102"), verify_by=examiner
    )
    bus_holder = user_with_email(api, "page_bus", "bus@holder.example")
    _, bus = holder(api, examiner, bus_holder, **BUS)

    anonymous = api.c.get("/agencies")
    assert anonymous.status_code == 200 and "服务机构名录" in anonymous.text
    assert 'name="description"' not in anonymous.text

    token = sign_in(api, firm)
    page = api.c.get("/agencies").text
    labelled(page)
    assert 'name="description"' in page and "贵州数智律师事务所" in page
    form = {"csrf_token": token, "party_id": str(party), "categories": ["law_firm", "notary"]}
    bad = api.c.post("/agencies", data={**form, "description": "请致电13812345678"})
    assert bad.status_code == 422 and "个人信息" in bad.text
    assert count(registry, "agencies") == 0
    r = api.c.post(
        "/agencies", data={**form, "description": "数据产权法律服务"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get("/agencies").text
    assert "律师事务所、公证机构" in page and "贵州省" in page and "我的服务机构" in page
    assert 'name="description"' not in page  # its only subject is listed now
    for query, found in (
        ("category=notary&region=52", True),
        ("region=11", False),
        ("q=评估", False),
    ):
        listed = api.c.get(f"/agencies?{query}").text.split('id="mine"')[0]
        assert ("贵州数智律师事务所" in listed) is found, query

    # the holder asks from the registration's page; the form then has nothing left to offer
    token = sign_in(api, bus_holder)
    reg_page = api.c.get(f"/registrations/{bus}").text
    assert "向服务机构请求服务" in reg_page
    (agency_id,) = [a["id"] for a in api.c.get("/api/v1/agencies").json()]
    ask = {"csrf_token": csrf(reg_page), "agency_id": str(agency_id), "category": "law_firm"}
    r = api.c.post(
        f"/registrations/{bus}/service-requests", data={**ask, "message": "请协助审查授权协议"}
    )
    assert r.status_code == 200 and "请求已发送" in r.text, r.text[:2000]
    assert "机构接受后显示" in r.text
    assert "向服务机构请求服务" not in api.c.get(f"/registrations/{bus}").text

    # the agency accepts; each side sees the other's details
    sign_in(api, firm)
    page = api.c.get("/service-requests").text
    assert "请协助审查授权协议" in page and "bus@holder.example" not in page
    rid = api.c.get("/api/v1/service-requests", headers=api.h(firm)).json()[0]["id"]
    r = api.c.post(f"/service-requests/{rid}/accept", data={"csrf_token": csrf(page)})
    assert r.status_code == 200 and "bus@holder.example" in r.text
    sign_in(api, bus_holder)
    assert "firm@law.example" in api.c.get("/service-requests").text

    # the registry suspends it (hidden) and reinstates it
    token = sign_in(api, admin)
    page = api.c.get("/agencies").text
    r = api.c.post(
        f"/agencies/{agency_id}/suspend", data={"csrf_token": csrf(page), "reason": "许可吊销"}
    )
    assert r.status_code == 200 and "已暂停" in r.text and "许可吊销" in r.text
    assert (
        "贵州数智律师事务所"
        not in api.c.get("/agencies", headers={}).text.split("已暂停的服务机构")[0]
    )
    r = api.c.post(
        f"/agencies/{agency_id}/reinstate", data={"csrf_token": csrf(page), "reason": "恢复"}
    )
    assert r.status_code == 200 and "已恢复列入名录" in r.text
