"""Issue 19 §3: `allowed_actions` is what the caller can do — derived from the same table rows
and guards the actions check, never an action then refused for who the caller is (the holder
was offered `file_objection` on its own application and got 409 `own_application`).

An exhaustive walk: every reachable state of an application and of a registration, and
every kind of caller — the filer, a co-applicant (co-holder), a third party, an examiner, a
registrar administrator and an anonymous caller (plus, after registration, a transferee).
For each, every action offered succeeds with a valid payload on a fresh copy of that state,
and every action not offered is refused and changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from dataip.bootstrap import Registry
from dataip.domain import after_registration as reg_table
from dataip.domain import lifecycle
from dataip.services.scheduler import tick
from tests.support.api import Api, complete_form, make_uscc

_n = itertools.count(1)
T0, T1 = "2026-09-28 10:00", "2026-10-20 09:00"  # publicity (to 10 Oct) running / over


class Walk:
    """The callers, each with a verified party of its own, and builders of each state."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.examiner = api.user("examiner")
        self.registrar = api.user("registrar_admin")
        self.filer = api.user("applicant")
        self.co = api.user("applicant")
        self.third = api.user("applicant")
        self.objector = api.user("applicant")
        self.party = {
            who: api.party(who, kind=kind, verify_by=self.examiner)
            for who, kind in (
                (self.filer, "legal_person"),
                (self.co, "legal_person"),
                (self.third, "natural_person"),
                (self.objector, "natural_person"),
            )
        }  # staff hold no parties (the registry refuses them one)
        self.callers: dict[str, str | None] = {
            "filer": self.filer,
            "co_applicant": self.co,
            "third_party": self.third,
            "examiner": self.examiner,
            "registrar": self.registrar,
            "anonymous": None,
        }

    # --- applications -------------------------------------------------------------------
    def draft(self) -> int:
        """A complete joint draft (60/40) the co-applicant has consented to."""
        api, i = self.api, next(_n)
        form = complete_form(
            f"第{i}批城市交通流量预测数据集",
            sample=api.upload(self.filer, f"a,b\n{i},2\n".encode()),
            evidence={
                "platform": "p",
                "certificate_number": f"c{i}",
                "hash_value": f"{i:064x}",
                "evidenced_on": "2026-09-01",
            },
        )
        d = api.draft(
            self.filer,
            self.party[self.filer],
            form=form,
            applicants=[
                {"party_id": self.party[self.filer], "share_bp": 6000, "rights_bounds": "甲方"},
                {
                    "id_number": api.numbers[self.party[self.co]],
                    "share_bp": 4000,
                    "rights_bounds": "乙方",
                },
            ],
        )
        aid = int(d["id"])
        version = api.get(self.co, aid).json()["version"]
        r = api.c.post(
            f"/api/v1/applications/{aid}/consent",
            headers={**api.h(self.co), "If-Match": f'"{version}"'},
        )
        assert r.status_code == 200, r.text
        return aid

    def then(self, build: Callable[[], int], *steps: tuple[str, str, dict[str, Any]]) -> int:
        aid = build()
        for who, action, payload in steps:
            self.api.ok(who, aid, action, **payload)
        return aid

    def objection(self, who: str) -> dict[str, Any]:
        return {
            "objector_party_id": self.party[who],
            "statement": "该数据系我方采集",
            "evidence_blobs": [self.api.upload(who, b"evidence", "evidence.pdf")],
        }

    def builders(self) -> dict[str, Callable[[], int]]:
        ex, filer = self.examiner, self.filer
        s: dict[str, Callable[[], int]] = {"draft": self.draft}
        s["submitted"] = lambda: self.then(s["draft"], (filer, "submit", {}))
        s["under_examination"] = lambda: self.then(s["submitted"], (ex, "accept", {}))
        s["awaiting_correction"] = lambda: self.then(
            s["under_examination"], (ex, "request_correction", {"defects": ["补充样例数据"]})
        )
        s["publicised"] = lambda: self.then(s["under_examination"], (ex, "publicise", {}))
        s["objection_filed"] = lambda: self.then(
            s["publicised"], (self.objector, "file_objection", self.objection(self.objector))
        )
        s["objection_notified"] = lambda: self.then(
            s["objection_filed"], (ex, "notify_objection", {})
        )
        s["objection_answered"] = lambda: self.then(
            s["objection_notified"], (filer, "answer_objection", {"statement": "自行采集"})
        )
        s["awaiting_judgment"] = lambda: self.then(
            s["objection_answered"],
            (ex, "decide_objection", {"outcome": "unresolved", "reason": "双方各执一词"}),
        )
        s["refused"] = lambda: self.then(
            s["submitted"], (ex, "refuse", {"grounds": [7], "reason": "不符合"})
        )
        s["withdrawn"] = lambda: self.then(s["submitted"], (filer, "withdraw", {"reason": "撤回"}))
        s["revoked"] = lambda: self.then(
            s["objection_answered"],
            (ex, "decide_objection", {"outcome": "revoke", "reason": "异议成立"}),
        )
        # R8, G§12: a request the registry decides, pending
        s["fast_track_requested"] = lambda: self.then(
            s["submitted"], (filer, "request_fast_track", {"ground": "pledge_financing"})
        )
        s["extension_requested"] = lambda: self.then(
            s["awaiting_correction"],
            (filer, "request_extension", {"ground": "force_majeure", "statement": "因疫情停工"}),
        )
        return s

    def payload(self, action: str, who: str | None) -> dict[str, Any]:
        """A valid payload for `action` by `who`."""
        if action == "file_objection":
            return self.objection(who) if who in self.party else {"statement": "异议"}
        return {
            "request_correction": {"defects": ["补充样例数据"]},
            "refuse": {"grounds": [7], "reason": "不符合"},
            "answer_objection": {"statement": "数据系自行采集"},
            "decide_objection": {"outcome": "keep", "reason": "异议不成立"},
            "record_judgment": {
                "outcome": "keep",
                "instrument": "（2026）黔01民初1号",
                "reason": "法院判决",
            },
            "withdraw": {"reason": "主动撤回"},
            "request_fast_track": {"ground": "pledge_financing"},
            # with nothing pending a grant is the registry's own motion, on a ground
            "grant_fast_track": {"ground": "major_project"},
            "refuse_fast_track": {"reason_code": "ground_not_established"},
            "request_extension": {"ground": "force_majeure", "statement": "因疫情停工"},
            "grant_extension": {"due_on": "2026-11-16"},  # a Monday after any correction due
            "refuse_extension": {"reason_code": "not_a_good_reason"},
            "request_reinstatement": {"ground": "notice_not_received", "statement": "未收到通知"},
            "refuse_reinstatement": {"reason_code": "not_a_good_reason"},
        }.get(action, {})

    def offered(self, who: str | None, aid: int) -> tuple[list[str], int | None]:
        """The actions offered to `who`, and the version it sees (None: it cannot see it)."""
        r = self.api.get(who, aid)
        if r.status_code == 404:
            return [], None
        assert r.status_code == 200, r.text
        return list(r.json()["allowed_actions"]), int(r.json()["version"])


def _check_state(
    walk: Walk, name: str, instance: int, fresh: Callable[[], int], seen: dict[str, set[str]]
) -> None:
    api = walk.api
    for caller, who in walk.callers.items():
        offered, version = walk.offered(who, instance)
        assert set(offered) <= set(lifecycle.ACTIONS), offered
        # an action not offered is refused, and changes nothing
        for action in lifecycle.ACTIONS:
            if action in offered:
                continue
            r = api.act(who, instance, action, **walk.payload(action, who))
            assert 400 <= r.status_code < 500, (name, caller, action, r.status_code, r.text)
        assert walk.offered(who, instance) == (offered, version), (name, caller)
        # each action offered succeeds with a valid payload, on a fresh copy of the state
        for action in offered:
            aid = fresh()
            assert walk.offered(who, aid)[0] == offered, (name, caller)
            r = api.act(who, aid, action, **walk.payload(action, who))
            assert r.status_code == 200, (name, caller, action, r.text)
            seen.setdefault(caller, set()).add(action)


def test_i19_allowed_actions_offered_succeed_for_caller_and_others_are_refused(
    api: Api, registry: Registry
) -> None:
    walk = Walk(api)
    seen: dict[str, set[str]] = {}
    api.at(T0)
    builders = walk.builders()
    for name, build in builders.items():
        _check_state(walk, name, build(), build, seen)
    # holders never see file_objection, and were refused it: the bug this walk guards
    assert "file_objection" not in seen.get("filer", set()) | seen.get("co_applicant", set())
    assert "file_objection" in seen["third_party"]

    # publicity over (and the correction period lapsed): approve, register, deem withdrawn
    pool = [builders["publicised"]() for _ in range(16)]
    lapsed = [builders["awaiting_correction"]() for _ in range(12)]
    api.at(T1)
    report = tick(env=registry.env)
    assert report.deemed_withdrawn >= 12 and not report.failures, report
    assert api.get(walk.filer, lapsed[0]).json()["state"] == "deemed_withdrawn"
    _check_state(walk, "publicity_over", pool.pop(), pool.pop, seen)
    assert "approve" in seen["examiner"] and "approve" in seen["registrar"]
    registered = pool.pop()
    api.ok(walk.examiner, registered, "approve")
    withdrawn, lapsed = lapsed[:5], lapsed[5:]  # a copy for each offer of each state
    _check_state(walk, "deemed_withdrawn", withdrawn.pop(), withdrawn.pop, seen)
    _check_state(walk, "registered", registered, lambda: 0, seen)
    # G§12: a reinstatement asked for within the period, pending the registry's decision
    for aid in lapsed:
        api.ok(
            walk.filer, aid, "request_reinstatement", **walk.payload("request_reinstatement", None)
        )
    _check_state(walk, "reinstatement_requested", lapsed.pop(), lapsed.pop, seen)

    # every action of the table was offered to someone somewhere (but the scheduler's own)
    offered_somewhere = set().union(*seen.values())
    assert offered_somewhere == set(lifecycle.ACTIONS) - {"deem_withdrawn"}, offered_somewhere


# --- after registration --------------------------------------------------------------------

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
    apps = [publicised() for _ in range(180)]
    api.at(T1)
    pool = iter(apps)

    def valid() -> str:
        reg = api.ok(walk.examiner, next(pool), "approve")["registration"]
        return str(reg["registration_number"])

    def pledged() -> str:
        number = valid()
        api.reg_ok(
            walk.filer,
            number,
            "file_pledge",
            **_reg_payload(walk, number, "file_pledge", walk.filer),
        )
        return number

    def revocation_pending() -> str:  # a third party asked for revocation (G§20)
        number = valid()
        ask = _reg_payload(walk, number, "request_revocation", walk.third)
        api.reg_ok(walk.third, number, "request_revocation", **ask)
        return number

    def change_pending() -> str:  # valid, with the holder's change request pending (G§24)
        number = valid()
        ask = _reg_payload(walk, number, "request_change", walk.filer)
        api.reg_ok(walk.filer, number, "request_change", **ask)
        return number

    def revoked() -> str:  # revoked by the registry; re-examination open for 15 days
        number = valid()
        api.reg_ok(walk.examiner, number, "revoke", **_reg_payload(walk, number, "revoke", None))
        return number

    def re_examination() -> str:
        number = revoked()
        api.reg_ok(walk.filer, number, "request_re_examination", reason="不服撤销决定")
        return number

    def abandoned() -> str:
        number = valid()
        api.reg_ok(walk.filer, number, "abandon", reason="不再维护")
        return number

    def frozen() -> str:  # issue 20 §7: a court's preservation blocks every disposal
        number = pledged()
        api.reg_ok(walk.registrar, number, "freeze", **_reg_payload(walk, number, "freeze", None))
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
