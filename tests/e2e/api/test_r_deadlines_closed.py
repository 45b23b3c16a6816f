"""Issue 19 §1: a deadline is closed by the transition that meets it (R0, G§12, G§14, G§15).

Every path through the procedure's transition table (each row at most once per path) is
walked through the real stack — HTTP, services, the database, the fake clock and `tick` —
and after every step: no deadline is open once the act it waits for has happened, nothing
runs in a state that waits for nobody (an end state, or a court's judgment), each closed
deadline says how it closed (met, expired, ended, no longer required), and a served
notice's reply date is shown from that state (met / open / missed), never as overdue once
answered. The rule's table here is written out by hand, not read from the code under test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from dataip.domain.app_states import TERMINAL, AppState
from dataip.domain.lifecycle import TRANSITIONS
from dataip.domain.procedural_requests import REQUEST_ACTIONS
from dataip.services import demo
from dataip.services.context import SHANGHAI
from dataip.services.scheduler import tick
from tests.support import demo_world
from tests.support.api import Api, World, complete_form

# The act each deadline waits for, and what else makes it moot (the rule, by hand).
MEETS: dict[str, set[str]] = {
    "accept": {"accept", "refuse"},
    "examine": {"request_correction", "publicise", "refuse"},
    "correction": {"submit_correction"},
    "notify_objection": {"notify_objection"},
    "answer_objection": {"answer_objection"},
    # R8, G§12: the registry's decision on a request
    "decide_fast_track": {"grant_fast_track", "refuse_fast_track"},
    "decide_extension": {"grant_extension", "refuse_extension"},
    "decide_reinstatement": {"reinstate", "refuse_reinstatement"},
}
MOOTS: dict[str, set[str]] = {
    "accept": {"withdraw"},
    "examine": {"withdraw"},
    "correction": {"withdraw"},
    "notify_objection": {"withdraw"},
    "answer_objection": {"decide_objection", "withdraw"},
    # a pending request lapses when the procedure overtakes it
    "decide_fast_track": {"withdraw", "refuse", "decide_objection:unresolved"},
    "decide_extension": {"submit_correction", "withdraw"},
    # a period: over once approved, decided into revocation or court, re-publicised, withdrawn
    "publicity": {
        "approve",
        "withdraw",
        "decide_objection:revoke",
        "decide_objection:unresolved",
        "decide_objection:republicise",
        "record_judgment:revoke",
        "record_judgment:republicise",
    },
}
# G§15: while the parties are in court nothing of the procedure runs.
NOTHING_RUNS = {AppState.AWAITING_JUDGMENT.value} | {s.value for s in TERMINAL}
START = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)

Step = tuple[str, str | None]


def _paths() -> list[list[Step]]:
    """Every path from a draft to an end (or to where no unused row leaves), each row of the
    table used at most once on a path — the procedure's own rows. The requests the registry
    decides (R8 fast track, G§12 extension and reinstatement) stay in their state and may come
    at any point: with them the paths number 1.7 million, so they are walked on the paths of
    `REQUEST_PATHS` below, which take each of their rows."""
    out: list[list[Step]] = []

    def walk(state: AppState, used: frozenset[Step], path: list[Step]) -> None:
        rows = [
            t
            for t in TRANSITIONS
            if state in t.sources
            and (t.action, t.outcome) not in used
            and t.action not in REQUEST_ACTIONS
        ]
        if state in TERMINAL or not rows:
            out.append(path)
            return
        for t in rows:
            step = (t.action, t.outcome)
            walk(t.target, used | {step}, [*path, step])

    walk(AppState.DRAFT, frozenset(), [])
    return out


_TO_CORRECTION: list[Step] = [("submit", None), ("accept", None), ("request_correction", None)]
_TO_END: list[Step] = [("submit_correction", None), ("publicise", None), ("approve", None)]
REQUEST_PATHS: list[list[Step]] = [
    [
        ("submit", None),
        ("request_fast_track", None),
        ("grant_fast_track", None),
        ("accept", None),
        ("publicise", None),
        ("approve", None),
    ],
    [
        ("submit", None),
        ("request_fast_track", None),
        ("refuse_fast_track", None),
        ("accept", None),
        ("publicise", None),
        ("approve", None),
    ],
    [("submit", None), ("request_fast_track", None), ("withdraw", None)],  # it lapses
    [
        ("submit", None),
        ("grant_fast_track", None),
        ("accept", None),
        ("refuse", None),
    ],  # own motion
    [
        ("submit", None),
        ("accept", None),
        ("publicise", None),
        ("file_objection", None),
        ("request_fast_track", None),
        ("decide_objection", "unresolved"),
    ],  # lapses in court
    [*_TO_CORRECTION, ("request_extension", None), ("grant_extension", None), *_TO_END],
    [
        *_TO_CORRECTION,
        ("request_extension", None),
        ("submit_correction", None),  # it lapses
        ("publicise", None),
        ("approve", None),
    ],
    [
        *_TO_CORRECTION,
        ("request_extension", None),
        ("refuse_extension", None),
        ("deem_withdrawn", None),
        ("request_reinstatement", None),
        ("reinstate", None),
        *_TO_END,
    ],
    [
        *_TO_CORRECTION,
        ("deem_withdrawn", None),
        ("request_reinstatement", None),
        ("refuse_reinstatement", None),
    ],
]
PATHS = _paths() + REQUEST_PATHS


def test_r8_g12_every_request_row_is_on_a_request_path() -> None:
    on_paths = {action for path in REQUEST_PATHS for action, _ in path}
    assert set(REQUEST_ACTIONS) <= on_paths, set(REQUEST_ACTIONS) - on_paths
    assert len(PATHS) < 1000, len(PATHS)


class Walker:
    """Drives one application along a path, as the people concerned would."""

    def __init__(self, api: Api, w: World, objector: tuple[str, int, str]) -> None:
        self.api, self.w, self.objector = api, w, objector
        self.env = api.c.app.state.registry.env  # type: ignore[attr-defined]
        self.aid = 0
        self.done: list[tuple[str, datetime]] = []  # (action[:outcome], when)
        self.last = ""
        self.n = 0
        self.sample = api.upload(w.applicant)  # screened once, shared by every filing

    def start(self) -> None:
        self.api.clock.advance_to(START)
        self.n += 1  # R14(3): a subject's filings differ in name and evidence
        form = complete_form(f"第{self.n}号交通拥堵预测数据集", sample=self.sample)
        form["evidence"] = {**form["evidence"], "hash_value": f"{self.n:064x}"}
        self.aid = int(self.api.draft(self.w.applicant, self.w.party, form=form)["id"])
        self.done = []

    def deadlines(self) -> list[Any]:
        with self.env.read() as uow:
            return list(uow.deadlines.for_application(self.aid))

    def _after(self, kind: str) -> None:
        """Move the clock past the last day of the open deadline of `kind`."""
        due = max(d.due_on for d in self.deadlines() if d.kind == kind and d.status == "open")
        self.api.clock.advance_to(
            datetime.combine(due + timedelta(days=1), START.timetz()).replace(tzinfo=SHANGHAI)
        )

    def do(self, action: str, outcome: str | None) -> int:
        """Take one step; the HTTP status (a guard may refuse it: the path ends there)."""
        a, w = self.api, self.w
        payload: dict[str, Any] = {"outcome": outcome} if outcome else {}
        who = w.examiner
        if action in ("submit", "submit_correction"):
            who = w.applicant
        elif action == "request_correction":
            payload["defects"] = ["请补充数据来源证明材料"]
        elif action == "refuse":
            payload |= {"grounds": [5], "reason": "样例数据与申报来源不一致"}
        elif action == "file_objection":
            who, pid, ev = self.objector
            payload |= {"objector_party_id": pid, "statement": "权属有争议", "evidence_blobs": [ev]}
        elif action == "answer_objection":
            who, payload["statement"] = w.applicant, "数据系自行采集"
        elif action == "decide_objection":
            payload["reason"] = "经审查作出决定"
        elif action == "record_judgment":
            payload |= {"instrument": "（2026）黔01民初1号", "reason": "依判决处理"}
        elif action == "approve":
            self._after("publicity")
        elif action == "withdraw":
            who, payload["reason"] = w.applicant, "拟调整后重新申请"
        # R8, G§12: requests the registry decides (the holder asks, the examiner decides)
        elif action == "request_fast_track":
            who, payload["ground"] = w.applicant, "pledge_financing"
        elif action in ("request_extension", "request_reinstatement"):
            who = w.applicant
            payload |= {"ground": "other_good_reason", "statement": "因故未能按期办理"}
        elif action == "grant_fast_track":
            payload["ground"] = "major_project"  # needed on the registry's own motion
        elif action == "grant_extension":
            due = max(d.due_on for d in self.deadlines() if d.kind == "correction")
            payload["due_on"] = self.env.calendar().add_working_days(due, 5).due_on.isoformat()
        elif action == "refuse_fast_track":
            payload["reason_code"] = "ground_not_established"
        elif action in ("refuse_extension", "refuse_reinstatement"):
            payload["reason_code"] = "not_a_good_reason"
        if action == "deem_withdrawn":  # G§12: `tick` applies it once the period has passed
            self._after("correction")
            tick(env=self.env)
            status = 200 if a.get(w.examiner, self.aid).json()["state"] == "deemed_withdrawn" else 0
        else:
            r = a.act(who, self.aid, action, **payload)
            status = r.status_code
            self.last = r.text
        if status == 200:
            key = f"{action}:{outcome}" if outcome else action
            self.done.append((key, self.env.now()))
            self.api.later(hours=1)
        return status


@pytest.fixture
def walker(api: Api) -> Iterator[Walker]:
    api.at("2026-09-28 09:00")
    w = api.world()
    yield Walker(api, w, w.objector())


def _check(walker: Walker, path: list[Step], *, over_http: bool) -> None:
    """The rule after a step, from the database; at a path's end also as the API answers
    (the application's deadlines, the holder's inbox)."""
    env, api, w = walker.env, walker.api, walker.w
    with env.read() as uow:
        state = {"state": uow.applications.get(walker.aid).state}
    rows = walker.deadlines()
    running = {(d.kind, d.due_on.isoformat()) for d in rows if d.status == "open"}
    if state["state"] in NOTHING_RUNS:
        # but the registry's decision on a reinstatement asked for (G§12)
        awaited = {r for r in running if r[0] != "decide_reinstatement"}
        assert not awaited, (path, state["state"], running)
    for d in rows:
        acts_after = {k for k, at in walker.done if at >= d.trigger_at}
        met = MEETS.get(d.kind, set()) & acts_after
        moot = {m for m in MOOTS.get(d.kind, set()) if m in acts_after}
        moot |= {m.split(":")[0] for m in acts_after} & MOOTS.get(d.kind, set())
        reopened = d.kind == "publicity" and state["state"] == AppState.PUBLICISED.value
        if (met or moot) and not reopened:
            assert d.status != "open", (path, d.kind, walker.done)
        if d.status == "met":
            assert met, (path, d.kind)
        if d.kind == "publicity":
            assert d.status in ("open", "ended", "cancelled"), (path, d.status)
        if d.status == "expired":
            # its consequence: deemed withdrawn (and maybe reinstated since, G§12)
            assert d.kind == "correction" and any(k == "deem_withdrawn" for k, _ in walker.done)
    if not over_http:
        return
    listed = api.get(w.examiner, walker.aid).json()["deadlines"]
    assert {(d["kind"], d["due_on"]) for d in listed} == running, path
    # the holder's inbox: each dated notice shows the state of the deadline it answers to
    notices = api.c.get(
        "/api/v1/inbox", headers=api.h(w.applicant), params={"application_id": walker.aid}
    ).json()
    by_id = {d.id: d for d in rows}
    with env.read() as uow:
        links = {n.id: n.deadline_id for n in uow.notices.for_application(walker.aid)}
    for n in notices:
        if n["due_on"] is None:
            continue
        d = by_id[links[n["id"]]]
        expected = {"met": "met", "expired": "missed", "cancelled": "cancelled"}.get(d.status)
        if expected:
            assert n["due_status"] == expected, (path, n["kind"], d.status, n["due_status"])
        else:
            assert n["due_status"] in ("running", "last_day", "overdue"), (path, n)
        assert n["due_on"] == d.due_on.isoformat()


def test_r_deadlines_closed_by_the_act_on_every_path_of_the_transition_table(
    walker: Walker,
) -> None:
    refused: set[tuple[Step, ...]] = set()  # prefixes a guard refused: paths sharing them stop
    walked = 0  # paths walked to their end
    for path in PATHS:
        if any(tuple(path[:i]) in refused for i in range(1, len(path) + 1)):
            continue
        walker.start()
        for i, (action, outcome) in enumerate(path):
            status = walker.do(action, outcome)
            if status != 200:
                assert status in (0, 409, 422), (path[: i + 1], status)
                refused.add(tuple(path[: i + 1]))
                break
            _check(walker, path[: i + 1], over_http=i == len(path) - 1)
        else:
            walked += 1
    # the walk reached every row of the table on some path
    assert walked > 20, (refused, walker.last)


def _sign_in(api: Api, username: str, password: str) -> None:
    html = api.c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    r = api.c.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": password},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = api.c.post("/api/v1/auth/token", json={"username": username, "password": password})
    api.tokens[username] = r.json()["access_token"]


def test_r_deadlines_demo_awaiting_judgment_shows_nothing_overdue(api: Api) -> None:
    """The issue's case: the demo's application awaiting a judgment had its publicity period
    listed open and shown "已逾期16个工作日", and its objection notice — answered — shown
    overdue, on its page and in the inbox."""
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    demo_world.populate(env)
    api.later(days=16)  # long after every period of the demo's older filings
    with env.read() as uow:
        (aid,) = [a.id for a in uow.applications.page(limit=100) if a.state == "awaiting_judgment"]
    _sign_in(api, "applicant", demo.PASSWORD)
    out = api.get("applicant", aid).json()
    assert out["state"] == "awaiting_judgment" and out["deadlines"] == []
    inbox = api.c.get(
        "/api/v1/inbox", headers=api.h("applicant"), params={"application_id": aid}
    ).json()
    (objection,) = [n for n in inbox if n["kind"] == "objection_notice"]
    assert objection["due_status"] == "met"
    assert "已逾期" not in api.c.get(f"/applications/{aid}").text
    rows = re.findall(r"<tr>.*?</tr>", api.c.get("/portal").text, re.S)
    mine = [r for r in rows if f'href="/applications/{aid}"' in r]
    assert mine and not [r for r in mine if "已逾期" in r]
    assert "已于" in api.c.get(f"/applications/{aid}").text  # 已于…办结: met on the day


def _notice(api: Api, who: str, kind: str) -> dict[str, Any]:
    found = [n for n in api.c.get("/api/v1/inbox", headers=api.h(who)).json() if n["kind"] == kind]
    assert found, kind
    return dict(found[0])  # the newest


def test_r_deadlines_closed_after_registration_by_the_act_they_wait_for(api: Api) -> None:
    """The after-registration table's dated acts: a revocation decision's re-examination
    window (G§20) is met once re-examination is requested; a renewal reminder's expiry
    (G§19) is met once renewed, and missed once the registration is cancelled for it."""
    env = api.c.app.state.registry.env  # type: ignore[attr-defined]
    w = api.world()
    evidence = complete_form(sample="")["evidence"]
    revoked, renewed, lapsed = (
        w.registered(
            name=f"第{i}号交通拥堵预测数据集", evidence={**evidence, "hash_value": f"{i:064x}"}
        )
        for i in (1, 2, 3)
    )
    api.at("2026-10-20 10:00")
    api.reg_ok(w.examiner, revoked, "revoke", grounds=[1], reason="登记后发现重复登记")
    assert _notice(api, w.applicant, "revocation_decision")["due_status"] == "running"
    api.at("2026-10-22 10:00")
    api.reg_ok(w.applicant, revoked, "request_re_examination", reason="不存在重复登记")
    assert _notice(api, w.applicant, "revocation_decision")["due_status"] == "met"
    api.at("2028-10-20 10:00")  # long after the window: met stays met
    assert _notice(api, w.applicant, "revocation_decision")["due_status"] == "met"

    api.at("2028-09-20 10:00")  # the renewal window (to expiry 2028-10-12) is open
    tick(env=env)
    reminders = [
        n
        for n in api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
        if n["kind"] == "renewal_reminder"
    ]
    assert len(reminders) == 2 and {n["due_status"] for n in reminders} == {"running"}
    api.reg_ok(w.applicant, renewed, "renew")
    api.at("2028-10-13 10:00")
    tick(env=env)  # the unrenewed one is cancelled (G§19)
    assert api.reg(w.applicant, lapsed).json()["state"] == "cancelled"
    by_reg = {
        n["body"]["registration_number"]: n["due_status"]
        for n in api.c.get("/api/v1/inbox", headers=api.h(w.applicant)).json()
        if n["kind"] == "renewal_reminder"
    }
    assert by_reg == {renewed: "met", lapsed: "missed"}
