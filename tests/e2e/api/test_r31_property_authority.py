"""R31 (issue 24 §1): where the data property authority is another body (the profile's
`authority.mode = "forward"`; BJ§1: Hangzhou's data exchange issues the certificates), this
registry forwards the submitted filing to that body's HTTP endpoint and follows its state:
the body's decisions move the local application through the same transition table, as the
`authority` actor, and the registration carries the certificate number the body issued. The
body here is a real HTTP server (tests/support/property_authority.py), not a mock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest

from dataip.services.context import Env
from dataip.services.property_authority import forwarding
from dataip.services.property_authority.adapters import HttpAuthority
from tests.e2e.api.test_r31_data_property import property_form
from tests.support.api import Api, problem
from tests.support.property_authority import Authority, authority


@pytest.fixture
def body(env: Env) -> Iterator[Authority]:
    saved = (dict(env.registers), env.property_authority)
    with authority() as auth:
        profile = env.registers["data_property"]
        env.registers["data_property"] = dataclasses.replace(profile, authority="forward")
        env.property_authority = HttpAuthority(auth.url)
        try:
            yield auth
        finally:
            env.registers, env.property_authority = saved


def _file(api: Api, w: object, **over: object) -> tuple[int, str]:
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(w.applicant),  # type: ignore[attr-defined]
        json={
            "register": "data_property",
            "form": property_form(api, w.applicant, **over),  # type: ignore[attr-defined]
            "applicants": [{"party_id": w.party}],  # type: ignore[attr-defined]
        },
    )
    assert r.status_code == 201, r.text
    sub = api.ok(w.applicant, r.json()["id"], "submit")  # type: ignore[attr-defined]
    return int(sub["id"]), str(sub["application_number"])


def test_r31_a_forwarded_filing_follows_the_authoritys_decisions_to_registration(
    api: Api, env: Env, body: Authority
) -> None:
    w = api.world()
    aid, number = _file(api, w)
    # this registry's examiners only watch: the body decides
    assert api.get(w.examiner, aid).json()["allowed_actions"] == []
    problem(api.act(w.examiner, aid, "accept"), 403, "forbidden_action")
    assert forwarding.forward(env) == 1
    assert forwarding.forward(env) == 0  # once
    ((fid, sent),) = body.filings.items()
    assert sent["reference"] == number and sent["rights"] == ["resource_holding", "processing_use"]
    assert sent["applicants"][0]["id_number"] == api.numbers[w.party]
    assert forwarding.follow(env) == 0  # received: nothing to apply
    httpx.post(f"{body.url}/filings/{fid}/decision", json={"state": "publicised"})
    assert forwarding.follow(env) == 1
    assert api.get(w.applicant, aid).json()["state"] == "publicised"
    cert_no = "CQ202610330100042"
    httpx.post(
        f"{body.url}/filings/{fid}/decision",
        json={"state": "registered", "certificate_number": cert_no},
    )
    api.at("2026-09-30 10:00")  # before this registry's own publicity would end: the body's
    assert forwarding.follow(env) == 1
    a = api.get(w.applicant, aid).json()
    assert a["state"] == "registered"
    assert a["registration"]["certificate_number"] == cert_no
    assert a["registration"]["registration_number"] == number
    assert forwarding.follow(env) == 0  # terminal: not asked again
    history = api.c.get(f"/api/v1/applications/{aid}/history", headers=api.h(w.applicant))
    assert "FilingForwarded" in history.text


def test_r31_a_refusal_by_the_authority_is_applied_and_an_unreachable_one_changes_nothing(
    api: Api, env: Env, body: Authority
) -> None:
    w = api.world()
    aid, _ = _file(api, w)
    body.down = True
    assert forwarding.forward(env) == 0  # 503: not forwarded, tried again next round
    body.down = False
    assert forwarding.forward(env) == 1
    fid = next(iter(body.filings))
    body.down = True
    assert forwarding.follow(env) == 0
    assert api.get(w.applicant, aid).json()["state"] == "submitted"
    body.down = False
    httpx.post(
        f"{body.url}/filings/{fid}/decision",
        json={"state": "refused", "grounds": [1], "reason": "数据来源合法性证明不足"},
    )
    assert forwarding.follow(env) == 1
    a = api.get(w.applicant, aid).json()
    assert a["state"] == "refused" and a["grounds"] == [1]
    # a body that reports a registration without a usable certificate number is not believed
    aid2, _ = _file(api, w, name="第二个产权数据集")
    assert forwarding.forward(env) == 1
    fid2 = list(body.filings)[-1]
    httpx.post(f"{body.url}/filings/{fid2}/decision", json={"state": "registered"})
    assert forwarding.follow(env) == 0
    assert api.get(w.applicant, aid2).json()["state"] == "submitted"
