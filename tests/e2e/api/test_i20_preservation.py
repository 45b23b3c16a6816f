"""Issue 20 §7: a court's preservation (保全). A registrar (on the court's notice) or the
court's own client (`freezes:write`) freezes a registration; while it is frozen, transfer,
licence, pledge, trade, abandonment and cancellation are refused with 409
`registration_frozen` and not offered; lifting restores them. The freeze and its lifting are
announced and logged: the case number is public, the court's ruling only a commitment."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from dataip.bootstrap import Registry
from dataip.domain.after_registration import FROZEN_BLOCKS
from dataip.services import ledger
from dataip.sharing.scopes import FREEZES_WRITE, REGISTRATIONS_READ
from tests.support.api import Api, World, make_uscc, problem
from tests.support.institutions import as_institution

CASE = "（2026）黔01民初123号"
RULING = "冻结被申请人名下数据知识产权，期限三年（张三诉李四合同纠纷）"
BLOCKED_PAYLOADS: dict[str, dict[str, Any]] = {
    "request_transfer": {
        "transferees": [{"id_number": make_uscc(9101), "share_bp": 10_000}],
        "reason": "出售",
    },
    "file_licence": {
        "contract_date": "2026-10-20",
        "licence_type": "non_exclusive",
        "licensee": {"name": "贵阳数据应用有限公司", "credit_code": make_uscc(9102)},
        "scope": "模型训练",
        "territory": "贵州省",
        "term_end": "2028-06-30",
        "fee_fen": 100,
    },
    "file_pledge": {
        "contract_date": "2026-10-20",
        "pledgee": {"name": "贵阳银行股份有限公司", "credit_code": make_uscc(9103)},
        "secured_amount_fen": 500_000_000,
    },
    "file_trade": {
        "contract_date": "2026-10-20",
        "counterparty": {"name": "遵义智慧交通有限公司", "credit_code": make_uscc(9104)},
        "price_fen": 30_000_000,
    },
    "abandon": {"reason": "不再维护"},
    "request_cancellation": {"reason": "申请注销"},
}


def _registered(api: Api) -> tuple[World, str]:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    return w, number


def _assert_frozen(api: Api, w: World, number: str) -> None:
    offered = set(api.reg(w.applicant, number).json()["allowed_actions"])
    assert not offered & FROZEN_BLOCKS, offered
    assert {"renew", "request_change"} & offered or "publish_sample" in offered
    version = api.reg(w.applicant, number).json()["version"]
    for action, payload in BLOCKED_PAYLOADS.items():
        r = api.reg_act(w.applicant, number, action, **payload)
        body = problem(r, 409, "registration_frozen")
        assert body["details"]["freezes"], body
        assert "保全" in body["message_zh"]
    assert api.reg(w.applicant, number).json()["version"] == version  # nothing changed


def test_i20_registrar_freezes_blocks_disposal_and_lifting_restores(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    registrar = api.user("registrar_admin")
    assert "freeze" in api.reg(registrar, number).json()["allowed_actions"]
    assert "freeze" not in api.reg(w.applicant, number).json()["allowed_actions"]
    # the holder cannot freeze its own registration, nor lift a freeze
    problem(
        api.reg_act(w.applicant, number, "freeze", case_number=CASE, court="x", ruling="y"),
        403,
        "forbidden_action",
    )
    problem(
        api.reg_act(
            registrar, number, "freeze", case_number="黔01民初123", court="贵阳中院", ruling="冻结"
        ),
        422,
        "invalid_case_number",
    )
    d = api.reg_ok(
        registrar,
        number,
        "freeze",
        case_number="(2026)黔01民初123号",  # half-width brackets are normalised
        court="贵州省贵阳市中级人民法院",
        ruling=RULING,
        term_end="2029-10-19",
    )
    [f] = d["freezes"]
    assert (f["case_number"], f["state"], f["ruling"]) == (CASE, "in_force", RULING)
    assert "lift_freeze" in d["allowed_actions"] and "freeze" in d["allowed_actions"]
    _assert_frozen(api, w, number)
    # the public sees the freeze, not the ruling
    public = api.reg(None, number).json()["freezes"]
    assert public[0]["case_number"] == CASE and "ruling" not in public[0]
    # announced; the log's leaf carries the case number, commits to the court and ruling
    kinds = [a["kind"] for a in api.reg(None, number).json()["announcements"]]
    assert kinds[-1] == "freeze"
    ledger.integrate(registry.env, registry.log_keys)
    leaves = [json.loads(leaf) for _, _, leaf in ledger.iter_leaves(registry.env)]
    [frozen] = [x for x in leaves if x["type"] == "RegistrationFrozen"]
    assert frozen["public"]["case_number"] == CASE
    assert frozen["public"]["freeze_number"] == f["number"]
    assert {"court", "ruling"} <= set(frozen["commitments"])
    assert "贵阳" not in json.dumps(frozen, ensure_ascii=False)
    # a second court's freeze (轮候保全): lifting one leaves the registration frozen
    d = api.reg_ok(
        registrar,
        number,
        "freeze",
        case_number="（2026）黔0102财保7号",
        court="云岩区法院",
        ruling="冻结",
    )
    second = d["freezes"][1]["number"]
    api.reg_ok(
        registrar,
        number,
        "lift_freeze",
        freeze_number=f["number"],
        case_number=CASE,
        reason="已撤诉",
    )
    _assert_frozen(api, w, number)
    problem(
        api.reg_act(
            registrar,
            number,
            "lift_freeze",
            freeze_number=f["number"],
            case_number=CASE,
            reason="x",
        ),
        409,
        "freeze_not_in_force",
    )
    d = api.reg_ok(
        registrar,
        number,
        "lift_freeze",
        freeze_number=second,
        case_number="（2026）黔0102财保7号",
        reason="申请人撤回保全申请",
    )
    assert {x["state"] for x in d["freezes"]} == {"lifted"}
    assert "lift_freeze" not in d["allowed_actions"]
    offered = set(api.reg(w.applicant, number).json()["allowed_actions"])
    # a transfer or a bank's pledge proposal to confirm would need one pending (issue 20 §6)
    assert FROZEN_BLOCKS - {"confirm_transfer", "propose_pledge", "confirm_pledge"} <= offered
    api.reg_ok(w.applicant, number, "file_pledge", **BLOCKED_PAYLOADS["file_pledge"])
    kinds = [a["kind"] for a in api.reg(None, number).json()["announcements"]]
    assert kinds[-3:] == ["freeze_lift", "freeze_lift", "pledge"]


def test_i20_transfer_filed_before_the_freeze_is_not_approved_while_frozen(api: Api) -> None:
    w, number = _registered(api)
    registrar = api.user("registrar_admin")
    transferee = api.user("applicant")
    party = api.party(transferee, verify_by=w.examiner)
    api.reg_ok(
        w.applicant,
        number,
        "request_transfer",
        transferees=[{"id_number": api.numbers[party], "share_bp": 10_000}],
        reason="出售",
    )
    api.reg_ok(registrar, number, "freeze", case_number=CASE, court="贵阳中院", ruling="冻结")
    assert "confirm_transfer" not in api.reg(transferee, number).json()["allowed_actions"]
    problem(api.reg_act(transferee, number, "confirm_transfer"), 409, "registration_frozen")


def test_i20_court_client_freezes_and_lifts_through_the_sharing_routes(
    api: Api, app: FastAPI
) -> None:
    w, number = _registered(api)
    url = f"/api/v1/institutions/registrations/{number}/freezes"
    body = {"case_number": CASE, "court": "贵州省贵阳市中级人民法院", "ruling": RULING}
    # no token: 401
    problem(api.c.post(url, json=body), 401, "invalid_token")
    with as_institution(api, "bank"):  # a bank may not freeze
        problem(api.c.post(url, json=body), 403, "insufficient_scope")
    with as_institution(api, "court", scopes=frozenset({REGISTRATIONS_READ})):
        problem(api.c.post(url, json=body), 403, "insufficient_scope")
    assert api.reg(None, number).json()["freezes"] == []  # nothing changed
    with as_institution(api, "court"):
        problem(api.c.post(url, json={**body, "case_number": "张三"}), 422, "invalid_case_number")
        r = api.c.post(url, json={**body, "term_end": "2029-10-19"})
        assert r.status_code == 201, r.text
        frozen = r.json()
        assert (frozen["state"], frozen["case_number"]) == ("in_force", CASE)
        _assert_frozen(api, w, number)
        lift = f"{url}/{frozen['number']}/lift"
        r = api.c.post(lift, json={"case_number": CASE, "reason": "解除保全"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "lifted"
        problem(
            api.c.post(lift, json={"case_number": CASE, "reason": "x"}), 409, "no_freeze_in_force"
        )
    kinds = [a["kind"] for a in api.reg(None, number).json()["announcements"]]
    assert kinds[-2:] == ["freeze", "freeze_lift"]
    api.reg_ok(w.applicant, number, "abandon", reason="不再维护")  # restored
    # a court holding only freezes:write; a freeze number not on this registration
    _, other = _registered(api)
    with as_institution(api, "court", scopes=frozenset({FREEZES_WRITE})):
        r = api.c.post(f"/api/v1/institutions/registrations/{other}/freezes", json=body)
        assert r.status_code == 201, r.text
        r = api.c.post(
            f"/api/v1/institutions/registrations/{number}/freezes/{r.json()['number']}/lift",
            json={"case_number": CASE, "reason": "x"},
        )
        problem(r, 409, "no_freeze_in_force")  # another registration's freeze
        r = api.c.post(
            f"/api/v1/institutions/registrations/{other}/freezes/BQ202652000009999/lift",
            json={"case_number": CASE, "reason": "x"},
        )
        problem(r, 404, "freeze_not_found")


def test_i20_a_freeze_past_its_term_no_longer_binds(api: Api) -> None:
    """A preservation not continued before its term ends lapses (SPC Interpretation of the
    Civil Procedure Law, Art. 487): shown as lapsed, disposal possible again."""
    w, number = _registered(api)
    registrar = api.user("registrar_admin")
    problem(
        api.reg_act(
            registrar,
            number,
            "freeze",
            case_number=CASE,
            court="贵阳中院",
            ruling="冻结",
            term_end="2026-10-19",
        ),
        422,
        "invalid_term",
    )
    api.reg_ok(
        registrar,
        number,
        "freeze",
        case_number=CASE,
        court="贵阳中院",
        ruling="冻结",
        term_end="2026-10-23",
    )
    api.at("2026-10-23 17:00")  # the term's last day: still frozen
    _assert_frozen(api, w, number)
    api.at("2026-10-26 09:00")
    d = api.reg(w.applicant, number).json()
    assert [f["state"] for f in d["freezes"]] == ["lapsed"]
    assert "file_pledge" in d["allowed_actions"] and "lift_freeze" not in d["allowed_actions"]
    api.reg_ok(w.applicant, number, "file_pledge", **BLOCKED_PAYLOADS["file_pledge"])
