"""R27 / issue 22 §2 in the portal: the holder makes a value reference from the registration
page's form (yuan and per cent, parsed exactly), lands on the report showing each input,
factor and formula, the four dimensions, the legal defects and the sensitivity table, labelled
价值参考 with its disclaimer, and downloads it as a PDF; a malformed amount re-renders the form
with the error linked to its input and records nothing; a stranger sees no valuation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support import demo_world
from tests.support.api import Api, make_uscc
from tests.support.db import count
from tests.support.visible_text import visible_text


def _sign_in(c: TestClient, user: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={"csrf_token": token.group(1), "username": user, "password": "pass-word-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    return m.group(1)


FORM = {
    "quality_pct": "80",
    "approach": ["cost", "income"],
    "cost_collection": "10,000",
    "cost_processing": "5000.00",
    "profit_pct": "10",
    "scenario_pct": "80",
    "incomes": "10000，10000",
    "discount_pct": "10",
    "contribution_pct": "50",
}


def test_r27_holder_makes_a_value_reference_from_the_portal(api: Api, registry) -> None:  # type: ignore[no-untyped-def]
    w = api.world()
    number = w.registered()
    api.reg_ok(
        w.applicant,
        number,
        "file_pledge",
        contract_date="2026-10-13",
        pledgee={"name": "贵阳银行股份有限公司", "credit_code": make_uscc(502)},
        secured_amount_fen=500_000_000,
    )
    c = api.c
    _sign_in(c, w.applicant)
    c.cookies.set("dataip_lang", "zh-CN")
    reg_page = c.get(f"/registrations/{number}").text
    assert "生成价值参考" in visible_text(reg_page)
    form = c.get(f"/registrations/{number}/valuations/new").text
    # a malformed amount: the form again, the error linked to its input, nothing recorded
    bad = c.post(
        f"/registrations/{number}/valuations",
        data={**FORM, "cost_collection": "一万", "csrf_token": _csrf(form)},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and 'href="#cost_collection"' in bad.text
    assert count(registry, "valuations") == 0
    r = c.post(
        f"/registrations/{number}/valuations",
        data={**FORM, "csrf_token": _csrf(form)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    text = visible_text(c.get(url).text)
    # 15,000 yuan × 1.1 × (0.4 × 0.8 + 0.3 × 0.8 + 0.3 × 0.8) = 13,200.00 yuan (pledged: legal 80 %)
    assert "¥13,200.00" in text
    for words in (
        "价值参考",
        "不是资产评估报告",
        "法律价值",
        "数据集合价值",
        "技术价值",
        "经济价值",
        "质押中",
        "−20.00%",
        "成本法",
        "收益法",
        "价值调整系数",
        "0.8000",
        "逐年计算",
        "结果调和",
        "敏感性分析",
        "折现率",
    ):
        assert words in text, words
    pdf = c.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # English
    c.cookies.set("dataip_lang", "en")
    en = visible_text(c.get(url).text)
    assert "value reference" in en and "Legal defects and their deductions" in en
    # a stranger sees neither the report nor the list
    other = TestClient(c.app)
    _sign_in(other, api.user("applicant"))
    assert other.get(url).status_code == 404
    assert "PG2026" not in other.get(f"/registrations/{number}").text


def test_r27_the_demo_valuation_report_shows_every_factor(registry, app) -> None:  # type: ignore[no-untyped-def]
    """Issue 22's done-means: the demo's registration has a value reference and a signed
    appraisal report; each page shows every factor, formula, defect and sensitivity row its
    JSON carries, in Chinese, and the appraisal's signature verifies."""
    from datetime import datetime

    from dataip.services import demo
    from dataip.services.context import SHANGHAI
    from tests.support.db import empty

    empty(registry)
    registry.env.clock.advance_to(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    registry.env.invalidate_calendar()
    demo_world.populate(registry.env)
    with registry.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT r.registration_number, v.number, v.kind FROM valuations v "
            "JOIN registrations r ON r.id = v.registration_id ORDER BY v.id"
        ).all()
    assert [k for _, _, k in rows] == ["reference", "appraisal"]
    with TestClient(app) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
        assert token
        c.post(
            "/login",
            data={"csrf_token": token.group(1), "username": "applicant", "password": demo.PASSWORD},
        )
        c.cookies.set("dataip_lang", "zh-CN")
        for number, vno, kind in rows:
            html = c.get(f"/registrations/{number}/valuations/{vno}").text
            text = visible_text(html)
            body = c.get(f"/registrations/{number}/valuations/{vno}.pdf")
            assert body.status_code == 200 and body.content.startswith(b"%PDF")
            with registry.engine.connect() as conn:
                report = conn.exec_driver_sql(
                    f"SELECT report FROM valuations WHERE number = '{vno}'"
                ).scalar_one()
            import json

            report = json.loads(report) if isinstance(report, str) else report
            for d in report["dimensions"]:
                assert d["label"]["zh"] in text and d["formula"]["zh"] in html
                for f in d["factors"]:
                    assert f["label"]["zh"] in text, f["code"]
            for a in report["approaches"]:
                assert a["formula"]["zh"] in html
                for f in a["factors"]:
                    assert f["label"]["zh"] in text, (a["approach"], f["code"])
            for row in report["sensitivity"]:
                assert row["label"]["zh"] in text
            assert "质押中" in text  # the demo registration is pledged: a legal defect
            if kind == "appraisal":
                assert "评估报告" in text and "贵州黔元资产评估有限公司（演示）" in text
                assert "已用该机构登记的密钥核验通过" in text
            else:
                assert "价值参考" in text and "不是资产评估报告" in text
                assert "可比许可、交易案例不足 3 个" in text
    empty(registry)


def test_r27_only_the_holder_gets_the_valuation_form(api: Api) -> None:
    w = api.world()
    number = w.registered()
    c = TestClient(api.c.app)
    _sign_in(c, api.user("applicant"))
    c.cookies.set("dataip_lang", "zh-CN")
    r = c.get(f"/registrations/{number}/valuations/new")
    assert r.status_code == 403 and "只有登记主体" in visible_text(r.text)
    assert "生成价值参考" not in visible_text(c.get(f"/registrations/{number}").text)


def test_r27_the_holder_publishes_and_withdraws_from_the_valuation_page(api: Api, registry) -> None:  # type: ignore[no-untyped-def]
    """The buttons show only while they would succeed; a stale page is refused with the
    error on the page and nothing changed; each click logs one event."""
    w = api.world()
    number = w.registered()
    r = api.c.post(
        f"/api/v1/registrations/{number}/valuations",
        headers=api.h(w.applicant),
        json={
            "quality_bp": 8000,
            "cost": {"items": [{"item": "collection", "amount_fen": 100}], "profit_rate_bp": 0},
        },
    )
    assert r.status_code == 201, r.text
    url = f"/registrations/{number}/valuations/{r.json()['number']}"
    c = TestClient(api.c.app)
    _sign_in(c, w.applicant)
    c.cookies.set("dataip_lang", "zh-CN")
    page = c.get(url).text
    assert "公开该估值" in visible_text(page) and "撤回公开的估值" not in visible_text(page)
    stale = c.post(
        url + "/publish", data={"csrf_token": _csrf(page), "version": "7"}, follow_redirects=False
    )
    assert stale.status_code == 412 and 'role="alert"' in stale.text
    assert count(registry, "valuations", published=True) == 0
    done = c.post(
        url + "/publish", data={"csrf_token": _csrf(page), "version": "1"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == url
    page = c.get(url).text
    assert "撤回公开的估值" in visible_text(page) and "公开该估值" not in visible_text(page)
    assert TestClient(api.c.app).get(url).status_code == 200  # anyone reads it now
    done = c.post(
        url + "/unpublish", data={"csrf_token": _csrf(page), "version": "2"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert TestClient(api.c.app).get(url).status_code == 404
    assert count(registry, "events", type="ValuationPublished") == 1
    assert count(registry, "events", type="ValuationWithdrawn") == 1
    # the examiner reads it but gets no button
    examiner = TestClient(api.c.app)
    _sign_in(examiner, w.examiner)
    assert "公开该估值" not in visible_text(examiner.get(url).text)
