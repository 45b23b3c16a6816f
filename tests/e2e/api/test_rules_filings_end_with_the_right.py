"""Licences, pledges and trades end with the right (issue 19; G§20, G§22, G§23): once a
registration is abandoned (R17), cancelled (R21) or revoked (R18), no filing on it is "in
force" — not in the API, not on the registration page, not in the log — and a revocation
overturned on re-examination puts them back in force."""

from __future__ import annotations

import json
from typing import Any

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, World, make_uscc, problem


def _encumbered(api: Api) -> tuple[World, str, dict[str, str]]:
    """Registered 2026-10-13, with a licence, a pledge and a trade filed on 2026-10-20."""
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-10-19",
        licence_type="non_exclusive",
        licensee={"name": "贵阳数据应用有限公司", "credit_code": make_uscc(501)},
        scope="交通调度模型训练",
        territory="贵州省",
        term_end="2030-06-30",
        fee_fen=1_200_000,
    )
    api.reg_ok(
        w.applicant,
        number,
        "file_pledge",
        contract_date="2026-10-19",
        pledgee={"name": "贵阳银行股份有限公司", "credit_code": make_uscc(502)},
        secured_amount_fen=500_000_000,
    )
    d = api.reg_ok(
        w.applicant,
        number,
        "file_trade",
        contract_date="2026-10-19",
        counterparty={"name": "遵义智慧交通有限公司", "credit_code": make_uscc(503)},
        price_fen=30_000_000,
        right="usage",
    )
    numbers = {f["kind"]: f["number"] for f in d["filings"]}
    assert d["encumbrances"] == {"pledged": True, "licences_in_force": 1}
    assert {f["state"] for f in d["filings"]} == {"in_force"}
    return w, number, numbers


def _consent(api: Api, w: World, number: str, pledge: str, action: str) -> None:
    instrument = api.upload(w.applicant, b"the pledgee consents", "consent.pdf")
    api.reg_ok(
        w.applicant,
        number,
        "record_pledgee_consent",
        filing_number=pledge,
        for_action=action,
        instrument=instrument,
    )


def _assert_ended_with_the_right(
    api: Api, w: World, number: str, numbers: dict[str, str], state: str
) -> None:
    for who in (None, w.applicant):  # the public and the holder
        d = api.reg(who, number).json()
        assert d["state"] == state
        assert d["encumbrances"] == {"pledged": False, "licences_in_force": 0}
        for f in d["filings"]:
            assert f["state"] == "ended", f
            assert (f["ended_with"], f["ended_on"]) == (state, d["ended_on"])
        assert {f["number"] for f in d["filings"]} == set(numbers.values())
    # the registration page: no 质押中 / 已许可 badge, each filing marked as ended
    page = api.c.get(f"/registrations/{number}")
    assert page.status_code == 200
    assert "质押中" not in page.text and "已许可" not in page.text
    assert page.text.count("已随权利终止") == 3
    # a bank reading the old pledge announcement (found by search) learns it is over
    d = api.reg(None, number).json()
    pledge_notice = next(a["number"] for a in d["announcements"] if a["kind"] == "pledge")
    hits = api.c.get("/api/v1/announcements", params={"q": pledge_notice}).json()["items"]
    assert [h["number"] for h in hits] == [pledge_notice]
    page = api.c.get(f"/announcements/{pledge_notice}")
    assert page.status_code == 200
    assert "备案当前状态" in page.text
    assert "已随权利终止" in page.text.split('id="filing-now"')[1].split("</dd>")[0]
    # nothing left to release: the pledge ended with the right
    assert "release_pledge" not in api.reg(w.applicant, number).json()["allowed_actions"]
    problem(
        api.reg_act(w.applicant, number, "release_pledge", filing_number=numbers["pledge"]),
        409,
        "no_pledge_in_force",
    )


def _last_event(registry: Registry, kind: str) -> dict[str, Any]:
    ledger.integrate(registry.env, registry.log_keys)
    leaves = [json.loads(leaf) for _, _, leaf in ledger.iter_leaves(registry.env)]
    return next(leaf for leaf in reversed(leaves) if leaf["type"] == kind)


def test_r17_licences_end_with_the_right(api: Api, registry: Registry) -> None:
    w, number, numbers = _encumbered(api)
    _consent(api, w, number, numbers["pledge"], "abandon")
    api.at("2026-10-22 10:00")
    api.reg_ok(w.applicant, number, "abandon", reason="业务调整，不再维护该数据集")
    _assert_ended_with_the_right(api, w, number, numbers, "abandoned")
    event = _last_event(registry, "RegistrationAbandoned")
    assert sorted(event["public"]["filings_ended"]) == sorted(numbers.values())


def test_r17_a_released_pledge_stays_released_when_the_right_ends(api: Api) -> None:
    w, number, numbers = _encumbered(api)
    api.reg_ok(w.applicant, number, "release_pledge", filing_number=numbers["pledge"])
    api.reg_ok(w.applicant, number, "abandon", reason="业务调整")
    filings = {f["number"]: f for f in api.reg(w.applicant, number).json()["filings"]}
    assert filings[numbers["pledge"]]["state"] == "released"
    assert "ended_with" not in filings[numbers["pledge"]]
    assert filings[numbers["licence"]]["state"] == "ended"
    d = api.reg(None, number).json()
    pledge_notice = next(a["number"] for a in d["announcements"] if a["kind"] == "pledge")
    page = api.c.get(f"/announcements/{pledge_notice}").text
    assert page.split('id="filing-now"')[1].split("</dd>")[0].endswith(">已解除")


def test_r21_licences_end_with_the_right(api: Api, registry: Registry) -> None:
    # the registry cancels (G§19: evident defect)
    w, number, numbers = _encumbered(api)
    api.at("2026-10-22 10:00")
    api.reg_ok(w.examiner, number, "cancel", ground="evident_defect", reason="样例数据与登记不符")
    _assert_ended_with_the_right(api, w, number, numbers, "cancelled")
    event = _last_event(registry, "RegistrationCancelled")
    assert sorted(event["public"]["filings_ended"]) == sorted(numbers.values())


def test_r21_licences_end_with_the_right_on_the_holders_cancellation(
    api: Api, registry: Registry
) -> None:
    # the holder asks (G§23), with the pledgee's consent; the registry approves
    w, number, numbers = _encumbered(api)
    _consent(api, w, number, numbers["pledge"], "cancellation")
    d = api.reg_ok(w.applicant, number, "request_cancellation", reason="数据集停止运营")
    assert d["encumbrances"]["pledged"] is True  # nothing ends before the decision
    rid = d["requests"][-1]["id"]
    api.at("2026-10-23 10:00")
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="同意"
    )
    _assert_ended_with_the_right(api, w, number, numbers, "cancelled")
    event = _last_event(registry, "RequestDecided")
    assert sorted(event["public"]["filings_ended"]) == sorted(numbers.values())


def test_r21_licences_end_with_the_right_when_expired_unrenewed(api: Api) -> None:
    from dataip.services.scheduler import tick

    w, number, numbers = _encumbered(api)
    api.at("2028-10-13 00:30")  # the day after expiry (2028-10-12), unrenewed
    tick(env=api.c.app.state.registry.env)  # type: ignore[attr-defined]
    _assert_ended_with_the_right(api, w, number, numbers, "cancelled")


def test_r18_licences_end_with_the_right(api: Api, registry: Registry) -> None:
    # ex officio revocation (G§20) ends them; overturned on re-examination they are back
    w, number, numbers = _encumbered(api)
    api.at("2026-11-02 10:00")
    api.reg_ok(w.examiner, number, "revoke", grounds=[1], reason="登记后发现数据来源不合法")
    _assert_ended_with_the_right(api, w, number, numbers, "revoked")
    event = _last_event(registry, "RegistrationRevoked")
    assert sorted(event["public"]["filings_ended"]) == sorted(numbers.values())
    api.reg_ok(w.applicant, number, "request_re_examination", reason="数据来源合法，附授权文件")
    assert api.reg(None, number).json()["encumbrances"]["pledged"] is False  # still revoked
    api.at("2026-11-10 10:00")
    d = api.reg_ok(
        w.examiner, number, "decide_re_examination", outcome="overturn", reason="原证据不足"
    )
    assert d["state"] == "valid"
    assert d["encumbrances"] == {"pledged": True, "licences_in_force": 1}
    assert {f["state"] for f in d["filings"]} == {"in_force"}
    assert all(f.get("ended_with") is None for f in d["filings"])
    pledge_notice = next(a["number"] for a in d["announcements"] if a["kind"] == "pledge")
    page = api.c.get(f"/announcements/{pledge_notice}").text
    assert page.split('id="filing-now"')[1].split("</dd>")[0].endswith(">有效")
    event = _last_event(registry, "ReExaminationDecided")
    assert sorted(event["public"]["filings_reinstated"]) == sorted(numbers.values())


def test_r18_licences_end_with_the_right_on_a_revocation_request(
    api: Api, registry: Registry
) -> None:
    w, number, numbers = _encumbered(api)
    other = api.user("applicant")
    pid = api.party(other, verify_by=w.examiner)
    ev = api.upload(other, b"evidence: the data was scraped", "evidence.pdf")
    d = api.reg_ok(
        other,
        number,
        "request_revocation",
        statement="该数据集系爬取他人平台数据，不符合登记条件",
        evidence_blobs=[ev],
        party_id=pid,
    )
    assert d["encumbrances"]["pledged"] is True  # in force while the request is examined
    rid = d["requests"][-1]["id"]
    api.at("2026-11-02 10:00")
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="查证属实"
    )
    _assert_ended_with_the_right(api, w, number, numbers, "revoked")
    event = _last_event(registry, "RequestDecided")
    assert sorted(event["public"]["filings_ended"]) == sorted(numbers.values())
