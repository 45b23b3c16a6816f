"""R29 (issue 23 §3–§4) in the portal: the needs list and its publishing form, a need's page
with its matches and the contact flow (each form only while it would succeed), and the
holder's matching needs on a registration's page."""

from __future__ import annotations

import re

from dataip.bootstrap import Registry
from tests.e2e.pages.test_applicant_pages import csrf, labelled, sign_in
from tests.support.api import Api, make_resident_id
from tests.support.db import count
from tests.support.matching import BUS, CT, holder, user_with_email

FORM = {
    "title": "公交线路调整需要分站点乘车人数",
    "scenario": "transport",
    "industry": "公共电汽车客运",
    "data_wanted": "我们正在优化公交线网，需要每条线路、每个站点在不同时段的上车人数和刷卡客流",
    "region_code": "52",
    "period_from": "2026-11-01",
    "period_to": "2027-10-31",
    "budget_band": "100k_1m",
    "expires_on": "2027-01-31",
}


def test_r29_publish_match_and_get_in_touch_through_the_pages(api: Api, registry: Registry) -> None:
    examiner = api.user("examiner")
    bus_holder = user_with_email(api, "page_bus", "bus@holder.example")
    _, bus = holder(api, examiner, bus_holder, **BUS)
    ct_holder = user_with_email(api, "page_ct", "ct@holder.example")
    _, ct = holder(api, examiner, ct_holder, **CT)
    author = user_with_email(api, "page_author", "author@need.example")
    party = api.party(author, name="贵阳公交规划研究院", verify_by=examiner)

    anonymous = api.c.get("/needs")
    assert anonymous.status_code == 200 and "登录后发布需求" in anonymous.text
    assert 'name="data_wanted"' not in anonymous.text

    token = sign_in(api, author)
    page = api.c.get("/needs").text
    labelled(page)
    assert 'name="data_wanted"' in page and "贵阳公交规划研究院" in page
    # personal data: refused, re-rendered as typed, nothing stored
    typed = {**FORM, "csrf_token": token, "party_id": str(party)}
    bad = api.c.post(
        "/needs", data={**typed, "data_wanted": f"联系人身份证号{make_resident_id()}，要公交客流"}
    )
    assert bad.status_code == 422 and "个人信息" in bad.text and "公交线路调整" in bad.text
    assert count(registry, "needs") == 0
    r = api.c.post("/needs", data=typed, follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    url = r.headers["location"]
    assert re.fullmatch(r"/needs/\d+", url)
    detail = api.c.get(url).text
    assert "需求已发布" in detail and "公交线路调整需要分站点乘车人数" in detail
    assert "贵阳市公交IC卡刷卡客流数据集" in detail and "高度匹配" in detail
    assert "撤回需求" in detail and "请持有人联系我" in detail
    assert api.c.get("/needs").text.count(url) >= 1

    # the holder is told (the inbox links to the need) and offers nothing twice
    token = sign_in(api, bus_holder)
    portal = api.c.get("/portal").text
    assert "新的匹配需求" in portal and f'href="{url}"' in portal
    page = api.c.get(url).text
    assert "您持有" in page and "向需求方推荐此数据" in page and "撤回需求" not in page
    reg_page = api.c.get(f"/registrations/{bus}").text
    assert "与本登记匹配的需求" in reg_page and f'href="{url}"' in reg_page
    r = api.c.post(
        f"{url}/contact",
        data={"csrf_token": csrf(page), "registration_number": bus},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(url).text
    assert "双方同意后可见" in page and "author@need.example" not in page
    assert "向需求方推荐此数据" not in page  # the match has its contact now

    # the author agrees; each then sees the other's details
    sign_in(api, author)
    page = api.c.get(url).text
    assert "同意联系" in page and "bus@holder.example" not in page
    contact_id = re.search(r'name="contact_id" value="(\d+)"', page)
    assert contact_id
    r = api.c.post(
        f"{url}/accept",
        data={"csrf_token": csrf(page), "contact_id": contact_id.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "bus@holder.example" in api.c.get(url).text
    sign_in(api, bus_holder)
    assert (
        "author@need.example" in api.c.get(url).text and "贵阳公交规划研究院" in api.c.get(url).text
    )

    # someone holding an unrelated registration sees no contact form and no details
    sign_in(api, ct_holder)
    page = api.c.get(url).text
    assert "bus@holder.example" not in page and "author@need.example" not in page
    assert "与本登记匹配的需求" in api.c.get(f"/registrations/{ct}").text
    assert f'href="{url}"' not in api.c.get(f"/registrations/{ct}").text

    # the author withdraws; the page is gone for others
    token = sign_in(api, author)
    r = api.c.post(f"{url}/withdraw", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "已撤回" in api.c.get(url).text and "撤回需求" not in api.c.get(url).text
    sign_in(api, ct_holder)
    assert api.c.get(url).status_code == 404
