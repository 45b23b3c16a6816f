"""Issue 19 §3, after registration: the same property as test_i19_allowed_actions.py (whose
walker and callers this uses) for every state of a registration and its open requests —
each action offered succeeds for its caller on a fresh copy, every other is refused and
changes nothing. A file of its own so that the two walks run on different workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dataip.domain import after_registration as reg_table
from tests.e2e.api.test_i19_allowed_actions import T0, T1, Walk
from tests.support.api import Api, make_uscc

ON = "2026-10-20"  # T1's date: the contracts below are filed the day they are signed


def _reg_payload(walk: Walk, number: str, action: str, who: str | None) -> dict[str, Any]:
    """A valid payload for `action` on registration `number` by `who`."""
    api = walk.api
    own = walk.party.get(who or "")

    def upload() -> str:
        return api.upload(who, b"instrument", "instrument.pdf") if who else "ab" * 32

    def pledge_number() -> str:
        filings = api.reg(walk.filer, number).json()["filings"]
        return next((f["number"] for f in filings if f["kind"] == "pledge"), "BA0")

    holder = who in (walk.filer, walk.co)
    match action:
        case "request_change":
            return {"changes": {"update": {"frequency": "weekly"}}, "reason": "调整"}
        case "request_transfer" if holder:
            return {
                "transferees": [
                    {"id_number": api.numbers[walk.party[walk.third]], "share_bp": 10_000}
                ],
                "reason": "数据资产出售",
            }
        case "request_transfer":
            return {
                "transferees": [{"id_number": api.numbers[own], "share_bp": 10_000}] if own else [],
                "basis": "court",
                "instrument": upload(),
                "reason": "生效判决",
            }
        case "file_licence":
            return {
                "contract_date": ON,
                "licence_type": "non_exclusive",
                "licensee": {"name": "贵阳数据应用有限公司", "credit_code": make_uscc(701)},
                "scope": "模型训练",
                "territory": "贵州省",
                "term_end": "2028-06-30",
                "fee_fen": 100,
            }
        case "file_pledge":
            return {
                "contract_date": ON,
                "pledgee": {"name": "贵阳银行股份有限公司", "credit_code": make_uscc(702)},
                "secured_amount_fen": 500_000_000,
            }
        case "file_trade":
            return {
                "contract_date": ON,
                "counterparty": {"name": "遵义智慧交通有限公司", "credit_code": make_uscc(703)},
                "price_fen": 30_000_000,
            }
        case "abandon":
            return {"reason": "不再维护"}
        case "publish_sample":
            return {"choice": "none"}
        case "request_cancellation" if holder:
            return {"reason": "申请注销"}
        case "request_cancellation":
            return {"reason": "权利已灭失", "instrument": upload(), "party_id": own or 1}
        case "request_revocation":
            return {
                "party_id": own or 1,
                "statement": "不符合登记条件",
                "evidence_blobs": [upload()],
            }
        case "cancel":
            return {"ground": "evident_defect", "reason": "存在明显缺陷"}
        case "revoke":
            return {"grounds": [1], "reason": "登记后发现不予登记情形"}
        case "release_pledge":
            return {"filing_number": pledge_number(), "reason": "主债务已清偿"}
        case "freeze":  # issue 20 §7
            return {"case_number": "（2026）黔01民初9号", "court": "贵阳中院", "ruling": "冻结"}
        case "lift_freeze":
            freezes = api.reg(walk.filer, number).json()["freezes"]
            live = [f["number"] for f in freezes if f["state"] == "in_force"]
            return {
                "freeze_number": live[0] if live else "BQ202652000009999",
                "case_number": "（2026）黔01民初9号",
                "reason": "解除保全",
            }
        case "record_pledgee_consent":
            return {
                "filing_number": pledge_number(),
                "for_action": "transfer",
                "instrument": upload(),
            }
        case "decide_request":
            pending = [r for r in _requests(walk, number) if r["state"] == "pending"]
            return {"request_id": pending[0]["id"] if pending else 1, "outcome": "refuse",
                    "reason": "不符合条件"}  # fmt: skip
        case "withdraw_request":
            mine = [r for r in _requests(walk, number) if r["requester_user_id"] == _uid(walk, who)]
            return {"request_id": mine[0]["id"] if mine else 1}
        case "request_re_examination":
            return {"reason": "不服撤销决定"}
        case "decide_re_examination":
            return {"outcome": "uphold", "reason": "维持原决定"}
        case _:
            return {"reason": "x", "request_id": 1, "outcome": "approve"}


def _requests(walk: Walk, number: str) -> list[dict[str, Any]]:
    """The registration's requests as the registry sees them."""
    r = walk.api.reg(walk.examiner, number).json()
    return [x for x in r["requests"] if x["state"] in ("pending", "awaiting_consent")]


def _uid(walk: Walk, who: str | None) -> int | None:
    if who is None:
        return None
    me = walk.api.c.get("/api/v1/me", headers=walk.api.h(who))
    return int(me.json()["id"]) if me.status_code == 200 else None


def _check_reg_state(
    walk: Walk, name: str, fresh: Callable[[], str], seen: dict[str, set[str]]
) -> None:
    api = walk.api
    instance = fresh()
    callers = {**walk.callers, "holder": walk.filer, "co_holder": walk.co}
    del callers["filer"], callers["co_applicant"]
    for caller, who in callers.items():
        r = api.reg(who, instance)
        assert r.status_code == 200, r.text
        offered, version = list(r.json()["allowed_actions"]), r.json()["version"]
        for action in reg_table.ACTION_NAMES:
            if action not in offered:
                r = api.reg_act(who, instance, action, **_reg_payload(walk, instance, action, who))
                assert 400 <= r.status_code < 500, (name, caller, action, r.status_code, r.text)
        after = api.reg(who, instance).json()
        assert (after["allowed_actions"], after["version"]) == (offered, version), (name, caller)
        for action in offered:
            number = fresh()
            assert api.reg(who, number).json()["allowed_actions"] == offered, (name, caller)
            r = api.reg_act(who, number, action, **_reg_payload(walk, number, action, who))
            assert r.status_code == 200, (name, caller, action, r.text)
            seen.setdefault(caller, set()).add(action)


def test_i19_allowed_actions_after_registration_offered_succeed_for_caller(api: Api) -> None:
    walk = Walk(api)
    api.at(T0)
    publicised = walk.builders()["publicised"]
    apps = [publicised() for _ in range(140)]  # the walk takes 135 (7 December 2026)
    api.at(T1)
    pool = iter(apps)

    # each fresh copy is built through the services (`Api.step`, `Api.reg_step`); what the walk
    # checks on it goes over HTTP
    def valid() -> str:
        aid = next(pool)
        api.step(walk.examiner, aid, "approve")
        return api.registration_of(aid)

    def pledged() -> str:
        number = valid()
        api.reg_step(
            walk.filer,
            number,
            "file_pledge",
            **_reg_payload(walk, number, "file_pledge", walk.filer),
        )
        return number

    def revocation_pending() -> str:  # a third party asked for revocation (G§20)
        number = valid()
        ask = _reg_payload(walk, number, "request_revocation", walk.third)
        api.reg_step(walk.third, number, "request_revocation", **ask)
        return number

    def change_pending() -> str:  # valid, with the holder's change request pending (G§24)
        number = valid()
        ask = _reg_payload(walk, number, "request_change", walk.filer)
        api.reg_step(walk.filer, number, "request_change", **ask)
        return number

    def revoked() -> str:  # revoked by the registry; re-examination open for 15 days
        number = valid()
        api.reg_step(walk.examiner, number, "revoke", **_reg_payload(walk, number, "revoke", None))
        return number

    def re_examination() -> str:
        number = revoked()
        api.reg_step(walk.filer, number, "request_re_examination", reason="不服撤销决定")
        return number

    def abandoned() -> str:
        number = valid()
        api.reg_step(walk.filer, number, "abandon", reason="不再维护")
        return number

    def frozen() -> str:  # issue 20 §7: a court's preservation blocks every disposal
        number = pledged()
        api.reg_step(walk.registrar, number, "freeze", **_reg_payload(walk, number, "freeze", None))
        return number

    seen: dict[str, set[str]] = {}
    for name, fresh in (("valid", valid), ("pledged", pledged)):
        _check_reg_state(walk, name, fresh, seen)
    holder_before = set(seen["holder"])
    frozen_seen: dict[str, set[str]] = {}
    _check_reg_state(walk, "frozen", frozen, frozen_seen)
    assert not frozen_seen["holder"] & reg_table.FROZEN_BLOCKS, frozen_seen
    assert frozen_seen["holder"] == holder_before - reg_table.FROZEN_BLOCKS, frozen_seen
    assert frozen_seen["registrar"] == {"cancel", "revoke", "release_pledge", "freeze"} | {
        "lift_freeze"
    }, frozen_seen
    assert "third_party" not in frozen_seen or not frozen_seen["third_party"] & {
        "request_transfer",
        "request_cancellation",
    }
    # the other states and open requests: the same property, every caller
    elsewhere: dict[str, set[str]] = {}
    for name, fresh in (
        ("revocation_pending", revocation_pending),
        ("change_pending", change_pending),
        ("revoked", revoked),
        ("re_examination", re_examination),
        ("abandoned", abandoned),
    ):
        _check_reg_state(walk, name, fresh, elsewhere)
    assert (
        "decide_request" in elsewhere["examiner"] and "withdraw_request" in elsewhere["third_party"]
    )
    assert "request_re_examination" in elsewhere["holder"]
    assert "decide_re_examination" in elsewhere["registrar"]
    holder = {"request_change", "file_licence", "file_pledge", "file_trade", "publish_sample"}
    holder |= {"request_transfer", "abandon", "release_pledge", "record_pledgee_consent"}
    holder |= {"request_cancellation", "request_revocation"}  # holders are the public too
    assert seen["holder"] == seen["co_holder"] == holder, seen
    assert seen["third_party"] == {"request_transfer", "request_cancellation", "request_revocation"}
    # staff act as the registry, never as the public
    assert (
        seen["examiner"]
        == seen["registrar"]
        == {
            "cancel",
            "revoke",
            "release_pledge",
            "freeze",  # on a court's notice (issue 20 §7)
        }
    ), seen
    assert "anonymous" not in seen
