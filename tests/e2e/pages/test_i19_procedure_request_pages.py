"""Issue 19 §3 on the portal: the applicant asks for fast track on a ground with a supporting
document, the examiner sees the request and grants or refuses it in the workbench; the
correction period's extension and the reinstatement are asked for and decided the same way
(R8, G§12). Labels, never codes."""

from __future__ import annotations

import re

from dataip.services.scheduler import tick
from tests.e2e.pages.test_applicant_pages import labelled, sign_in
from tests.support.api import Api, World


def _form_of(html: str, action: str) -> bool:
    return bool(re.search(rf'action="[^"]*/actions/{action}"', html))


def _submitted(w: World) -> int:
    return w.submitted()


def test_r8_fast_track_requested_with_evidence_on_the_portal_and_granted_in_the_workbench(
    api: Api,
) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    earlier = w.submitted(
        name="城市公交客流预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-900",
            "hash_value": "9a" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.at("2026-11-17 10:00")
    aid = _submitted(w)
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert _form_of(page, "request_fast_track") and "请求快速审查" in page
    assert "用于数据知识产权质押融资" in page and 'value="pledge_financing"' in page
    assert "数据交易或许可使用即将达成" not in page  # not a ground this profile admits
    labelled(page)
    version = api.get(w.applicant, aid).json()["version"]
    # no ground: refused, nothing filed, the words kept
    r = api.c.post(
        f"/applications/{aid}/actions/request_fast_track",
        data={"csrf_token": token, "version": str(version), "statement": "银行授信在即"},
    )
    assert r.status_code == 422 and "银行授信在即" in r.text
    assert api.get(w.applicant, aid).json()["requests"] == []
    r = api.c.post(
        f"/applications/{aid}/actions/request_fast_track",
        data={
            "csrf_token": token,
            "version": str(version),
            "ground": "pledge_financing",
            "statement": "贵阳银行拟以本数据知识产权质押授信",
        },
        files={"evidence_files": ("bank.pdf", b"%PDF-1.4 letter", "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(f"/applications/{aid}").text
    assert "向登记机构提出的请求" in page and "待审查" in page
    assert not _form_of(page, "request_fast_track")
    [req] = api.get(w.applicant, aid).json()["requests"]
    assert len(req["evidence_blobs"]) == 1
    # the examiner
    api.c.cookies.clear()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "贵阳银行拟以本数据知识产权质押授信" in page
    assert f'href="/workbench/files/{req["evidence_blobs"][0]}"' in page
    assert _form_of(page, "grant_fast_track") and _form_of(page, "refuse_fast_track")
    assert "pledge_financing" not in re.sub(r'value="[a-z_]+"', "", page)  # labels, not codes
    labelled(page)
    queue = api.c.get("/workbench").text
    assert queue.index(f"/workbench/applications/{earlier}") < queue.index(
        f"/workbench/applications/{aid}"
    )
    version = api.get(w.examiner, aid).json()["version"]
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/grant_fast_track",
        data={"csrf_token": token, "version": str(version), "note": "已核实"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    queue = api.c.get("/workbench").text
    assert queue.index(f"/workbench/applications/{aid}") < queue.index(
        f"/workbench/applications/{earlier}"
    )
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "已准予" in page and not _form_of(page, "grant_fast_track")


def test_g12_extension_and_reinstatement_on_the_portal(api: Api) -> None:
    w = api.world()
    api.at("2026-11-16 10:00")
    aid = _submitted(w)
    api.ok(w.examiner, aid, "accept")
    api.ok(w.examiner, aid, "request_correction", defects=["补充公证书"])
    api.at("2026-11-24 10:00")
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert _form_of(page, "request_extension") and "2026年11月25日" in page
    version = api.get(w.applicant, aid).json()["version"]
    r = api.c.post(
        f"/applications/{aid}/actions/request_extension",
        data={
            "csrf_token": token,
            "version": str(version),
            "ground": "third_party_delay",
            "statement": "公证处出具公证书需10个工作日",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    api.c.cookies.clear()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert _form_of(page, "grant_extension") and 'type="date"' in page
    version = api.get(w.examiner, aid).json()["version"]
    # a Saturday: refused with the message, nothing changes
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/grant_extension",
        data={"csrf_token": token, "version": str(version), "due_on": "2026-11-28"},
    )
    assert r.status_code == 422 and "期限须届满于工作日" in r.text
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/refuse_extension",
        data={"csrf_token": token, "version": str(version), "reason_code": "not_a_good_reason"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "不属于正当理由" in page and "未准予" in page

    api.at("2026-11-26 00:30")
    assert tick(env=api.c.app.state.registry.env).deemed_withdrawn == 1  # type: ignore[attr-defined]
    api.at("2026-11-30 10:00")
    api.c.cookies.clear()
    token = sign_in(api, w.applicant)
    page = api.c.get(f"/applications/{aid}").text
    assert _form_of(page, "request_reinstatement")
    # the notice of the refusal says the decision in words
    assert "延长补正期限请求审查决定" in page and "未准予：不属于正当理由" in page
    version = api.get(w.applicant, aid).json()["version"]
    r = api.c.post(
        f"/applications/{aid}/actions/request_reinstatement",
        data={
            "csrf_token": token,
            "version": str(version),
            "ground": "force_majeure",
            "statement": "洪涝灾害致停电停网",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    api.c.cookies.clear()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert _form_of(page, "reinstate") and "洪涝灾害致停电停网" in page
    version = api.get(w.examiner, aid).json()["version"]
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/reinstate",
        data={"csrf_token": token, "version": str(version)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    assert api.get(w.examiner, aid).json()["state"] == "awaiting_correction"
