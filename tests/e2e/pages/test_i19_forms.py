"""Issue 19 §6 over HTTP: post/redirect/get with a one-time confirmation after every form
that changed something, the error summary linked to the fields, the industry field taking a
GB/T 4754 name, and the announcement filters taking names."""

from __future__ import annotations

import json
import logging
import re

from dataip.web.middleware import JsonFormatter
from tests.e2e.pages.test_applicant_pages import (
    SAMPLE,
    app_id_of,
    complete_fields,
    csrf,
    sign_in,
)
from tests.support.api import Api, complete_form


def _my_drafts(api: Api) -> list[str]:
    return re.findall(r'href="/applications/(\d+)"', api.c.get("/applications").text)


def test_i19_prg_refused_submission_of_a_new_form_makes_one_draft_and_redirects(
    api: Api,
) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    before = set(_my_drafts(api))
    # "save and submit" on an incomplete new form: the draft is saved, its submission refused
    r = api.c.post(
        "/applications/new",
        data={
            "csrf_token": token,
            "applicant_party_0": str(w.party),
            "name": "交通",
            "op": "submit",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    m = re.fullmatch(r"/applications/(\d+)/edit", r.headers["location"])
    assert m, r.headers["location"]
    page = api.c.get(r.headers["location"])
    assert page.status_code == 200
    assert "申请材料不完整" in page.text and "请上传样例数据" in page.text
    assert 'value="交通"' in page.text  # the saved draft, shown again
    assert "您填写的内容已保存为草稿，但尚未提交。" in page.text
    # refreshing the page the browser landed on is a GET: nothing is posted again, and the
    # one-time message is gone
    again = api.c.get(r.headers["location"])
    assert "申请材料不完整" not in again.text
    assert len(set(_my_drafts(api)) - before) == 1


def test_i19_prg_a_saved_draft_redirects_with_a_confirmation_shown_once(api: Api) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    r = api.c.post(
        "/applications/new",
        data={"csrf_token": token, "applicant_party_0": str(w.party), "name": "交通", "op": "save"},
        follow_redirects=False,
    )
    aid = app_id_of(r)
    assert "dataip_flash=" in r.headers["set-cookie"]
    page = api.c.get(f"/applications/{aid}")
    assert 'role="status"' in page.text and "草稿已保存" in page.text
    assert "草稿已保存" not in api.c.get(f"/applications/{aid}").text  # once
    # submitting: the confirmation names the application number
    r = api.c.post(
        f"/applications/{aid}/edit",
        data=complete_fields(token, w.party, version="1"),
        files={"sample_blobs_files": SAMPLE},
        follow_redirects=False,
    )
    assert app_id_of(r) == aid
    number = api.get(w.applicant, aid).json()["application_number"]
    page = api.c.get(f"/applications/{aid}").text
    assert f"申请已提交，申请号：{number}。" in page
    # in English too
    r = api.c.post(
        f"/applications/{aid}/actions/withdraw",
        data={"csrf_token": token, "reason": "数据范围调整"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    english = api.c.get(f"/applications/{aid}?lang=en").text
    assert "The application is withdrawn." in english


def test_i19_a_forged_or_foreign_flash_cookie_says_nothing(api: Api) -> None:
    w = api.world()
    sign_in(api, w.applicant)
    api.c.cookies.set("dataip_flash", "eJyrVspPUbJSUkrOL0pVqgUAI3QEmw.AAAAAAAAAAAAAAAAAAAAAAAA")
    page = api.c.get("/applications")
    assert page.status_code == 200 and 'class="result ok flash"' not in page.text


def test_i19_the_error_summary_links_each_message_to_its_field(api: Api) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    r = api.c.post(
        "/applications/new",
        data={
            "csrf_token": token,
            "applicant_party_0": str(w.party),
            "applicant_share_0": "abc",
            "applicant_party_1": "",
            "applicant_share_1": "20",
            "name": "交通",
            "op": "save",
        },
    )
    assert r.status_code == 422
    assert 'href="#applicant_share_0"' in r.text and 'href="#applicant_party_1"' in r.text
    for target in re.findall(r'<a href="#([^"]+)" data-field=', r.text):
        assert f'id="{target}"' in r.text, target  # every link has its input
    assert 'src="/static/forms.js"' in r.text
    # the refusal of a submission links the defects to the form's inputs
    r = api.c.post(
        "/applications/new",
        data={"csrf_token": token, "applicant_party_0": str(w.party), "op": "submit"},
    )
    links = re.findall(r'<a href="#([^"]+)" data-field=', r.text)
    assert {"name", "industry_code", "sample_blobs_files", "scope_records"} <= set(links)
    assert any(x.startswith("scenarios_") for x in links)
    for target in links:
        assert f'id="{target}"' in r.text, target


def test_i19_the_industry_field_takes_the_exact_gbt4754_name(api: Api) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    base = {"csrf_token": token, "applicant_party_0": str(w.party), "name": "交通", "op": "save"}
    r = api.c.post(
        "/applications/new",
        data={**base, "industry_code": "公共电汽车客运"},
        follow_redirects=False,
    )
    aid = app_id_of(r)
    assert api.get(w.applicant, aid).json()["form"]["industry_code"] == "5411"
    edit = api.c.get(f"/applications/{aid}/edit").text
    assert 'value="5411 公共电汽车客运"' in edit  # shown with its name
    # what the picker shows ("code name") is taken back as it is
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)  # type: ignore[union-attr]
    r = api.c.post(
        f"/applications/{aid}/edit",
        data={**base, "industry_code": "5411 公共电汽车客运", "version": version},
        follow_redirects=False,
    )
    assert app_id_of(r) == aid
    # a name that is not in the classification: a clear message on the field, nothing saved
    bad = api.c.post("/applications/new", data={**base, "industry_code": "公交车"})
    assert bad.status_code == 422
    assert "不是《国民经济行业分类》（GB/T 4754-2017）中的行业名称或代码" in bad.text
    assert 'href="#industry_code"' in bad.text and 'value="公交车"' in bad.text
    # a division's name: choose a class within it
    division = api.c.post("/applications/new", data={**base, "industry_code": "道路运输业"})
    assert division.status_code == 422 and "请选择其下的一个小类" in division.text
    assert len(_my_drafts(api)) == 1


def test_i19_no_cli_command_and_no_internal_number_on_the_form(api: Api) -> None:
    w = api.world()
    sign_in(api, w.applicant)
    html = api.c.get("/applications/new").text
    assert "dataip " not in html and "prove-sample" not in html
    number = api.numbers[w.party]
    lead = re.search(r'<select id="applicant_party_0".*?</select>', html, re.S)
    assert lead and number in lead.group(0)  # the lead named by its credit code
    assert f"({w.party})" not in lead.group(0)
    assert csrf(html)
    # the subjects listed under "my applications" are named the same way
    mine = api.c.get("/applications").text
    subjects = mine[mine.index("<h2>") :]
    assert number in subjects and f'">{w.party}</td>' not in subjects


def test_i19_the_announcement_filters_take_industry_and_division_names(api: Api) -> None:
    w = api.world()
    number = w.registered()  # 5411 公共电汽车客运, a Guizhou credit code
    page = api.c.get(
        "/announcements", params={"industry": "交通运输、仓储和邮政业", "region": "贵州省"}
    )
    assert page.status_code == 200 and number in page.text
    assert '<option value="交通运输、仓储和邮政业">G</option>' in page.text  # to pick from
    assert '<option value="贵州省">52</option>' in page.text
    assert number not in api.c.get("/announcements", params={"region": "浙江"}).text
    bad = api.c.get("/announcements", params={"industry": "公交"})
    assert bad.status_code == 422 and "不是《国民经济行业分类》中的" in bad.text


def test_i19_the_applicants_home_is_a_dashboard(api: Api) -> None:
    """Applications with their state and next deadline first (the soonest first), the new
    application button at the top, then the notices, each with its application's name."""
    w = api.world()
    api.at("2026-11-02 10:00")
    draft = api.draft(w.applicant, w.party, name="未提交的草稿数据集")["id"]
    submitted = w.submitted(name="城市交通拥堵预测数据集")
    evidence = {**complete_form(sample="x")["evidence"], "hash_value": "c3" * 32}
    corrected = w.submitted(name="港口吞吐量统计数据集", evidence=evidence)
    api.ok(w.examiner, corrected, "accept")
    api.ok(
        w.examiner,
        corrected,
        "request_correction",
        defects=[{"field": "processing_rules", "zh": "补充清洗规则说明", "en": "explain"}],
    )
    sign_in(api, w.applicant)
    html = api.c.get("/portal").text
    main = html[html.index('<main id="main">') :]
    # the button first, then the applications, then the notices
    button = main.index('href="/applications/new"')
    apps = main.index('id="my-applications"')
    notices = main.index('id="notices"')
    assert button < apps < notices
    table = main[apps:notices]
    rows = re.findall(r'<tr><td><a href="/applications/(\d+)">', table)
    assert set(rows) == {str(draft), str(submitted), str(corrected)}
    assert rows[-1] == str(draft)  # no deadline: after those with one
    assert "待补正" in table and "待受理" in table and "草稿" in table
    assert "需您办理" in table and "由登记机构办理" in table and "剩余" in table
    assert {rows[0], rows[1]} == {str(submitted), str(corrected)}
    # each notice names its application
    inbox = main[notices:]
    assert "补正通知书" in inbox and "港口吞吐量统计数据集" in inbox
    assert "城市交通拥堵预测数据集" in inbox


def test_i19_the_access_log_names_the_portal_user_as_it_names_the_api_caller(
    api: Api,
) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    access = logging.getLogger("dataip.access")
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        w = api.world()
        aid = w.submitted()
        api.get(w.applicant, aid)  # the API, with the applicant's bearer token
        sign_in(api, w.applicant)
        records.clear()
        api.get(w.applicant, aid)
        api.c.get("/portal")  # the portal, with the applicant's session cookie
        api.c.cookies.clear()
        api.c.get("/announcements")  # no one
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    by_path = {r.path: r for r in records}  # type: ignore[attr-defined]
    token = by_path[f"/api/v1/applications/{aid}"]
    page = by_path["/portal"]
    assert token.user_id is not None and token.auth == "bearer"  # type: ignore[attr-defined]
    assert page.user_id == token.user_id and page.auth == "session"  # type: ignore[attr-defined]
    assert page.role == "applicant"  # type: ignore[attr-defined]
    anonymous = by_path["/announcements"]
    assert anonymous.user_id is None and anonymous.auth is None  # type: ignore[attr-defined]
    # the JSON line carries them
    line = json.loads(JsonFormatter().format(page))
    assert line["user_id"] == token.user_id and line["auth"] == "session"  # type: ignore[attr-defined]


def test_i19_favicon_is_a_real_icon(api: Api) -> None:
    r = api.c.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/vnd.microsoft.icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    count = int.from_bytes(r.content[4:6], "little")
    sizes = {(r.content[6 + 16 * i] or 256) for i in range(count)}
    assert {16, 32} <= sizes
    assert '<link rel="icon" href="/favicon.ico"' in api.c.get("/").text


def test_i19_the_month_axis_says_2026年11月(api: Api) -> None:
    w = api.world()
    w.registered()  # approved 2026-10-13
    home = api.c.get("/").text
    assert "<tspan" in home and "2026年</tspan>" in home and ">10月</tspan>" in home
    assert "<td>2026年10月</td>" in home  # the table beside the chart too
    assert 'font-size="13"' in home and 'class="chart-scroll"' in home
    english = api.c.get("/?lang=en").text
    assert "<td>2026-10</td>" in english


def test_i19_prg_the_examiners_step_is_confirmed_once_after_the_redirect(api: Api) -> None:
    w = api.world()
    aid = w.submitted()
    token = sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    r = api.c.post(
        f"/workbench/applications/{aid}/actions/accept",
        data={"csrf_token": token, "version": version},
        follow_redirects=False,
    )
    assert r.status_code == 303
    shown = api.c.get(r.headers["location"]).text
    assert '<p class="result ok flash" role="status" id="flash">已办理：受理。</p>' in shown
    assert 'id="flash"' not in api.c.get(r.headers["location"]).text


def test_i19_a_group_name_asks_for_a_class_within_it(api: Api) -> None:
    w = api.world()
    token = sign_in(api, w.applicant)
    r = api.c.post(
        "/applications/new",
        data={
            "csrf_token": token,
            "applicant_party_0": str(w.party),
            "industry_code": "城市公共交通运输",  # GB/T 4754 group 541
            "op": "save",
        },
    )
    assert r.status_code == 422 and "“541 城市公共交通运输”是中类，请选择其下的一个小类" in r.text
    html = api.c.get("/applications/new").text
    assert "公共电汽车客运" in html[html.index('id="industry_code_hint"') :][:200]
