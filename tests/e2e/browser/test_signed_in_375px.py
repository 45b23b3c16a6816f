"""Issue 8 in a real browser: every signed-in page — the applicant's portal, list, new
application form, an application with its notices, the correction form, the examiner's
queue and application view (screening findings, defects checklist), a registration seen
by its holder (its action forms), the publicity notice with the objection form, my subjects
and the registry's verification page — is usable at 375 px: nothing scrolls sideways and the
first Tab reaches the skip link. A full-page screenshot of each goes to the test output
directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.api import Api, World, complete_form, make_resident_id

from .conftest import pytestmark  # noqa: F401  (skip without Chromium)
from .test_walkthrough_browser import sign_in

ID = make_resident_id("110105", "19800101", 3)
# personal data in the sample: the examiner's view lists the (masked) screening findings,
# and the holder's sample publication form on the registration page offers "masked"
PERSONAL = f"姓名,身份证号,手机,城市\n张伟,{ID},13812345678,贵阳\n".encode()
LONG_DEFECT = "补充数据处理规则说明：" + "清洗、去重、缺失值插补及异常值识别的具体阈值" * 3


def _distinct(n: int) -> dict[str, Any]:
    """Another name and evidence hash: the same subject may not file the same data twice."""
    form = complete_form(sample="-")
    evidence = {**form["evidence"], "hash_value": f"{n:02x}" * 32}
    return {"name": f"第{n}期城市交通拥堵预测数据集", "evidence": evidence}


def _screened(w: World, n: int = 1) -> int:
    """A submitted application whose sample holds personal data (screening findings)."""
    sha = w.api.upload(w.applicant, PERSONAL, "客户样例数据导出_2026年第三季度.csv")
    return w.submitted(sample_blobs=[sha], **_distinct(n))


def _awaiting_correction(w: World, n: int = 1) -> int:
    aid = _screened(w, n)
    w.api.ok(w.examiner, aid, "accept")
    w.api.ok(
        w.examiner,
        aid,
        "request_correction",
        defects=[
            {"field": "processing_rules", "zh": LONG_DEFECT, "en": "explain the rules"},
            "补充数据字典",
        ],
    )
    return aid


def portal(api: Api, w: World) -> tuple[str, str]:
    _awaiting_correction(w)
    w.publicised(**_distinct(2))
    return w.applicant, "/portal"


def application_list(api: Api, w: World) -> tuple[str, str]:
    _awaiting_correction(w)
    w.publicised(**_distinct(2))
    api.draft(
        w.applicant,
        w.party,
        **{**_distinct(3), "name": "贵州省" + "城市道路" * 6 + "拥堵预测数据集"},
    )
    return w.applicant, "/applications"


def new_application(api: Api, w: World) -> tuple[str, str]:
    return w.applicant, "/applications/new"


def application_detail(api: Api, w: World) -> tuple[str, str]:
    return w.applicant, f"/applications/{_awaiting_correction(w)}"


def correction_form(api: Api, w: World) -> tuple[str, str]:
    return w.applicant, f"/applications/{_awaiting_correction(w)}/edit"


def workbench(api: Api, w: World) -> tuple[str, str]:
    _screened(w, 1)
    aid = _screened(w, 2)
    api.ok(w.examiner, aid, "accept")
    _awaiting_correction(w, 3)
    # a party waiting for real-name verification
    who = api.user("applicant")
    pid = api.party(who, name="贵州省大数据发展管理局下属某某数据科技有限责任公司")
    ev = api.upload(who, b"licence scan", "营业执照扫描件_正副本_2026.pdf")
    r = api.c.post(
        f"/api/v1/parties/{pid}/verification",
        headers=api.h(who),
        json={"method": "business_licence", "evidence_blob": ev},
    )
    assert r.status_code == 200, r.text
    return w.examiner, "/workbench"


def examiner_application(api: Api, w: World) -> tuple[str, str]:
    aid = _screened(w)
    api.ok(w.examiner, aid, "accept")  # under examination: the defects checklist is shown
    return w.examiner, f"/workbench/applications/{aid}"


def holder_registration(api: Api, w: World) -> tuple[str, str]:
    sha = api.upload(w.applicant, PERSONAL, "客户样例数据导出_2026年第三季度.csv")
    number = w.registered(sample_blobs=[sha])
    return w.applicant, f"/registrations/{number}"


def publicity_notice(api: Api, w: World) -> tuple[str, str]:
    """The public notice with the objection form, seen by a would-be objector."""
    aid = w.publicised(**_distinct(1))
    who, _, _ = w.objector()
    return who, f"/publicity/{aid}"


def my_subjects(api: Api, w: World) -> tuple[str, str]:
    api.party(w.applicant, name="贵州省大数据发展管理局下属某某数据科技有限责任公司")
    return w.applicant, "/parties"


def registry_parties(api: Api, w: World) -> tuple[str, str]:
    workbench(api, w)  # a party waiting for real-name verification
    return w.examiner, "/examination/parties"


PAGES: dict[str, Callable[[Api, World], tuple[str, str]]] = {
    "portal": portal,
    "application-list": application_list,
    "new-application": new_application,
    "application-detail": application_detail,
    "correction-form": correction_form,
    "workbench": workbench,
    "examiner-application": examiner_application,
    "holder-registration": holder_registration,
    "publicity-notice": publicity_notice,
    "my-subjects": my_subjects,
    "registry-parties": registry_parties,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_issue8_each_signed_in_page_is_usable_at_375px(
    page: Page, site: str, api: Api, shots: Path, name: str
) -> None:
    api.at("2026-09-28 10:00")
    who, path = PAGES[name](api, api.world())
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, site, who)
    response = page.goto(site + path)
    assert response is not None and response.status == 200, (path, response)
    # the forms folded in <details> (the holder's requests, the examiner's actions) count too
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    page.screenshot(path=shots / f"375-{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} ({path}) scrolls sideways at 375 px ({width} px wide)"
    # keyboard: the first Tab reaches the skip link, which is then visible
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
