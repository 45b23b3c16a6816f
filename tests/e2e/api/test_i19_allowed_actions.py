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
from dataip.domain import lifecycle
from dataip.services.scheduler import tick
from tests.support.api import Api, complete_form

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
        """A fresh copy of a state: the steps that lead to it go straight to the service
        (`Api.step`); what the walk checks on it goes over HTTP."""
        aid = build()
        for who, action, payload in steps:
            self.api.step(who, aid, action, **payload)
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
