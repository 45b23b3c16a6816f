"""Issue 19 §3: an action after registration missing a field it cannot do without answers
422 `missing_fields` naming the fields — never the code of a value it would have judged had
it been there (`invalid_licence_type`, `invalid_amount`, `invalid_for_action`,
`filing_not_found`, …). A value that is there but wrong keeps its own code."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, World, make_uscc, problem
from tests.support.db import changed_tables, snapshot

LICENCE: dict[str, Any] = {
    "contract_date": "2026-10-12",
    "licence_type": "non_exclusive",
    "licensee": {"name": "贵阳数据应用有限公司", "credit_code": make_uscc(601)},
    "scope": "交通调度模型训练",
    "territory": "贵州省",
    "term_end": "2028-06-30",
    "fee_fen": 0,  # a free licence: zero is a value, not a missing one
}
PLEDGE: dict[str, Any] = {
    "contract_date": "2026-10-12",
    "pledgee": {"name": "贵阳银行股份有限公司", "credit_code": make_uscc(602)},
    "secured_amount_fen": 500_000_000,
}
TRADE: dict[str, Any] = {
    "contract_date": "2026-10-12",
    "counterparty": {"name": "遵义智慧交通有限公司", "credit_code": make_uscc(603)},
    "price_fen": 30_000_000,
}
FILINGS = {"file_licence": LICENCE, "file_pledge": PLEDGE, "file_trade": TRADE}


def _missing(api: Api, who: str, number: str, action: str, payload: dict[str, Any]) -> list[str]:
    body = problem(api.reg_act(who, number, action, **payload), 422, "missing_fields")
    return list(body["details"]["fields"])


def test_r22_filing_without_a_required_field_answers_missing_fields(api: Api) -> None:
    w = api.world()
    number = w.registered()
    registry = api.c.app.state.registry  # type: ignore[attr-defined]
    before = snapshot(registry)
    for action, full in FILINGS.items():
        # nothing at all: every field it needs is named at once
        assert _missing(api, w.applicant, number, action, {}) == list(full), action
        for field in full:
            rest = {k: v for k, v in full.items() if k != field}
            assert _missing(api, w.applicant, number, action, rest) == [field], (action, field)
            if field in ("scope", "territory"):  # free text: blank is missing too
                blank = {**full, field: "  "}
                assert _missing(api, w.applicant, number, action, blank) == [field]
    assert changed_tables(before, snapshot(registry)) == {}  # a refused action changes nothing
    # a value that is there but wrong keeps its own code
    bad = {**LICENCE, "licence_type": "perpetual"}
    assert api.reg_act(w.applicant, number, "file_licence", **bad).json()["code"] != (
        "missing_fields"
    )
    problem(
        api.reg_act(w.applicant, number, "file_licence", **{**LICENCE, "fee_fen": -1}),
        422,
        "invalid_request",
    )
    # and the complete payloads are filed
    for action, full in FILINGS.items():
        api.reg_ok(w.applicant, number, action, **full)


def test_r22_pledge_records_without_their_filing_or_choice_answer_missing_fields(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    d = api.reg_ok(w.applicant, number, "file_pledge", **PLEDGE)
    filing = d["filings"][-1]["number"]
    instrument = api.upload(w.applicant, b"pledgee consent", "consent.pdf")
    consent = {"filing_number": filing, "for_action": "transfer", "instrument": instrument}
    for field in consent:
        rest = {k: v for k, v in consent.items() if k != field}
        assert _missing(api, w.applicant, number, "record_pledgee_consent", rest) == [field]
    assert _missing(api, w.applicant, number, "release_pledge", {}) == ["filing_number"]
    problem(
        api.reg_act(w.applicant, number, "release_pledge", filing_number="BA0000"),
        404,
        "filing_not_found",
    )


def test_r20_registry_decisions_without_their_choice_answer_missing_fields(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    assert _missing(api, w.examiner, number, "cancel", {"reason": "缺陷"}) == ["ground"]
    assert _missing(api, w.examiner, number, "cancel", {}) == ["ground", "reason"]
    problem(
        api.reg_act(w.examiner, number, "cancel", ground="expired", reason="x"),
        422,
        "invalid_request",  # expiry is the scheduler's ground, not the examiner's
    )
    _request_change(api, w, number)
    rid = api.reg(w.examiner, number).json()["requests"][-1]["id"]
    assert _missing(
        api, w.examiner, number, "decide_request", {"request_id": rid, "reason": "x"}
    ) == ["outcome"]
    assert _missing(api, w.applicant, number, "publish_sample", {}) == ["choice"]


def _request_change(api: Api, w: World, number: str) -> None:
    api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"update": {"frequency": "weekly"}},
        reason="更新频率调整",
    )
