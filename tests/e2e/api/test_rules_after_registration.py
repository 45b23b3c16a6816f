"""After registration (issue 5, first slice): R16 renewal."""

from __future__ import annotations

import json
from typing import Any

from httpx import Response

from dataip.bootstrap import Registry
from dataip.services import ledger
from tests.support.api import Api, World, make_uscc, problem


def _registered(api: Api) -> tuple[World, str]:
    w = api.world()
    api.at("2026-09-28 10:00")
    aid = w.publicised()
    api.at("2026-10-13 09:00")
    reg = api.ok(w.examiner, aid, "approve")["registration"]
    assert reg["valid_until"] == "2028-10-12"
    return w, reg["registration_number"]


def _renew(api: Api, who: str | None, number: str) -> Response:
    return api.c.post(f"/api/v1/registrations/{number}/actions/renew", headers=api.h(who))


def test_r16_renewal_the_day_before_the_window_is_refused_and_on_its_first_day_accepted(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    api.at("2028-09-12 10:00")  # window: 2028-09-13 .. 2028-10-12 (one month before expiry)
    body = problem(_renew(api, w.applicant, number), 409, "renewal_window_not_open")
    assert body["details"] == {"opens": "2028-09-13", "closes": "2028-10-12"}
    api.at("2028-09-13 09:00")
    renewed = _renew(api, w.applicant, number)
    assert renewed.status_code == 200, renewed.text
    # R16 / R0.3: two more years from the day after the previous expiry
    assert renewed.json()["valid_until"] == "2030-10-12"
    assert api.c.get(f"/api/v1/registrations/{number}").json()["valid_until"] == "2030-10-12"
    # the renewal is in the log
    ledger.integrate(registry.env, registry.log_keys)
    types = [json.loads(leaf)["type"] for _, _, leaf in ledger.iter_leaves(registry.env)]
    assert types[-1] == "RegistrationRenewed"
    # renewed once, the window is now two years away
    problem(_renew(api, w.applicant, number), 409, "renewal_window_not_open")


def test_r16_renewal_after_expiry_is_refused(api: Api) -> None:
    w, number = _registered(api)
    api.at("2028-10-13 09:00")
    problem(_renew(api, w.applicant, number), 409, "renewal_window_closed")


def test_r16_only_the_holder_renews(api: Api) -> None:
    w, number = _registered(api)
    api.at("2028-09-20 09:00")
    problem(_renew(api, w.examiner, number), 403, "forbidden_action")
    problem(_renew(api, api.user("applicant"), number), 403, "forbidden_action")
    problem(_renew(api, None, number), 401, "unauthenticated")
    problem(_renew(api, w.applicant, "2026105200009999"), 404, "registration_not_found")


# --------------------------------------------------------------------------------------------
# R16–R21 over HTTP: each rule at its edge (issue 5, after-registration actions)
# --------------------------------------------------------------------------------------------

# The filing period counts chinese-calendar working days: 2026-11-02 (Mon) + 10 working days
# is 2026-11-16 (Mon); working day 11 is 2026-11-17. Across National Day, 2026-09-29 (Tue)
# + 10 is 2026-10-19: 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 … 10-16, 10-19;
# Oct 1–7 are the holiday.
# The re-examination period is 15 calendar days from service: decided 2026-11-02 (Mon) →
# due 2026-11-17 (Tue, a working day); decided 2026-11-06 (Fri) → day 15 is Saturday
# 2026-11-21, so the period ends on Monday 2026-11-23.


def _d(api: Api, who: str | None, number: str) -> dict[str, Any]:
    r = api.reg(who, number)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _kinds(d: dict[str, Any]) -> list[str]:
    return [a["kind"] for a in d["announcements"]]


def _other(api: Api, w: World) -> tuple[str, int]:
    """A second account with its own verified legal-person party."""
    who = api.user("applicant")
    return who, api.party(who, verify_by=w.examiner)


def _licence(contract_date: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contract_date": contract_date,
        "licence_type": "non_exclusive",
        "licensee": {"name": "贵阳数据应用有限公司", "credit_code": make_uscc(501)},
        "scope": "交通调度模型训练",
        "territory": "贵州省",
        "term_end": "2028-06-30",
        "fee_fen": 1_200_000,
    }
    return {**body, **over}


def _pledge(contract_date: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contract_date": contract_date,
        "pledgee": {"name": "贵阳银行股份有限公司", "credit_code": make_uscc(502)},
        "secured_amount_fen": 500_000_000,
    }
    return {**body, **over}


def _trade(contract_date: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contract_date": contract_date,
        "counterparty": {"name": "遵义智慧交通有限公司", "credit_code": make_uscc(503)},
        "price_fen": 30_000_000,
        "right": "usage",
    }
    return {**body, **over}


def _request_revocation(api: Api, w: World, number: str) -> tuple[str, int]:
    """A second applicant asks, under a verified name and with evidence, for revocation;
    returns (that account, the request id)."""
    other, pid = _other(api, w)
    ev = api.upload(other, b"evidence: the data was scraped", "evidence.pdf")
    d = api.reg_ok(
        other,
        number,
        "request_revocation",
        statement="该数据集系爬取他人平台数据，不符合登记条件",
        evidence_blobs=[ev],
        party_id=pid,
    )
    assert d["state"] == "revocation_pending"
    assert d["requests"][-1]["kind"] == "revocation"
    assert d["requests"][-1]["state"] == "pending"
    return other, int(d["requests"][-1]["id"])


# ----------------------------------------------------------------------------- R16 renewal


def test_r16_renewal_adds_certificate_version_2_and_a_renewal_announcement(api: Api) -> None:
    w = api.world()
    number = w.registered()
    before = _d(api, w.applicant, number)
    assert before["certificate_version"] == 1
    assert [(v["number"], v["reason"]) for v in before["versions"]] == [(1, "registration")]
    assert _kinds(before) == ["registration"]
    api.at("2028-09-13 09:00")
    after = api.reg_ok(w.applicant, number, "renew")
    assert after["certificate_version"] == 2
    assert [(v["number"], v["reason"], v["valid_until"]) for v in after["versions"]] == [
        (1, "registration", "2028-10-12"),
        (2, "renewal", "2030-10-12"),
    ]
    assert _kinds(after) == ["registration", "renewal"]
    # the public record shows the renewal too
    public = _d(api, None, number)
    assert public["certificate_version"] == 2
    assert public["valid_until"] == "2030-10-12"
    assert _kinds(public) == ["registration", "renewal"]
    ann = api.c.get(f"/api/v1/announcements/{after['announcements'][-1]['number']}")
    assert ann.status_code == 200, ann.text
    assert ann.json()["kind"] == "renewal"
    assert ann.json()["body"]["valid_until"] == "2030-10-12"
    assert ann.json()["body"]["previous_valid_until"] == "2028-10-12"
    assert ann.json()["body"]["certificate_version"] == 2


def test_r16_renew_is_offered_to_the_holder_only_inside_the_window(api: Api) -> None:
    w = api.world()
    number = w.registered()
    stranger = api.user("applicant")
    api.at("2028-09-12 23:59")
    holder_sees = _d(api, w.applicant, number)["allowed_actions"]
    assert "renew" not in holder_sees
    assert "file_licence" in holder_sees  # the holder's other buttons are there
    for when in ("2028-09-13 00:00", "2028-10-12 23:59"):
        api.at(when)
        assert "renew" in _d(api, w.applicant, number)["allowed_actions"], when
        assert "renew" not in _d(api, stranger, number)["allowed_actions"], when
        assert "renew" not in _d(api, w.examiner, number)["allowed_actions"], when
        assert _d(api, None, number)["allowed_actions"] == [], when
    api.at("2028-10-13 00:00")
    assert "renew" not in _d(api, w.applicant, number)["allowed_actions"]


# ----------------------------------------------------------------------------- R17 abandonment


def test_r17_abandonment_needs_a_reason_and_then_every_holder_action_is_refused(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    before = _d(api, w.applicant, number)
    body = problem(api.reg_act(w.applicant, number, "abandon"), 422, "missing_fields")
    assert body["details"]["fields"] == ["reason"]
    body = problem(api.reg_act(w.applicant, number, "abandon", reason="   "), 422, "missing_fields")
    assert body["details"]["fields"] == ["reason"]
    problem(api.reg_act(api.user(), number, "abandon", reason="不要了"), 403, "forbidden_action")
    assert _d(api, w.applicant, number) == before

    done = api.reg_ok(w.applicant, number, "abandon", reason="数据已停止更新，不再维护")
    assert done["state"] == "abandoned"
    assert done["state_label"] == {"zh": "已放弃", "en": "Abandoned"}
    assert done["ended_on"] == "2026-10-20"
    assert done["state_reason"] == "数据已停止更新，不再维护"
    assert _kinds(done) == ["registration", "abandonment"]
    assert done["allowed_actions"] == []
    assert _d(api, None, number)["state"] == "abandoned"

    _, pid = _other(api, w)
    blob = api.upload(w.applicant, b"consent", "consent.pdf")
    refused = {
        "renew": {},
        "request_change": {"changes": {"update": {"frequency": "weekly"}}},
        "request_transfer": {"transferees": [{"id_number": api.numbers[pid], "share_bp": 10_000}]},
        "file_licence": _licence("2026-10-19"),
        "file_pledge": _pledge("2026-10-19"),
        "file_trade": _trade("2026-10-19"),
        "record_pledgee_consent": {
            "filing_number": "BA202652000000001",
            "for_action": "transfer",
            "instrument": blob,
        },
        "abandon": {"reason": "再次放弃"},
        "request_cancellation": {"reason": "注销"},
        "request_re_examination": {"reason": "复审"},
        "withdraw_request": {"request_id": 1},
        "confirm_transfer": {},
    }
    for action, payload in refused.items():
        body = problem(
            api.reg_act(w.applicant, number, action, **payload),
            409,
            "action_not_allowed_in_state",
        )
        assert body["details"] == {"state": "abandoned", "action": action}, action
    # releasing a pledge is possible in any state, but there is none
    problem(
        api.reg_act(w.applicant, number, "release_pledge", filing_number="BA202652000000001"),
        409,
        "no_pledge_in_force",
    )
    after = _d(api, w.applicant, number)
    assert after == {**done, "allowed_actions": []}


# ----------------------------------------------------------------------------- R18 revocation


def test_r18_revocation_request_needs_a_verified_party_a_statement_and_evidence(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    other, pid = _other(api, w)
    unverified = api.party(other)
    foreign = api.party(api.user(), verify_by=w.examiner)
    ev = api.upload(other, b"evidence", "evidence.pdf")
    before = _d(api, w.applicant, number)

    def ask(**payload: Any) -> Response:
        return api.reg_act(other, number, "request_revocation", **payload)

    body = problem(ask(statement="爬取数据", party_id=pid), 422, "missing_fields")
    assert body["details"]["fields"] == ["evidence_blobs"]
    body = problem(ask(evidence_blobs=[ev], party_id=pid), 422, "missing_fields")
    assert body["details"]["fields"] == ["statement"]
    problem(ask(statement="爬取数据", evidence_blobs=[ev]), 422, "party_not_found")
    problem(
        ask(statement="爬取数据", evidence_blobs=[ev], party_id=foreign), 422, "party_not_found"
    )
    problem(
        ask(statement="爬取数据", evidence_blobs=[ev], party_id=unverified),
        422,
        "party_not_verified",
    )
    problem(
        ask(statement="爬取数据", evidence_blobs=["0" * 64], party_id=pid), 422, "blob_not_found"
    )
    problem(
        api.reg_act(None, number, "request_revocation", statement="x", evidence_blobs=[ev]),
        401,
        "unauthenticated",
    )
    assert _d(api, w.applicant, number) == before

    _, rid = _request_revocation(api, w, number)
    holder = _d(api, w.applicant, number)
    assert holder["state"] == "revocation_pending"
    assert holder["state_label"]["zh"] == "撤销审查中"
    # still in force: the holder may file, but not change
    assert "file_licence" in holder["allowed_actions"]
    assert "request_change" not in holder["allowed_actions"]
    assert "decide_request" in _d(api, w.examiner, number)["allowed_actions"]
    # the registry decides, with reasons
    body = problem(
        api.reg_act(w.examiner, number, "decide_request", request_id=rid, outcome="refuse"),
        422,
        "missing_fields",
    )
    assert body["details"]["fields"] == ["reason"]
    problem(
        api.reg_act(
            w.examiner, number, "decide_request", request_id=rid, outcome="uphold", reason="x"
        ),
        422,
        "unknown_outcome",
    )
    problem(
        api.reg_act(w.applicant, number, "decide_request", request_id=rid, outcome="refuse"),
        403,
        "forbidden_action",
    )


def test_r18_re_examination_on_day_15_is_accepted_and_overturning_makes_it_valid(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-30 10:00")
    other, rid = _request_revocation(api, w, number)
    api.at("2026-11-02 10:00")
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="查证属实"
    )
    assert d["state"] == "revoked"
    assert d["ended_on"] == "2026-11-02"
    assert _kinds(d) == ["registration", "revocation"]
    decided = next(r for r in d["requests"] if r["id"] == rid)
    assert decided["state"] == "approved"
    assert decided["re_examination_due"] == "2026-11-17"
    # the revocation requester cannot contest a decision in their favour
    problem(
        api.reg_act(other, number, "request_re_examination", reason="x"), 403, "forbidden_action"
    )
    api.at("2026-11-17 23:59")  # day 15
    assert "request_re_examination" in _d(api, w.applicant, number)["allowed_actions"]
    body = problem(
        api.reg_act(w.applicant, number, "request_re_examination"), 422, "missing_fields"
    )
    assert body["details"]["fields"] == ["reason"]
    d = api.reg_ok(w.applicant, number, "request_re_examination", reason="证据系伪造")
    assert d["state"] == "re_examination"
    assert d["requests"][-1]["kind"] == "re_examination"
    assert d["requests"][-1]["related_request_id"] == rid
    # only one re-examination of a decision
    problem(
        api.reg_act(w.applicant, number, "request_re_examination", reason="again"),
        409,
        "action_not_allowed_in_state",
    )
    problem(
        api.reg_act(w.examiner, number, "decide_re_examination", outcome="approve", reason="x"),
        422,
        "unknown_outcome",
    )
    api.at("2026-11-20 10:00")
    d = api.reg_ok(
        w.examiner, number, "decide_re_examination", outcome="overturn", reason="原证据不足"
    )
    assert d["state"] == "valid"
    assert d["ended_on"] is None
    assert d["state_reason"] is None
    assert _kinds(d) == ["registration", "revocation", "re_examination"]
    assert "file_licence" in _d(api, w.applicant, number)["allowed_actions"]
    # the decided re-examination cannot be asked for again
    assert "request_re_examination" not in _d(api, w.applicant, number)["allowed_actions"]
    problem(
        api.reg_act(w.applicant, number, "request_re_examination", reason="again"),
        409,
        "re_examination_not_available",
    )


def test_r18_re_examination_on_day_16_is_refused(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-30 10:00")
    _, rid = _request_revocation(api, w, number)
    api.at("2026-11-02 10:00")
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="查证属实"
    )
    api.at("2026-11-18 00:00")  # day 16
    before = _d(api, w.applicant, number)
    assert "request_re_examination" not in before["allowed_actions"]
    problem(
        api.reg_act(w.applicant, number, "request_re_examination", reason="迟了一天"),
        409,
        "re_examination_not_available",
    )
    after = _d(api, w.applicant, number)
    assert after == before
    assert after["state"] == "revoked"


def test_r18_re_examination_due_on_a_saturday_moves_to_monday(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-11-05 10:00")
    _, rid = _request_revocation(api, w, number)
    api.at("2026-11-06 16:00")  # Friday: day 15 is Saturday 2026-11-21
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="查证属实"
    )
    assert next(r for r in d["requests"] if r["id"] == rid)["re_examination_due"] == "2026-11-23"
    api.at("2026-11-23 18:00")  # Monday
    d = api.reg_ok(w.applicant, number, "request_re_examination", reason="证据系伪造")
    assert d["state"] == "re_examination"


def test_r18_upholding_an_ex_officio_revocation_on_re_examination_leaves_it_revoked(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-11-02 10:00")
    d = api.reg_ok(w.examiner, number, "revoke", grounds=[2], reason="严重阻碍数据流通")
    assert d["state"] == "revoked"
    assert d["requests"][-1]["re_examination_due"] == "2026-11-17"
    api.at("2026-11-17 09:00")
    d = api.reg_ok(w.applicant, number, "request_re_examination", reason="不存在阻碍")
    assert d["state"] == "re_examination"
    api.at("2026-11-25 10:00")
    d = api.reg_ok(w.examiner, number, "decide_re_examination", outcome="uphold", reason="维持")
    assert d["state"] == "revoked"
    assert d["ended_on"] == "2026-11-02"
    assert d["state_reason"] == "维持"
    assert _kinds(d) == ["registration", "revocation", "re_examination"]
    assert _d(api, w.applicant, number)["allowed_actions"] == []
    problem(
        api.reg_act(w.applicant, number, "request_re_examination", reason="again"),
        409,
        "re_examination_not_available",
    )


def test_r18_ex_officio_revocation_needs_grounds_1_to_3_and_a_reason(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-11-02 10:00")
    before = _d(api, w.applicant, number)

    def revoke(who: str, **payload: Any) -> Response:
        return api.reg_act(who, number, "revoke", **payload)

    problem(revoke(w.examiner, reason="虚假材料"), 422, "grounds_required")
    problem(revoke(w.examiner, grounds=[], reason="虚假材料"), 422, "grounds_required")
    body = problem(revoke(w.examiner, grounds=[4], reason="虚假材料"), 422, "invalid_ground")
    assert body["details"]["valid"] == [1, 2, 3]
    problem(revoke(w.examiner, grounds=[0, 1], reason="虚假材料"), 422, "invalid_ground")
    body = problem(revoke(w.examiner, grounds=[1]), 422, "missing_fields")
    assert body["details"]["fields"] == ["reason"]
    problem(revoke(w.applicant, grounds=[1], reason="自己撤销"), 403, "forbidden_action")
    problem(revoke(api.user(), grounds=[1], reason="x"), 403, "forbidden_action")
    assert _d(api, w.applicant, number) == before

    d = api.reg_ok(w.examiner, number, "revoke", grounds=[3, 1], reason="登记后发现提交虚假材料")
    assert d["state"] == "revoked"
    assert d["state_reason"] == "登记后发现提交虚假材料"
    assert _kinds(d) == ["registration", "revocation"]
    revocation = d["requests"][-1]
    assert revocation["kind"] == "revocation"
    assert revocation["outcome"] == "approve"
    assert revocation["payload"]["grounds"] == [1, 3]
    assert revocation["payload"]["ex_officio"] is True
    # nothing more to revoke
    problem(revoke(w.examiner, grounds=[1], reason="again"), 409, "action_not_allowed_in_state")


def test_r18_refused_revocation_lets_the_requester_not_the_holder_ask_for_re_examination(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-30 10:00")
    other, rid = _request_revocation(api, w, number)
    api.at("2026-11-02 10:00")
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="refuse", reason="证据不足"
    )
    assert d["state"] == "valid"
    assert _kinds(d) == ["registration"]  # a refusal is served, not announced
    refused = next(r for r in d["requests"] if r["id"] == rid)
    assert (refused["state"], refused["re_examination_due"]) == ("refused", "2026-11-17")
    # the holder won; the holder has nothing to contest
    assert "request_re_examination" not in _d(api, w.applicant, number)["allowed_actions"]
    problem(
        api.reg_act(w.applicant, number, "request_re_examination", reason="x"),
        409,
        "re_examination_not_available",
    )
    # nor does a stranger
    problem(
        api.reg_act(api.user(), number, "request_re_examination", reason="x"),
        403,
        "forbidden_action",
    )
    api.at("2026-11-17 20:00")
    assert "request_re_examination" in _d(api, other, number)["allowed_actions"]
    d = api.reg_ok(other, number, "request_re_examination", reason="补充新证据")
    assert d["state"] == "re_examination"
    api.at("2026-11-24 10:00")
    # overturning a refusal revokes the registration
    d = api.reg_ok(
        w.examiner, number, "decide_re_examination", outcome="overturn", reason="新证据属实"
    )
    assert d["state"] == "revoked"
    assert d["ended_on"] == "2026-11-24"
    assert _kinds(d) == ["registration", "re_examination"]
    assert _d(api, None, number)["state"] == "revoked"


# ----------------------------------------------------------------------------- R19 change


def test_r19_change_is_examined_then_adds_a_certificate_version_and_a_change_announcement(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    changes = {"name": "城市停车需求预测数据集", "update": {"frequency": "weekly"}}
    d = api.reg_ok(w.applicant, number, "request_change", changes=changes, reason="更新频率调整")
    assert d["state"] == "valid"
    assert d["certificate_version"] == 1
    assert d["name"] == "城市交通拥堵预测数据集"  # nothing changes before approval
    req = d["requests"][-1]
    assert (req["kind"], req["state"]) == ("change", "pending")
    assert req["payload"]["changes"] == changes
    # one change or transfer at a time
    problem(
        api.reg_act(
            w.applicant, number, "request_change", changes={"update": {"frequency": "monthly"}}
        ),
        409,
        "request_pending",
    )
    problem(
        api.reg_act(w.applicant, number, "decide_request", request_id=req["id"], outcome="approve"),
        403,
        "forbidden_action",
    )
    api.at("2026-10-22 10:00")
    d = api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=req["id"],
        outcome="approve",
        reason="材料齐全",
    )
    assert d["certificate_version"] == 2
    assert d["name"] == "城市停车需求预测数据集"
    assert [(v["number"], v["reason"]) for v in d["versions"]] == [
        (1, "registration"),
        (2, "change"),
    ]
    assert _kinds(d) == ["registration", "change"]
    assert next(r for r in d["requests"] if r["id"] == req["id"])["state"] == "approved"
    archive = api.c.get(f"/api/v1/registrations/{number}/archive", headers=api.h(w.applicant))
    assert archive.status_code == 200, archive.text
    versions = archive.json()["certificate_versions"]
    assert versions[0]["form"]["update"]["frequency"] == "daily"
    assert versions[1]["form"]["update"] == {"frequency": "weekly", "term": "持续更新"}
    assert versions[1]["form"]["name"] == "城市停车需求预测数据集"
    assert versions[1]["form"]["scope"] == versions[0]["form"]["scope"]
    assert versions[1]["request_id"] == req["id"]


def test_r19_incomplete_change_is_refused_with_its_defects_and_changes_nothing(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    before = _d(api, w.applicant, number)

    def change(**payload: Any) -> Response:
        return api.reg_act(w.applicant, number, "request_change", **payload)

    body = problem(change(changes={"name": "坏名字"}), 422, "change_incomplete")
    assert [(x["field"], x["code"]) for x in body["details"]["defects"]] == [
        ("name", "name_pattern")
    ]
    # a value no form accepts is refused as a form's would be (issue 18)
    body = problem(change(changes={"update": {"frequency": "hourly"}}), 422, "invalid_request")
    assert [e["loc"] for e in body["details"]["errors"]] == [
        ["body", "changes", "update", "frequency"]
    ]
    body = problem(
        change(changes={"update": {"frequency": None}, "scope": {"records": 0}}),
        422,
        "change_incomplete",
    )
    assert {x["field"] for x in body["details"]["defects"]} == {
        "update.frequency",
        "scope.records",
    }
    problem(change(changes={"commitment_accepted": False}), 422, "unchangeable_field")
    problem(change(changes={}), 422, "no_change")
    problem(change(changes={"update": {"frequency": "daily"}}), 422, "no_change")
    problem(
        change(subject=[{"party_id": w.party + 1000, "name": "改名科技有限公司"}]),
        422,
        "invalid_subject_change",
    )
    problem(
        api.reg_act(
            api.user(), number, "request_change", changes={"update": {"frequency": "weekly"}}
        ),
        403,
        "forbidden_action",
    )
    after = _d(api, w.applicant, number)
    assert after == before
    assert after["requests"] == []
    problem(
        api.reg_act(
            w.examiner, number, "decide_request", request_id=1, outcome="approve", reason="x"
        ),
        409,
        "no_pending_request",
    )


def test_r19_refused_change_leaves_the_certificate_as_it_was(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    d = api.reg_ok(
        w.applicant, number, "request_change", changes={"update": {"frequency": "weekly"}}
    )
    rid = d["requests"][-1]["id"]
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="refuse", reason="无依据"
    )
    assert d["certificate_version"] == 1
    assert [v["number"] for v in d["versions"]] == [1]
    assert _kinds(d) == ["registration"]
    assert d["requests"][-1]["state"] == "refused"
    problem(
        api.reg_act(
            w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="x"
        ),
        409,
        "no_pending_request",
    )
    # a new change may now be asked for
    api.reg_ok(w.applicant, number, "request_change", changes={"update": {"frequency": "monthly"}})


# ----------------------------------------------------------------------------- R19 transfer


def test_r19_transfer_by_agreement_waits_for_the_transferee_then_the_registry(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    other, pid = _other(api, w)
    unverified = api.party(other)

    def transfer(who: str, **payload: Any) -> Response:
        return api.reg_act(who, number, "request_transfer", **payload)

    # someone else's party is named by its number, and only a verified one (issue 18)
    for ref in ({"id_number": api.numbers[unverified]}, {"party_id": pid}):
        problem(transfer(w.applicant, transferees=[ref]), 422, "party_not_found")
    problem(
        transfer(w.applicant, transferees=[{"id_number": api.numbers[pid], "share_bp": 5000}]),
        422,
        "shares_must_total_100",
    )
    problem(
        transfer(w.applicant, transferees=[{"party_id": w.party, "share_bp": 10_000}]),
        422,
        "same_holder",
    )
    problem(transfer(w.applicant), 422, "missing_fields")
    # by agreement, only the holder files
    problem(
        transfer(other, transferees=[{"party_id": pid, "share_bp": 10_000}]),
        403,
        "forbidden_action",
    )

    d = api.reg_ok(
        w.applicant,
        number,
        "request_transfer",
        transferees=[{"id_number": api.numbers[pid], "share_bp": 10_000}],
        reason="数据资产出售",
    )
    req = d["requests"][-1]
    assert (req["kind"], req["state"]) == ("transfer", "awaiting_consent")
    assert d["state"] == "valid"
    assert "confirm_transfer" not in d["allowed_actions"]
    assert "confirm_transfer" in _d(api, other, number)["allowed_actions"]
    # the registry cannot decide before the transferee confirms
    problem(
        api.reg_act(
            w.examiner,
            number,
            "decide_request",
            request_id=req["id"],
            outcome="approve",
            reason="x",
        ),
        409,
        "no_pending_request",
    )
    # neither the holder nor a stranger confirms for the transferee
    problem(api.reg_act(w.applicant, number, "confirm_transfer"), 403, "forbidden_action")
    problem(api.reg_act(api.user(), number, "confirm_transfer"), 403, "forbidden_action")
    d = api.reg_ok(other, number, "confirm_transfer")
    assert next(r for r in d["requests"] if r["id"] == req["id"])["state"] == "pending"
    assert "confirm_transfer" not in d["allowed_actions"]
    problem(api.reg_act(other, number, "confirm_transfer"), 403, "forbidden_action")

    api.at("2026-10-22 10:00")
    api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=req["id"],
        outcome="approve",
        reason="双方一致",
    )
    new = _d(api, other, number)
    assert new["visibility"] == "full"
    assert [(h["party_id"], h["share_bp"]) for h in new["holders"]] == [(pid, 10_000)]
    assert new["certificate_version"] == 2
    assert [v["reason"] for v in new["versions"]] == ["registration", "transfer"]
    assert _kinds(new) == ["registration", "transfer"]
    for action in ("request_change", "file_licence", "file_pledge", "abandon"):
        assert action in new["allowed_actions"], action
    old = _d(api, w.applicant, number)
    assert old["visibility"] == "public"
    assert old["allowed_actions"] == [
        "request_transfer",
        "request_cancellation",
        "request_revocation",
    ]
    problem(
        api.reg_act(w.applicant, number, "file_licence", **_licence("2026-10-21")),
        403,
        "forbidden_action",
    )
    # the new holder acts
    d = api.reg_ok(other, number, "file_licence", **_licence("2026-10-21"))
    assert d["filings"][-1]["kind"] == "licence"


def test_r19_unilateral_transfer_on_a_court_instrument_goes_straight_to_examination(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    other, pid = _other(api, w)
    someone_elses = api.party(api.user(), verify_by=w.examiner)
    judgment = api.upload(other, b"(2026) Qian 01 Min Chu 1", "judgment.pdf")
    before = _d(api, w.applicant, number)

    def transfer(**payload: Any) -> Response:
        return api.reg_act(other, number, "request_transfer", **payload)

    to_me = [{"party_id": pid, "share_bp": 10_000}]
    problem(transfer(transferees=to_me), 403, "forbidden_action")  # agreement: holder only
    body = problem(transfer(transferees=to_me, basis="court"), 422, "missing_fields")
    assert body["details"]["fields"] == ["instrument"]
    unknown = "0" * 64
    body = problem(
        transfer(transferees=to_me, basis="court", instrument=unknown), 422, "blob_not_found"
    )
    assert body["details"]["field"] == "instrument"
    problem(
        transfer(
            transferees=[{"id_number": api.numbers[someone_elses]}],
            basis="court",
            instrument=judgment,
        ),
        403,
        "forbidden_action",
    )
    assert _d(api, w.applicant, number) == before

    d = api.reg_ok(
        other, number, "request_transfer", transferees=to_me, basis="court", instrument=judgment
    )
    req = d["requests"][-1]
    assert (req["kind"], req["state"]) == ("transfer", "pending")
    assert req["payload"]["basis"] == "court"
    assert req["payload"]["instrument"] == judgment
    api.at("2026-10-21 10:00")
    d = api.reg_ok(
        w.examiner,
        number,
        "decide_request",
        request_id=req["id"],
        outcome="approve",
        reason="生效判决",
    )
    assert [h["party_id"] for h in _d(api, other, number)["holders"]] == [pid]
    assert _kinds(d) == ["registration", "transfer"]
    assert _d(api, w.applicant, number)["visibility"] == "public"


# ----------------------------------------------------------------------------- R20 filings


def test_r20_filing_on_working_day_10_is_on_time_and_on_working_day_11_late(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-11-16 23:30")  # working day 10 after the contract of 2026-11-02
    d = api.reg_ok(w.applicant, number, "file_licence", **_licence("2026-11-02"))
    lic = d["filings"][-1]
    assert (lic["kind"], lic["due_on"], lic["late"]) == ("licence", "2026-11-16", False)
    assert lic["number"].startswith("BA20265200")
    api.at("2026-11-17 00:30")  # working day 11
    d = api.reg_ok(w.applicant, number, "file_pledge", **_pledge("2026-11-02"))
    pledge = d["filings"][-1]
    assert (pledge["kind"], pledge["due_on"], pledge["late"]) == ("pledge", "2026-11-16", True)
    d = api.reg_ok(w.applicant, number, "file_trade", **_trade("2026-11-02"))
    trade = d["filings"][-1]
    assert (trade["kind"], trade["due_on"], trade["late"]) == ("trade", "2026-11-16", True)
    assert _kinds(d) == ["registration", "licence", "pledge", "trade"]
    assert d["encumbrances"] == {"pledged": True, "licences_in_force": 1}

    # the holder sees fees, amounts and prices; the public does not
    full = {f["kind"]: f for f in _d(api, w.applicant, number)["filings"]}
    assert full["licence"]["fee_fen"] == 1_200_000
    assert full["pledge"]["secured_amount_fen"] == 500_000_000
    assert full["trade"]["price_fen"] == 30_000_000
    public_view = _d(api, None, number)
    assert public_view["visibility"] == "public"
    public = {f["kind"]: f for f in public_view["filings"]}
    assert set(public) == {"licence", "pledge", "trade"}
    for f in public.values():
        assert not {"fee_fen", "secured_amount_fen", "price_fen", "consents"} & set(f), f
    assert public["licence"]["licence_type"] == "non_exclusive"
    assert public["licence"]["licensee"]["name"] == "贵阳数据应用有限公司"
    assert public["licence"]["term_end"] == "2028-06-30"
    assert public["pledge"]["pledgee"]["credit_code"] == make_uscc(502)
    assert public["trade"]["right"] == "usage"
    assert public_view["encumbrances"] == {"pledged": True, "licences_in_force": 1}
    stranger = _d(api, api.user(), number)
    assert all("fee_fen" not in f and "price_fen" not in f for f in stranger["filings"])


def test_r20_filing_period_skips_national_day_and_counts_the_make_up_saturday(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-19 17:00")
    d = api.reg_ok(w.applicant, number, "file_trade", **_trade("2026-09-29"))
    assert (d["filings"][-1]["due_on"], d["filings"][-1]["late"]) == ("2026-10-19", False)
    api.at("2026-10-20 09:00")
    d = api.reg_ok(w.applicant, number, "file_trade", **_trade("2026-09-29"))
    assert (d["filings"][-1]["due_on"], d["filings"][-1]["late"]) == ("2026-10-19", True)


def test_r20_filings_are_the_holders_and_need_their_terms(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    before = _d(api, w.applicant, number)

    def file(action: str, body: dict[str, Any], who: str | None = None) -> Response:
        return api.reg_act(who or w.applicant, number, action, **body)

    problem(file("file_licence", _licence("2026-10-21")), 422, "contract_date_in_future")
    body = problem(
        file(
            "file_licence",
            {k: v for k, v in _licence("2026-10-19").items() if k != "contract_date"},
        ),
        422,
        "missing_fields",
    )
    assert body["details"]["fields"] == ["contract_date"]
    problem(
        file("file_licence", {k: v for k, v in _licence("2026-10-19").items() if k != "term_end"}),
        422,
        "missing_fields",
    )
    problem(file("file_pledge", _pledge("2026-10-19", secured_amount_fen=0)), 422, "invalid_amount")
    problem(
        file("file_pledge", _pledge("2026-10-19", pledgee={"name": "某银行"})),
        422,
        "missing_fields",
    )
    problem(file("file_licence", _licence("2026-10-19"), who=api.user()), 403, "forbidden_action")
    problem(file("file_licence", _licence("2026-10-19"), who=w.examiner), 403, "forbidden_action")
    assert _d(api, w.applicant, number) == before


# ----------------------------------------------------------------------------- R20 pledge


def test_r20_pledge_blocks_transfer_abandonment_and_cancellation_until_consent(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    other, pid = _other(api, w)
    d = api.reg_ok(w.applicant, number, "file_licence", **_licence("2026-10-19"))
    d = api.reg_ok(w.applicant, number, "file_pledge", **_pledge("2026-10-19"))
    pledge_no = d["filings"][-1]["number"]
    assert d["encumbrances"] == {"pledged": True, "licences_in_force": 1}
    before = _d(api, w.applicant, number)
    to_other = [{"id_number": api.numbers[pid], "share_bp": 10_000}]
    for action, payload in (
        ("request_transfer", {"transferees": to_other}),
        ("abandon", {"reason": "不再维护"}),
        ("request_cancellation", {"reason": "不再维护"}),
    ):
        body = problem(api.reg_act(w.applicant, number, action, **payload), 409, "pledged")
        assert body["details"]["pledges"] == [pledge_no], action
    assert _d(api, w.applicant, number) == before

    consent = api.upload(w.applicant, b"pledgee consents to the transfer", "consent.pdf")
    body = problem(
        api.reg_act(
            w.applicant,
            number,
            "record_pledgee_consent",
            filing_number=pledge_no,
            for_action="transfer",
        ),
        422,
        "missing_fields",
    )
    assert body["details"]["fields"] == ["instrument"]
    licence_no = before["filings"][0]["number"]
    problem(
        api.reg_act(
            w.applicant,
            number,
            "record_pledgee_consent",
            filing_number=licence_no,
            for_action="transfer",
            instrument=consent,
        ),
        404,
        "filing_not_found",
    )
    d = api.reg_ok(
        w.applicant,
        number,
        "record_pledgee_consent",
        filing_number=pledge_no,
        for_action="transfer",
        instrument=consent,
    )
    assert [c["for_action"] for c in d["filings"][-1]["consents"]] == ["transfer"]
    # consent to a transfer does not cover abandonment
    problem(api.reg_act(w.applicant, number, "abandon", reason="不再维护"), 409, "pledged")

    d = api.reg_ok(w.applicant, number, "request_transfer", transferees=to_other)
    rid = d["requests"][-1]["id"]
    assert d["requests"][-1]["state"] == "awaiting_consent"
    api.reg_ok(other, number, "confirm_transfer")
    api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="质权人同意"
    )
    new = _d(api, other, number)
    assert [h["party_id"] for h in new["holders"]] == [pid]
    # the licence in force survives the transfer, and so does the pledge
    assert [(f["kind"], f["state"]) for f in new["filings"]] == [
        ("licence", "in_force"),
        ("pledge", "in_force"),
    ]
    assert new["encumbrances"] == {"pledged": True, "licences_in_force": 1}
    assert _kinds(new) == ["registration", "licence", "pledge", "transfer"]
    # the consent covered that one transfer: it is used up, and the next needs a new one
    assert new["filings"][-1]["consents"][0]["used_at"]
    assert "request_transfer" not in new["allowed_actions"]
    _third, third_pid = _other(api, w)
    body = problem(
        api.reg_act(
            other,
            number,
            "request_transfer",
            transferees=[{"id_number": api.numbers[third_pid], "share_bp": 10_000}],
        ),
        409,
        "pledged",
    )
    assert body["details"]["pledges"] == [pledge_no]


def test_r20_blocked_actions_are_not_offered_while_pledged(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    offered = set(_d(api, w.applicant, number)["allowed_actions"])
    assert {"request_transfer", "abandon", "request_cancellation"} <= offered
    d = api.reg_ok(w.applicant, number, "file_pledge", **_pledge("2026-10-19"))
    assert not {"request_transfer", "abandon", "request_cancellation"} & set(d["allowed_actions"])
    assert {"record_pledgee_consent", "release_pledge"} <= set(d["allowed_actions"])
    consent = api.upload(w.applicant, b"pledgee consents to abandonment", "consent.pdf")
    d = api.reg_ok(
        w.applicant,
        number,
        "record_pledgee_consent",
        filing_number=d["filings"][-1]["number"],
        for_action="abandon",
        instrument=consent,
    )
    assert "abandon" in d["allowed_actions"]
    assert "request_transfer" not in d["allowed_actions"]


def test_r20_releasing_the_pledge_unblocks_abandonment(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    problem(
        api.reg_act(w.applicant, number, "release_pledge", filing_number="BA202652000000001"),
        409,
        "no_pledge_in_force",
    )
    d = api.reg_ok(w.applicant, number, "file_pledge", **_pledge("2026-10-19"))
    pledge_no = d["filings"][-1]["number"]
    problem(api.reg_act(w.applicant, number, "abandon", reason="不再维护"), 409, "pledged")
    problem(api.reg_act(w.applicant, number, "release_pledge"), 422, "missing_fields")
    problem(
        api.reg_act(w.applicant, number, "release_pledge", filing_number="BA202652009999999"),
        404,
        "filing_not_found",
    )
    problem(
        api.reg_act(api.user(), number, "release_pledge", filing_number=pledge_no),
        403,
        "forbidden_action",
    )
    api.at("2026-10-21 10:00")
    d = api.reg_ok(
        w.applicant, number, "release_pledge", filing_number=pledge_no, reason="贷款已结清"
    )
    pledge = d["filings"][-1]
    assert pledge["state"] == "released"
    assert pledge["release_reason"] == "贷款已结清"
    assert d["encumbrances"] == {"pledged": False, "licences_in_force": 0}
    assert _kinds(d) == ["registration", "pledge", "pledge_release"]
    assert "release_pledge" not in d["allowed_actions"]
    d = api.reg_ok(w.applicant, number, "abandon", reason="不再维护")
    assert d["state"] == "abandoned"


# ----------------------------------------------------------------------------- R21 cancellation


def test_r21_cancellation_on_the_holders_request_is_examined_and_announced(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    body = problem(api.reg_act(w.applicant, number, "request_cancellation"), 422, "missing_fields")
    assert body["details"]["fields"] == ["reason"]
    d = api.reg_ok(w.applicant, number, "request_cancellation", reason="业务终止")
    req = d["requests"][-1]
    assert (req["kind"], req["state"]) == ("cancellation", "pending")
    assert d["state"] == "valid"
    assert _kinds(d) == ["registration"]
    api.at("2026-10-23 10:00")
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=req["id"], outcome="approve", reason="准予"
    )
    assert d["state"] == "cancelled"
    assert d["state_label"] == {"zh": "已注销", "en": "Cancelled"}
    assert d["ended_on"] == "2026-10-23"
    assert d["state_reason"] == "holder_request: 业务终止"
    assert _kinds(d) == ["registration", "cancellation"]
    assert _d(api, w.applicant, number)["allowed_actions"] == []
    problem(
        api.reg_act(
            w.applicant, number, "request_change", changes={"name": "城市停车需求预测数据集"}
        ),
        409,
        "action_not_allowed_in_state",
    )


def test_r21_registry_cancels_on_evident_defect_or_extinguished_right_naming_the_ground(
    api: Api,
) -> None:
    w = api.world()
    first = w.registered()
    second = w.registered(
        name="城市停车需求预测数据集",
        evidence={
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": "GZ-002",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    api.at("2026-10-20 10:00")
    before = _d(api, w.applicant, first)

    def cancel(who: str, number: str = first, **payload: Any) -> Response:
        return api.reg_act(who, number, "cancel", **payload)

    body = problem(cancel(w.examiner, reason="样例数据与登记内容不符"), 422, "missing_fields")
    assert body["details"]["fields"] == ["ground"]
    body = problem(cancel(w.examiner, ground="evident_defect"), 422, "missing_fields")
    assert body["details"]["fields"] == ["reason"]
    problem(cancel(w.examiner, ground="holder_request", reason="x"), 422, "invalid_request")
    problem(cancel(w.examiner, ground="expired", reason="x"), 422, "invalid_request")
    problem(cancel(w.applicant, ground="evident_defect", reason="x"), 403, "forbidden_action")
    assert _d(api, w.applicant, first) == before

    d = api.reg_ok(
        w.examiner, first, "cancel", ground="evident_defect", reason="样例数据与登记内容不符"
    )
    assert d["state"] == "cancelled"
    assert d["state_reason"] == "evident_defect: 样例数据与登记内容不符"
    assert d["ended_on"] == "2026-10-20"
    assert _kinds(d) == ["registration", "cancellation"]
    d = api.reg_ok(
        w.examiner, second, "cancel", ground="right_extinguished", reason="法院判决权利灭失"
    )
    assert d["state"] == "cancelled"
    assert d["state_reason"] == "right_extinguished: 法院判决权利灭失"
    assert _kinds(d) == ["registration", "cancellation"]
    problem(
        cancel(w.examiner, ground="evident_defect", reason="again"),
        409,
        "action_not_allowed_in_state",
    )


# ----------------------------------------------------------------------------- refusals, ETag


def test_refused_actions_leave_the_registration_unchanged(api: Api, registry: Registry) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    other, _ = _other(api, w)
    before = api.reg(w.applicant, number)
    ledger.integrate(registry.env, registry.log_keys)
    leaves = sum(1 for _ in ledger.iter_leaves(registry.env))
    refusals: list[tuple[str, str, dict[str, Any], int, str]] = [
        (w.applicant, "renew", {}, 409, "renewal_window_not_open"),
        (w.applicant, "abandon", {}, 422, "missing_fields"),
        (w.applicant, "request_change", {"changes": {"name": "坏名字"}}, 422, "change_incomplete"),
        (other, "abandon", {"reason": "x"}, 403, "forbidden_action"),
        (w.examiner, "revoke", {"grounds": [9], "reason": "x"}, 422, "invalid_ground"),
        (w.examiner, "cancel", {"reason": "x"}, 422, "missing_fields"),
        (w.applicant, "file_licence", _licence("2026-10-19", fee_fen=-1), 422, "invalid_request"),
        (w.applicant, "confirm_transfer", {}, 403, "forbidden_action"),
        (
            w.applicant,
            "request_re_examination",
            {"reason": "x"},
            409,
            "re_examination_not_available",
        ),
        (
            w.examiner,
            "decide_re_examination",
            {"outcome": "uphold", "reason": "x"},
            409,
            "action_not_allowed_in_state",
        ),
        (w.applicant, "fly_away", {}, 404, "unknown_action"),
    ]
    for who, action, payload, status, code in refusals:
        problem(api.reg_act(who, number, action, **payload), status, code)
    after = api.reg(w.applicant, number)
    assert after.json() == before.json()
    assert after.headers["ETag"] == before.headers["ETag"] == '"1"'
    ledger.integrate(registry.env, registry.log_keys)
    assert sum(1 for _ in ledger.iter_leaves(registry.env)) == leaves


def test_if_match_with_a_stale_etag_is_refused_with_412(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    r = api.reg(w.applicant, number)
    etag = int(r.headers["ETag"].strip('"'))
    assert r.json()["version"] == etag
    ok = api.reg_act(w.applicant, number, "file_licence", if_match=etag, **_licence("2026-10-19"))
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == f'"{etag + 1}"'
    before = _d(api, w.applicant, number)
    body = problem(
        api.reg_act(w.applicant, number, "file_trade", if_match=etag, **_trade("2026-10-19")),
        412,
        "stale_version",
    )
    assert body["details"]["current_version"] == etag + 1
    assert _d(api, w.applicant, number) == before
    ok = api.reg_act(w.applicant, number, "file_trade", if_match=etag + 1, **_trade("2026-10-19"))
    assert ok.status_code == 200, ok.text
